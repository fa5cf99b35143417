"""Calendar schedules: "every day at 01.00 WIB", "every Monday at 07.30", "the first of each month", in the
institution's time zone; and schedules that go when the object owning them is deleted."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django_tasks_db.models import DBTaskResult

from jaga.core import clock
from jaga.core.models import Institution, Schedule, Site
from jaga.core.scheduling import Calendar, ScheduleError, schedule_claim_due, schedule_ensure

TICK = "jaga.core.tests.tasks_for_tests.tick"
WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_daily_calendar_runs_at_its_time_in_the_zone() -> None:
    every_night = Calendar.daily("01:00")
    # 20.00 WIB on 30 November is 13.00 UTC; the next 01.00 WIB is 1 December 01.00 WIB = 30 November 18.00 UTC.
    assert every_night.next_after(utc(2026, 11, 30, 13, 0), WIB) == utc(2026, 11, 30, 18, 0)
    # exactly at a run, the next is a day later
    assert every_night.next_after(utc(2026, 11, 30, 18, 0), WIB) == utc(2026, 12, 1, 18, 0)


def test_a_weekly_calendar_runs_on_its_weekday() -> None:
    monday_morning = Calendar.weekly(0, "07.30")
    # Wednesday 2 December 2026 -> Monday 7 December 07.30 WITA, which is Sunday 6 December 23.30 UTC.
    run = monday_morning.next_after(utc(2026, 12, 2, 3, 0), WITA)
    assert run == utc(2026, 12, 6, 23, 30)
    assert run.astimezone(WITA).weekday() == 0
    assert run.astimezone(WITA).time() == time(7, 30)


def test_a_monthly_calendar_runs_across_a_month_end_in_wita() -> None:
    first_of_month = Calendar.monthly(1, "06:00")
    # 31 December 2026 23.00 WITA (15.00 UTC): the next run is 1 January 2027 06.00 WITA, 31 December 22.00 UTC.
    run = first_of_month.next_after(utc(2026, 12, 31, 15, 0), WITA)
    assert run == utc(2026, 12, 31, 22, 0)
    assert run.astimezone(WITA) == datetime(2027, 1, 1, 6, 0, tzinfo=WITA)
    # In UTC it is still 31 December: the month is the court's, not the server's.
    assert run.date().month == 12
    after = first_of_month.next_after(run, WITA)
    assert after.astimezone(WITA) == datetime(2027, 2, 1, 6, 0, tzinfo=WITA)


def test_a_monthly_day_past_a_short_months_end_runs_on_its_last_day() -> None:
    last_days = Calendar.monthly(31, "06:00")
    runs = [utc(2027, 1, 31)]
    for _ in range(3):
        runs.append(last_days.next_after(runs[-1], WITA))
    assert [run.astimezone(WITA).date().isoformat() for run in runs[1:]] == ["2027-02-28", "2027-03-31", "2027-04-30"]


def test_a_daylight_saving_change_neither_skips_nor_doubles_a_run() -> None:
    berlin = ZoneInfo("Europe/Berlin")  # Indonesian zones have no DST; the arithmetic must hold anyway
    at_half_past_two = Calendar.daily("02:30")
    # 29 March 2026: 02.00 -> 03.00, 02.30 does not exist; it runs at 03.30 local, once.
    spring = at_half_past_two.next_after(datetime(2026, 3, 28, 12, 0, tzinfo=berlin), berlin)
    assert spring.astimezone(berlin).replace(tzinfo=None) == datetime(2026, 3, 29, 3, 30)
    # 25 October 2026: 03.00 -> 02.00, 02.30 happens twice; it runs at the first, once.
    autumn = at_half_past_two.next_after(datetime(2026, 10, 24, 12, 0, tzinfo=berlin), berlin)
    assert autumn == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert at_half_past_two.next_after(autumn, berlin).astimezone(berlin).date().day == 26


def test_a_calendar_says_when_it_runs_in_words() -> None:
    assert Calendar.daily("01:00").describe(WIB) == "setiap hari pukul 01.00 WIB"
    assert Calendar.weekly(0, "07:30").describe() == "setiap Senin pukul 07.30"
    assert Calendar.monthly(1, "06:00").describe(WITA) == "setiap tanggal 1 pukul 06.00 WITA"


def test_a_bad_calendar_is_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="07:30"):
        Calendar.daily("25:00")
    with pytest.raises(ValueError, match="Senin"):
        Calendar.weekly(7, "07:30")
    with pytest.raises(ValueError, match="1 sampai 31"):
        Calendar.monthly(0, "06:00")
    with pytest.raises(ScheduleError, match="kalender"):
        Calendar.from_json({"every": "hourly", "at": "01:00"})


def test_a_calendar_is_stored_as_it_was_given() -> None:
    for cal in (Calendar.daily("01:00"), Calendar.weekly(4, "16:45"), Calendar.monthly(15, "00:05")):
        assert Calendar.from_json(cal.to_json()) == cal


@pytest.mark.django_db
def test_a_calendar_schedule_is_first_due_at_its_next_time_in_the_institutions_zone() -> None:
    makassar = Institution.objects.create(name="PN Makassar", slug="pn-makassar", time_zone="Asia/Makassar")
    with clock.frozen(utc(2026, 12, 31, 15, 0)):  # 23.00 WITA
        schedule = schedule_ensure(
            key="report:monthly", task_path=TICK, calendar=Calendar.monthly(1, "06:00"), institution=makassar
        )
    assert schedule.interval_seconds is None
    assert schedule.calendar == {"every": "monthly", "at": "06:00", "day": 1}
    assert schedule.next_run_at == utc(2026, 12, 31, 22, 0)


@pytest.mark.django_db
def test_the_scheduler_runs_a_calendar_schedule_across_a_month_end_in_wita() -> None:
    makassar = Institution.objects.create(name="PN Makassar", slug="pn-makassar", time_zone="Asia/Makassar")
    with clock.frozen(utc(2026, 12, 31, 15, 0)):
        schedule_ensure(
            key="report:monthly", task_path=TICK, calendar=Calendar.monthly(1, "06:00"), institution=makassar
        )
        assert schedule_claim_due(now=clock.now()) == []

        clock.set_frozen(utc(2026, 12, 31, 22, 0, 5))  # 1 January 06.00 WITA has come
        [run] = schedule_claim_due(now=clock.now())

    assert run.task_id
    assert DBTaskResult.objects.count() == 1
    schedule = Schedule.objects.get(key="report:monthly")
    assert schedule.next_run_at.astimezone(WITA) == datetime(2027, 2, 1, 6, 0, tzinfo=WITA)


@pytest.mark.django_db
def test_a_calendar_schedule_that_missed_runs_is_not_run_for_each_of_them() -> None:
    with clock.frozen(utc(2026, 12, 1, 0, 0)):
        schedule_ensure(key="nightly", task_path=TICK, calendar=Calendar.daily("01:00"))
        clock.advance(timedelta(days=5))  # the scheduler was down for five days
        runs = schedule_claim_due(now=clock.now())
    assert len(runs) == 1
    assert Schedule.objects.get(key="nightly").next_run_at > utc(2026, 12, 6, 0, 0)


@pytest.mark.django_db
def test_changing_an_interval_to_a_calendar_reschedules_it() -> None:
    with clock.frozen(utc(2026, 12, 1, 3, 0)):  # 10.00 WIB
        schedule_ensure(key="k", task_path=TICK, interval_seconds=600)
        changed = schedule_ensure(key="k", task_path=TICK, calendar=Calendar.daily("01:00"))
    assert changed.interval_seconds is None
    assert changed.next_run_at == utc(2026, 12, 1, 18, 0)  # 2 December 01.00 WIB


def test_a_schedule_needs_an_interval_or_a_calendar_but_not_both() -> None:
    with pytest.raises(ValueError, match="interval_seconds atau calendar"):
        schedule_ensure(key="k", task_path=TICK)
    with pytest.raises(ValueError, match="interval_seconds atau calendar"):
        schedule_ensure(key="k", task_path=TICK, interval_seconds=60, calendar=Calendar.daily("01:00"))


# --- owners -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_schedule_goes_when_its_owner_is_deleted(site: Site) -> None:
    schedule_ensure(key=f"owned:{site.pk}", task_path=TICK, interval_seconds=60, owner=site)
    schedule_ensure(key="unowned", task_path=TICK, interval_seconds=60)
    site.delete()
    assert list(Schedule.objects.values_list("key", flat=True)) == ["unowned"]


@pytest.mark.django_db
def test_a_schedule_goes_when_its_owners_institution_is_deleted(site: Site, institution: Institution) -> None:
    schedule_ensure(key="owned", task_path=TICK, interval_seconds=60, owner=site)
    institution.delete()
    assert not Schedule.objects.exists()


@pytest.mark.django_db
def test_an_owner_whose_model_would_leave_its_schedules_behind_is_refused(institution: Institution) -> None:
    with pytest.raises(ValueError, match="ScheduleRelation"):
        schedule_ensure(key="k", task_path=TICK, interval_seconds=60, owner=institution)
    assert not Schedule.objects.exists()
