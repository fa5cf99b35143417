"""Uptime, response series, uptime bars and site summaries read from rollups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jaga.core.models import Site
from jaga.monitoring.models import Monitor, MonitorStatus, Rollup
from jaga.monitoring.rollups import rollups_compute
from jaga.monitoring.selectors import (
    monitor_response_series,
    monitor_uptime,
    monitor_uptime_bars,
    monitors_uptime,
    site_status_summary,
)

NOW = datetime(2026, 3, 10, 12, 30, tzinfo=UTC)
TODAY = datetime(2026, 3, 10, tzinfo=UTC)


def make_monitor(site: Site, name: str = "Beranda") -> Monitor:
    return Monitor.objects.create(site=site, name=name, kind="http", config={"url": "http://127.0.0.1:9/"})


def bucket_row(monitor: Monitor, period: str, bucket: datetime, up: int, down: int, **extra: float) -> Rollup:
    return Rollup(monitor=monitor, period=period, bucket=bucket, checks=up + down, up=up, down=down, **extra)


def fill_year(monitor: Monitor) -> None:
    """Days, hours and minutes that disagree on purpose, so that counting a range twice shows."""
    objects = []
    for n in range(1, 400):  # day rows up to yesterday: 1000 up, except yesterday all down
        day = TODAY - timedelta(days=n)
        objects.append(bucket_row(monitor, "d", day, *((0, 1000) if n == 1 else (1000, 0))))
    hour = TODAY - timedelta(days=8)
    while hour < TODAY + timedelta(
        hours=12
    ):  # hour rows up to 11.00 today: 60 up, except 05.00 today and 12.00 yesterday
        down = hour in (TODAY + timedelta(hours=5), TODAY - timedelta(hours=12))
        objects.append(bucket_row(monitor, "h", hour, *((0, 60) if down else (60, 0))))
        hour += timedelta(hours=1)
    minute = TODAY - timedelta(hours=12)
    while minute < NOW:  # minute rows: up only in [yesterday 12.30, 13.00) and [12.00, 12.30) today
        inside = TODAY - timedelta(hours=11, minutes=30) <= minute < TODAY - timedelta(
            hours=11
        ) or minute >= TODAY + timedelta(hours=12)
        objects.append(bucket_row(monitor, "m", minute, *((1, 0) if inside else (0, 1))))
        minute += timedelta(minutes=1)
    Rollup.objects.bulk_create(objects)


def test_it_stitches_uptime_from_days_hours_and_minutes_without_counting_twice(site: Site) -> None:
    monitor = make_monitor(site)
    fill_year(monitor)

    uptime = monitor_uptime(monitor=monitor, now=NOW)

    # 24h: minutes [yesterday 12.30, 13.00) + hours [13.00, 12.00 today) + minutes [12.00, 12.30)
    assert uptime["24h"] == pytest.approx(100 * (30 + 22 * 60 + 30) / (30 + 23 * 60 + 30))
    # 7d: hours for the partial first day, 6 whole days (yesterday down), today's hours and minutes
    up_7d, down_7d = 11 * 60 + 5 * 1000 + 11 * 60 + 30, 1000 + 60
    assert uptime["7d"] == pytest.approx(100 * up_7d / (up_7d + down_7d))
    # 365d: no hours kept so far back for the partial first day: 364 whole days, then as above
    up_year, down_year = 363 * 1000 + 11 * 60 + 30, 1000 + 60
    assert uptime["365d"] == pytest.approx(100 * up_year / (up_year + down_year))


def test_it_counts_a_minute_at_the_window_start_and_not_the_one_before(site: Site) -> None:
    monitor = make_monitor(site)
    start = NOW - timedelta(hours=24)
    Rollup.objects.bulk_create(
        [
            bucket_row(monitor, "m", start - timedelta(minutes=1), 0, 1),
            bucket_row(monitor, "m", start, 1, 0),
            bucket_row(monitor, "m", NOW - timedelta(minutes=1), 1, 0),
            bucket_row(monitor, "m", NOW, 0, 1),
        ]
    )

    # At NOW: the minute at the start counts, the one before and the current (incomplete) one do not.
    assert monitor_uptime(monitor=monitor, now=NOW)["24h"] == 100.0
    # A partial minute at the start is left out (the start rounds up): still no down minute.
    assert monitor_uptime(monitor=monitor, now=NOW - timedelta(seconds=1))["24h"] == 100.0
    # A minute later the start minute has left the window and the 12.30 minute is in.
    assert monitor_uptime(monitor=monitor, now=NOW + timedelta(minutes=1))["24h"] == 50.0


def test_it_says_none_without_data_and_leaves_maintenance_out(site: Site) -> None:
    quiet, maintained = make_monitor(site, "Sepi"), make_monitor(site, "Dirawat")
    Rollup.objects.bulk_create(
        [
            bucket_row(maintained, "m", NOW - timedelta(minutes=10), 0, 0, maintenance=5),
            bucket_row(maintained, "m", NOW - timedelta(minutes=9), 3, 1, maintenance=2),
        ]
    )

    assert monitor_uptime(monitor=quiet, now=NOW) == {"24h": None, "7d": None, "30d": None, "365d": None}
    assert monitor_uptime(monitor=maintained, now=NOW)["24h"] == 75.0


def test_it_reads_uptime_from_rollups_computed_from_raw_results(site: Site) -> None:
    from jaga.monitoring.models import CheckResult

    monitor = make_monitor(site)
    start = NOW - timedelta(hours=30)
    CheckResult.objects.bulk_create(
        CheckResult(
            monitor=monitor,
            probe="p1",
            checked_at=start + timedelta(minutes=2 * n),
            status=MonitorStatus.DOWN if n % 10 == 0 else MonitorStatus.UP,
            response_ms=50.0,
        )
        for n in range(30 * 30)
    )

    rollups_compute(now=NOW)
    uptime = monitor_uptime(monitor=monitor, now=NOW)

    assert Rollup.objects.filter(period="h").exists()
    assert Rollup.objects.filter(period="d").exists()
    assert uptime["24h"] == pytest.approx(90.0)
    assert uptime["30d"] == pytest.approx(90.0)


def test_it_answers_for_many_monitors_in_a_constant_number_of_queries(
    site: Site, django_assert_max_num_queries: object
) -> None:
    monitors = [make_monitor(site, f"Halaman {n}") for n in range(12)]
    rows = []
    for index, monitor in enumerate(monitors):
        for n in range(1, 40):
            rows.append(bucket_row(monitor, "d", TODAY - timedelta(days=n), 100 - index, index))
        for n in range(12):
            rows.append(bucket_row(monitor, "h", TODAY + timedelta(hours=n), 60 - index, index))
        rows.append(bucket_row(monitor, "m", NOW - timedelta(minutes=3), 1, 0))
    Rollup.objects.bulk_create(rows)
    ids = [m.pk for m in monitors]

    with django_assert_max_num_queries(9):  # type: ignore[operator]
        bulk = monitors_uptime(ids, NOW)

    assert bulk == {m.pk: monitor_uptime(monitor=m, now=NOW) for m in monitors}
    assert bulk[ids[0]]["30d"] == 100.0
    assert bulk[ids[5]]["7d"] is not None
    assert bulk[ids[5]]["7d"] < bulk[ids[4]]["7d"]  # type: ignore[operator]


def test_it_gives_a_response_series_with_the_hour_not_rolled_up_yet_summed_from_minutes(site: Site) -> None:
    monitor = make_monitor(site)
    Rollup.objects.bulk_create(
        [
            bucket_row(monitor, "h", TODAY + timedelta(hours=10), 60, 0, response_ms_sum=6000, response_ms_count=60),
            bucket_row(monitor, "m", TODAY + timedelta(hours=11), 1, 0, response_ms_sum=300, response_ms_count=1),
            bucket_row(
                monitor, "m", TODAY + timedelta(hours=11, minutes=1), 1, 0, response_ms_sum=100, response_ms_count=1
            ),
        ]
    )
    for row in Rollup.objects.filter(period="m"):
        row.response_ms_min = row.response_ms_max = row.response_ms_sum
        row.save()

    series = monitor_response_series(monitor=monitor, start=TODAY, end=NOW, resolution="h")
    minutes = monitor_response_series(monitor=monitor, start=TODAY + timedelta(hours=11), end=NOW)

    assert [(p.bucket, p.avg_ms, p.checks) for p in series] == [
        (TODAY + timedelta(hours=10), 100.0, 60),
        (TODAY + timedelta(hours=11), 200.0, 2),
    ]
    assert (series[1].min_ms, series[1].max_ms) == (100.0, 300.0)
    assert [p.avg_ms for p in minutes] == [300.0, 100.0]
    with pytest.raises(ValueError, match="resolusi"):
        monitor_response_series(monitor=monitor, start=TODAY, end=NOW, resolution="w")


def test_it_draws_uptime_bars_per_local_day(site: Site) -> None:
    monitor = make_monitor(site)  # the institution is in WIB: a local day starts at 17.00 UTC
    Rollup.objects.bulk_create(
        [
            bucket_row(monitor, "h", TODAY - timedelta(hours=7), 60, 0),  # 10 March 00.00 WIB
            bucket_row(monitor, "h", TODAY - timedelta(hours=8), 0, 60),  # 9 March 23.00 WIB
            bucket_row(monitor, "h", TODAY - timedelta(days=1, hours=2), 30, 30),  # 9 March 05.00 WIB
            bucket_row(monitor, "h", TODAY - timedelta(days=2, hours=2), 60, 0),  # 8 March
        ]
    )

    bars = monitor_uptime_bars(monitor=monitor, now=NOW, days=4)

    assert [(bar.day.day, bar.state) for bar in bars] == [(7, "none"), (8, "up"), (9, "partial"), (10, "up")]
    assert bars[2].uptime == pytest.approx(100 * 30 / 120)
    assert bars[-1].day.utcoffset() == timedelta(hours=7)


def test_it_summarises_a_site_by_its_worst_monitor(site: Site) -> None:
    up, down, paused = make_monitor(site, "A"), make_monitor(site, "B"), make_monitor(site, "C")
    Monitor.objects.filter(pk=up.pk).update(status=MonitorStatus.UP)
    Monitor.objects.filter(pk=down.pk).update(status=MonitorStatus.DOWN)
    Monitor.objects.filter(pk=paused.pk).update(status=MonitorStatus.DOWN, enabled=False)

    summary = site_status_summary(site=site)

    assert summary.overall == MonitorStatus.DOWN
    assert summary.total == 3
    assert summary.by_status == {MonitorStatus.UP: 1, MonitorStatus.DOWN: 1, MonitorStatus.PAUSED: 1}
    assert [m.name for m in summary.problems] == ["B"]


def test_it_reads_a_big_dashboard_from_the_summaries_of_the_last_rollup_run(
    site: Site, monkeypatch: pytest.MonkeyPatch, django_assert_max_num_queries: object
) -> None:
    from jaga.monitoring import selectors
    from jaga.monitoring.rollups import uptime_summaries_refresh

    monkeypatch.setattr(selectors, "SUMMARY_THRESHOLD", 2)
    monitors = [make_monitor(site, f"Halaman {n}") for n in range(4)]
    fill_year(monitors[0])
    bucket_row(monitors[1], "m", NOW - timedelta(minutes=5), 3, 1).save()
    ids = [m.pk for m in monitors]
    expected = monitors_uptime(ids[:2], NOW)  # exact, live

    assert uptime_summaries_refresh(now=NOW + timedelta(seconds=20)) == 4
    with django_assert_max_num_queries(1):  # type: ignore[operator]
        from_summaries = monitors_uptime(ids, NOW + timedelta(seconds=40))

    assert from_summaries[ids[0]] == expected[ids[0]]
    assert from_summaries[ids[1]] == expected[ids[1]]
    assert from_summaries[ids[2]] == {"24h": None, "7d": None, "30d": None, "365d": None}


def test_it_recomputes_summary_day_sums_only_when_their_days_move(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    from jaga.monitoring import selectors
    from jaga.monitoring.rollups import uptime_summaries_refresh

    monkeypatch.setattr(selectors, "SUMMARY_THRESHOLD", 0)
    monitor = make_monitor(site)
    fill_year(monitor)
    uptime_summaries_refresh(now=NOW)
    before = monitors_uptime([monitor.pk], NOW)[monitor.pk]["365d"]
    Rollup.objects.filter(period="d", bucket=TODAY - timedelta(days=100)).update(up=0, down=1000)

    uptime_summaries_refresh(now=NOW + timedelta(minutes=1))
    same_day = monitors_uptime([monitor.pk], NOW + timedelta(minutes=1))[monitor.pk]["365d"]
    # Three minutes later without a rollup run the summary is too old: computed live, with the change.
    live = monitors_uptime([monitor.pk], NOW + timedelta(minutes=5))[monitor.pk]["365d"]

    assert same_day == before
    assert live is not None
    assert before is not None
    assert live < before


def test_it_draws_the_bars_of_many_monitors_in_a_few_queries(site: Site, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    from jaga.monitoring.selectors import monitors_uptime_bars

    first, second = make_monitor(site, "A"), make_monitor(site, "B")
    Rollup.objects.bulk_create(
        [
            bucket_row(first, "h", TODAY - timedelta(hours=8), 0, 60),
            bucket_row(second, "h", TODAY - timedelta(days=1, hours=2), 30, 30),
            bucket_row(second, "m", NOW - timedelta(minutes=3), 1, 0),
        ]
    )
    monitors = list(Monitor.objects.select_related("site__institution").filter(pk__in=[first.pk, second.pk]))

    with django_assert_max_num_queries(4):
        bars = monitors_uptime_bars(monitors, now=NOW, days=4)

    for monitor in monitors:
        assert bars[monitor.pk] == monitor_uptime_bars(monitor=monitor, now=NOW, days=4)
    assert [bar.state for bar in bars[first.pk]] == ["none", "none", "down", "none"]
