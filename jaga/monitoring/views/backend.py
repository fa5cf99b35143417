"""The one place the web views and the API reach the monitoring services and selectors.

Writes go through ``jaga.monitoring.services`` and reads through ``jaga.monitoring.selectors``. The views
only need a few shapes (uptime per window, a 90-day bar, a response series), built here from the
selectors so that a page never breaks on one missing figure: a figure that cannot be computed is ``None``
and shown as "—".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from jaga.core import clock
from jaga.monitoring import selectors
from jaga.monitoring.maintenance import MaintenanceIndex, WindowSpec, maintenance_intervals, window_occurrences
from jaga.monitoring.models import MaintenanceWindow, Monitor, MonitorStatus

WINDOWS: dict[str, dt.timedelta] = {
    "24h": dt.timedelta(hours=24),
    "7d": dt.timedelta(days=7),
    "30d": dt.timedelta(days=30),
    "365d": dt.timedelta(days=365),
}


@dataclass(frozen=True)
class BarDay:
    day: dt.date
    ratio: float | None  # None = no checks that day

    @property
    def css(self) -> str:
        if self.ratio is None:
            return ""
        if self.ratio >= 0.999:
            return "up"
        if self.ratio <= 0.5:
            return "down"
        return "partial"

    @property
    def percent(self) -> str:
        return "—" if self.ratio is None else f"{self.ratio * 100:.2f}%"


def uptimes(monitors: Sequence[Monitor], *, now: dt.datetime | None = None) -> dict[int, dict[str, float | None]]:
    """``{monitor_id: {"24h": 0.999, "7d": ..., "30d": ..., "365d": ...}}`` as ratios 0..1 (``None``: no data)."""
    percents = selectors.monitors_uptime([m.pk for m in monitors], now or clock.now())
    return {
        pk: {window: None if value is None else value / 100.0 for window, value in per_window.items()}
        for pk, per_window in percents.items()
    }


def uptime_bars(
    monitors: Sequence[Monitor], *, days: int = 90, now: dt.datetime | None = None
) -> dict[int, list[BarDay]]:
    """One :class:`BarDay` per local day for the last ``days`` days (oldest first), per monitor."""
    bars = selectors.monitors_uptime_bars(monitors, now=now or clock.now(), days=days)
    return {
        pk: [BarDay(bar.day.date(), None if bar.uptime is None else bar.uptime / 100.0) for bar in per_monitor]
        for pk, per_monitor in bars.items()
    }


def response_series(
    monitor: Monitor, *, span: dt.timedelta, now: dt.datetime | None = None
) -> list[tuple[dt.datetime, float | None]]:
    """Average response time per bucket (minutes up to 36 hours, hours beyond), oldest first."""
    now = now or clock.now()
    points = selectors.monitor_response_series(monitor=monitor, start=now - span, end=now)
    return [(point.bucket, point.avg_ms) for point in points]


def response_series_between(
    monitor: Monitor, *, start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, float | None]]:
    """Average response time per bucket between ``start`` and ``end`` (the finest level kept there)."""
    points = selectors.monitor_response_series(monitor=monitor, start=start, end=end)
    return [(point.bucket, point.avg_ms) for point in points]


def outages(monitor: Monitor, *, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    return selectors.monitor_outages(monitor=monitor, start=start, end=end)


def maintenance_spans(
    monitor: Monitor, *, start: dt.datetime, end: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime]]:
    return [(low, high) for low, high in maintenance_intervals(start=start, end=end, monitor=monitor)]


def heartbeats(monitors: Sequence[Monitor], *, limit: int = 30) -> dict[int, list[selectors.Beat]]:
    """The latest checks of each monitor, oldest first, for the heartbeat bar."""
    return selectors.monitors_heartbeats([m.pk for m in monitors], limit=limit)


def in_maintenance_now(monitors: Sequence[Monitor], *, now: dt.datetime | None = None) -> set[int]:
    """The monitors inside one of their (or their site's) maintenance windows now: one query for all."""
    if not monitors:
        return set()
    now = now or clock.now()
    index = MaintenanceIndex.build(
        monitor_sites={m.pk: m.site_id for m in monitors}, start=now, end=now + dt.timedelta(microseconds=1)
    )
    return {m.pk for m in monitors if index.in_maintenance(m.pk, now)}


@dataclass(frozen=True)
class Scheduled:
    """One occurrence of a maintenance window, for the pages that announce it."""

    window_pk: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    monitor_name: str | None  # None: every monitor of the site


def maintenance_upcoming(
    monitors: Sequence[Monitor], *, start: dt.datetime, end: dt.datetime, limit: int = 20
) -> list[Scheduled]:
    """Occurrences overlapping ``[start, end)`` of the windows that apply to these monitors, soonest first."""
    if not monitors:
        return []
    names = {m.pk: m.name for m in monitors}
    windows = (
        MaintenanceWindow.objects.filter(site_id__in={m.site_id for m in monitors}, starts_at__lt=end)
        .filter(Q(monitor__isnull=True) | Q(monitor_id__in=list(names)))
        .filter(~Q(recurrence=MaintenanceWindow.Recurrence.NONE) | Q(ends_at__gt=start))
        .select_related("site__institution")
    )
    found: list[Scheduled] = []
    for window in windows:
        spec = WindowSpec(
            site_id=window.site_id,
            monitor_id=window.monitor_id,
            starts_at=window.starts_at,
            ends_at=window.ends_at,
            recurrence=window.recurrence,
            repeat_until=window.repeat_until,
            time_zone=window.site.institution.time_zone,
        )
        for occurrence_start, occurrence_end in window_occurrences(window=spec, start=start, end=end):
            found.append(
                Scheduled(
                    window_pk=window.pk,
                    title=window.title,
                    starts_at=occurrence_start,
                    ends_at=occurrence_end,
                    monitor_name=names.get(window.monitor_id) if window.monitor_id else None,
                )
            )
    found.sort(key=lambda item: item.starts_at)
    return found[:limit]


def status_counts(monitors: Sequence[Monitor]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for monitor in monitors:
        counts[monitor.status] = counts.get(monitor.status, 0) + 1
    return counts


# --- writes --------------------------------------------------------------------------------------


def _services() -> Any:
    from jaga.monitoring import services

    return services


def monitor_create(*, site: Any, user: Any, name: str, kind: str, config: Any, **fields: Any) -> Monitor:
    services = _services()
    monitor: Monitor = services.monitor_create(site=site, name=name, kind=kind, config=config, **fields)
    return monitor


def monitor_update(*, monitor: Monitor, user: Any, **fields: Any) -> Monitor:
    services = _services()
    updated: Monitor = services.monitor_update(monitor=monitor, **fields)
    return updated


def monitor_pause(*, monitor: Monitor, user: Any, paused: bool) -> Monitor:
    services = _services()
    result: Monitor = services.monitor_pause(monitor=monitor, paused=paused)
    return result


def open_findings_q() -> Q:
    return Q(resolved_at__isnull=True)


def status_css(status: str) -> str:
    classes: dict[str, str] = {
        MonitorStatus.UP: "ok",
        MonitorStatus.DOWN: "bad",
        MonitorStatus.DEGRADED: "warn",
        MonitorStatus.PROBE_OFFLINE: "info",
        MonitorStatus.MAINTENANCE: "info",
    }
    return classes.get(status, "")
