"""Monitoring's lines on the SOP dashboards' activity tile (``jaga.sop.tiles``): how the monitors stand now,
each with its heartbeat bar, so the dashboard shows the latest checks as the monitoring pages do.

On an institution's dashboard one line per site (its overall status, the bar of its worst monitor); on a
site's dashboard one line per monitor, those in trouble first. Findings that wait for a person (a page
nobody made...) come first, as one line, until someone marks them reviewed.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jaga.monitoring.models import Finding, Monitor, MonitorStatus
from jaga.monitoring.selectors import STATUS_SEVERITY, monitors_heartbeats
from jaga.monitoring.templatetags.monitoring_tags import beat_spans
from jaga.monitoring.views.backend import status_css

ACTIVITY_KEY = "monitoring"
MAX_LINES = 6
BEATS = 20


def _status_of(monitor: Monitor) -> str:
    return str(monitor.status if monitor.enabled else MonitorStatus.PAUSED)


def _rank(monitor: Monitor) -> tuple[int, str]:
    return STATUS_SEVERITY.index(MonitorStatus(_status_of(monitor))), monitor.name


def _label(status: str) -> str:
    return str(MonitorStatus(status).label)


def sop_tile_lines(*, institution: Any, site: Any = None, activity_keys: Any = ()) -> dict[str, list[Any]]:
    from jaga.sop.tiles import TileLine

    monitors = Monitor.objects.filter(site__institution=institution, site__is_active=True).select_related("site")
    if site is not None:
        monitors = monitors.filter(site=site)
    by_site: dict[int, list[Monitor]] = {}
    for monitor in sorted(monitors, key=_rank):
        by_site.setdefault(monitor.site_id, []).append(monitor)
    if not by_site:
        return {ACTIVITY_KEY: [TileLine(_("Belum ada monitor."), "warn")]}
    if site is not None:
        shown = by_site[site.pk][:MAX_LINES]
    else:
        shown = [site_monitors[0] for site_monitors in by_site.values()][:MAX_LINES]
    beats = monitors_heartbeats([m.pk for m in shown], limit=BEATS)
    lines = []
    for monitor in shown:
        status = _status_of(monitor)
        if site is None:
            site_monitors = by_site[monitor.site_id]
            up = sum(1 for m in site_monitors if _status_of(m) == MonitorStatus.UP)
            text = _("%(site)s: %(status)s, %(up)s dari %(total)s monitor naik") % {
                "site": monitor.site.name,
                "status": _label(status),
                "up": up,
                "total": len(site_monitors),
            }
            href = reverse("monitoring:site_monitors", args=[monitor.site_id])
        else:
            text = _("%(monitor)s: %(status)s") % {"monitor": monitor.name, "status": _label(status)}
            href = reverse("monitoring:monitor_detail", args=[monitor.pk])
        css = status_css(status) or "info"
        lines.append(TileLine(text, css, href, bar=beat_spans(beats[monitor.pk], institution)))
    waiting = Finding.objects.filter(
        monitor__in=monitors, needs_ack=True, acknowledged_at__isnull=True, resolved_at__isnull=True
    )
    to_review = waiting.count()
    if to_review:
        first = waiting.order_by("first_seen").values_list("monitor__site_id", flat=True).first()
        lines.insert(
            0,
            TileLine(
                ngettext(
                    "%(n)s temuan menunggu diperiksa petugas", "%(n)s temuan menunggu diperiksa petugas", to_review
                )
                % {"n": to_review},
                "warn",
                reverse("monitoring:site_freshness", args=[site.pk if site is not None else first]),
            ),
        )
    hidden = (len(by_site[site.pk]) if site is not None else len(by_site)) - len(shown)
    if hidden > 0:
        lines.append(TileLine(_("dan %(n)s lainnya") % {"n": hidden}, "info", reverse("monitoring:index")))
    return {ACTIVITY_KEY: lines}
