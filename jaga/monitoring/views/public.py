"""The public status page of a site, without login: only monitors marked public, no internal details.

A site has a status page as soon as one of its monitors is public (``Monitor.is_public``); otherwise
the page does not exist (404). Reasons are never shown: they can name internal hosts and addresses.

It shows the institution's logo and name, the current status of each public service (with a maintenance
badge while a window is in force), 90 days of daily bars, the outages of the last 30 days (each one line from
its start to its recovery; a recovery is never listed as an outage of its own) and the maintenance scheduled
for the next 14 days, and each service's response times of the last 24 hours (hover to read, drag to zoom,
outages and maintenance marked; a zoomed chart is kept while the page refreshes). It refreshes itself every
minute (htmx; without JavaScript the page is still complete).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from jaga.core import clock
from jaga.core.models import Site
from jaga.monitoring.models import Monitor, MonitorStatus, StatusChange
from jaga.monitoring.public_sections import public_sections_for
from jaga.monitoring.views import backend
from jaga.monitoring.views.monitors import chart_context

INCIDENT_DAYS = 30
MAINTENANCE_AHEAD_DAYS = 14
# What the public sees: "paused" and "probe offline" say nothing about the site, so they read as unknown.
PUBLIC_STATUS = {
    MonitorStatus.UP: MonitorStatus.UP,
    MonitorStatus.DOWN: MonitorStatus.DOWN,
    MonitorStatus.DEGRADED: MonitorStatus.DEGRADED,
    MonitorStatus.MAINTENANCE: MonitorStatus.MAINTENANCE,
}
TROUBLE = (MonitorStatus.DOWN, MonitorStatus.DEGRADED)


@dataclass(frozen=True)
class Outage:
    """One period a public service was down or degraded: from the change into trouble to the recovery."""

    monitor_name: str
    status: str
    status_label: str
    started_at: dt.datetime
    ended_at: dt.datetime | None  # None: still going on
    in_maintenance: bool

    @property
    def duration(self) -> dt.timedelta:
        return (self.ended_at or clock.now()) - self.started_at


def outages(monitors: list[Monitor], *, since: dt.datetime, limit: int = 50) -> list[Outage]:
    """Outages that started since ``since``, newest first. A down → degraded change continues the same outage."""
    names = {m.pk: m.name for m in monitors}
    changes = (
        StatusChange.objects.filter(monitor__in=monitors, at__gte=since)
        .only("monitor_id", "at", "from_status", "to_status", "in_maintenance")
        .order_by("monitor_id", "at", "pk")
    )
    found: list[Outage] = []
    open_: dict[int, StatusChange] = {}
    for change in changes:
        in_trouble = change.to_status in TROUBLE
        started = open_.get(change.monitor_id)
        if in_trouble and started is None:
            open_[change.monitor_id] = change
        elif not in_trouble and started is not None:
            found.append(_outage(names[change.monitor_id], started, ended_at=change.at))
            del open_[change.monitor_id]
    for monitor_id, started in open_.items():
        found.append(_outage(names[monitor_id], started, ended_at=None))
    found.sort(key=lambda outage: outage.started_at, reverse=True)
    return found[:limit]


def _outage(name: str, started: StatusChange, *, ended_at: dt.datetime | None) -> Outage:
    return Outage(
        monitor_name=name,
        status=started.to_status,
        status_label=str(MonitorStatus(started.to_status).label),
        started_at=started.at,
        ended_at=ended_at,
        in_maintenance=started.in_maintenance,
    )


def _public_site(slug: str, site_id: int) -> tuple[Site, list[Monitor]]:
    site = get_object_or_404(
        Site.objects.select_related("institution"), pk=site_id, institution__slug=slug, is_active=True
    )
    monitors = list(
        Monitor.objects.filter(site=site, is_public=True).select_related("site__institution").order_by("name")
    )
    if not monitors:
        raise Http404
    return site, monitors


@require_safe
def public_status(request: HttpRequest, slug: str, site_id: int) -> HttpResponse:
    site, monitors = _public_site(slug, site_id)
    now = clock.now()
    bars = backend.uptime_bars(monitors, now=now)
    uptimes = backend.uptimes(monitors, now=now)
    maintenance = backend.in_maintenance_now(monitors, now=now)
    rows = []
    for monitor in monitors:
        status = PUBLIC_STATUS.get(MonitorStatus(monitor.status), MonitorStatus.UNKNOWN)
        rows.append(
            {
                "name": monitor.name,
                "status": status,
                "status_label": MonitorStatus(status).label,
                "in_maintenance": monitor.pk in maintenance,
                "since": monitor.status_since,
                "bars": bars[monitor.pk],
                "uptime_30d": uptimes[monitor.pk]["30d"],
                "chart": chart_context(monitor, "24h"),
            }
        )
    # Trouble inside a maintenance window is planned work, not an outage the public should be alarmed by.
    live = [r for r in rows if not r["in_maintenance"]]
    overall = (
        MonitorStatus.DOWN
        if any(r["status"] == MonitorStatus.DOWN for r in live)
        else MonitorStatus.DEGRADED
        if any(r["status"] == MonitorStatus.DEGRADED for r in live)
        else MonitorStatus.MAINTENANCE
        if maintenance
        else MonitorStatus.UP
        if all(r["status"] == MonitorStatus.UP for r in rows)
        else MonitorStatus.UNKNOWN
    )
    refresh_seconds = int(settings.JAGA_LIVE_SECONDS)
    sections = public_sections_for(site=site, now=now)
    # A window a section presents with its updates (the incidents app's "Kabar pemeliharaan") is not listed again.
    announced = {occurrence for section in sections for occurrence in section.windows}
    scheduled = backend.maintenance_upcoming(monitors, start=now, end=now + dt.timedelta(days=MAINTENANCE_AHEAD_DAYS))
    response = render(
        request,
        "monitoring/public_status.html",
        {
            "site": site,
            "institution": site.institution,
            "rows": rows,
            "outages": outages(monitors, since=now - dt.timedelta(days=INCIDENT_DAYS)),
            "incident_days": INCIDENT_DAYS,
            "scheduled": [s for s in scheduled if (s.window_pk, s.starts_at) not in announced],
            "maintenance_announced": bool(announced),
            "maintenance_days": MAINTENANCE_AHEAD_DAYS,
            "overall": overall,
            "sections": sections,
            "refresh_seconds": refresh_seconds,
            "now": now,
            "bare": False,
        },
    )
    response["Cache-Control"] = f"public, max-age={_max_age()}"
    return response


def _max_age() -> int:
    """How long a browser may keep the page: less than a poll's interval, so that a poll never reads its cache."""
    return min(30, int(settings.JAGA_LIVE_SECONDS) // 2)


@require_safe
def public_status_chart(request: HttpRequest, slug: str, site_id: int, monitor_id: int) -> HttpResponse:
    """One public service's response-time chart alone: the 24 h / 7 d / 30 d toggle and a dragged zoom."""
    site, monitors = _public_site(slug, site_id)
    monitor = next((m for m in monitors if m.pk == monitor_id), None)
    if monitor is None:
        raise Http404
    context = chart_context(monitor, request.GET.get("range", "24h"), request.GET.get("from"), request.GET.get("to"))
    response = render(request, "monitoring/_public_chart.html", {"site": site, "chart": context})
    response["Cache-Control"] = f"public, max-age={_max_age()}"
    return response


@require_safe
def public_status_logo(request: HttpRequest, slug: str, site_id: int) -> FileResponse:
    """The institution's logo for its status page (the media folder itself is not served)."""
    site, _monitors = _public_site(slug, site_id)
    logo = site.institution.logo
    if not logo:
        raise Http404
    try:
        handle = logo.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(handle)
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"  # an SVG logo
    return response
