"""Maintenance windows: when they are in force, for which monitors.

A window applies to one monitor, or (``monitor`` empty) to every monitor of its site. A recurring window
repeats its first occurrence (``starts_at`` .. ``ends_at``) every day, week or month on the wall clock of
the institution's time zone, for as long as an occurrence starts no later than ``repeat_until`` (no
``repeat_until``: for ever). Monthly windows that start on the 29th-31st fall on the last day of shorter
months. Checks inside a window do not alert and are left out of uptime.
"""

from __future__ import annotations

import bisect
import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q

from jaga.monitoring.models import MaintenanceWindow, Monitor

Interval = tuple[datetime, datetime]

# Never expand more occurrences than this for one window and one range (a daily window over ten years).
MAX_OCCURRENCES = 4000


@dataclass(frozen=True)
class WindowSpec:
    """What the occurrence arithmetic needs from one MaintenanceWindow row."""

    site_id: int
    monitor_id: int | None
    starts_at: datetime
    ends_at: datetime
    recurrence: str
    repeat_until: datetime | None
    time_zone: str


def _months_between(first: datetime, later: datetime) -> int:
    return (later.year - first.year) * 12 + later.month - first.month


def _add_months(local: datetime, months: int, day: int) -> datetime:
    month_index = local.month - 1 + months
    year, month = local.year + month_index // 12, month_index % 12 + 1
    return local.replace(year=year, month=month, day=min(day, calendar.monthrange(year, month)[1]))


def window_occurrences(*, window: WindowSpec, start: datetime, end: datetime) -> list[Interval]:
    """The occurrences of ``window`` that overlap ``[start, end)``, in UTC, oldest first."""
    duration = window.ends_at - window.starts_at
    if duration <= timedelta(0) or end <= start:
        return []
    if window.recurrence == MaintenanceWindow.Recurrence.NONE:
        if window.starts_at < end and window.ends_at > start:
            return [(window.starts_at.astimezone(UTC), window.ends_at.astimezone(UTC))]
        return []
    zone = ZoneInfo(window.time_zone or "UTC")
    first_local = window.starts_at.astimezone(zone).replace(tzinfo=None)
    # Jump close to the first occurrence that can overlap the range instead of walking from the start.
    earliest_local = (start - duration).astimezone(zone).replace(tzinfo=None)
    if window.recurrence == MaintenanceWindow.Recurrence.MONTHLY:
        index = max(0, _months_between(first_local, earliest_local) - 1)
    else:
        step_days = 1 if window.recurrence == MaintenanceWindow.Recurrence.DAILY else 7
        index = max(0, (earliest_local - first_local).days // step_days - 1)
    found: list[Interval] = []
    for _ in range(MAX_OCCURRENCES):
        if window.recurrence == MaintenanceWindow.Recurrence.MONTHLY:
            local = _add_months(first_local, index, first_local.day)
        else:
            local = first_local + timedelta(days=index * step_days)
        occurrence_start = local.replace(tzinfo=zone).astimezone(UTC)
        if occurrence_start >= end or (window.repeat_until is not None and occurrence_start > window.repeat_until):
            break
        occurrence_end = occurrence_start + duration
        if occurrence_end > start:
            found.append((occurrence_start, occurrence_end))
        index += 1
    return found


def intervals_merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping intervals covering the same time."""
    merged: list[Interval] = []
    for begin, finish in sorted(intervals):
        if merged and begin <= merged[-1][1]:
            if finish > merged[-1][1]:
                merged[-1] = (merged[-1][0], finish)
        else:
            merged.append((begin, finish))
    return merged


def _clip(intervals: Iterable[Interval], start: datetime, end: datetime) -> list[Interval]:
    return [(max(a, start), min(b, end)) for a, b in intervals if a < end and b > start]


def _windows_query(*, site_ids: Iterable[int], start: datetime, end: datetime) -> list[WindowSpec]:
    """Windows of these sites that may overlap ``[start, end)`` (recurring ones are filtered in Python)."""
    rows = (
        MaintenanceWindow.objects.filter(site_id__in=list(set(site_ids)), starts_at__lt=end)
        .filter(~Q(recurrence=MaintenanceWindow.Recurrence.NONE) | Q(ends_at__gt=start))
        .values_list(
            "site_id",
            "monitor_id",
            "starts_at",
            "ends_at",
            "recurrence",
            "repeat_until",
            "site__institution__time_zone",
        )
    )
    return [WindowSpec(*row) for row in rows]


def maintenance_intervals(
    *, start: datetime, end: datetime, monitor: Monitor | None = None, site_id: int | None = None
) -> list[Interval]:
    """Merged maintenance time of one monitor (its own and its site's windows) or of a whole site, in ``[start, end)``.

    With ``site_id`` only, only site-wide windows count (those that apply to every monitor of the site).
    """
    if monitor is None and site_id is None:
        raise ValueError("maintenance_intervals: berikan monitor atau site_id / give monitor or site_id")
    target_site = monitor.site_id if monitor is not None else site_id
    assert target_site is not None
    specs = _windows_query(site_ids=[target_site], start=start, end=end)
    wanted = {None, monitor.pk} if monitor is not None else {None}
    occurrences = [
        occurrence
        for spec in specs
        if spec.monitor_id in wanted
        for occurrence in window_occurrences(window=spec, start=start, end=end)
    ]
    return _clip(intervals_merge(occurrences), start, end)


def in_maintenance(monitor: Monitor, at: datetime) -> bool:
    """Is ``monitor`` inside one of its (or its site's) maintenance windows at ``at``?"""
    return bool(maintenance_intervals(monitor=monitor, start=at, end=at + timedelta(microseconds=1)))


class MaintenanceIndex:
    """Maintenance time of many monitors over one range, read with one query.

    The probe engine builds one per batch of results, the rollups once per chunk:
    ``MaintenanceIndex.build(monitor_sites={monitor_id: site_id, ...}, start=..., end=...)``.
    """

    def __init__(self, intervals: dict[int, list[Interval]], start: datetime, end: datetime) -> None:
        self.start = start
        self.end = end
        self._intervals = intervals
        self._starts = {monitor_id: [a for a, _ in spans] for monitor_id, spans in intervals.items()}

    @classmethod
    def build(cls, *, monitor_sites: dict[int, int], start: datetime, end: datetime) -> MaintenanceIndex:
        specs = _windows_query(site_ids=monitor_sites.values(), start=start, end=end)
        per_site: dict[int, list[Interval]] = defaultdict(list)
        per_monitor: dict[int, list[Interval]] = defaultdict(list)
        for spec in specs:
            occurrences = window_occurrences(window=spec, start=start, end=end)
            if spec.monitor_id is None:
                per_site[spec.site_id].extend(occurrences)
            else:
                per_monitor[spec.monitor_id].extend(occurrences)
        intervals: dict[int, list[Interval]] = {}
        for monitor_id, site in monitor_sites.items():
            spans = per_site.get(site, []) + per_monitor.get(monitor_id, [])
            if spans:
                intervals[monitor_id] = _clip(intervals_merge(spans), start, end)
        return cls(intervals, start, end)

    @classmethod
    def for_monitors(cls, *, monitor_ids: Iterable[int], start: datetime, end: datetime) -> MaintenanceIndex:
        """Like :meth:`build`, reading the monitors' sites (one more query)."""
        sites = dict(Monitor.objects.filter(pk__in=list(monitor_ids)).values_list("pk", "site_id"))
        return cls.build(monitor_sites=sites, start=start, end=end)

    def intervals(self, monitor_id: int) -> list[Interval]:
        return self._intervals.get(monitor_id, [])

    def in_maintenance(self, monitor_id: int, at: datetime) -> bool:
        if not self.start <= at < self.end:
            raise ValueError(f"MaintenanceIndex: {at.isoformat()} di luar rentang indeks / outside the index range")
        starts = self._starts.get(monitor_id)
        if not starts:
            return False
        position = bisect.bisect_right(starts, at) - 1
        return position >= 0 and at < self._intervals[monitor_id][position][1]
