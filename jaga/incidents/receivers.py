"""What the incidents app does when another app reports something (connected in ``IncidentsConfig.ready``)."""

from __future__ import annotations

import logging
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_noop

from jaga.monitoring.models import MonitorStatus
from jaga.monitoring.reasons import reason_read

logger = logging.getLogger(__name__)

CLEARED = gettext_noop("%(monitor)s: monitor melaporkan naik kembali.")

# Which incident a monitor kind's trouble is. A kind not named here watches availability: an outage.
MONITOR_KIND_INCIDENT = {
    "freshness": "content_stale",
    "required_pages": "page_missing",
    "integrity": "integrity",
}
# An availability monitor that is only degraded (slow, a certificate expiring soon) is not an incident:
# its notification says so, and the renewals app follows the certificate.
TROUBLE = {
    "outage": {MonitorStatus.DOWN.value},
    "content_stale": {MonitorStatus.DOWN.value, MonitorStatus.DEGRADED.value},
    "page_missing": {MonitorStatus.DOWN.value, MonitorStatus.DEGRADED.value},
    "integrity": {MonitorStatus.DOWN.value, MonitorStatus.DEGRADED.value},
}


def monitor_cause_key(monitor: Any) -> str:
    return f"monitor:{monitor.pk}"


def on_monitor_status_changed(*, monitor: Any, transition: Any, **_: Any) -> None:
    """A monitor went down (open or update its incident) or up again (its cause is cleared).

    A change inside a maintenance window is announced work, not a problem: no incident.
    """
    from jaga.incidents.services import _system_text, incident_cause_cleared, incident_open_or_update

    kind = MONITOR_KIND_INCIDENT.get(monitor.kind, "outage")
    if transition.to_status in TROUBLE[kind]:
        if transition.in_maintenance:
            return
        with translation.override("id"):
            status_label = str(MonitorStatus(transition.to_status).label)
        codes = (
            sorted({f.code for f in monitor.findings.filter(resolved_at__isnull=True)}) if kind == "integrity" else []
        )
        incident_open_or_update(
            site=monitor.site,
            kind=kind,
            cause_key=monitor_cause_key(monitor),
            # Stored once, in Indonesian (search, the admin); pages and messages read the title, which the kind
            # (jaga/incidents/kinds/monitored.py) words in each reader's language from the details below.
            summary=f"{monitor.name}: {reason_read(transition.reason, translate=False) or status_label}"[:500],
            details={
                "monitor_id": monitor.pk,
                "monitor": monitor.name,
                "monitor_kind": monitor.kind,
                "status": transition.to_status,
                "reason": transition.reason,
                "probes": list(transition.probes),
                "codes": codes,
            },
            at=transition.at,
            source="monitoring",
        )
    elif transition.to_status == MonitorStatus.UP.value and transition.from_status != MonitorStatus.UNKNOWN.value:
        # A monitor seen for the first time (or after a change of settings) coming up costs no query here: an
        # incident left open across that is resolved by the incidents.verify schedule.
        incident_cause_cleared(
            site=monitor.site,
            kind=kind,
            cause_key=monitor_cause_key(monitor),
            at=transition.at,
            note=_system_text(CLEARED, monitor=monitor.name),
        )
