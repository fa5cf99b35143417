"""Per-site monitor pages: the list with uptime bars, one monitor's detail, create, edit, pause, delete."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jaga.core import clock
from jaga.core.models import Site
from jaga.core.permissions import get_for_user, scope, user_can
from jaga.core.views.common import safe_next
from jaga.monitoring.forms import MonitorForm, kind_choices
from jaga.monitoring.models import CheckResult, Finding, MaintenanceWindow, Monitor, MonitorStatus, StatusChange
from jaga.monitoring.services import MONITOR_SETTINGS_FIELDS
from jaga.monitoring.views import backend
from jaga.monitoring.views.charts import response_chart_svg

CHART_RANGES: dict[str, dt.timedelta] = {"24h": dt.timedelta(hours=24), "7d": dt.timedelta(days=7)}
FINDING_ORDER = ["critical", "warning", "info"]


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _rows(monitors: list[Monitor]) -> list[dict[str, Any]]:
    uptimes = backend.uptimes(monitors)
    bars = backend.uptime_bars(monitors)
    maintenance = backend.in_maintenance_now(monitors)
    return [
        {"monitor": m, "uptime": uptimes[m.pk], "bars": bars[m.pk], "in_maintenance": m.pk in maintenance}
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


def _chart_context(monitor: Monitor, range_key: str) -> dict[str, Any]:
    span = CHART_RANGES.get(range_key, CHART_RANGES["24h"])
    end = clock.now()
    start = end - span
    points = backend.response_series(monitor, span=span, now=end)
    return {
        "monitor": monitor,
        "range": range_key if range_key in CHART_RANGES else "24h",
        "ranges": list(CHART_RANGES),
        "chart": response_chart_svg(points, start=start, end=end),
    }


@login_required
def monitor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    monitor = get_for_user(request.user, Monitor.objects.select_related("site__institution"), pk=pk)
    site = monitor.site
    findings = list(Finding.objects.filter(monitor=monitor).order_by("resolved_at", "-last_seen")[:100])
    now = clock.now()
    windows = MaintenanceWindow.objects.filter(Q(site=site, monitor__isnull=True) | Q(monitor=monitor)).filter(
        Q(ends_at__gte=now) | ~Q(recurrence=MaintenanceWindow.Recurrence.NONE)
    )
    context = {
        "site": site,
        "monitor": monitor,
        "row": _rows([monitor])[0],
        "changes": StatusChange.objects.filter(monitor=monitor).order_by("-at")[:50],
        "results": CheckResult.objects.filter(monitor=monitor).order_by("-checked_at")[:50],
        "findings": findings,
        "windows": windows,
        "can_operate": user_can(request.user, site.institution, "operate"),
        "has_public": Monitor.objects.filter(site=site, is_public=True).exists(),
        "uptime_windows": [("24h", _("24 jam")), ("7d", _("7 hari")), ("30d", _("30 hari")), ("365d", _("365 hari"))],
        **_chart_context(monitor, request.GET.get("range", "24h")),
    }
    return render(request, "monitoring/monitor_detail.html", context)


@login_required
def monitor_chart(request: HttpRequest, pk: int) -> HttpResponse:
    """The chart alone, for the htmx 24 h / 7 d toggle."""
    monitor = get_for_user(request.user, Monitor, pk=pk)
    return render(request, "monitoring/_chart.html", _chart_context(monitor, request.GET.get("range", "24h")))


@login_required
def monitor_create(request: HttpRequest, site_id: int) -> HttpResponse:
    site = get_for_user(request.user, Site.objects.select_related("institution"), action="operate", pk=site_id)
    kind = request.POST.get("kind") or request.GET.get("kind")
    if kind is None:
        return render(request, "monitoring/monitor_kind_pick.html", {"site": site, "kinds": kind_choices()})
    form = MonitorForm(request.POST or None, kind=kind, site=site, initial={"kind": kind})
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
    return render(request, "monitoring/monitor_form.html", {"site": site, "form": form, "monitor": None})


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
    return render(request, "monitoring/monitor_form.html", {"site": monitor.site, "form": form, "monitor": monitor})


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
