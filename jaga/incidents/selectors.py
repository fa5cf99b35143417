"""Reads of the incidents app: the filtered list, one incident with its timeline, what a person may do."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from jaga.core.models import Institution
from jaga.core.sentences import sentence_read
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


def sop_tile_lines(*, institution: Institution, site: Any = None, activity_keys: Any = ()) -> dict[str, list[Any]]:
    """The tiles of activities 6 and 7 on the SOP dashboards: what is open, unhandled, escalated, unreviewed."""
    from django.db.models import Count, Q
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from jaga.incidents.models import REVIEWED_SEVERITIES, Tier
    from jaga.sop.tiles import TileLine

    incidents = Incident.objects.filter(site__institution=institution)
    if site is not None:
        incidents = incidents.filter(site=site)
    open_q = Q(state__in=OPEN_STATES)
    counts = incidents.aggregate(
        open=Count("pk", filter=open_q),
        critical=Count("pk", filter=open_q & Q(severity="kritis")),
        unhandled=Count("pk", filter=open_q & Q(acknowledged_at__isnull=True)),
        tier2=Count("pk", filter=open_q & Q(tier=Tier.UMUM)),
        tier3=Count("pk", filter=open_q & Q(tier=Tier.VENDOR)),
        proposed=Count("pk", filter=open_q & Q(escalation_proposed_at__isnull=False)),
        unreviewed=Count(
            "pk", filter=Q(state=State.RESOLVED, severity__in=REVIEWED_SEVERITIES, reviewed_at__isnull=True)
        ),
    )
    href = reverse("incidents:list", kwargs={"slug": institution.slug})
    if site is not None:
        href = reverse("incidents:site_list", kwargs={"slug": institution.slug, "site_id": site.pk})
    action: list[TileLine] = []
    if counts["open"]:
        css = "bad" if counts["critical"] else "warn"
        action.append(TileLine(_("%(n)s insiden belum selesai") % {"n": counts["open"]}, css, href))
        if counts["unhandled"]:
            action.append(TileLine(_("%(n)s belum ada yang menangani") % {"n": counts["unhandled"]}, "bad", href))
    else:
        action.append(TileLine(_("Tidak ada insiden terbuka."), "ok", href))
    trouble: list[TileLine] = []
    if counts["proposed"]:
        trouble.append(TileLine(_("%(n)s perlu dieskalasi") % {"n": counts["proposed"]}, "bad", href))
    if counts["tier2"]:
        trouble.append(TileLine(_("%(n)s di Subbag Umum dan Keuangan") % {"n": counts["tier2"]}, "warn", href))
    if counts["tier3"]:
        trouble.append(TileLine(_("%(n)s di pihak ketiga") % {"n": counts["tier3"]}, "warn", href))
    if counts["unreviewed"]:
        reviewed_href = f"{href}?status=resolved"
        trouble.append(
            TileLine(_("%(n)s tinjauan pasca-insiden belum diisi") % {"n": counts["unreviewed"]}, "warn", reviewed_href)
        )
    if not trouble:
        trouble.append(TileLine(_("Tidak ada yang sedang dieskalasi."), "ok", href))
    return {"incident_action": action, "troubleshooting": trouble}


def runbooks_for(*, incident: Incident) -> list[Any]:
    """The runbooks of the incident's kind: those the kind names, then those an administrator linked to it."""
    from jaga.incidents.kinds import REGISTRY
    from jaga.incidents.models import Runbook

    named = REGISTRY.get(incident.kind).runbooks if incident.kind in REGISTRY else ()
    found = [r for r in Runbook.objects.all() if r.slug in named or incident.kind in (r.kinds or [])]
    return sorted(found, key=lambda r: (r.slug not in named, named.index(r.slug) if r.slug in named else 0, r.title_id))


PUBLIC_RESOLVED_DAYS = 7


def public_status_section(*, site: Any, now: dt.datetime) -> dict[str, Any] | None:
    """The site's public status page: its open incidents, and those resolved in the last week that had public
    updates, each with only the updates a person chose to publish. The public sees the kind's label and the
    state, never the internal summary, details or notes."""
    from django.db.models import Prefetch

    since = now - dt.timedelta(days=PUBLIC_RESOLVED_DAYS)
    public_entries = Prefetch(
        "timeline", queryset=TimelineEntry.objects.filter(is_public=True).order_by("-at", "-pk"), to_attr="public"
    )
    incidents = list(
        Incident.objects.filter(site=site)
        .filter(Q(state__in=OPEN_STATES) | Q(resolved_at__gte=since, timeline__is_public=True))
        .distinct()
        .prefetch_related(public_entries)
        .order_by("-opened_at")[:20]
    )
    maintenance = maintenance_for_site(site=site, now=now, public=True)
    return {
        "incidents": [
            {
                "pk": incident.pk,
                "title": incident.kind_label(),
                "state": incident.state,
                "state_label": incident.get_state_display(),
                "opened_at": incident.opened_at,
                "resolved_at": incident.resolved_at,
                "updates": [
                    {"at": entry.at, "text": entry.public_text or sentence_read(entry.text)}
                    for entry in getattr(incident, "public", [])
                ],
            }
            for incident in incidents
        ],
        "maintenance": [
            {
                "pk": item.window.pk,
                "title": item.window.title,
                "starts_at": item.starts_at,
                "ends_at": item.ends_at,
                "when": item.when,
                "stage": item.latest.stage if item.latest else "",
                "stage_label": item.latest.get_stage_display() if item.latest else "",
                "updates": [
                    {
                        "at": update.at,
                        "stage_label": update.get_stage_display(),
                        "text": update.public_text or update.text,
                    }
                    for update in item.updates
                ],
            }
            for item in maintenance
        ],
        # Announced here with their updates: the page's list of scheduled maintenance leaves them out.
        "windows": [(item.window.pk, item.starts_at) for item in maintenance],
        "institution": site.institution,
    }


def incidents_between(*, sites: Any, since: dt.datetime, until: dt.datetime) -> QuerySet[Incident]:
    """The sites' incidents open at some time in ``[since, until)``: opened before ``until`` and not resolved
    before ``since`` (a report's period), oldest first."""
    return (
        Incident.objects.filter(site__in=sites, opened_at__lt=until)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=since))
        .select_related("site")
        .order_by("opened_at", "pk")
    )


MAINTENANCE_AHEAD = dt.timedelta(days=14)  # as far ahead as the public page announces maintenance
MAINTENANCE_AFTER = dt.timedelta(days=PUBLIC_RESOLVED_DAYS)  # a finished maintenance's updates stay this long


@dataclass(frozen=True)
class MaintenanceItem:
    """A maintenance window, its occurrence that matters now (going on, else the next, else the last one just
    over; ``None`` when none is near) and its updates, newest first."""

    window: Any
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    when: str  # "ongoing", "upcoming", "over" or "" (no occurrence near)
    updates: list[Any]

    @property
    def latest(self) -> Any:
        """The newest update: where the work stands."""
        return self.updates[0] if self.updates else None


def _occurrence(window: Any, now: dt.datetime) -> tuple[dt.datetime, dt.datetime, str] | None:
    from jaga.monitoring.maintenance import WindowSpec, window_occurrences

    spec = WindowSpec(
        site_id=window.site_id, monitor_id=window.monitor_id, starts_at=window.starts_at, ends_at=window.ends_at,
        recurrence=window.recurrence, repeat_until=window.repeat_until, time_zone=window.site.institution.time_zone,
    )  # fmt: skip
    found = window_occurrences(window=spec, start=now - MAINTENANCE_AFTER, end=now + MAINTENANCE_AHEAD)
    for start, end in found:
        if start <= now < end:
            return start, end, "ongoing"
    upcoming = [(start, end) for start, end in found if start > now]
    if upcoming:
        return upcoming[0][0], upcoming[0][1], "upcoming"
    over = [(start, end) for start, end in found if end <= now]
    return (over[-1][0], over[-1][1], "over") if over else None


def maintenance_for_site(*, site: Any, now: dt.datetime, public: bool = False) -> list[MaintenanceItem]:
    """The site's maintenance windows with their updates: those going on first, then the coming ones, the
    ones just over, and (not ``public``) the rest. ``public``: only windows near now that apply to a public
    monitor (or to all), each with only its public updates of this occurrence, and only those that have one."""
    from django.db.models import Prefetch

    from jaga.incidents.models import MaintenanceUpdate
    from jaga.monitoring.models import MaintenanceWindow

    updates = MaintenanceUpdate.objects.select_related("author").order_by("-at", "-pk")
    if public:
        updates = updates.filter(is_public=True)
    windows = MaintenanceWindow.objects.filter(site=site).select_related("site__institution", "monitor")
    if public:
        windows = windows.filter(Q(monitor__isnull=True) | Q(monitor__is_public=True))
    items = []
    for window in windows.prefetch_related(Prefetch("updates", queryset=updates, to_attr="listed")):
        occurrence = _occurrence(window, now)
        listed = list(window.listed)
        if public:
            if occurrence is None:
                continue
            # A recurring window: the updates of earlier occurrences are not about this one.
            listed = [u for u in listed if u.at >= occurrence[0] - MAINTENANCE_AHEAD]
            if not listed:
                continue
        start, end, when = occurrence if occurrence else (None, None, "")
        items.append(MaintenanceItem(window=window, starts_at=start, ends_at=end, when=when, updates=listed))
    order = {"ongoing": 0, "upcoming": 1, "over": 2, "": 3}
    return sorted(items, key=lambda i: (order[i.when], i.starts_at or i.window.starts_at, i.window.pk))


STEPS = ("dns", "tcp", "tls", "http")


def diagnostics_overview(*, incident: Incident) -> dict[str, Any] | None:
    """The newest round of diagnostics side by side, one row per probe (or the worker), with what they say
    together: every probe failing to reach the site points at the site or its hosting; some failing and
    some not points at the network between. ``None`` before any round."""
    from jaga.incidents.models import DiagnosticRequest, EntryKind

    latest = incident.diagnostic_requests.order_by("-requested_at").values_list("requested_at", flat=True).first()
    worker = incident.timeline.filter(kind=EntryKind.DIAGNOSTIC, data__ran_in="worker").order_by("-at", "-pk").first()
    rows: list[dict[str, Any]] = []
    if latest is not None and (worker is None or worker.at < latest):
        requests = DiagnosticRequest.objects.filter(incident=incident, requested_at=latest).select_related("entry")
        for request in requests.order_by("probe"):
            entry = request.entry if request.state == DiagnosticRequest.RequestState.DONE else None
            rows.append(_overview_row(request.probe, request.state, request.get_state_display(), entry))
        at = latest
    elif worker is not None:
        rows.append(_overview_row("", "done", "", worker))
        at = worker.at
    else:
        return None
    waiting = any(row["state"] in ("pending", "running") for row in rows)
    reached = {row["reached"] for row in rows if row["reached"] is not None}
    verdict = ""
    if not waiting and reached == {False}:
        verdict = "none"  # nobody reaches it: the site, its server or its hosting
    elif reached == {True, False}:
        verdict = "split"  # some do, some do not: the network between
    elif reached == {True}:
        verdict = "all"  # everybody reaches it now: recovered, or it comes and goes
    return {"at": at, "rows": rows, "verdict": verdict, "waiting": waiting}


def _overview_row(probe: str, state: str, state_label: str, entry: Any) -> dict[str, Any]:
    steps = {step["step"]: step for step in (entry.data.get("steps", []) if entry is not None else [])}
    http_step = steps.get("http")
    # A probe that could not reach its own control target says nothing about the site: left out of the verdict.
    offline = entry is not None and entry.data.get("probe_control_ok") is False
    return {
        "probe": probe,
        "location": entry.data.get("location", "") if entry is not None else "",
        "state": state,
        "state_label": state_label,
        "entry": entry,
        "steps": [
            {"step": name, "ok": steps[name]["ok"] if name in steps else None, "known": name in steps} for name in STEPS
        ],
        "offline": offline,
        "reached": None if http_step is None or offline else bool(http_step["ok"]),
    }
