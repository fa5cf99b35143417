"""The incidents pages: :mod:`.incidents` (lists, the incident page and its actions), :mod:`.vendors`."""
