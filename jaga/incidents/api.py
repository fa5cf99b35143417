"""The incidents' REST API, served by core's one API under ``/api/incidents`` (registered from
``IncidentsConfig.ready()``): list, read, open by hand, add a timeline entry, acknowledge, change state and
escalate.

Every change is a service call as the token's user, with the same rules as the pages: a role that may not act
gets 403, a move the workflow refuses 422 with the sentence, a stale ``version`` 409. Another institution's
incident is 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from jaga.core.api import Pagination, api_require, api_token
from jaga.core.models import Site
from jaga.core.sentences import sentence_read
from jaga.incidents.kinds import REGISTRY
from jaga.incidents.models import Incident, State, TimelineEntry, Vendor
from jaga.incidents.selectors import IncidentFilter, incidents_for
from jaga.incidents.services.escalation import incident_escalate
from jaga.incidents.services.workflow import (
    IncidentConflict,
    incident_acknowledge,
    incident_entry_add,
    incident_open_manual,
    incident_state_change,
)

router = Router()


class EntryOut(Schema):
    id: int
    at: dt.datetime
    kind: str
    author: str | None = Field(description="Nama pengguna, atau null untuk Jaga / username, or null for Jaga")
    text: str
    data: dict[str, Any]
    is_alternative: bool
    worked: bool | None
    is_public: bool
    public_text: str
    attachment_name: str | None

    @staticmethod
    def resolve_author(obj: TimelineEntry) -> str | None:
        return obj.author.get_username() if obj.author else None

    @staticmethod
    def resolve_text(obj: TimelineEntry) -> str:
        return sentence_read(obj.text)  # Jaga's own lines are stored as sentences: in the request's language

    @staticmethod
    def resolve_attachment_name(obj: TimelineEntry) -> str | None:
        return str(obj.data.get("file_name") or obj.attachment.name) if obj.attachment else None


class IncidentOut(Schema):
    id: int
    site_id: int
    kind: str
    cause_key: str
    summary: str
    details: dict[str, Any]
    severity: str
    state: str
    tier: int
    tier_since: dt.datetime
    opened_at: dt.datetime
    last_seen_at: dt.datetime
    occurrences: int
    handler: str | None
    acknowledged_at: dt.datetime | None
    resolved_at: dt.datetime | None
    resolution_note: str
    vendor_name: str
    vendor_ticket: str
    escalation_proposed_at: dt.datetime | None
    version: int = Field(description="Kirim kembali saat mengubah status / send back when changing the state")

    @staticmethod
    def resolve_handler(obj: Incident) -> str | None:
        return obj.handler.get_username() if obj.handler else None

    @staticmethod
    def resolve_resolution_note(obj: Incident) -> str:
        return sentence_read(obj.resolution_note)


class IncidentDetailOut(IncidentOut):
    timeline: list[EntryOut]

    @staticmethod
    def resolve_timeline(obj: Incident) -> list[TimelineEntry]:
        return list(obj.timeline.select_related("author").order_by("at", "pk"))


class IncidentIn(Schema):
    site_id: int
    kind: str = Field("manual", description="Salah satu / one of: " + ", ".join(REGISTRY.keys()))
    summary: str
    description: str = ""
    severity: str | None = Field(None, description="kritis, tinggi, sedang, rendah; kosong: bawaan jenisnya")


class EntryIn(Schema):
    kind: str = Field("note", description="note atau/or action")
    text: str
    is_alternative: bool = False
    worked: bool | None = None
    is_public: bool = False
    public_text: str = ""


class StateIn(Schema):
    to_state: str = Field(description="Salah satu / one of: " + ", ".join(State.values))
    note: str = ""
    version: int | None = None


class EscalateIn(Schema):
    to_tier: int = Field(description="2 (Subbag Umum dan Keuangan) atau/or 3 (pihak ketiga / third party)")
    reason: str
    vendor_id: int | None = None
    vendor_ticket: str = ""


def _incident(request: HttpRequest, incident_id: int) -> Incident:
    token = api_token(request)
    found = (
        Incident.objects.select_related("site__institution", "handler")
        .filter(pk=incident_id, site__institution_id=token.institution_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _day(name: str, value: str) -> dt.date | None:
    """A query's day (the parameters are plain strings: the pagination wrapper cannot resolve a date type)."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise HttpError(
            422, f"{name}: tanggal tidak sah, tulis YYYY-MM-DD / not a date, write YYYY-MM-DD ({value[:40]!r})"
        ) from None


@router.get("", response=list[IncidentOut], tags=["incidents"])
@paginate(Pagination)
def incidents_list(
    request: HttpRequest,
    state: str = "open",  # "open" (not resolved), "" for all, or one state
    kind: str = "",
    severity: str = "",
    site_id: int | None = None,
    since: str = "",  # YYYY-MM-DD: opened on or after this day, in the institution's time zone
    until: str = "",  # YYYY-MM-DD: opened on or before this day
) -> Any:
    token = api_token(request)
    filters = IncidentFilter(
        state=state, kind=kind, severity=severity, site_id=site_id,
        start=_day("since", since), end=_day("until", until),
    )  # fmt: skip
    return incidents_for(institution=token.institution, filters=filters)


# --- scheduled maintenance and its updates (before /{incident_id}: ninja tries the routes in order) -----------


class MaintenanceUpdateOut(Schema):
    id: int
    at: dt.datetime
    author: str | None
    stage: str = Field(description="scheduled, in_progress, verifying, completed")
    text: str
    is_public: bool
    public_text: str

    @staticmethod
    def resolve_author(obj: Any) -> str | None:
        return obj.author.get_username() if obj.author else None


class MaintenanceOut(Schema):
    window_id: int
    site_id: int
    title: str
    starts_at: dt.datetime | None = Field(
        description="Kejadian yang penting sekarang / the occurrence that matters now"
    )
    ends_at: dt.datetime | None
    when: str = Field(description="ongoing, upcoming, over, atau kosong / or empty (none near)")
    updates: list[MaintenanceUpdateOut]


class MaintenanceUpdateIn(Schema):
    stage: str = Field(description="scheduled, in_progress, verifying, completed")
    text: str
    is_public: bool = False
    public_text: str = ""


@router.get("/maintenance", response=list[MaintenanceOut], tags=["incidents"])
def maintenance_list(request: HttpRequest, site_id: int | None = None) -> list[dict[str, Any]]:
    """The institution's maintenance windows (monitoring's) with every update, newest first."""
    from jaga.core import clock
    from jaga.incidents.selectors import maintenance_for_site

    token = api_token(request)
    sites = Site.objects.filter(institution_id=token.institution_id).select_related("institution").order_by("name")
    if site_id is not None:
        sites = sites.filter(pk=site_id)
    now = clock.now()
    return [
        {
            "window_id": item.window.pk,
            "site_id": site.pk,
            "title": item.window.title,
            "starts_at": item.starts_at,
            "ends_at": item.ends_at,
            "when": item.when,
            "updates": item.updates,
        }
        for site in sites
        for item in maintenance_for_site(site=site, now=now)
    ]


@router.post("/maintenance/{window_id}/updates", response={201: MaintenanceUpdateOut}, tags=["incidents"])
def maintenance_update_post(request: HttpRequest, window_id: int, payload: MaintenanceUpdateIn) -> tuple[int, Any]:
    """Post an update on a maintenance window (operators); ``is_public`` shows it on the public status page."""
    from jaga.incidents.services.maintenance import maintenance_update_add
    from jaga.monitoring.models import MaintenanceWindow

    token = api_token(request)
    window = (
        MaintenanceWindow.objects.select_related("site")
        .filter(pk=window_id, site__institution_id=token.institution_id)
        .first()
    )
    if window is None:
        raise Http404
    update = maintenance_update_add(
        window=window, user=token.user, stage=payload.stage, text=payload.text, is_public=payload.is_public,
        public_text=payload.public_text,
    )  # fmt: skip
    return 201, update


@router.get("/{incident_id}", response=IncidentDetailOut, tags=["incidents"])
def incident_read(request: HttpRequest, incident_id: int) -> Incident:
    return _incident(request, incident_id)


@router.post("", response={201: IncidentDetailOut}, tags=["incidents"])
def incident_open(request: HttpRequest, payload: IncidentIn) -> tuple[int, Incident]:
    token = api_require(request, "operate")
    site = Site.objects.filter(pk=payload.site_id, institution_id=token.institution_id).first()
    if site is None:
        raise Http404
    incident = incident_open_manual(
        site=site, user=token.user, kind=payload.kind, summary=payload.summary, description=payload.description,
        severity=payload.severity,
    )  # fmt: skip
    return 201, _incident(request, incident.pk)


@router.post("/{incident_id}/timeline", response={201: EntryOut}, tags=["incidents"])
def incident_entry(request: HttpRequest, incident_id: int, payload: EntryIn) -> tuple[int, TimelineEntry]:
    incident = _incident(request, incident_id)
    entry = incident_entry_add(incident=incident, user=api_token(request).user, **payload.dict())
    return 201, entry


@router.post("/{incident_id}/acknowledge", response=IncidentDetailOut, tags=["incidents"])
def incident_ack(request: HttpRequest, incident_id: int) -> Incident:
    incident = _incident(request, incident_id)
    incident_acknowledge(incident=incident, user=api_token(request).user)
    return _incident(request, incident_id)


@router.post("/{incident_id}/diagnose", response={202: dict[str, bool]}, tags=["incidents"])
def incident_diagnose_api(request: HttpRequest, incident_id: int) -> tuple[int, dict[str, bool]]:
    """Queue the first-response diagnostics again; the worker adds them to the timeline."""
    from jaga.incidents.services.diagnostics import incident_diagnostics_request

    incident_diagnostics_request(incident=_incident(request, incident_id), user=api_token(request).user)
    return 202, {"queued": True}


@router.post("/{incident_id}/state", response=IncidentDetailOut, tags=["incidents"])
def incident_state(request: HttpRequest, incident_id: int, payload: StateIn) -> Incident:
    incident = _incident(request, incident_id)
    try:
        incident_state_change(
            incident=incident, user=api_token(request).user, to_state=payload.to_state, note=payload.note,
            version=payload.version,
        )  # fmt: skip
    except IncidentConflict as exc:
        raise HttpError(409, str(exc)) from None
    return _incident(request, incident_id)


@router.post("/{incident_id}/escalate", response=IncidentDetailOut, tags=["incidents"])
def incident_escalate_api(request: HttpRequest, incident_id: int, payload: EscalateIn) -> Incident:
    incident = _incident(request, incident_id)
    vendor = None
    if payload.vendor_id is not None:
        vendor = Vendor.objects.filter(pk=payload.vendor_id, institution_id=incident.site.institution_id).first()
        if vendor is None:
            raise Http404
    incident_escalate(
        incident=incident, user=api_token(request).user, to_tier=payload.to_tier, reason=payload.reason,
        vendor=vendor, vendor_ticket=payload.vendor_ticket,
    )  # fmt: skip
    return _incident(request, incident_id)
