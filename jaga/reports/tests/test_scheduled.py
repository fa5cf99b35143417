"""Reports Jaga makes on its own: the weekly and monthly calendars, a run that sends, a run that runs twice,
a run that fails and says so, and the schedule form."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from jaga.core import clock
from jaga.core.models import NotificationChannel, NotificationRoute, Schedule
from jaga.reports.models import Report, ReportSchedule
from jaga.reports.scheduled import report_schedule_create, report_schedule_run, schedule_key, schedule_period
from jaga.reports.tests.conftest import WIB

pytestmark = pytest.mark.django_db
MONDAY = dt.datetime(2026, 12, 7, 7, 30, tzinfo=WIB)


def test_periods_are_the_last_full_week_and_the_month_before() -> None:
    weekly = ReportSchedule(cadence="weekly")
    monthly = ReportSchedule(cadence="monthly")
    assert schedule_period(weekly, today=dt.date(2026, 12, 7)).start == dt.date(2026, 11, 30)
    assert schedule_period(weekly, today=dt.date(2026, 12, 7)).end == dt.date(2026, 12, 6)
    assert schedule_period(weekly, today=dt.date(2026, 12, 9)).end == dt.date(2026, 12, 6)
    january = schedule_period(monthly, today=dt.date(2027, 1, 1))
    assert (january.start, january.end) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))


def test_a_weekly_schedule_runs_every_monday_and_sends_as_jaga(institution: Any, month_data: Any) -> None:
    from jaga.sop.models import LedgerEntry

    with clock.frozen(dt.datetime(2026, 12, 2, 9, 0, tzinfo=WIB)):
        report_schedule = report_schedule_create(
            institution=institution, kind="situation", cadence="weekly", at=dt.time(7, 30)
        )
    schedule = Schedule.objects.get(key=schedule_key(report_schedule))
    assert schedule.next_run_at == MONDAY
    assert schedule.task_path == "jaga.reports.tasks.report_schedule_run"
    with clock.frozen(MONDAY):
        report = report_schedule_run(report_schedule=report_schedule)
        again = report_schedule_run(report_schedule=report_schedule)  # a second run of the same period
    assert again.pk == report.pk
    assert (report.period_start, report.period_end) == (dt.date(2026, 11, 30), dt.date(2026, 12, 6))
    assert report.number == "W14.U21/1/OT.01/XII/2026"
    assert report.sent_at == MONDAY
    [entry] = LedgerEntry.objects.filter(activity_key="report")
    assert entry.performed_by is None  # Jaga did it
    assert entry.met_standard is True
    report_schedule.delete()
    assert not Schedule.objects.filter(key=schedule_key(report_schedule)).exists()
    assert Report.objects.filter(pk=report.pk).exists()  # the archive keeps what it sent


def test_a_run_that_fails_says_so_and_sends_nothing(
    institution: Any, month_data: Any, json_receiver: Any, immediate_tasks: Any, settings: Any, tmp_path: Any
) -> None:
    channel = NotificationChannel.objects.create(
        institution=institution, name="Kanal", url=f"json://127.0.0.1:{json_receiver.server_address[1]}/"
    )
    NotificationRoute.objects.create(institution=institution, event_type="report.*", channel=channel)
    report_schedule = report_schedule_create(
        institution=institution, kind="situation", cadence="monthly", at=dt.time(6, 0)
    )
    blocked = tmp_path / "media-is-a-file"
    blocked.write_text("the disk where PDFs go is unusable")
    settings.MEDIA_ROOT = blocked
    with clock.frozen(MONDAY), pytest.raises(OSError):
        report_schedule_run(report_schedule=report_schedule)
    assert not Report.objects.filter(sent_at__isnull=False).exists()
    assert not Report.objects.exclude(pdf="").exists()
    [message] = json_receiver.received
    assert message["title"].startswith("Laporan terjadwal gagal: Laporan situasi dan kondisi website 2026-11-01")


def test_operators_add_schedules_on_the_page_and_the_auditor_may_not(
    client: Any, institution: Any, people: dict
) -> None:
    path = reverse("reports:schedule_create", kwargs={"slug": "pn-bangil"})
    data = {"kind": "situation", "cadence": "monthly", "at": "07:30", "language": "id"}
    client.force_login(people["auditor"])
    assert client.post(path, data).status_code == 403
    client.force_login(people["ptip"])
    assert client.post(path, data).status_code == 302
    report_schedule = ReportSchedule.objects.get()
    body = client.get(reverse("reports:report_list", kwargs={"slug": "pn-bangil"})).content.decode()
    assert "setiap tanggal 1 pukul 07.30 WIB" in body
    delete = reverse("reports:schedule_delete", kwargs={"slug": "pn-bangil", "schedule_id": report_schedule.pk})
    client.force_login(people["auditor"])
    assert client.post(delete).status_code == 403
    client.force_login(people["ptip"])
    assert client.post(delete, {"confirm": "yes"}).status_code == 302
    assert not ReportSchedule.objects.exists()
