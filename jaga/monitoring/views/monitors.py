"""Per-site monitor pages: the list with uptime bars, one monitor's detail, create, edit, pause, delete."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from jaga.core import clock
from jaga.core.models import Site
from jaga.core.permissions import get_for_user, scope, user_can
from jaga.core.views.common import safe_next
from jaga.monitoring.forms import MonitorForm
from jaga.monitoring.kinds import REGISTRY
from jaga.monitoring.models import CheckResult, Finding, MaintenanceWindow, Monitor, MonitorStatus, StatusChange
from jaga.monitoring.services import MONITOR_SETTINGS_FIELDS
from jaga.monitoring.trial import monitor_trial
from jaga.monitoring.views import backend
from jaga.monitoring.views.charts import response_chart_svg

CHART_RANGES: dict[str, dt.timedelta] = {
    "24h": dt.timedelta(hours=24),
    "7d": dt.timedelta(days=7),
    "30d": dt.timedelta(days=30),
}
CHART_LABELS = {"24h": _lazy("24 jam terakhir"), "7d": _lazy("7 hari terakhir"), "30d": _lazy("30 hari terakhir")}
FINDING_ORDER = ["critical", "warning", "info"]


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _rows(monitors: list[Monitor], *, beats_limit: int = 30) -> list[dict[str, Any]]:
    uptimes = backend.uptimes(monitors)
    bars = backend.uptime_bars(monitors)
    maintenance = backend.in_maintenance_now(monitors)
    beats = backend.heartbeats(monitors, limit=beats_limit)
    return [
        {
            "monitor": m,
            "uptime": uptimes[m.pk],
            "bars": bars[m.pk],
            "beats": beats[m.pk],
            "in_maintenance": m.pk in maintenance,
        }
        for m in monitors
    ]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Every site the user can see, with its monitors counted by status."""
    sites = list(scope(request.user, Site.objects.select_related("institution")).order_by("institution__name", "name"))
    summary: dict[int, dict[str, int]] = {s.pk: {} for s in sites}
    counted = Monitor.objects.filter(site__in=sites).values("site_id", "status").annotate(n=Count("id")).order_by()
    for row in counted:
        summary[row["site_id"]][row["status"]] = row["n"]
    in_maintenance: dict[int, int] = {}
    monitors = list(Monitor.objects.filter(site__in=sites).only("id", "site_id"))
    site_of = {m.pk: m.site_id for m in monitors}
    for pk in backend.in_maintenance_now(monitors):
        in_maintenance[site_of[pk]] = in_maintenance.get(site_of[pk], 0) + 1
    return render(
        request,
        "monitoring/index.html",
        {
            "sites": [
                {
                    "site": s,
                    "counts": summary[s.pk],
                    "total": sum(summary[s.pk].values()),
                    "in_maintenance": in_maintenance.get(s.pk, 0),
                }
                for s in sites
            ]
        },
    )


@login_required
def site_monitors(request: HttpRequest, site_id: int) -> HttpResponse:
    site = get_for_user(request.user, Site.objects.select_related("institution"), pk=site_id)
    monitors = list(Monitor.objects.filter(site=site).select_related("site__institution").order_by("name"))
    context = {
        "site": site,
        "rows": _rows(monitors),
        "counts": [
            {"label": MonitorStatus(status).label, "css": backend.status_css(status), "count": count}
            for status, count in sorted(backend.status_counts(monitors).items())
        ],
        "can_operate": user_can(request.user, site.institution, "operate"),
        "has_public": any(m.is_public for m in monitors),
    }
    return render(request, "monitoring/site_monitors.html", context)


def _moment(value: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(int(value), tz=dt.UTC) if value else None
    except (ValueError, OverflowError, OSError):
        return None


def chart_context(
    monitor: Monitor, range_key: str, zoom_from: str | None = None, zoom_to: str | None = None
) -> dict[str, Any]:
    """The chart of a range (24 h, 7 d, 30 d) or of a zoomed span (``from``/``to`` in epoch seconds: at least
    ten minutes, within the hour rollups kept), with its outages and maintenance windows."""
    end = clock.now()
    low, high = _moment(zoom_from), _moment(zoom_to)
    if low is not None and high is not None and high > low:
        zoomed = True
        earliest = end - CHART_RANGES["30d"] * 3
        start, end = max(low, earliest), min(high, end)
        if end - start < dt.timedelta(minutes=10):
            start = end - dt.timedelta(minutes=10)
    else:
        zoomed = False
        range_key = range_key if range_key in CHART_RANGES else "24h"
        start = end - CHART_RANGES[range_key]
    points = backend.response_series_between(monitor, start=start, end=end)
    chart = response_chart_svg(
        points,
        start=start,
        end=end,
        outages=backend.outages(monitor, start=start, end=end),
        maintenance=backend.maintenance_spans(monitor, start=start, end=end),
    )
    return {
        "monitor": monitor,
        "range": "" if zoomed else range_key,
        "ranges": [(key, CHART_LABELS[key]) for key in CHART_RANGES],
        "zoomed": zoomed,
        "chart": chart,
    }


@login_required
def monitor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    monitor = get_for_user(request.user, Monitor.objects.select_related("site__institution"), pk=pk)
    site = monitor.site
    findings = list(
        Finding.objects.filter(monitor=monitor).order_by(F("resolved_at").asc(nulls_first=True), "-last_seen")[:100]
    )
    now = clock.now()
    windows = MaintenanceWindow.objects.filter(Q(site=site, monitor__isnull=True) | Q(monitor=monitor)).filter(
        Q(ends_at__gte=now) | ~Q(recurrence=MaintenanceWindow.Recurrence.NONE)
    )
    context = {
        "site": site,
        "monitor": monitor,
        "row": _rows([monitor], beats_limit=60)[0],
        "changes": StatusChange.objects.filter(monitor=monitor).order_by("-at")[:50],
        "results": CheckResult.objects.filter(monitor=monitor).order_by("-checked_at")[:50],
        "results_hours": settings.JAGA_RESULTS_RETENTION_HOURS,
        "findings": findings,
        "windows": windows,
        "can_operate": user_can(request.user, site.institution, "operate"),
        "has_public": Monitor.objects.filter(site=site, is_public=True).exists(),
        "uptime_windows": [("24h", _("24 jam")), ("7d", _("7 hari")), ("30d", _("30 hari")), ("365d", _("365 hari"))],
        **chart_context(monitor, request.GET.get("range", "24h"), request.GET.get("from"), request.GET.get("to")),
    }
    return render(request, "monitoring/monitor_detail.html", context)


@login_required
def monitor_chart(request: HttpRequest, pk: int) -> HttpResponse:
    """The chart alone, for the htmx 24 h / 7 d toggle."""
    monitor = get_for_user(request.user, Monitor, pk=pk)
    context = chart_context(monitor, request.GET.get("range", "24h"), request.GET.get("from"), request.GET.get("to"))
    return render(request, "monitoring/_chart.html", context)


def _kinds_described() -> list[dict[str, str]]:
    return [{"key": e.key, "label": str(e.label), "description": str(e.description)} for e in REGISTRY]


def _kind_switch(form: MonitorForm, site: Site) -> None:
    """A new monitor's kind list swaps the configuration part of the page for the chosen kind's (htmx)."""
    form.fields["kind"].widget.attrs.update(
        {
            "hx-get": reverse("monitoring:monitor_create", args=[site.pk]),
            "hx-trigger": "change",
            "hx-target": "#config-fields",
            "hx-select": "#config-fields",
            "hx-swap": "outerHTML",
            "hx-push-url": "true",
        }
    )


@login_required
def monitor_create(request: HttpRequest, site_id: int) -> HttpResponse:
    site = get_for_user(request.user, Site.objects.select_related("institution"), action="operate", pk=site_id)
    kind = request.POST.get("kind") or request.GET.get("kind")
    if kind is None:
        return render(request, "monitoring/monitor_kind_pick.html", {"site": site, "kinds": _kinds_described()})
    form = MonitorForm(request.POST or None, kind=kind, site=site, initial={"kind": kind})
    _kind_switch(form, site)
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in MONITOR_SETTINGS_FIELDS}
        try:
            monitor = backend.monitor_create(
                site=site,
                user=request.user,
                kind=form.kind_name or "",
                config=form.config,
                enabled=form.cleaned_data["enabled"],
                **values,
            )
        except ValidationError as error:
            form.service_errors_place(error)
        else:
            messages.success(request, _("Monitor dibuat."))
            return redirect("monitoring:monitor_detail", pk=monitor.pk)
    return render(request, "monitoring/monitor_form.html", _form_context(site, form, None))


def _form_context(site: Site, form: MonitorForm, monitor: Monitor | None, **extra: Any) -> dict[str, Any]:
    kind = form.kind_name or ""
    description = str(REGISTRY.entry(kind).description) if kind in REGISTRY else ""
    test_url = (
        reverse("monitoring:monitor_test_saved", args=[monitor.pk])
        if monitor
        else reverse("monitoring:monitor_test", args=[site.pk])
    )
    return {"site": site, "form": form, "monitor": monitor, "kind_description": description, "test_url": test_url,
            **extra}  # fmt: skip


@login_required
@require_POST
def monitor_test(request: HttpRequest, site_id: int | None = None, pk: int | None = None) -> HttpResponse:
    """ "Test now": one check of the settings in the form, shown before anything is saved."""
    monitor: Monitor | None = None
    if pk is not None:
        monitor = get_for_user(
            request.user, Monitor.objects.select_related("site__institution"), action="operate", pk=pk
        )
        site = monitor.site
        form = MonitorForm(request.POST, instance=monitor)
    else:
        site = get_for_user(request.user, Site.objects.select_related("institution"), action="operate", pk=site_id)
        form = MonitorForm(request.POST, kind=request.POST.get("kind"), site=site)
        _kind_switch(form, site)
    outcome = None
    if form.config_form is not None and form.config_form.is_valid() and form.kind_name and form.config is not None:
        timeout = _number_or(request.POST.get("timeout_seconds"), 10.0)
        outcome = monitor_trial(kind=form.kind_name, config=form.config, institution=site.institution,
                                timeout_s=timeout)  # fmt: skip
    result = {"outcome": outcome, "findings": (outcome.findings[:10] if outcome else []), "invalid": outcome is None}
    if _is_htmx(request):
        return render(request, "monitoring/_test_result.html", result)
    return render(request, "monitoring/monitor_form.html", _form_context(site, form, monitor, trial=result))


def _number_or(value: str | None, default: float) -> float:
    try:
        return float(value) if value else default
    except ValueError:
        return default


@login_required
def monitor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    monitor = get_for_user(request.user, Monitor.objects.select_related("site__institution"), action="operate", pk=pk)
    form = MonitorForm(request.POST or None, instance=monitor)
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in MONITOR_SETTINGS_FIELDS}
        try:
            monitor.refresh_from_db()  # the ModelForm wrote its values on the instance; the service decides
            backend.monitor_update(monitor=monitor, user=request.user, config=form.config, **values)
        except ValidationError as error:
            form.service_errors_place(error)
        else:
            messages.success(request, _("Monitor disimpan."))
            return redirect("monitoring:monitor_detail", pk=monitor.pk)
    return render(request, "monitoring/monitor_form.html", _form_context(monitor.site, form, monitor))


def _pause_or_resume(request: HttpRequest, pk: int, *, paused: bool) -> HttpResponse:
    monitor = get_for_user(request.user, Monitor.objects.select_related("site__institution"), action="operate", pk=pk)
    monitor = backend.monitor_pause(monitor=monitor, user=request.user, paused=paused)
    if _is_htmx(request):
        return render(
            request,
            "monitoring/_monitor_row.html",
            {"row": _rows([monitor])[0], "can_operate": True, "site": monitor.site},
        )
    messages.success(request, _("Monitor dijeda.") if paused else _("Monitor dilanjutkan."))
    return HttpResponseRedirect(safe_next(request, reverse("monitoring:site_monitors", args=[monitor.site_id])))


@login_required
@require_POST
def monitor_pause(request: HttpRequest, pk: int) -> HttpResponse:
    return _pause_or_resume(request, pk, paused=True)


@login_required
@require_POST
def monitor_resume(request: HttpRequest, pk: int) -> HttpResponse:
    return _pause_or_resume(request, pk, paused=False)


@login_required
def monitor_delete(request: HttpRequest, pk: int) -> HttpResponse:
    monitor = get_for_user(request.user, Monitor.objects.select_related("site__institution"), action="operate", pk=pk)
    if request.method == "POST":
        site_id = monitor.site_id
        monitor.delete()
        messages.success(request, _("Monitor dihapus."))
        return redirect("monitoring:site_monitors", site_id=site_id)
    return render(request, "monitoring/monitor_delete.html", {"site": monitor.site, "monitor": monitor})
