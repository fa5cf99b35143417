"""A monitor's status change, told to the people routed for it (``jaga.core.notifications.notify``).

The event type depends on the change and on the monitor's kind (``jaga.monitoring.events``); the texts are
translated in each recipient's language, with the time in the institution's zone and a link to the monitor.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jaga.core import notifications
from jaga.core.notify_render import link_absolute
from jaga.monitoring import events
from jaga.monitoring.findings import finding_said
from jaga.monitoring.kinds import REGISTRY
from jaga.monitoring.models import Finding, Monitor, MonitorStatus, StatusChange
from jaga.monitoring.reasons import Worded, reason_param

if TYPE_CHECKING:
    from jaga.monitoring.services import Transition

logger = logging.getLogger(__name__)

MAX_FINDINGS_LISTED = 5

BODY = _("%(reason)s\nSejak: %(since)s\nProbe: %(probes)s")
BODY_FINDINGS = _("%(reason)s\nSejak: %(since)s\nProbe: %(probes)s\n\nTemuan:\n%(findings)s")
BODY_REVIEW = _(
    "%(findings)s\nSejak: %(since)s\n\nTemuan ini tetap terbuka sampai petugas menandainya sudah diperiksa:\n%(where)s"
)
BODY_RECOVERED = _("%(reason)s\nKembali sejak: %(since)s, setelah %(duration)s\nProbe: %(probes)s")


def kind_events(kind: str) -> events.KindEvents:
    """The event types ``kind`` sends (the ``monitor.*`` ones for a kind that names none)."""
    if kind not in REGISTRY:
        return events.KindEvents()
    chosen = REGISTRY.entry(kind).extra.get("events")
    return chosen if isinstance(chosen, events.KindEvents) else events.KindEvents()


SEVERITY_ORDER = {"critical": 0, "warning": 1}


def _open_findings(monitor: Monitor) -> list[Finding]:
    """The monitor's unresolved findings worth a message, the critical ones first."""
    found = Finding.objects.filter(monitor=monitor, resolved_at__isnull=True).exclude(severity="info")
    return sorted(found, key=lambda f: (SEVERITY_ORDER.get(f.severity, 2), f.code, f.first_seen))


def transition_event_types(*, kind: str, from_status: str, to_status: str, finding_codes: set[str]) -> list[str]:
    """What a change from ``from_status`` to ``to_status`` announces (nothing for a first check that is up)."""
    chosen = kind_events(kind)
    if to_status == MonitorStatus.DOWN:
        return [events.DOWN]
    if to_status == MonitorStatus.UP:
        if from_status == MonitorStatus.DOWN:
            return [events.UP]
        if from_status == MonitorStatus.DEGRADED:
            return [chosen.recovered]
        return []  # unknown -> up: the first check, nothing happened
    if to_status == MonitorStatus.DEGRADED:
        problem = chosen.problem_event(finding_codes)
        # Back from an outage with a problem left: both facts, each to the people routed for it.
        return [events.UP, problem] if from_status == MonitorStatus.DOWN else [problem]
    return []


def _down_duration(monitor: Monitor, transition: Transition) -> timedelta | None:
    """How long the monitor was in the status it leaves (from the change that put it there)."""
    previous = (
        StatusChange.objects.filter(monitor=monitor, to_status=transition.from_status, at__lt=transition.at)
        .order_by("-at")
        .first()
    )
    return transition.at - previous.at if previous is not None else None


def transition_notify(monitor: Monitor, transition: Transition) -> None:
    """Send the change's events. Never raises (``notify`` does not; a lookup that fails here is logged)."""
    if transition.in_maintenance:
        return
    try:
        findings = _open_findings(monitor) if transition.to_status == MonitorStatus.DEGRADED else []
        event_types = transition_event_types(
            kind=monitor.kind,
            from_status=transition.from_status,
            to_status=transition.to_status,
            finding_codes={finding.code for finding in findings},
        )
        if not event_types:
            return
        site = monitor.site
        params: dict[str, Any] = {
            "monitor": monitor.name,
            "site": site.name,
            "reason": reason_param(transition.reason),
            "since": transition.at,
            "probes": transition.probes,
        }
        for event_type in event_types:
            text = events.EVENTS_BY_KEY.get(event_type)
            title = text.title if text is not None else _("%(monitor)s TERGANGGU (%(site)s)")
            body = BODY
            severity = None
            if event_type == events.UP or (event_type != events.DOWN and transition.to_status == MonitorStatus.UP):
                duration = _down_duration(monitor, transition)
                if duration is not None:
                    body, params = BODY_RECOVERED, {**params, "duration": duration}
            elif findings:
                body, params = BODY_FINDINGS, {**params, "findings": Worded(lambda: _findings_listed(findings))}
                if any(f.severity == "critical" for f in findings):
                    severity = "failure"
            notifications.notify(
                institution=site.institution,
                event_type=event_type,
                title=title,
                body=body,
                params=params,
                site=site,
                link=monitor,
                severity=severity,
            )
    except Exception:
        logger.exception("could not announce the status change of monitor %s", monitor.pk)


def _findings_listed(findings: list[Finding], *, evidence: bool = False) -> str:
    """The findings as lines of a message, in the active language (the recipient's)."""
    lines = []
    for f in findings[:MAX_FINDINGS_LISTED]:
        if evidence:
            lines.append(f"- {finding_said(f)}: {f.evidence or f.location}")
        else:
            lines.append(f"- {finding_said(f)} ({f.location})" if f.location else f"- {finding_said(f)}")
    if len(findings) > MAX_FINDINGS_LISTED:
        lines.append(f"- … (+{len(findings) - MAX_FINDINGS_LISTED})")
    return "\n".join(lines)


def findings_review_notify(monitor: Monitor, findings: list[Finding]) -> None:
    """Announce findings that wait for a person (``content.review``), once, when they are first seen.

    Sent even inside a maintenance window: the finding stays open until acknowledged, and a page nobody made
    during maintenance is exactly what a person should look at. Never raises.
    """
    if not findings:
        return
    try:
        site = monitor.site
        text = events.EVENTS_BY_KEY[events.REVIEW]
        first = findings[0]
        notifications.notify(
            institution=site.institution,
            event_type=events.REVIEW,
            title=text.title,
            body=BODY_REVIEW,
            params={
                "monitor": monitor.name,
                "site": site.name,
                "what": Worded(
                    lambda: finding_said(first) if len(findings) == 1 else f"{len(findings)} × {finding_said(first)}"
                ),
                "findings": Worded(lambda: _findings_listed(findings, evidence=True)),
                "since": min(f.first_seen for f in findings),
                "where": link_absolute(path := reverse("monitoring:site_freshness", args=[site.pk])) or path,
            },
            site=site,
            link=monitor,
        )
    except Exception:
        logger.exception("could not announce the findings to review of monitor %s", monitor.pk)
