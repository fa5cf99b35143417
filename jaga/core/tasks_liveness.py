"""The sweep that takes back the work of dead processes, every minute on the quick queue."""

from __future__ import annotations

from django_tasks import task

from jaga.core.liveness import sweeps_run


@task(queue_name="quick")
def sweeps_task() -> list[str]:
    """Re-queue the tasks of dead workers and run every app's sweep; returns the sweeps that failed."""
    return sweeps_run()
