"""The incidents app's background jobs and the schedules that exist whatever the data."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from jaga.core import clock

VERIFY_EVERY_SECONDS = 60
ESCALATE_EVERY_SECONDS = 60


@task(queue_name="quick")
def incidents_verify() -> int:
    """Resolve the outage incidents whose monitor has confirmed the site available again."""
    from jaga.incidents.verify import incidents_verify_waiting

    return incidents_verify_waiting(now=clock.now())


@task(queue_name="quick")
def incidents_escalate() -> int:
    """Propose the next tier for the incidents that stayed too long in theirs."""
    from jaga.incidents.services.escalation import incidents_escalation_sweep

    return incidents_escalation_sweep(now=clock.now())


@task(queue_name="quick")
def incident_diagnose(incident_id: int, user_id: int | None = None) -> dict[str, Any] | None:
    """First response: DNS, TCP, TLS and HTTP diagnostics against the incident's site, asked of every live
    probe (each answers on the timeline), or run here when none is live."""
    from django.contrib.auth import get_user_model

    from jaga.incidents.services.diagnostics import incident_diagnose_now

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return incident_diagnose_now(incident_id=incident_id, user=user)


def incident_schedules_ensure() -> None:
    from jaga.core.scheduling import schedule_ensure

    schedule_ensure(key="incidents.verify", task_path="jaga.incidents.tasks.incidents_verify",
                    interval_seconds=VERIFY_EVERY_SECONDS)  # fmt: skip
    schedule_ensure(key="incidents.escalate", task_path="jaga.incidents.tasks.incidents_escalate",
                    interval_seconds=ESCALATE_EVERY_SECONDS)  # fmt: skip
