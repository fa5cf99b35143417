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
from jaga.monitoring.models import Monitor, MonitorStatus

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
