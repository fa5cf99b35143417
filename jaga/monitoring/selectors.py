"""Reads for people: uptime, response-time series, uptime bars and a site's status, all from rollups.

Uptime over a window ``[now - length, now)`` is stitched from the three rollup levels without double
counting: whole days up to the day watermark, whole hours from there (and for the partial day at the
window's start) up to the hour watermark, minutes for the rest (and for the partial hour at the start).
The start is rounded up to the finest level still kept there (minutes for 3 days, hours for 400 days,
days for ever), so a window never counts a check older than itself. Checks in maintenance and checks
that could not tell (probe offline) are left out; with no up or down check the uptime is ``None``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.db.models import Case, F, IntegerField, Q, Sum, Value, When, Window
from django.db.models.functions import RowNumber

from jaga.core import kindconfig
from jaga.core.models import Site
from jaga.monitoring.maintenance import intervals_merge
from jaga.monitoring.models import CheckResult, Monitor, MonitorStatus, Rollup, StatusChange, UptimeSummary
from jaga.monitoring.rollups import (
    DAY,
    HOUR,
    MINUTE,
    ROLLUP_FIELDS,
    ceil_to,
    floor_to,
    hour_retention,
    minute_retention,
    rollup_watermark,
)

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


def monitor_config_public(monitor: Monitor) -> dict[str, Any]:
    """A monitor's configuration as every reader sees it (pages, the API, any role): secrets masked."""
    from jaga.monitoring.kinds import REGISTRY

    if monitor.kind not in REGISTRY:
        return {name: value for name, value in (monitor.config or {}).items() if not isinstance(value, dict)}
    return kindconfig.config_masked(REGISTRY.get(monitor.kind).Config, monitor.config)


def rollup_boundaries() -> Boundaries:
    day = rollup_watermark(period=Rollup.Period.DAY)
    hour = rollup_watermark(period=Rollup.Period.HOUR)
    return Boundaries(day=day + DAY if day else None, hour=hour + HOUR if hour else None)


def uptime_spans(*, start: datetime, now: datetime, boundaries: Boundaries) -> dict[str, list[Span]]:
    """Which bucket-start ranges of each period make up ``[start, now)``, without overlap."""
    levels = (
        (Rollup.Period.DAY, DAY, boundaries.day, None),
        (Rollup.Period.HOUR, HOUR, boundaries.hour, now - hour_retention()),
        (Rollup.Period.MINUTE, MINUTE, now, now - minute_retention()),
    )
    spans: dict[str, list[Span]] = {}
    covered: Span | None = None
    for period, step, boundary, kept_from in levels:
        low = ceil_to(start, step)
        high = boundary if boundary is not None else low
        parts: list[Span] = []
        if high > low:
            parts = [(low, high)] if covered is None else [(low, min(high, covered[0])), (max(low, covered[1]), high)]
            # Minutes and hours past their retention are not read, whether pruned yet or not.
            floor = kept_from if kept_from is not None else low
            parts = [(max(a, floor), b) for a, b in parts if b > max(a, floor)]
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


Sums = dict[int, dict[str, list[int]]]  # monitor id -> window name -> [up, down]

# A bulk read of more monitors than this uses the summaries the rollup run leaves (one row per monitor).
SUMMARY_THRESHOLD = 200
SUMMARY_MAX_AGE = timedelta(minutes=3)


def uptime_spans_all(*, until: datetime, boundaries: Boundaries) -> dict[str, dict[str, list[Span]]]:
    """Window name -> period -> bucket ranges, for windows ending at ``until``."""
    return {
        name: uptime_spans(start=until - length, now=until, boundaries=boundaries)
        for name, length in UPTIME_WINDOWS.items()
    }


def uptime_level_sums(ids: list[int], period: str, windows: dict[str, list[Span]]) -> Sums:
    """Up and down checks of each monitor in each window's ranges of one period.

    One query per distinct range (a simple range scan each; at most five), not one per monitor.
    """
    totals: Sums = {}
    windows = {name: parts for name, parts in windows.items() if parts}
    if not ids or not windows:
        return totals
    # Only the buckets some window needs (the 24 h window's head minutes and the tail, not the day between).
    for low, high in intervals_merge(span for parts in windows.values() for span in parts):
        inside = {
            name: [(max(a, low), min(b, high)) for a, b in parts if a < high and b > low]
            for name, parts in windows.items()
        }
        inside = {name: parts for name, parts in inside.items() if parts}
        sums: dict[str, Any] = {}
        for index, parts in enumerate(inside.values()):
            if parts == [(low, high)]:
                sums[f"up{index}"], sums[f"down{index}"] = Sum("up"), Sum("down")
                continue
            condition = _in_spans(parts)
            sums[f"up{index}"] = Sum(Case(When(condition, then=F("up")), default=0, output_field=IntegerField()))
            sums[f"down{index}"] = Sum(Case(When(condition, then=F("down")), default=0, output_field=IntegerField()))
        rows = (
            Rollup.objects.filter(period=period, monitor_id__in=ids, bucket__gte=low, bucket__lt=high)
            .values("monitor_id")
            .annotate(**sums)
        )
        for found in rows:
            row = cast(dict[str, Any], found)
            per_window = totals.setdefault(row["monitor_id"], {})
            sums_add(per_window, {name: [row[f"up{i}"] or 0, row[f"down{i}"] or 0] for i, name in enumerate(inside)})
    return totals


def sums_add(into: dict[str, list[int]], more: dict[str, list[int]] | None) -> dict[str, list[int]]:
    for name, (up, down) in (more or {}).items():
        into.setdefault(name, [0, 0])
        into[name][0] += up
        into[name][1] += down
    return into


def uptime_sums_live(ids: list[int], now: datetime) -> Sums:
    """Exact sums for windows ending at ``now``: at most nine queries (two watermarks, one per distinct range)."""
    spans = uptime_spans_all(until=now, boundaries=rollup_boundaries())
    totals: Sums = {pk: {} for pk in ids}
    for period in (Rollup.Period.DAY, Rollup.Period.HOUR, Rollup.Period.MINUTE):
        level = uptime_level_sums(ids, period, {name: spans[name][period] for name in UPTIME_WINDOWS})
        for pk, per_window in level.items():
            sums_add(totals[pk], per_window)
    return totals


def _percents(per_window: dict[str, list[int]]) -> dict[str, float | None]:
    return {name: _percent(*per_window.get(name, [0, 0])) for name in UPTIME_WINDOWS}


def monitors_uptime(monitor_ids: Iterable[int], now: datetime) -> dict[int, dict[str, float | None]]:
    """Uptime of many monitors for every window in :data:`UPTIME_WINDOWS`, in a constant number of queries.

    Up to :data:`SUMMARY_THRESHOLD` monitors: exact, for windows ending at ``now``. More (a dashboard of
    thousands): read from the summaries of the last rollup run, i.e. windows ending at that run (at most
    :data:`SUMMARY_MAX_AGE` ago; no rollup is newer anyway); monitors without a fresh summary are computed live.
    """
    ids = list(dict.fromkeys(monitor_ids))
    if not ids:
        return {}
    sums: Sums = {}
    if len(ids) > SUMMARY_THRESHOLD:
        fresh = UptimeSummary.objects.filter(monitor_id__in=ids, until__gt=now - SUMMARY_MAX_AGE, until__lte=now)
        for pk, uptime in fresh.values_list("monitor_id", "parts__uptime"):
            sums[pk] = uptime or {}
    missing = [pk for pk in ids if pk not in sums]
    if missing:
        sums.update(uptime_sums_live(missing, now))
    return {pk: _percents(sums[pk]) for pk in ids}


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
            "bucket", *ROLLUP_FIELDS
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


def _bar(day: datetime, up: int, down: int, maintenance: int) -> UptimeBar:
    if up + down == 0:
        state = "none"
    elif down == 0:
        state = "up"
    elif up == 0:
        state = "down"
    else:
        state = "partial"
    return UptimeBar(day=day, state=state, uptime=_percent(up, down), up=up, down=down, maintenance=maintenance)


def _day_index(starts: list[datetime], low: int, high: int) -> Any:
    """The ``i`` in ``low..high-1`` with ``starts[i] <= bucket < starts[i + 1]``, as SQL (a binary search)."""
    if high - low == 1:
        return Value(low, output_field=IntegerField())
    middle = (low + high) // 2
    return Case(
        When(bucket__lt=starts[middle], then=_day_index(starts, low, middle)),
        default=_day_index(starts, middle, high),
        output_field=IntegerField(),
    )


def monitors_uptime_bars(monitors: Iterable[Monitor], *, now: datetime, days: int = 90) -> dict[int, list[UptimeBar]]:
    """:func:`monitor_uptime_bars` for many monitors at once: two watermark reads and two rollup queries per
    time zone (hour rollups up to the hour watermark summed per local day, minute rollups since), whatever the
    number of monitors.

    Each hour bucket (a minute bucket: its hour) counts on the local day its start falls in, as on the chart.
    """
    monitors = list(monitors)
    by_zone: dict[str, list[Monitor]] = {}
    for monitor in monitors:
        by_zone.setdefault(monitor.site.institution.time_zone or "UTC", []).append(monitor)
    bars: dict[int, list[UptimeBar]] = {}
    if not monitors:
        return bars
    boundaries = rollup_boundaries()
    for zone_name, members in by_zone.items():
        zone = ZoneInfo(zone_name)
        today = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        local_days = [
            (today - timedelta(days=days - 1 - offset)).replace(tzinfo=None).replace(tzinfo=zone)
            for offset in range(days)
        ]
        starts = [day.astimezone(UTC) for day in local_days]  # the UTC instant each local day begins
        start = floor_to(starts[0], HOUR)
        hour_until = min(now, boundaries.hour) if boundaries.hour is not None else start
        ids = [m.pk for m in members]
        counts = {pk: [[0, 0, 0] for _ in range(days)] for pk in ids}
        # Hour rollups: summed per local day by the database (grouped by a day index that a balanced tree of
        # CASE tests finds in seven comparisons), so that 50 monitors x 90 days x 24 hours never travel row by row.
        if hour_until > starts[0]:
            per_day = (
                Rollup.objects.filter(
                    period=Rollup.Period.HOUR, monitor_id__in=ids, bucket__gte=starts[0], bucket__lt=hour_until
                )
                .annotate(day=_day_index(starts, 0, days))
                .order_by()
                .values("monitor_id", "day")
                .annotate(u=Sum("up"), d=Sum("down"), m=Sum("maintenance"))
                .values_list("monitor_id", "day", "u", "d", "m")
            )
            for pk, index, up, down, maintenance in per_day:
                into = counts[pk][index]
                into[0] += up or 0
                into[1] += down or 0
                into[2] += maintenance or 0
        # Minute rollups since the hour watermark (a few minutes while the rollups run): each counts in its hour.
        if now > max(start, hour_until):
            minutes = Rollup.objects.filter(
                period=Rollup.Period.MINUTE, monitor_id__in=ids, bucket__gte=max(start, hour_until), bucket__lt=now
            ).values_list("monitor_id", "bucket", "up", "down", "maintenance")
            for pk, bucket, up, down, maintenance in minutes:
                index = bisect_right(starts, floor_to(bucket, HOUR)) - 1
                if index < 0:
                    continue
                into = counts[pk][index]
                into[0] += up
                into[1] += down
                into[2] += maintenance
        for pk in ids:
            bars[pk] = [_bar(day, *counts[pk][n]) for n, day in enumerate(local_days)]
    return bars


def monitor_uptime_bars(*, monitor: Monitor, now: datetime, days: int = 90) -> list[UptimeBar]:
    """The last ``days`` local days (today included), oldest first, from hour rollups and the minutes since."""
    return monitors_uptime_bars([monitor], now=now, days=days)[monitor.pk]


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


@dataclass(frozen=True)
class Beat:
    """One recent check for the heartbeat bar: when, its status, its response time."""

    at: datetime
    status: str
    response_ms: float | None


def monitors_heartbeats(monitor_ids: Iterable[int], *, limit: int = 30) -> dict[int, list[Beat]]:
    """The latest ``limit`` checks of each monitor (oldest first), in one query (a window over the
    (monitor, time) index), for the heartbeat bars of a list of monitors."""
    ids = list(monitor_ids)
    out: dict[int, list[Beat]] = {pk: [] for pk in ids}
    if not ids:
        return out
    rows = (
        CheckResult.objects.filter(monitor_id__in=ids)
        .annotate(n=Window(RowNumber(), partition_by=[F("monitor_id")], order_by=F("checked_at").desc()))
        .filter(n__lte=limit)
        .values_list("monitor_id", "checked_at", "status", "response_ms")
    )
    for monitor_id, at, status, response_ms in rows:
        out[monitor_id].append(Beat(at, status, response_ms))
    for beats in out.values():
        beats.sort(key=lambda beat: beat.at)
    return out


def monitor_outages(*, monitor: Monitor, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The spans in ``[start, end)`` during which the monitor was down, from its status changes."""
    before = (
        StatusChange.objects.filter(monitor=monitor, at__lt=start).order_by("-at").values_list("to_status", flat=True)
    )
    status = before.first() or MonitorStatus.UNKNOWN
    spans: list[tuple[datetime, datetime]] = []
    down_since = start if status == MonitorStatus.DOWN else None
    changes = StatusChange.objects.filter(monitor=monitor, at__gte=start, at__lt=end).order_by("at")
    for at, to_status in changes.values_list("at", "to_status"):
        if to_status == MonitorStatus.DOWN and down_since is None:
            down_since = at
        elif to_status != MonitorStatus.DOWN and down_since is not None:
            spans.append((down_since, at))
            down_since = None
    if down_since is not None:
        spans.append((down_since, end))
    return spans
