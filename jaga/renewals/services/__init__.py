"""Writes of the renewals app: the register (:mod:`.register`), the case workflow (:mod:`.workflow`), the
daily run with reminders (:mod:`.daily`), escalation and incidents (:mod:`.escalation`), feeds (:mod:`.feeds`)."""
