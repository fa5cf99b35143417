"""Background jobs that keep rollups current and storage small (django-tasks), and their schedules."""

from __future__ import annotations

import logging

from django_tasks import task

from jaga.core import clock
from jaga.monitoring.rollups import results_prune, rollups_compute

logger = logging.getLogger("jaga.monitoring.rollups")

ROLLUPS_EVERY_SECONDS = 60
PRUNE_EVERY_SECONDS = 3600


@task(queue_name="quick")
def rollups_run() -> dict[str, int]:
    """Roll raw results up into minute, hour and day buckets (a run stops after its time budget)."""
    stats = rollups_compute(now=clock.now())
    if not stats.complete:
        logger.info("rollup belum selesai, dilanjutkan pada putaran berikut / rollups not done, going on next run")
    return stats.written


@task(queue_name="long")  # deleting a day of raw results may take a while; nothing waits on it
def results_prune_run() -> dict[str, int]:
    """Delete raw results and minute/hour rollups past their retention."""
    return results_prune(now=clock.now()).deleted


def rollup_schedules_ensure() -> None:
    """Declare the two recurring jobs (idempotent; called at start-up by the scheduler's set-up)."""
    from jaga.core.scheduling import schedule_ensure

    schedule_ensure(
        key="monitoring.rollups",
        task_path="jaga.monitoring.tasks_rollups.rollups_run",
        interval_seconds=ROLLUPS_EVERY_SECONDS,
    )
    schedule_ensure(
        key="monitoring.results_prune",
        task_path="jaga.monitoring.tasks_rollups.results_prune_run",
        interval_seconds=PRUNE_EVERY_SECONDS,
    )
