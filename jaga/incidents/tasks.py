"""The incidents app's background jobs and the schedules that exist whatever the data."""

from __future__ import annotations

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
def incident_diagnose(incident_id: int, user_id: int | None = None) -> int | None:
    """First response: run DNS, TCP, TLS and HTTP diagnostics against the incident's site, on its timeline."""
    from django.contrib.auth import get_user_model

    from jaga.incidents.services.diagnostics import incident_diagnose_now

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    entry = incident_diagnose_now(incident_id=incident_id, user=user)
    return entry.pk if entry is not None else None


def incident_schedules_ensure() -> None:
    from jaga.core.scheduling import schedule_ensure

    schedule_ensure(key="incidents.verify", task_path="jaga.incidents.tasks.incidents_verify",
                    interval_seconds=VERIFY_EVERY_SECONDS)  # fmt: skip
    schedule_ensure(key="incidents.escalate", task_path="jaga.incidents.tasks.incidents_escalate",
                    interval_seconds=ESCALATE_EVERY_SECONDS)  # fmt: skip
