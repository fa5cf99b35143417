"""nginx: one ``deny`` a line, for ``include`` in a ``server`` or ``location`` block; the expiry in a comment
(nginx has none: regenerate the file, e.g. every round, and reload)."""

from __future__ import annotations

from datetime import datetime

from jaga.traffic.selectors import BlockEntry


class Nginx:
    media_type = "text/plain"
    extension = "conf"

    def render(self, entries: list[BlockEntry], *, now: datetime) -> str:
        lines = [
            f"# Jaga: {len(entries)} blocks, {now:%Y-%m-%d %H:%M %Z}; include in a server block, then nginx -s reload"
        ]
        for entry in entries:
            lines.append(f"deny {entry.value};  # {entry.rules} until {entry.expires_at:%Y-%m-%dT%H:%M:%S%z}")
        return "\n".join(lines) + "\n"


KIND = Nginx()
