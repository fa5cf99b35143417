"""Who the audit trail names for the changes a Jaga process (worker, scheduler, probe) makes."""

from __future__ import annotations

from contextlib import AbstractContextManager

from jaga.core.audit import actor_system


def process_actor(process: str) -> AbstractContextManager[object]:
    """Wrap a process's entry point: ``with process_actor("worker"): ...``: its changes are in the trail as
    made by Jaga, through ``process`` (see :func:`jaga.core.audit.actor_system`)."""
    return actor_system(process)
