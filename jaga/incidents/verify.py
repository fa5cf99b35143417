"""The SOP's output for an outage is "website access available": an outage incident resolves only when its
monitor has confirmed that, for ``JAGA_INCIDENT_RESOLVE_CHECKS`` checks in a row after the cause cleared.

:func:`incident_verify_monitor` runs when the monitor reports the site up again and then every minute
(``tasks.incidents_verify``) for the incidents still waiting in Monitoring.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.utils.translation import gettext_noop

from jaga.incidents.kinds import REGISTRY
from jaga.incidents.kinds.base import Resolution
from jaga.incidents.models import Incident, State
from jaga.monitoring.models import CheckResult, MonitorStatus

CONFIRMED = gettext_noop("Monitor memastikan situs dapat diakses (%(count)s pemeriksaan berturut-turut).")

logger = logging.getLogger(__name__)


def _monitor_kinds() -> list[str]:
    return [e.key for e in REGISTRY if REGISTRY.get(e.key).resolution is Resolution.MONITOR]


def up_checks_since(*, monitor_id: int, since: datetime) -> int:
    """Checks in a row that found the site up since ``since``, newest first; a failure ends the run.

    A probe that was offline says nothing about the site and is skipped."""
    needed = settings.JAGA_INCIDENT_RESOLVE_CHECKS
    statuses = (
        CheckResult.objects.filter(monitor_id=monitor_id, checked_at__gte=since.replace(microsecond=0))
        .exclude(status=MonitorStatus.PROBE_OFFLINE)
        .order_by("-checked_at", "-id")
        .values_list("status", flat=True)[: needed * 4]
    )
    count = 0
    for status in statuses:
        if status != MonitorStatus.UP:
            break
        count += 1
    return count


def incident_verify_monitor(*, incident_id: int, now: datetime) -> bool:
    """Resolve the incident when its monitor has confirmed the site available; returns whether it did."""
    from jaga.incidents.services import _system_text, incident_resolve_confirmed

    incident = Incident.objects.filter(pk=incident_id, state=State.MONITORING).first()
    if incident is None or incident.cause_cleared_at is None:
        return False
    monitor_id = incident.details.get("monitor_id")
    if not isinstance(monitor_id, int):
        return False  # no monitor to confirm it: a person verifies
    needed = settings.JAGA_INCIDENT_RESOLVE_CHECKS
    count = up_checks_since(monitor_id=monitor_id, since=incident.cause_cleared_at)
    if count < needed:
        return False
    incident_resolve_confirmed(incident=incident, at=now, note=_system_text(CONFIRMED, count=count))
    return True


def incidents_verify_waiting(*, now: datetime) -> int:
    """Every outage incident waiting in Monitoring: resolve those their monitor has confirmed."""
    resolved = 0
    waiting = Incident.objects.filter(
        state=State.MONITORING, kind__in=_monitor_kinds(), cause_cleared_at__isnull=False
    ).values_list("pk", flat=True)
    for incident_id in list(waiting):
        try:
            resolved += incident_verify_monitor(incident_id=incident_id, now=now)
        except Exception:  # one bad incident must not stop the others
            logger.exception("incident %s: verification failed", incident_id)
    return resolved
