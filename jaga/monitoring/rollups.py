"""Rollups: raw check results → per-minute → per-hour → per-day buckets, and pruning of what is no longer needed.

Raw results → minutes is incremental by primary key: each run adds the results written since the last one
(``RollupCursor``) to their minutes, in the database (one ``INSERT ... SELECT ... GROUP BY ... ON CONFLICT``
per chunk), and moves the cursor in the same transaction with a compare-and-swap, so that a result is
counted exactly once however late it arrives and however many runs overlap. Results inside a maintenance
window (rare) are counted in Python. On PostgreSQL the run waits for result batches in progress before it
reads how far to go (an advisory lock the batches share), so a batch that commits late is never skipped.

Minutes → hours → days: a bucket is recomputed in full from the level below once all of it is final
(``MINUTE_OVERLAP`` after its end), written with an upsert, and found from its level's watermark; a late
result whose hour or day was rolled up already has that hour and day recomputed. Each chunk is its own
short transaction, and pruning deletes in batches, so neither holds a long lock on the database.

What is kept (see docs/monitoring.md, "Penyimpanan dan uptime"): raw results
``JAGA_RESULTS_RETENTION_HOURS``, minute rollups ``JAGA_ROLLUP_MINUTE_RETENTION_HOURS``, hour rollups
``JAGA_ROLLUP_HOUR_RETENTION_DAYS``, day rollups and status changes for ever. Nothing is pruned before the
next level has rolled it up.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Min, Model, QuerySet, Sum

from jaga.monitoring.maintenance import MaintenanceIndex, window_occurrences
from jaga.monitoring.maintenance import _windows_query as windows_query
from jaga.monitoring.models import CheckResult, MaintenanceWindow, Monitor, MonitorStatus, Rollup, RollupCursor

logger = logging.getLogger("jaga.monitoring.rollups")

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
MINUTE_OVERLAP = timedelta(minutes=5)  # an hour is rolled up this long after its end (results come in batches)
RAW_CHUNK_ROWS = 50_000  # raw results added to minutes per transaction
PRUNE_BATCH = 5000
PRUNE_MONITORS = 500  # raw results are pruned this many monitors at a time (through their (monitor, time) index)
CURSOR = "minutes"
ADVISORY_LOCK = 0x4A4147_01  # PostgreSQL: result batches share it, the rollup run takes it alone for an instant


def minute_retention() -> timedelta:
    return timedelta(hours=int(getattr(settings, "JAGA_ROLLUP_MINUTE_RETENTION_HOURS", 40)))


def hour_retention() -> timedelta:
    return timedelta(days=int(getattr(settings, "JAGA_ROLLUP_HOUR_RETENTION_DAYS", 92)))


TIME_BUDGET_SECONDS = 45.0  # one run stops after this; the next run goes on from the watermark

UP_STATUSES = {MonitorStatus.UP, MonitorStatus.DEGRADED}
DOWN_STATUSES = {MonitorStatus.DOWN}
ROLLUP_FIELDS = [
    "checks",
    "up",
    "down",
    "maintenance",
    "response_ms_sum",
    "response_ms_count",
    "response_ms_min",
    "response_ms_max",
]


def floor_to(moment: datetime, step: timedelta) -> datetime:
    """Start of the UTC minute, hour or day that contains ``moment``."""
    moment = moment.astimezone(UTC)
    if step == DAY:
        return moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if step == HOUR:
        return moment.replace(minute=0, second=0, microsecond=0)
    if step == MINUTE:
        return moment.replace(second=0, microsecond=0)
    seconds = int(step.total_seconds())
    epoch = int(moment.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=UTC)


def ceil_to(moment: datetime, step: timedelta) -> datetime:
    floored = floor_to(moment, step)
    return floored if floored == moment else floored + step


@dataclass
class RollupStats:
    """What one run of :func:`rollups_compute` wrote, per period, and whether it finished."""

    written: dict[str, int] = field(default_factory=lambda: {"m": 0, "h": 0, "d": 0})
    complete: bool = True
    summaries: int = 0


@dataclass
class _Bucket:
    checks: int = 0
    up: int = 0
    down: int = 0
    maintenance: int = 0
    response_ms_sum: float = 0.0
    response_ms_count: int = 0
    response_ms_min: float | None = None
    response_ms_max: float | None = None

    def add(self, *, status: str, response_ms: float | None, in_maintenance: bool) -> None:
        self.checks += 1
        if in_maintenance or status == MonitorStatus.MAINTENANCE:
            self.maintenance += 1
            return
        if status in DOWN_STATUSES:
            self.down += 1
        elif status in UP_STATUSES:
            self.up += 1
            # Response times are those of answers that counted as up: a timeout is not a response time.
            if response_ms is not None:
                self.response_ms_sum += response_ms
                self.response_ms_count += 1
                self.response_ms_min = (
                    response_ms if self.response_ms_min is None else min(self.response_ms_min, response_ms)
                )
                self.response_ms_max = (
                    response_ms if self.response_ms_max is None else max(self.response_ms_max, response_ms)
                )
        # probe_offline / unknown / paused: counted as checks, neither up nor down.


def _upsert(rows: list[Rollup]) -> int:
    if rows:
        Rollup.objects.bulk_create(
            rows,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["monitor", "period", "bucket"],
            update_fields=ROLLUP_FIELDS,
        )
    return len(rows)


def rollup_watermark(*, period: str) -> datetime | None:
    """The newest bucket of ``period`` over all monitors (one index seek)."""
    bucket: datetime | None = (
        Rollup.objects.filter(period=period).order_by("-bucket").values_list("bucket", flat=True).first()
    )
    return bucket


def _first_at_or_after(queryset: QuerySet[Model], column: str, start: datetime | None) -> datetime | None:
    if start is not None:
        queryset = queryset.filter(**{f"{column}__gte": start})
    first: datetime | None = queryset.order_by(column).values_list(column, flat=True).first()
    return first


def _minutes_compute(*, start: datetime, end: datetime) -> int:
    """Recompute every minute bucket in ``[start, end)`` from raw results (a repair tool: the runs add results
    incrementally with :func:`minutes_add`). Scans raw results by time: slow on a large table."""
    rows = list(
        CheckResult.objects.filter(checked_at__gte=start, checked_at__lt=end).values_list(
            "monitor_id", "monitor__site_id", "checked_at", "status", "response_ms"
        )
    )
    if not rows:
        return 0
    buckets = _buckets(rows, start=start, end=end)
    objects = [
        Rollup(monitor_id=monitor_id, period=Rollup.Period.MINUTE, bucket=bucket_start, **vars(data))
        for (monitor_id, bucket_start), data in buckets.items()
    ]
    with transaction.atomic():
        return _upsert(objects)


def _buckets(rows: list[tuple[Any, ...]], *, start: datetime, end: datetime) -> dict[tuple[int, datetime], _Bucket]:
    """Raw rows ``(monitor_id, site_id, checked_at, status, response_ms)`` into minute buckets, maintenance known."""
    maintenance = MaintenanceIndex.build(monitor_sites={row[0]: row[1] for row in rows}, start=start, end=end)
    buckets: dict[tuple[int, datetime], _Bucket] = {}
    for monitor_id, _site_id, checked_at, status, response_ms in rows:
        key = (monitor_id, floor_to(checked_at, MINUTE))
        bucket = buckets.get(key)
        if bucket is None:
            bucket = buckets[key] = _Bucket()
        bucket.add(
            status=status, response_ms=response_ms, in_maintenance=maintenance.in_maintenance(monitor_id, checked_at)
        )
    return buckets


# --- raw results → minutes, by primary key -----------------------------------------------------------

_T = "monitoring_rollup"
_ADD = (
    "ON CONFLICT (monitor_id, period, bucket) DO UPDATE SET "
    f"checks = {_T}.checks + excluded.checks, up = {_T}.up + excluded.up, down = {_T}.down + excluded.down, "
    f"maintenance = {_T}.maintenance + excluded.maintenance, "
    f"response_ms_sum = {_T}.response_ms_sum + excluded.response_ms_sum, "
    f"response_ms_count = {_T}.response_ms_count + excluded.response_ms_count, "
    f"response_ms_min = CASE WHEN {_T}.response_ms_min IS NULL OR excluded.response_ms_min < {_T}.response_ms_min "
    f"THEN excluded.response_ms_min ELSE {_T}.response_ms_min END, "
    f"response_ms_max = CASE WHEN {_T}.response_ms_max IS NULL OR excluded.response_ms_max > {_T}.response_ms_max "
    f"THEN excluded.response_ms_max ELSE {_T}.response_ms_max END"
)
_COLUMNS = "monitor_id, period, bucket, " + ", ".join(ROLLUP_FIELDS)
_UP = "status IN ('up', 'degraded')"


def _minute_of(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"date_trunc('minute', {column})"
    return f"substr({column}, 1, 16) || ':00'"  # Django's SQLite text form: 'YYYY-MM-DD HH:MM:SS.ffffff'


def cursor_position() -> int:
    cursor, _ = RollupCursor.objects.get_or_create(name=CURSOR)
    return int(cursor.position)


def raw_written_upto() -> int:
    """The highest raw result id below which every result is committed (PostgreSQL: no batch in progress)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
        cursor.execute("SELECT MAX(id) FROM monitoring_checkresult")
        row = cursor.fetchone()
    return int(row[0] or 0) if row else 0


def results_batch_lock() -> None:
    """Called by a result batch inside its transaction (PostgreSQL): the rollup run waits for it to commit."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [ADVISORY_LOCK])


class _CursorMoved(Exception):
    """Another rollup run counted this chunk first: roll this one back."""


def minutes_add(*, low: int, high: int) -> int:
    """Add the raw results with ``low < id <= high`` to their minute buckets and move the cursor to ``high``.

    One transaction; returns the minute rows written. Raises :class:`_CursorMoved` (after rolling back) when
    the cursor was not at ``low``.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT MIN(checked_at), MAX(checked_at) FROM monitoring_checkresult WHERE id > %s AND id <= %s",
            [low, high],
        )
        first, last = cursor.fetchone() or (None, None)
        written = 0
        if first is not None:
            first_at, last_at = _aware(first), _aware(last)
            special = _maintenance_monitors(first_at, last_at + timedelta(microseconds=1))
            exclude = f" AND monitor_id NOT IN ({', '.join(str(int(pk)) for pk in special)})" if special else ""
            cursor.execute(
                f"INSERT INTO {_T} ({_COLUMNS}) "
                f"SELECT monitor_id, 'm', {_minute_of('checked_at')}, COUNT(*), "
                f"SUM(CASE WHEN {_UP} THEN 1 ELSE 0 END), SUM(CASE WHEN status = 'down' THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN status = 'maintenance' THEN 1 ELSE 0 END), "
                f"COALESCE(SUM(CASE WHEN {_UP} THEN response_ms END), 0), "
                f"COUNT(CASE WHEN {_UP} THEN response_ms END), "
                f"MIN(CASE WHEN {_UP} THEN response_ms END), MAX(CASE WHEN {_UP} THEN response_ms END) "
                f"FROM monitoring_checkresult WHERE id > %s AND id <= %s{exclude} "
                f"GROUP BY monitor_id, {_minute_of('checked_at')} {_ADD}",
                [low, high],
            )
            written = max(0, cursor.rowcount)
            if special:
                written += _minutes_add_maintenance(low, high, special, first_at, last_at)
            _late_levels_recompute(first_at)
        cursor.execute(
            "UPDATE monitoring_rollupcursor SET position = %s WHERE name = %s AND position = %s", [high, CURSOR, low]
        )
        if cursor.rowcount != 1:
            raise _CursorMoved
    return written


def _aware(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def _maintenance_monitors(start: datetime, end: datetime) -> list[int]:
    """Monitors that have maintenance time in ``[start, end)`` (their own windows or their site's)."""
    site_ids = set(MaintenanceWindow.objects.filter(starts_at__lt=end).values_list("site_id", flat=True))
    if not site_ids:
        return []
    monitors: set[int] = set()
    sites: set[int] = set()
    for spec in windows_query(site_ids=site_ids, start=start, end=end):
        if window_occurrences(window=spec, start=start, end=end):
            if spec.monitor_id is None:
                sites.add(spec.site_id)
            else:
                monitors.add(spec.monitor_id)
    if sites:
        monitors |= set(Monitor.objects.filter(site_id__in=sites).values_list("pk", flat=True))
    return sorted(monitors)


def _minutes_add_maintenance(low: int, high: int, monitor_ids: list[int], start: datetime, end: datetime) -> int:
    rows = list(
        CheckResult.objects.filter(id__gt=low, id__lte=high, monitor_id__in=monitor_ids).values_list(
            "monitor_id", "monitor__site_id", "checked_at", "status", "response_ms"
        )
    )
    if not rows:
        return 0
    buckets = _buckets(rows, start=start, end=end + timedelta(microseconds=1))
    params = [
        [monitor_id, "m", _db_time(bucket), *(getattr(data, name) for name in ROLLUP_FIELDS)]
        for (monitor_id, bucket), data in buckets.items()
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {_T} ({_COLUMNS}) VALUES ({', '.join(['%s'] * (3 + len(ROLLUP_FIELDS)))}) {_ADD}", params
        )
    return len(params)


def _db_time(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value) if connection.vendor == "sqlite" else value


def _late_levels_recompute(first: datetime) -> None:
    """Results older than the hour (day) watermark arrived: recompute those hours (days) from the minutes."""
    for source, target, step in (
        (Rollup.Period.MINUTE, Rollup.Period.HOUR, HOUR),
        (Rollup.Period.HOUR, Rollup.Period.DAY, DAY),
    ):
        watermark = rollup_watermark(period=target)
        if watermark is None or first >= watermark + step:
            return
        bucket = floor_to(first, step)
        while bucket <= watermark:
            _level_compute(source=source, target=target, bucket_start=bucket, step=step)
            bucket += step


def _level_compute(*, source: str, target: str, bucket_start: datetime, step: timedelta) -> int:
    """Recompute the ``target`` bucket at ``bucket_start`` for every monitor from its ``source`` buckets."""
    aggregates = (
        Rollup.objects.filter(period=source, bucket__gte=bucket_start, bucket__lt=bucket_start + step)
        .values("monitor_id")
        .annotate(
            checks=Sum("checks"),
            up=Sum("up"),
            down=Sum("down"),
            maintenance=Sum("maintenance"),
            response_ms_sum=Sum("response_ms_sum"),
            response_ms_count=Sum("response_ms_count"),
            response_ms_min=Min("response_ms_min"),
            response_ms_max=Max("response_ms_max"),
        )
    )
    objects = [
        Rollup(
            monitor_id=row["monitor_id"],
            period=target,
            bucket=bucket_start,
            **{name: cast(dict[str, Any], row)[name] for name in ROLLUP_FIELDS},
        )
        for row in aggregates
    ]
    with transaction.atomic():
        return _upsert(objects)


def _out_of_time(deadline: float) -> bool:
    return time.monotonic() > deadline


def rollups_compute(
    *, now: datetime, time_budget_seconds: float = TIME_BUDGET_SECONDS, summaries: bool = True
) -> RollupStats:
    """Bring minute, hour and day rollups up to date with the raw results as of ``now``, then the summaries."""
    stats = RollupStats()
    deadline = time.monotonic() + time_budget_seconds

    # Raw results → minutes: every result written since the last run, in chunks of ids.
    minute_end = floor_to(now, MINUTE)
    position, upto = cursor_position(), raw_written_upto()
    while position < upto:
        following = CheckResult.objects.filter(pk__gt=position).order_by("pk").values_list("pk", flat=True).first()
        if following is None:
            break
        # Ids may have gaps (deleted rows, rolled-back batches): a chunk starts at the next id that exists.
        high = min(following + RAW_CHUNK_ROWS - 1, upto)
        try:
            stats.written["m"] += minutes_add(low=position, high=high)
        except _CursorMoved:
            logger.info("rollups: another run is counting the same results; this one stops")
            stats.complete = False
            return stats
        position = high
        if _out_of_time(deadline) and position < upto:
            stats.complete = False
            return stats

    # Minutes → hours, then hours → days: a bucket once its whole source range is final.
    ends = {Rollup.Period.HOUR: floor_to(minute_end - MINUTE_OVERLAP, HOUR)}
    ends[Rollup.Period.DAY] = floor_to(ends[Rollup.Period.HOUR], DAY)
    for source, target, step in (
        (Rollup.Period.MINUTE, Rollup.Period.HOUR, HOUR),
        (Rollup.Period.HOUR, Rollup.Period.DAY, DAY),
    ):
        level_end = ends[target]
        watermark = rollup_watermark(period=target)
        sources = Rollup.objects.filter(period=source)
        cursor = _first_at_or_after(sources, "bucket", watermark + step if watermark else None)
        while cursor is not None and cursor < level_end:
            bucket_start = floor_to(cursor, step)
            stats.written[target] += _level_compute(source=source, target=target, bucket_start=bucket_start, step=step)
            if _out_of_time(deadline):
                stats.complete = False
                return stats
            cursor = _first_at_or_after(sources, "bucket", bucket_start + step)
    if summaries:
        stats.summaries = uptime_summaries_refresh(now=now)
    return stats


SUMMARY_BATCH = 2000


def _spans_key(spans: dict[str, list[tuple[datetime, datetime]]]) -> str:
    text = ";".join(
        f"{name}:" + ",".join(f"{a.isoformat()}/{b.isoformat()}" for a, b in parts) for name, parts in spans.items()
    )
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]


def uptime_summaries_refresh(*, now: datetime) -> int:
    """Write every monitor's uptime windows ending at the last complete minute (see ``UptimeSummary``).

    The day and hour sums are kept in the summary with a key of the bucket ranges they cover and are
    recomputed only when those ranges move (once a day, once an hour); the minutes every run.
    """
    from jaga.monitoring.models import Monitor, UptimeSummary
    from jaga.monitoring.selectors import (
        UPTIME_WINDOWS,
        rollup_boundaries,
        sums_add,
        uptime_level_sums,
        uptime_spans_all,
    )

    until = floor_to(now, MINUTE)
    spans = uptime_spans_all(until=until, boundaries=rollup_boundaries())
    by_period = {period: {name: spans[name][period] for name in UPTIME_WINDOWS} for period in ("d", "h", "m")}
    keys = {period: _spans_key(by_period[period]) for period in ("d", "h")}
    ids = list(Monitor.objects.order_by("pk").values_list("pk", flat=True))
    written = 0
    for offset in range(0, len(ids), SUMMARY_BATCH):
        batch = ids[offset : offset + SUMMARY_BATCH]
        existing = dict(UptimeSummary.objects.filter(monitor_id__in=batch).values_list("monitor_id", "parts"))
        parts: dict[int, dict[str, Any]] = {pk: {} for pk in batch}
        for period in ("d", "h"):
            stale = [pk for pk in batch if existing.get(pk, {}).get(period, {}).get("key") != keys[period]]
            fresh = uptime_level_sums(stale, period, by_period[period]) if stale else {}
            for pk in batch:
                kept = existing.get(pk, {}).get(period) if pk not in stale else None
                parts[pk][period] = kept or {"key": keys[period], "sums": fresh.get(pk, {})}
        minutes = uptime_level_sums(batch, "m", by_period["m"])
        objects = []
        for pk in batch:
            total: dict[str, list[int]] = {}
            for level in (parts[pk]["d"]["sums"], parts[pk]["h"]["sums"], minutes.get(pk)):
                sums_add(total, level)
            parts[pk]["uptime"] = total
            objects.append(UptimeSummary(monitor_id=pk, until=until, parts=parts[pk]))
        with transaction.atomic():
            UptimeSummary.objects.bulk_create(
                objects,
                batch_size=500,
                update_conflicts=True,
                unique_fields=["monitor"],
                update_fields=["until", "parts"],
            )
        written += len(objects)
    return written


@dataclass
class PruneStats:
    deleted: dict[str, int] = field(default_factory=lambda: {"raw": 0, "m": 0, "h": 0})


def _delete_in_batches(queryset: QuerySet[Model], *, batch: int = PRUNE_BATCH) -> int:
    deleted = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        with transaction.atomic():
            count, _ = queryset.model._default_manager.filter(pk__in=ids).delete()
        deleted += count


def _cutoff(retention_cutoff: datetime, rolled_up_until: datetime | None) -> datetime | None:
    """Never prune what the next level has not rolled up yet."""
    if rolled_up_until is None:
        return None
    return min(retention_cutoff, rolled_up_until)


def results_prune(*, now: datetime) -> PruneStats:
    """Delete raw results and minute/hour rollups past their retention, in batches. Day rollups stay for ever."""
    stats = PruneStats()
    hour_wm = rollup_watermark(period=Rollup.Period.HOUR)
    day_wm = rollup_watermark(period=Rollup.Period.DAY)
    raw_cutoff = now - timedelta(hours=settings.JAGA_RESULTS_RETENTION_HOURS)
    rolled = cursor_position()  # results not counted in their minute yet are never pruned
    if rolled:
        ids = list(Monitor.objects.order_by("pk").values_list("pk", flat=True))
        for offset in range(0, len(ids), PRUNE_MONITORS):
            with transaction.atomic():
                deleted, _ = CheckResult.objects.filter(
                    monitor_id__in=ids[offset : offset + PRUNE_MONITORS], checked_at__lt=raw_cutoff, id__lte=rolled
                ).delete()
            stats.deleted["raw"] += deleted
        # Results of monitors deleted meanwhile went with them (cascade); nothing else can be left.
    minute_cutoff = _cutoff(now - minute_retention(), hour_wm + HOUR if hour_wm else None)
    if minute_cutoff is not None:
        stats.deleted["m"] = _delete_in_batches(
            Rollup.objects.filter(period=Rollup.Period.MINUTE, bucket__lt=minute_cutoff)
        )
    hour_cutoff = _cutoff(now - hour_retention(), day_wm + DAY if day_wm else None)
    if hour_cutoff is not None:
        stats.deleted["h"] = _delete_in_batches(
            Rollup.objects.filter(period=Rollup.Period.HOUR, bucket__lt=hour_cutoff)
        )
    return stats
