"""The public status page of a site, without login: only monitors marked public, no internal details.

A site has a status page as soon as one of its monitors is public (``Monitor.is_public``); otherwise
the page does not exist (404). Reasons are never shown: they can name internal hosts and addresses.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from jaga.core import clock
from jaga.core.models import Site
from jaga.monitoring.models import Monitor, MonitorStatus, StatusChange
from jaga.monitoring.views import backend

INCIDENT_DAYS = 30
# What the public sees: "paused" and "probe offline" say nothing about the site, so they read as unknown.
PUBLIC_STATUS = {
    MonitorStatus.UP: MonitorStatus.UP,
    MonitorStatus.DOWN: MonitorStatus.DOWN,
    MonitorStatus.DEGRADED: MonitorStatus.DEGRADED,
    MonitorStatus.MAINTENANCE: MonitorStatus.MAINTENANCE,
}


def public_status(request: HttpRequest, slug: str, site_id: int) -> HttpResponse:
    site = get_object_or_404(
        Site.objects.select_related("institution"), pk=site_id, institution__slug=slug, is_active=True
    )
    monitors = list(
        Monitor.objects.filter(site=site, is_public=True).select_related("site__institution").order_by("name")
    )
    if not monitors:
        raise Http404
    bars = backend.uptime_bars(monitors)
    uptimes = backend.uptimes(monitors)
    rows = []
    for monitor in monitors:
        status = PUBLIC_STATUS.get(MonitorStatus(monitor.status), MonitorStatus.UNKNOWN)
        rows.append(
            {
                "name": monitor.name,
                "status": status,
                "status_label": MonitorStatus(status).label,
                "since": monitor.status_since,
                "bars": bars[monitor.pk],
                "uptime_30d": uptimes[monitor.pk]["30d"],
            }
        )
    since = clock.now() - dt.timedelta(days=INCIDENT_DAYS)
    incidents = (
        StatusChange.objects.filter(monitor__in=monitors, at__gte=since)
        .filter(to_status__in=[MonitorStatus.DOWN, MonitorStatus.DEGRADED, MonitorStatus.UP])
        .exclude(from_status__in=[MonitorStatus.UNKNOWN, MonitorStatus.PAUSED])
        .select_related("monitor")
        .only("at", "from_status", "to_status", "in_maintenance", "monitor__name")
        .order_by("-at")[:50]
    )
    overall = (
        MonitorStatus.DOWN
        if any(r["status"] == MonitorStatus.DOWN for r in rows)
        else MonitorStatus.DEGRADED
        if any(r["status"] == MonitorStatus.DEGRADED for r in rows)
        else MonitorStatus.UP
        if all(r["status"] == MonitorStatus.UP for r in rows)
        else MonitorStatus.UNKNOWN
    )
    response = render(
        request,
        "monitoring/public_status.html",
        {"site": site, "institution": site.institution, "rows": rows, "incidents": incidents, "overall": overall},
    )
    response["Cache-Control"] = "public, max-age=30"
    return response
