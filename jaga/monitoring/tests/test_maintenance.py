"""Maintenance windows: one-off, recurring on the institution's wall clock, site-wide, and the bulk index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from jaga.core.models import Institution, Site
from jaga.monitoring.maintenance import MaintenanceIndex, in_maintenance, maintenance_intervals
from jaga.monitoring.models import MaintenanceWindow, Monitor

WIB = ZoneInfo("Asia/Jakarta")
NEW_YORK = ZoneInfo("America/New_York")


def make_monitor(site: Site, name: str = "Beranda") -> Monitor:
    return Monitor.objects.create(site=site, name=name, kind="http", config={"url": "http://127.0.0.1:9/"})


def make_window(site: Site, start: datetime, end: datetime, **extra: object) -> MaintenanceWindow:
    return MaintenanceWindow.objects.create(
        site=site, title="Pemeliharaan server", starts_at=start, ends_at=end, **extra
    )


@pytest.fixture
def monitor(site: Site) -> Monitor:
    return make_monitor(site)


def test_it_is_in_maintenance_inside_a_one_off_window_and_not_at_its_end(site: Site, monitor: Monitor) -> None:
    start = datetime(2026, 3, 10, 22, 0, tzinfo=WIB)
    make_window(site, start, start + timedelta(hours=2), monitor=monitor)

    assert not in_maintenance(monitor, start - timedelta(seconds=1))
    assert in_maintenance(monitor, start)
    assert in_maintenance(monitor, datetime(2026, 3, 10, 16, 30, tzinfo=UTC))  # 23.30 WIB
    assert not in_maintenance(monitor, start + timedelta(hours=2))


def test_it_applies_a_site_wide_window_to_every_monitor_of_the_site_only(
    site: Site, other_institution: Institution
) -> None:
    first, second = make_monitor(site, "Beranda"), make_monitor(site, "SIPP")
    elsewhere_site = Site.objects.create(
        institution=other_institution, name="PN Pasuruan", base_url="http://127.0.0.1:9/"
    )
    elsewhere = make_monitor(elsewhere_site)
    at = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
    make_window(site, at - timedelta(hours=1), at + timedelta(hours=1))

    assert in_maintenance(first, at)
    assert in_maintenance(second, at)
    assert not in_maintenance(elsewhere, at)


def test_it_keeps_a_monitor_window_to_that_monitor(site: Site, monitor: Monitor) -> None:
    sibling = make_monitor(site, "SIPP")
    at = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
    make_window(site, at - timedelta(hours=1), at + timedelta(hours=1), monitor=monitor)

    assert in_maintenance(monitor, at)
    assert not in_maintenance(sibling, at)


def test_it_repeats_a_daily_window_on_the_local_clock_until_repeat_until(site: Site, monitor: Monitor) -> None:
    first = datetime(2026, 1, 1, 2, 0, tzinfo=WIB)  # 02.00-03.00 WIB = 19.00-20.00 UTC the day before
    make_window(
        site,
        first,
        first + timedelta(hours=1),
        recurrence=MaintenanceWindow.Recurrence.DAILY,
        repeat_until=datetime(2026, 6, 30, 23, 59, tzinfo=WIB),
    )

    assert in_maintenance(monitor, datetime(2026, 3, 10, 2, 30, tzinfo=WIB))
    assert in_maintenance(monitor, datetime(2026, 3, 9, 19, 59, tzinfo=UTC))
    assert not in_maintenance(monitor, datetime(2026, 3, 10, 3, 30, tzinfo=WIB))
    assert not in_maintenance(monitor, datetime(2025, 12, 31, 2, 30, tzinfo=WIB))  # before the first occurrence
    assert in_maintenance(monitor, datetime(2026, 6, 30, 2, 30, tzinfo=WIB))
    assert not in_maintenance(monitor, datetime(2026, 7, 1, 2, 30, tzinfo=WIB))  # after repeat_until


def test_it_repeats_a_weekly_window_on_the_same_weekday_only(site: Site, monitor: Monitor) -> None:
    first = datetime(2026, 3, 1, 23, 0, tzinfo=WIB)  # a Sunday, 23.00-01.00 (crosses midnight)
    make_window(site, first, first + timedelta(hours=2), recurrence=MaintenanceWindow.Recurrence.WEEKLY)

    assert in_maintenance(monitor, datetime(2026, 3, 29, 23, 30, tzinfo=WIB))
    assert in_maintenance(monitor, datetime(2026, 3, 30, 0, 30, tzinfo=WIB))
    assert not in_maintenance(monitor, datetime(2026, 3, 28, 23, 30, tzinfo=WIB))


def test_it_moves_a_monthly_window_on_the_31st_to_the_last_day_of_shorter_months(site: Site, monitor: Monitor) -> None:
    first = datetime(2026, 1, 31, 1, 0, tzinfo=WIB)
    make_window(site, first, first + timedelta(hours=1), recurrence=MaintenanceWindow.Recurrence.MONTHLY)

    assert in_maintenance(monitor, datetime(2026, 2, 28, 1, 30, tzinfo=WIB))
    assert in_maintenance(monitor, datetime(2026, 3, 31, 1, 30, tzinfo=WIB))
    assert in_maintenance(monitor, datetime(2026, 4, 30, 1, 30, tzinfo=WIB))
    assert not in_maintenance(monitor, datetime(2026, 3, 30, 1, 30, tzinfo=WIB))


def test_it_follows_daylight_saving_time_of_the_institution_zone(site: Site, monitor: Monitor) -> None:
    site.institution.time_zone = "America/New_York"
    site.institution.save()
    first = datetime(2026, 3, 1, 1, 0, tzinfo=NEW_YORK)  # 06.00 UTC in winter
    make_window(site, first, first + timedelta(minutes=30), recurrence=MaintenanceWindow.Recurrence.DAILY)

    assert in_maintenance(monitor, datetime(2026, 3, 2, 6, 15, tzinfo=UTC))
    # After the switch to summer time on 8 March, 01.00 local is 05.00 UTC.
    assert in_maintenance(monitor, datetime(2026, 3, 10, 5, 15, tzinfo=UTC))
    assert not in_maintenance(monitor, datetime(2026, 3, 10, 6, 15, tzinfo=UTC))


def test_it_merges_and_clips_intervals_for_uptime_exclusion(site: Site, monitor: Monitor) -> None:
    base = datetime(2026, 3, 10, 0, 0, tzinfo=UTC)
    make_window(site, base + timedelta(hours=1), base + timedelta(hours=3))
    make_window(site, base + timedelta(hours=2), base + timedelta(hours=4), monitor=monitor)
    make_window(site, base - timedelta(hours=2), base + timedelta(minutes=30))

    intervals = maintenance_intervals(monitor=monitor, start=base, end=base + timedelta(hours=3, minutes=30))
    site_only = maintenance_intervals(site_id=site.pk, start=base, end=base + timedelta(hours=5))

    assert intervals == [
        (base, base + timedelta(minutes=30)),
        (base + timedelta(hours=1), base + timedelta(hours=3, minutes=30)),
    ]
    assert site_only == [(base, base + timedelta(minutes=30)), (base + timedelta(hours=1), base + timedelta(hours=3))]


def test_it_builds_the_bulk_index_in_one_query_and_agrees_with_the_single_answer(
    site: Site, django_assert_num_queries: object
) -> None:
    monitors = [make_monitor(site, f"Halaman {n}") for n in range(5)]
    base = datetime(2026, 3, 10, 0, 0, tzinfo=WIB)
    make_window(site, base, base + timedelta(minutes=20), recurrence=MaintenanceWindow.Recurrence.DAILY)
    make_window(site, base + timedelta(hours=5), base + timedelta(hours=6), monitor=monitors[2])
    start, end = base - timedelta(days=1), base + timedelta(days=2)

    with django_assert_num_queries(1):  # type: ignore[operator]
        index = MaintenanceIndex.build(monitor_sites={m.pk: site.pk for m in monitors}, start=start, end=end)

    moments = [start + timedelta(minutes=7 * n) for n in range(int((end - start).total_seconds() // 420))]
    for monitor in monitors:
        expected = maintenance_intervals(monitor=monitor, start=start, end=end)
        assert index.intervals(monitor.pk) == expected
    for at in moments[::40]:
        for monitor in (monitors[0], monitors[2]):
            assert index.in_maintenance(monitor.pk, at) == in_maintenance(monitor, at)
    assert index.in_maintenance(monitors[2].pk, base + timedelta(hours=5, minutes=30))
    assert not index.in_maintenance(monitors[1].pk, base + timedelta(hours=5, minutes=30))
