"""The incidents app's background jobs and the schedules that exist whatever the data."""

from __future__ import annotations

from django_tasks import task

from jaga.core import clock

VERIFY_EVERY_SECONDS = 60


@task(queue_name="quick")
def incidents_verify() -> int:
    """Resolve the outage incidents whose monitor has confirmed the site available again."""
    from jaga.incidents.verify import incidents_verify_waiting

    return incidents_verify_waiting(now=clock.now())


def incident_schedules_ensure() -> None:
    from jaga.core.scheduling import schedule_ensure

    schedule_ensure(key="incidents.verify", task_path="jaga.incidents.tasks.incidents_verify",
                    interval_seconds=VERIFY_EVERY_SECONDS)  # fmt: skip
