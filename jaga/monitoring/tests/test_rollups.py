"""Rollups: minute, hour and day buckets from raw results, idempotent and incremental, and pruning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings

from jaga.core.models import Site
from jaga.monitoring import rollups
from jaga.monitoring.models import CheckResult, MaintenanceWindow, Monitor, MonitorStatus, Rollup, RollupCursor
from jaga.monitoring.rollups import results_prune, rollups_compute

T0 = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


@pytest.fixture
def monitor(site: Site) -> Monitor:
    return Monitor.objects.create(site=site, name="Beranda", kind="http", config={"url": "http://127.0.0.1:9/"})


def result(monitor: Monitor, at: datetime, status: str = MonitorStatus.UP, response_ms: float | None = 100.0) -> None:
    CheckResult.objects.create(monitor=monitor, probe="p1", checked_at=at, status=status, response_ms=response_ms)


def rows(period: str) -> list[tuple[object, ...]]:
    return list(
        Rollup.objects.filter(period=period)
        .order_by("monitor_id", "bucket")
        .values_list(
            "monitor_id", "bucket", "checks", "up", "down", "maintenance", "response_ms_sum", "response_ms_count"
        )
    )


def test_it_puts_a_result_in_the_minute_it_starts_and_adds_later_ones_to_that_minute(monitor: Monitor) -> None:
    result(monitor, T0)
    result(monitor, T0 + timedelta(seconds=59, microseconds=999_999), response_ms=300.0)
    result(monitor, T0 + timedelta(minutes=1), status=MonitorStatus.DOWN, response_ms=None)
    result(monitor, T0 + timedelta(minutes=2, seconds=1))  # the current minute at ``now``

    rollups_compute(now=T0 + timedelta(minutes=2, seconds=30))
    result(monitor, T0 + timedelta(minutes=2, seconds=40), response_ms=50.0)  # the same minute, written later
    rollups_compute(now=T0 + timedelta(minutes=2, seconds=50))

    assert rows("m") == [
        (monitor.pk, T0, 2, 2, 0, 0, 400.0, 2),
        (monitor.pk, T0 + timedelta(minutes=1), 1, 0, 1, 0, 0.0, 0),
        (monitor.pk, T0 + timedelta(minutes=2), 2, 2, 0, 0, 150.0, 2),
    ]
    minute = Rollup.objects.get(period="m", bucket=T0)
    assert (minute.response_ms_min, minute.response_ms_max) == (100.0, 300.0)
    later = Rollup.objects.get(period="m", bucket=T0 + timedelta(minutes=2))
    assert (later.response_ms_min, later.response_ms_max) == (50.0, 100.0)


def test_two_runs_that_overlap_never_count_a_result_twice(monitor: Monitor) -> None:
    result(monitor, T0)
    position, last = rollups.cursor_position(), CheckResult.objects.get().pk
    assert rollups.minutes_add(low=position, high=last) == 1
    with pytest.raises(rollups._CursorMoved):  # a second run that read the same cursor
        rollups.minutes_add(low=position, high=last)

    assert rows("m") == [(monitor.pk, T0, 1, 1, 0, 0, 100.0, 1)]


def test_a_result_that_arrives_after_its_hour_was_rolled_up_recomputes_that_hour(monitor: Monitor) -> None:
    result(monitor, T0)
    rollups_compute(now=T0 + timedelta(hours=1, minutes=10))
    assert Rollup.objects.get(period="h", bucket=T0).checks == 1

    result(monitor, T0 + timedelta(minutes=30), status=MonitorStatus.DOWN)  # a probe that was cut off
    rollups_compute(now=T0 + timedelta(hours=1, minutes=11))

    hour = Rollup.objects.get(period="h", bucket=T0)
    assert (hour.checks, hour.up, hour.down) == (2, 1, 1)


def test_it_writes_the_same_rows_when_run_again(monitor: Monitor) -> None:
    for n in range(150):
        result(monitor, T0 + timedelta(seconds=30 * n), status=MonitorStatus.DOWN if n % 7 == 0 else MonitorStatus.UP)
    now = T0 + timedelta(hours=2)

    rollups_compute(now=now)
    first = (rows("m"), rows("h"))
    stats = rollups_compute(now=now)

    assert (rows("m"), rows("h")) == first
    assert len(first[0]) == 75
    assert len(first[1]) == 1
    assert stats.written["h"] == 0  # the hour watermark kept it from redoing finished hours


def test_it_counts_a_late_result_within_the_overlap_and_leaves_older_minutes_alone(monitor: Monitor) -> None:
    result(monitor, T0)
    result(monitor, T0 + timedelta(minutes=20))
    rollups_compute(now=T0 + timedelta(minutes=22))

    result(monitor, T0 + timedelta(minutes=20, seconds=30), status=MonitorStatus.DOWN)  # arrives late
    CheckResult.objects.filter(checked_at=T0).update(status=MonitorStatus.DOWN)  # long settled: not rescanned
    rollups_compute(now=T0 + timedelta(minutes=23))

    assert Rollup.objects.get(period="m", bucket=T0 + timedelta(minutes=20)).down == 1
    assert Rollup.objects.get(period="m", bucket=T0).down == 0


def test_it_rolls_an_hour_up_once_its_minutes_are_final_and_a_day_once_its_hours_are(monitor: Monitor) -> None:
    day = datetime(2026, 3, 10, tzinfo=UTC)
    for hour in range(24):
        for minute in (0, 30):
            status = MonitorStatus.DOWN if hour == 5 else MonitorStatus.UP
            result(monitor, day + timedelta(hours=hour, minutes=minute), status=status)

    rollups_compute(now=day + timedelta(hours=11, minutes=3))
    assert [r[1] for r in rows("h")] == [day + timedelta(hours=h) for h in range(10)]  # hour 10 still settling

    rollups_compute(now=day + timedelta(days=1, minutes=3))
    assert len(rows("h")) == 23
    assert rows("d") == []

    rollups_compute(now=day + timedelta(days=1, minutes=6))
    hours = Rollup.objects.filter(period="h")
    assert hours.count() == 24
    assert hours.get(bucket=day + timedelta(hours=5)).down == 2
    assert rows("d") == [(monitor.pk, day, 48, 46, 2, 0, 4600.0, 46)]


def test_it_counts_checks_inside_a_maintenance_window_as_maintenance(site: Site, monitor: Monitor) -> None:
    MaintenanceWindow.objects.create(
        site=site, title="Ganti server", starts_at=T0 + timedelta(minutes=1), ends_at=T0 + timedelta(minutes=2)
    )
    result(monitor, T0, status=MonitorStatus.DOWN)
    result(monitor, T0 + timedelta(minutes=1, seconds=10), status=MonitorStatus.DOWN)
    result(monitor, T0 + timedelta(minutes=1, seconds=40), status=MonitorStatus.UP)
    result(monitor, T0 + timedelta(minutes=2), status=MonitorStatus.PROBE_OFFLINE, response_ms=None)

    rollups_compute(now=T0 + timedelta(minutes=5))

    assert rows("m") == [
        (monitor.pk, T0, 1, 0, 1, 0, 0.0, 0),
        (monitor.pk, T0 + timedelta(minutes=1), 2, 0, 0, 2, 0.0, 0),
        (monitor.pk, T0 + timedelta(minutes=2), 1, 0, 0, 0, 0.0, 0),  # probe offline: neither up nor down
    ]


def test_it_stops_at_its_time_budget_and_goes_on_next_run(monitor: Monitor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rollups, "RAW_CHUNK_ROWS", 10)
    for _ in range(25):  # ids with a gap before the first result (deleted rows): chunks start where ids do
        result(monitor, T0 - timedelta(days=1))
    CheckResult.objects.all().delete()
    for n in range(60):
        result(monitor, T0 + timedelta(minutes=n))

    first = rollups_compute(now=T0 + timedelta(hours=1), time_budget_seconds=-1)
    assert not first.complete
    assert first.written["m"] == 10
    rollups_compute(now=T0 + timedelta(hours=1))

    assert Rollup.objects.filter(period="m").count() == 60


@override_settings(
    JAGA_RESULTS_RETENTION_HOURS=48, JAGA_ROLLUP_MINUTE_RETENTION_HOURS=72, JAGA_ROLLUP_HOUR_RETENTION_DAYS=400
)
def test_it_prunes_raw_minutes_and_hours_past_retention_in_batches_and_keeps_days(
    monitor: Monitor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rollups, "PRUNE_BATCH", 3)
    now = datetime(2027, 5, 1, 12, 0, tzinfo=UTC)
    for hours_ago in (1, 47, 49, 50, 72, 100):
        result(monitor, now - timedelta(hours=hours_ago))
    for period, ages in (("m", (1, 2, 4, 5)), ("h", (10, 399, 401, 500)), ("d", (10, 500, 900))):
        for days_ago in ages:
            bucket = rollups.floor_to(now - timedelta(days=days_ago), rollups.MINUTE)
            Rollup.objects.create(monitor=monitor, period=period, bucket=bucket, checks=1, up=1)
    Rollup.objects.create(monitor=monitor, period="m", bucket=now - timedelta(minutes=2), checks=1, up=1)
    Rollup.objects.create(monitor=monitor, period="h", bucket=now - timedelta(hours=2), checks=1, up=1)
    Rollup.objects.create(monitor=monitor, period="d", bucket=now - timedelta(days=1, hours=12), checks=1, up=1)
    RollupCursor.objects.update_or_create(  # as if the rollups had counted every raw result
        name=rollups.CURSOR, defaults={"position": CheckResult.objects.order_by("-id")[0].id}
    )

    stats = results_prune(now=now)

    assert stats.deleted == {"raw": 4, "m": 2, "h": 2}
    assert sorted(CheckResult.objects.values_list("checked_at", flat=True)) == [
        now - timedelta(hours=47),
        now - timedelta(hours=1),
    ]
    assert Rollup.objects.filter(period="d").count() == 4


def test_it_never_prunes_raw_results_that_are_not_rolled_up_yet(monitor: Monitor) -> None:
    now = datetime(2027, 5, 1, 12, 0, tzinfo=UTC)
    result(monitor, now - timedelta(days=10))
    result(monitor, now - timedelta(hours=1))

    assert results_prune(now=now).deleted["raw"] == 0
    rollups_compute(now=now)
    assert results_prune(now=now).deleted["raw"] == 1


def test_it_declares_its_schedules_once_and_they_point_at_real_tasks(db: None) -> None:
    from jaga.core.models import Schedule
    from jaga.core.scheduling import schedule_task_resolve
    from jaga.monitoring.tasks_rollups import rollup_schedules_ensure

    rollup_schedules_ensure()
    rollup_schedules_ensure()

    schedules = {s.key: s for s in Schedule.objects.filter(key__startswith="monitoring.")}
    assert {key: s.interval_seconds for key, s in schedules.items()} == {
        "monitoring.rollups": 60,
        "monitoring.results_prune": 3600,
    }
    for schedule in schedules.values():
        schedule_task_resolve(task_path=schedule.task_path)


def test_it_runs_the_rollup_task_on_the_current_time(monitor: Monitor) -> None:
    from django.utils import timezone

    from jaga.monitoring.tasks_rollups import rollups_run

    result(monitor, rollups.floor_to(timezone.now(), rollups.MINUTE) - timedelta(minutes=2))

    written = rollups_run.call()

    assert written["m"] == 1
