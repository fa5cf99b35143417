"""The monitors' REST API, served by core's one API (``jaga.core.api``) under ``/api/monitors``: monitors,
their results, uptime, status changes and findings. Registered from ``MonitoringConfig.ready()``.

A token acts as its user within its institution only: another institution's monitor is 404, and a token
whose user may not operate (an auditor) gets 403 on every change.
"""

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from jaga.core.api import Pagination, api_require, api_token
from jaga.core.models import ApiToken, Site
from jaga.monitoring.kinds import REGISTRY
from jaga.monitoring.models import CheckResult, Finding, Monitor, StatusChange
from jaga.monitoring.reasons import reason_read
from jaga.monitoring.selectors import monitor_config_public
from jaga.monitoring.views import backend

router = Router()


# --- schemas --------------------------------------------------------------------------------------


class MonitorOut(Schema):
    id: int
    site_id: int
    name: str
    kind: str
    config: dict[str, Any] = Field(description="Rahasia tampil sebagai ******** / secrets show as ********")
    interval_seconds: int
    timeout_seconds: float
    retries: int
    failures_before_down: int
    required_agreement: int
    enabled: bool
    is_public: bool
    status: str
    status_since: dt.datetime | None
    status_reason: str
    last_checked_at: dt.datetime | None
    last_response_ms: float | None

    @staticmethod
    def resolve_status_reason(obj: Monitor) -> str:
        return reason_read(obj.status_reason)  # in the request's language, as the pages

    @staticmethod
    def resolve_config(obj: Monitor) -> dict[str, Any]:
        return monitor_config_public(obj)


class MonitorIn(Schema):
    site_id: int
    name: str
    kind: str = Field(description="Salah satu / one of: " + ", ".join(REGISTRY.keys()))
    config: dict[str, Any] = Field(default_factory=dict)
    interval_seconds: int = 60
    timeout_seconds: float = 10.0
    retries: int = 1
    failures_before_down: int = 2
    required_agreement: int = 1
    enabled: bool = True
    is_public: bool = False


class MonitorPatch(Schema):
    name: str | None = None
    config: dict[str, Any] | None = None
    interval_seconds: int | None = None
    timeout_seconds: float | None = None
    retries: int | None = None
    failures_before_down: int | None = None
    required_agreement: int | None = None
    is_public: bool | None = None


class ResultOut(Schema):
    checked_at: dt.datetime
    probe: str
    status: str
    response_ms: float | None
    reason: str
    details: dict[str, Any]

    @staticmethod
    def resolve_reason(obj: Any) -> str:
        return reason_read(obj.reason)


class StatusChangeOut(Schema):
    at: dt.datetime
    from_status: str
    to_status: str
    reason: str
    probes: list[str]
    in_maintenance: bool

    @staticmethod
    def resolve_reason(obj: Any) -> str:
        return reason_read(obj.reason)


class FindingOut(Schema):
    id: int
    code: str
    severity: str
    message: str
    location: str
    evidence: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    resolved_at: dt.datetime | None


class UptimeOut(Schema):
    monitor_id: int
    uptime: dict[str, float | None] = Field(description="Rasio 0..1 per jendela / ratio per window: 24h, 7d, 30d, 365d")


# --- helpers --------------------------------------------------------------------------------------


def _token(request: HttpRequest) -> ApiToken:
    return api_token(request)


def _require_operate(request: HttpRequest) -> ApiToken:
    return api_require(request, "operate")


def _monitor(request: HttpRequest, monitor_id: int) -> Monitor:
    """The monitor if it belongs to the token's institution, else 404."""
    token = _token(request)
    try:
        return Monitor.objects.select_related("site").get(pk=monitor_id, site__institution_id=token.institution_id)
    except Monitor.DoesNotExist:
        raise Http404 from None


# --- endpoints ------------------------------------------------------------------------------------


@router.get("", response=list[MonitorOut], tags=["monitors"])
@paginate(Pagination)
def monitors_list(
    request: HttpRequest, site_id: int | None = None, kind: str | None = None, status: str | None = None
) -> Any:
    qs = Monitor.objects.filter(site__institution_id=_token(request).institution_id).order_by("site_id", "name")
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs


@router.post("", response={201: MonitorOut}, tags=["monitors"])
def monitor_create(request: HttpRequest, payload: MonitorIn) -> Any:
    token = _require_operate(request)
    try:
        site = Site.objects.get(pk=payload.site_id, institution_id=token.institution_id)
    except Site.DoesNotExist:
        raise Http404 from None
    values = payload.dict(exclude={"site_id"})
    monitor = backend.monitor_create(site=site, user=token.user, **values)
    return 201, monitor


@router.get("/{monitor_id}", response=MonitorOut, tags=["monitors"])
def monitor_get(request: HttpRequest, monitor_id: int) -> Any:
    return _monitor(request, monitor_id)


@router.patch("/{monitor_id}", response=MonitorOut, tags=["monitors"])
def monitor_update(request: HttpRequest, monitor_id: int, payload: MonitorPatch) -> Any:
    token = _require_operate(request)
    monitor = _monitor(request, monitor_id)
    changes = payload.dict(exclude_unset=True, exclude_none=True)
    return backend.monitor_update(monitor=monitor, user=token.user, **changes)


@router.post("/{monitor_id}/pause", response=MonitorOut, tags=["monitors"])
def monitor_pause(request: HttpRequest, monitor_id: int) -> Any:
    token = _require_operate(request)
    return backend.monitor_pause(monitor=_monitor(request, monitor_id), user=token.user, paused=True)


@router.post("/{monitor_id}/resume", response=MonitorOut, tags=["monitors"])
def monitor_resume(request: HttpRequest, monitor_id: int) -> Any:
    token = _require_operate(request)
    return backend.monitor_pause(monitor=_monitor(request, monitor_id), user=token.user, paused=False)


@router.delete("/{monitor_id}", response={204: None}, tags=["monitors"])
def monitor_delete(request: HttpRequest, monitor_id: int) -> Any:
    _require_operate(request)
    _monitor(request, monitor_id).delete()
    return 204, None


@router.get("/{monitor_id}/results", response=list[ResultOut], tags=["results"])
@paginate(Pagination)
def monitor_results(
    request: HttpRequest,
    monitor_id: int,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    status: str | None = None,
) -> Any:
    """Raw results, newest first (kept ``JAGA_RESULTS_RETENTION_HOURS``; older figures are in the uptime)."""
    qs = CheckResult.objects.filter(monitor=_monitor(request, monitor_id)).order_by("-checked_at")
    if since is not None:
        qs = qs.filter(checked_at__gte=since)
    if until is not None:
        qs = qs.filter(checked_at__lt=until)
    if status:
        qs = qs.filter(status=status)
    return qs


@router.get("/{monitor_id}/uptime", response=UptimeOut, tags=["results"])
def monitor_uptime(request: HttpRequest, monitor_id: int) -> Any:
    monitor = _monitor(request, monitor_id)
    return {"monitor_id": monitor.pk, "uptime": backend.uptimes([monitor])[monitor.pk]}


@router.get("/{monitor_id}/status-changes", response=list[StatusChangeOut], tags=["results"])
@paginate(Pagination)
def monitor_status_changes(request: HttpRequest, monitor_id: int) -> Any:
    return StatusChange.objects.filter(monitor=_monitor(request, monitor_id)).order_by("-at")


@router.get("/{monitor_id}/findings", response=list[FindingOut], tags=["results"])
@paginate(Pagination)
def monitor_findings(request: HttpRequest, monitor_id: int, open: bool | None = None) -> Any:
    qs = Finding.objects.filter(monitor=_monitor(request, monitor_id)).order_by("-last_seen")
    if open is True:
        qs = qs.filter(resolved_at__isnull=True)
    elif open is False:
        qs = qs.filter(resolved_at__isnull=False)
    return qs
