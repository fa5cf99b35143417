"""Rollups: raw check results → per-minute → per-hour → per-day buckets, and pruning of what is no longer needed.

Idempotent: a bucket is always recomputed in full from its source and written with an upsert, so running
again over the same range writes the same rows. Incremental: each level starts from its own watermark
(the newest bucket of that period, found through the ``(period, bucket)`` index), never rescanning history.
Bounded: each chunk (a few minutes of raw results, one hour, one day) is its own short transaction, and
pruning deletes in batches, so neither holds a long lock on the database.

Only complete buckets are written. Raw results can arrive late (probes write in batches), so the last
``MINUTE_OVERLAP`` of minutes is recomputed at every run; an hour is rolled up once all its minutes are
older than that, and a day once all its hours are done.

What is kept (see docs/monitoring.md, "Penyimpanan dan uptime"): raw results
``JAGA_RESULTS_RETENTION_HOURS``, minute rollups ``MINUTE_RETENTION``, hour rollups ``HOUR_RETENTION``,
day rollups and status changes for ever. Nothing is pruned before the next level has rolled it up.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min, Model, QuerySet, Sum

from jaga.monitoring.maintenance import MaintenanceIndex
from jaga.monitoring.models import CheckResult, MonitorStatus, Rollup

logger = logging.getLogger("jaga.monitoring.rollups")

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
MINUTE_OVERLAP = timedelta(minutes=5)  # late raw results within this are still counted
RAW_CHUNK = timedelta(minutes=10)  # raw results aggregated per transaction
MINUTE_RETENTION = timedelta(days=3)
HOUR_RETENTION = timedelta(days=400)
PRUNE_BATCH = 5000
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
    """Recompute every minute bucket in ``[start, end)`` from raw results, in one transaction."""
    rows = list(
        CheckResult.objects.filter(checked_at__gte=start, checked_at__lt=end).values_list(
            "monitor_id", "monitor__site_id", "checked_at", "status", "response_ms"
        )
    )
    if not rows:
        return 0
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
    objects = [
        Rollup(monitor_id=monitor_id, period=Rollup.Period.MINUTE, bucket=bucket_start, **vars(data))
        for (monitor_id, bucket_start), data in buckets.items()
    ]
    with transaction.atomic():
        return _upsert(objects)


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

    # Raw results → minutes: complete minutes only, recomputing the last MINUTE_OVERLAP for late arrivals.
    minute_end = floor_to(now, MINUTE)
    watermark = rollup_watermark(period=Rollup.Period.MINUTE)
    cursor = _first_at_or_after(
        CheckResult.objects.all(), "checked_at", watermark - MINUTE_OVERLAP if watermark else None
    )
    while cursor is not None and cursor < minute_end:
        chunk_start = floor_to(cursor, MINUTE)
        chunk_end = min(chunk_start + RAW_CHUNK, minute_end)
        stats.written["m"] += _minutes_compute(start=chunk_start, end=chunk_end)
        if _out_of_time(deadline):
            stats.complete = False
            return stats
        cursor = _first_at_or_after(CheckResult.objects.all(), "checked_at", chunk_end)

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
    minute_wm = rollup_watermark(period=Rollup.Period.MINUTE)
    hour_wm = rollup_watermark(period=Rollup.Period.HOUR)
    day_wm = rollup_watermark(period=Rollup.Period.DAY)
    raw_cutoff = _cutoff(
        now - timedelta(hours=settings.JAGA_RESULTS_RETENTION_HOURS),
        minute_wm - MINUTE_OVERLAP if minute_wm else None,
    )
    if raw_cutoff is not None:
        stats.deleted["raw"] = _delete_in_batches(CheckResult.objects.filter(checked_at__lt=raw_cutoff))
    minute_cutoff = _cutoff(now - MINUTE_RETENTION, hour_wm + HOUR if hour_wm else None)
    if minute_cutoff is not None:
        stats.deleted["m"] = _delete_in_batches(
            Rollup.objects.filter(period=Rollup.Period.MINUTE, bucket__lt=minute_cutoff)
        )
    hour_cutoff = _cutoff(now - HOUR_RETENTION, day_wm + DAY if day_wm else None)
    if hour_cutoff is not None:
        stats.deleted["h"] = _delete_in_batches(
            Rollup.objects.filter(period=Rollup.Period.HOUR, bucket__lt=hour_cutoff)
        )
    return stats
