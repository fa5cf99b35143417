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

from django.db.models import Q, Sum
from django.utils import timezone

from jaga.monitoring.models import Monitor, MonitorStatus, Rollup

WINDOWS: dict[str, dt.timedelta] = {
    "24h": dt.timedelta(hours=24),
    "7d": dt.timedelta(days=7),
    "30d": dt.timedelta(days=30),
    "365d": dt.timedelta(days=365),
}
# Which rollup period answers which window: fine enough to be right, coarse enough to stay fast.
WINDOW_PERIOD: dict[str, str] = {"24h": "h", "7d": "h", "30d": "d", "365d": "d"}


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


def _ratio(up: int | None, down: int | None) -> float | None:
    total = (up or 0) + (down or 0)
    return None if total == 0 else (up or 0) / total


def uptimes(monitors: Sequence[Monitor], *, now: dt.datetime | None = None) -> dict[int, dict[str, float | None]]:
    """``{monitor_id: {"24h": 0.999, "7d": ..., "30d": ..., "365d": ...}}`` from the rollups, one query per window."""
    now = now or timezone.now()
    ids = [m.pk for m in monitors]
    result: dict[int, dict[str, float | None]] = {pk: dict.fromkeys(WINDOWS) for pk in ids}
    if not ids:
        return result
    for window, span in WINDOWS.items():
        rows = (
            Rollup.objects.filter(monitor_id__in=ids, period=WINDOW_PERIOD[window], bucket__gte=now - span)
            .values("monitor_id")
            .annotate(up_sum=Sum("up"), down_sum=Sum("down"))
        )
        for row in rows:
            result[row["monitor_id"]][window] = _ratio(row["up_sum"], row["down_sum"])
    return result


def uptime_bars(
    monitors: Sequence[Monitor], *, days: int = 90, now: dt.datetime | None = None
) -> dict[int, list[BarDay]]:
    """One :class:`BarDay` per day for the last ``days`` days (oldest first), per monitor."""
    now = now or timezone.now()
    today = now.astimezone(dt.UTC).date()
    first = today - dt.timedelta(days=days - 1)
    ids = [m.pk for m in monitors]
    per_day: dict[int, dict[dt.date, float | None]] = {pk: {} for pk in ids}
    start = dt.datetime.combine(first, dt.time.min, tzinfo=dt.UTC)
    rows = Rollup.objects.filter(monitor_id__in=ids, period="d", bucket__gte=start).values_list(
        "monitor_id", "bucket", "up", "down"
    )
    for monitor_id, bucket, up, down in rows:
        per_day[monitor_id][bucket.astimezone(dt.UTC).date()] = _ratio(up, down)
    # Today is not yet rolled up per day: read it from the hour rollups.
    today_start = dt.datetime.combine(today, dt.time.min, tzinfo=dt.UTC)
    hourly = (
        Rollup.objects.filter(monitor_id__in=ids, period="h", bucket__gte=today_start)
        .values("monitor_id")
        .annotate(up_sum=Sum("up"), down_sum=Sum("down"))
    )
    for row in hourly:
        if per_day[row["monitor_id"]].get(today) is None:
            per_day[row["monitor_id"]][today] = _ratio(row["up_sum"], row["down_sum"])
    return {
        pk: [BarDay(day, per_day[pk].get(day)) for day in (first + dt.timedelta(days=i) for i in range(days))]
        for pk in ids
    }


def response_series(
    monitor: Monitor, *, span: dt.timedelta, now: dt.datetime | None = None
) -> list[tuple[dt.datetime, float | None]]:
    """Average response time per bucket (minutes for a day, hours beyond), oldest first."""
    now = now or timezone.now()
    period = "m" if span <= dt.timedelta(hours=24) else "h"
    rows = list(
        Rollup.objects.filter(monitor=monitor, period=period, bucket__gte=now - span)
        .order_by("bucket")
        .values_list("bucket", "response_ms_sum", "response_ms_count")
    )
    if not rows and period == "m":  # minute rollups may already be pruned: fall back to hours
        rows = list(
            Rollup.objects.filter(monitor=monitor, period="h", bucket__gte=now - span)
            .order_by("bucket")
            .values_list("bucket", "response_ms_sum", "response_ms_count")
        )
    return [(bucket, (total / count) if count else None) for bucket, total, count in rows]


def status_counts(monitors: Sequence[Monitor]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for monitor in monitors:
        counts[monitor.status] = counts.get(monitor.status, 0) + 1
    return counts


# --- writes --------------------------------------------------------------------------------------


def _services() -> Any:
    from jaga.monitoring import services

    return services


def monitor_create(*, site: Any, user: Any, name: str, kind: str, config: dict[str, Any], **fields: Any) -> Monitor:
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
