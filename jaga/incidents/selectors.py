"""Reads of the incidents app: the filtered list, one incident with its timeline, what a person may do."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from jaga.core.models import Institution
from jaga.incidents.kinds.base import Resolution
from jaga.incidents.models import OPEN_STATES, Incident, State, TimelineEntry
from jaga.incidents.services.workflow import ORDER, TRANSITIONS, incident_may_act, incident_resolution

OPEN = "open"  # the list's default filter: every state but Resolved


@dataclass(frozen=True)
class IncidentFilter:
    state: str = OPEN  # a State value, "open" or "" (all)
    kind: str = ""
    severity: str = ""
    site_id: int | None = None
    start: dt.date | None = None  # opened on or after, in the institution's time zone
    end: dt.date | None = None  # opened on or before


def incidents_for(*, institution: Institution, filters: IncidentFilter | None = None) -> QuerySet[Incident]:
    filters = filters or IncidentFilter()
    queryset = Incident.objects.filter(site__institution=institution).select_related("site", "handler")
    if filters.state == OPEN:
        queryset = queryset.filter(state__in=OPEN_STATES)
    elif filters.state:
        queryset = queryset.filter(state=filters.state)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.severity:
        queryset = queryset.filter(severity=filters.severity)
    if filters.site_id is not None:
        queryset = queryset.filter(site_id=filters.site_id)
    zone = ZoneInfo(institution.time_zone)
    if filters.start is not None:
        queryset = queryset.filter(opened_at__gte=dt.datetime.combine(filters.start, dt.time(), zone))
    if filters.end is not None:
        after = dt.datetime.combine(filters.end + dt.timedelta(days=1), dt.time(), zone)
        queryset = queryset.filter(opened_at__lt=after)
    return queryset


def incident_detail(*, incident_id: int) -> QuerySet[Incident]:
    return Incident.objects.filter(pk=incident_id).select_related(
        "site__institution", "handler", "opened_by", "resolved_by"
    )


def timeline_for(*, incident: Incident) -> QuerySet[TimelineEntry]:
    return incident.timeline.select_related("author").order_by("-at", "-pk")


def incident_actions(*, user: Any, incident: Incident) -> dict[str, Any]:
    """What the incident page offers this person: the moves the workflow allows, and whether they may act."""
    may_act = incident_may_act(user=user, incident=incident) and incident.is_open
    labels = dict(State.choices)
    moves = [(state, labels[state]) for state in TRANSITIONS[incident.state]] if may_act else []
    resolution = incident_resolution(incident)
    return {
        "may_act": may_act,
        "moves": moves,
        "may_acknowledge": may_act and incident.handler_id != getattr(user, "pk", None),
        "resolution": resolution.value,
        "waits_for_monitor": resolution is Resolution.MONITOR,
        "chain": [
            {
                "label": labels[state],
                "css": "done"
                if ORDER.index(state) < ORDER.index(State(incident.state))
                else ("current" if state == incident.state else ""),
            }
            for state in ORDER
        ],
    }


def duration_minutes(start: dt.datetime | None, end: dt.datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, int((end - start).total_seconds() // 60))
