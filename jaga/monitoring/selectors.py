"""Reads for people: uptime, response-time series, uptime bars and a site's status, all from rollups.

Uptime over a window ``[now - length, now)`` is stitched from the three rollup levels without double
counting: whole days up to the day watermark, whole hours from there (and for the partial day at the
window's start) up to the hour watermark, minutes for the rest (and for the partial hour at the start).
The start is rounded up to the finest level still kept there (minutes for 3 days, hours for 400 days,
days for ever), so a window never counts a check older than itself. Checks in maintenance and checks
that could not tell (probe offline) are left out; with no up or down check the uptime is ``None``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.db.models import Case, F, IntegerField, Q, Sum, When

from jaga.core.models import Site
from jaga.monitoring.maintenance import intervals_merge
from jaga.monitoring.models import Monitor, MonitorStatus, Rollup
from jaga.monitoring.rollups import DAY, HOUR, MINUTE, ceil_to, floor_to, rollup_watermark

Span = tuple[datetime, datetime]

UPTIME_WINDOWS: dict[str, timedelta] = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "365d": timedelta(days=365),
}


@dataclass(frozen=True)
class Boundaries:
    """Buckets before ``day`` are in day rollups, before ``hour`` in hour rollups (``None``: none yet)."""

    day: datetime | None
    hour: datetime | None


def rollup_boundaries() -> Boundaries:
    day = rollup_watermark(period=Rollup.Period.DAY)
    hour = rollup_watermark(period=Rollup.Period.HOUR)
    return Boundaries(day=day + DAY if day else None, hour=hour + HOUR if hour else None)


def uptime_spans(*, start: datetime, now: datetime, boundaries: Boundaries) -> dict[str, list[Span]]:
    """Which bucket-start ranges of each period make up ``[start, now)``, without overlap."""
    levels = (
        (Rollup.Period.DAY, DAY, boundaries.day),
        (Rollup.Period.HOUR, HOUR, boundaries.hour),
        (Rollup.Period.MINUTE, MINUTE, now),
    )
    spans: dict[str, list[Span]] = {}
    covered: Span | None = None
    for period, step, boundary in levels:
        low = ceil_to(start, step)
        high = boundary if boundary is not None else low
        parts: list[Span] = []
        if high > low:
            parts = [(low, high)] if covered is None else [(low, min(high, covered[0])), (max(low, covered[1]), high)]
            parts = [(a, b) for a, b in parts if b > a]
            covered = (low, high) if covered is None else (min(low, covered[0]), max(high, covered[1]))
        spans[period] = parts
    return spans


def _in_spans(spans: list[Span]) -> Q:
    condition = Q(pk__in=[])
    for low, high in spans:
        condition |= Q(bucket__gte=low, bucket__lt=high)
    return condition


def _percent(up: int, down: int) -> float | None:
    return None if up + down == 0 else 100.0 * up / (up + down)


def monitors_uptime(monitor_ids: Iterable[int], now: datetime) -> dict[int, dict[str, float | None]]:
    """Uptime of many monitors for every window in :data:`UPTIME_WINDOWS`, in five queries whatever their number."""
    ids = list(monitor_ids)
    result: dict[int, dict[str, float | None]] = {pk: dict.fromkeys(UPTIME_WINDOWS) for pk in ids}
    if not ids:
        return result
    boundaries = rollup_boundaries()
    spans = {
        name: uptime_spans(start=now - length, now=now, boundaries=boundaries)
        for name, length in UPTIME_WINDOWS.items()
    }
    totals: dict[int, dict[str, list[int]]] = {pk: {name: [0, 0] for name in UPTIME_WINDOWS} for pk in ids}
    for period in (Rollup.Period.DAY, Rollup.Period.HOUR, Rollup.Period.MINUTE):
        windows = {name: spans[name][period] for name in UPTIME_WINDOWS if spans[name][period]}
        if not windows:
            continue
        # Only the buckets some window needs: the 24 h window's head minutes and its tail, not the day between.
        needed = _in_spans(intervals_merge(span for parts in windows.values() for span in parts))
        sums: dict[str, Any] = {}
        for index, parts in enumerate(windows.values()):
            condition = _in_spans(parts)
            sums[f"up{index}"] = Sum(Case(When(condition, then=F("up")), default=0, output_field=IntegerField()))
            sums[f"down{index}"] = Sum(Case(When(condition, then=F("down")), default=0, output_field=IntegerField()))
        rows = (
            Rollup.objects.filter(needed, period=period, monitor_id__in=ids)
            .values("monitor_id")
            .annotate(**sums)
        )
        for found in rows:
            row = cast(dict[str, Any], found)
            per_window = totals[row["monitor_id"]]
            for index, name in enumerate(windows):
                per_window[name][0] += row[f"up{index}"] or 0
                per_window[name][1] += row[f"down{index}"] or 0
    for pk, per_window in totals.items():
        result[pk] = {name: _percent(up, down) for name, (up, down) in per_window.items()}
    return result


def monitor_uptime(*, monitor: Monitor, now: datetime) -> dict[str, float | None]:
    """Uptime of one monitor: ``{"24h": 99.9, "7d": ..., "30d": ..., "365d": ...}`` (``None``: no data)."""
    return monitors_uptime([monitor.pk], now)[monitor.pk]


@dataclass(frozen=True)
class SeriesPoint:
    bucket: datetime
    checks: int
    up: int
    down: int
    maintenance: int
    avg_ms: float | None
    min_ms: float | None
    max_ms: float | None


_PERIOD_STEP: dict[str, timedelta] = {Rollup.Period.MINUTE: MINUTE, Rollup.Period.HOUR: HOUR, Rollup.Period.DAY: DAY}


def _resolution_for(start: datetime, end: datetime) -> str:
    span = end - start
    if span <= timedelta(hours=36):
        return Rollup.Period.MINUTE
    if span <= timedelta(days=45):
        return Rollup.Period.HOUR
    return Rollup.Period.DAY


def monitor_response_series(
    *, monitor: Monitor, start: datetime, end: datetime, resolution: str = "auto"
) -> list[SeriesPoint]:
    """Response times and check counts per bucket for a chart, oldest first.

    ``resolution`` is ``m``, ``h``, ``d`` or ``auto`` (minutes up to 36 hours, hours up to 45 days, then days).
    Buckets not rolled up to that level yet (the current hour or day) are summed from the finer level.
    """
    if resolution == "auto":
        resolution = _resolution_for(start, end)
    if resolution not in _PERIOD_STEP:
        raise ValueError(f"resolusi {resolution!r} tidak dikenal; gunakan m, h, d atau auto / unknown resolution")
    step = _PERIOD_STEP[resolution]
    start = floor_to(start, step)
    boundaries = rollup_boundaries()
    # The level's own rows up to its watermark, then finer rows for the rest, folded into the same buckets.
    plan: list[tuple[str, datetime, datetime]] = []
    cursor = start
    period: str
    for period in (Rollup.Period.DAY, Rollup.Period.HOUR, Rollup.Period.MINUTE):
        if _PERIOD_STEP[period] > step:
            continue
        boundary = {Rollup.Period.DAY: boundaries.day, Rollup.Period.HOUR: boundaries.hour}.get(period, end)
        upto = min(end, boundary) if boundary is not None else cursor
        if upto > cursor:
            plan.append((period, cursor, upto))
            cursor = upto
    merged: dict[datetime, dict[str, Any]] = {}
    for period, low, high in plan:
        rows = Rollup.objects.filter(monitor=monitor, period=period, bucket__gte=low, bucket__lt=high).values(
            "bucket",
            "checks",
            "up",
            "down",
            "maintenance",
            "response_ms_sum",
            "response_ms_count",
            "response_ms_min",
            "response_ms_max",
        )
        for found_row in rows:
            row = cast(dict[str, Any], found_row)
            key = floor_to(row["bucket"], step)
            into = merged.setdefault(
                key,
                {"checks": 0, "up": 0, "down": 0, "maintenance": 0, "sum": 0.0, "count": 0, "min": None, "max": None},
            )
            for name in ("checks", "up", "down", "maintenance"):
                into[name] += row[name]
            into["sum"] += row["response_ms_sum"]
            into["count"] += row["response_ms_count"]
            for name, pick in (("min", min), ("max", max)):
                value = row[f"response_ms_{name}"]
                if value is not None:
                    into[name] = value if into[name] is None else pick(into[name], value)
    return [
        SeriesPoint(
            bucket=bucket,
            checks=data["checks"],
            up=data["up"],
            down=data["down"],
            maintenance=data["maintenance"],
            avg_ms=data["sum"] / data["count"] if data["count"] else None,
            min_ms=data["min"],
            max_ms=data["max"],
        )
        for bucket, data in sorted(merged.items())
    ]


@dataclass(frozen=True)
class UptimeBar:
    """One day of the uptime bar, in the institution's time zone. ``state``: up, partial, down or none."""

    day: datetime
    state: str
    uptime: float | None
    up: int
    down: int
    maintenance: int


def monitor_uptime_bars(*, monitor: Monitor, now: datetime, days: int = 90) -> list[UptimeBar]:
    """The last ``days`` local days (today included), oldest first, from hour rollups and the minutes since."""
    zone = ZoneInfo(monitor.site.institution.time_zone or "UTC")
    today = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    first_day = (today - timedelta(days=days - 1)).replace(tzinfo=None).replace(tzinfo=zone)
    points = monitor_response_series(monitor=monitor, start=first_day.astimezone(UTC), end=now, resolution="h")
    per_day: dict[datetime, list[int]] = {}
    for point in points:
        local_day = point.bucket.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        counts = per_day.setdefault(local_day.replace(tzinfo=None), [0, 0, 0])
        counts[0] += point.up
        counts[1] += point.down
        counts[2] += point.maintenance
    bars: list[UptimeBar] = []
    for offset in range(days):
        day = (first_day.replace(tzinfo=None) + timedelta(days=offset)).replace(tzinfo=zone)
        up, down, maintenance = per_day.get(day.replace(tzinfo=None), [0, 0, 0])
        if up + down == 0:
            state = "none"
        elif down == 0:
            state = "up"
        elif up == 0:
            state = "down"
        else:
            state = "partial"
        bars.append(
            UptimeBar(day=day, state=state, uptime=_percent(up, down), up=up, down=down, maintenance=maintenance)
        )
    return bars


# Worst first: the overall status of a site is the worst status among its enabled monitors.
STATUS_SEVERITY = [
    MonitorStatus.DOWN,
    MonitorStatus.DEGRADED,
    MonitorStatus.PROBE_OFFLINE,
    MonitorStatus.MAINTENANCE,
    MonitorStatus.UNKNOWN,
    MonitorStatus.UP,
    MonitorStatus.PAUSED,
]


@dataclass(frozen=True)
class SiteStatusSummary:
    overall: str
    total: int
    by_status: dict[str, int]
    problems: list[Monitor]


def site_status_summary(*, site: Site) -> SiteStatusSummary:
    """How a site's monitors stand now: counts per status, the overall (worst) status and the monitors in trouble."""
    monitors = list(
        Monitor.objects.filter(site=site).only(
            "id", "name", "kind", "status", "status_since", "enabled", "status_reason", "site_id"
        )
    )
    by_status: Counter[str] = Counter(m.status if m.enabled else MonitorStatus.PAUSED for m in monitors)
    overall = next((status.value for status in STATUS_SEVERITY if by_status.get(status)), MonitorStatus.UNKNOWN.value)
    problems = [
        m
        for m in monitors
        if m.enabled and m.status in {MonitorStatus.DOWN, MonitorStatus.DEGRADED, MonitorStatus.PROBE_OFFLINE}
    ]
    problems.sort(key=lambda m: (STATUS_SEVERITY.index(MonitorStatus(m.status)), m.name))
    return SiteStatusSummary(overall=overall, total=len(monitors), by_status=dict(by_status), problems=problems)
