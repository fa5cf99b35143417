"""Delivery to the Secretary: the PDF by e-mail through the notification channels, the ledger entry of
activity 5, the Secretary's acknowledgement and the reminders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jaga.core import clock
from jaga.core.models import NotificationChannel, NotificationRoute
from jaga.reports.delivery import report_acknowledge, report_send, reports_remind_unacknowledged
from jaga.reports.document import Period
from jaga.reports.models import Report
from jaga.reports.services import report_create
from jaga.reports.tests.conftest import WIB

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 12, 2, 8, 0, tzinfo=WIB)


def _draft(institution: Any, user: Any) -> Report:
    with clock.frozen(NOW):
        return report_create(
            institution=institution, kind="situation", period=Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
            created_by=user,
        )  # fmt: skip


def _mail_channel(institution: Any, server: Any, event_type: str = "report.*") -> NotificationChannel:
    url = f"mailto://127.0.0.1:{server.port}?from=jaga@pn-bangil.go.id"
    channel = NotificationChannel.objects.create(institution=institution, name="Surel", url=url)
    NotificationRoute.objects.create(institution=institution, event_type=event_type, role="sekretaris", channel=channel)
    return channel


def test_the_secretary_gets_the_pdf_by_email_and_the_ledger_has_activity_5(
    institution: Any,
    month_data: Any,
    people: dict,
    smtp_server: Any,
    immediate_tasks: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from jaga.sop.models import LedgerEntry

    _mail_channel(institution, smtp_server)
    report = _draft(institution, people["staff"])
    with clock.frozen(NOW + dt.timedelta(minutes=12)), django_capture_on_commit_callbacks(execute=True):
        report = report_send(report=report, user=people["staff"])
    [mail] = smtp_server.mails
    assert mail["To"] == "sekretaris@pn-bangil.go.id"
    assert "W14.U21/1/OT.01/XII/2026" in mail["Subject"]
    [attachment] = [part for part in mail.walk() if part.get_filename()]
    assert attachment.get_filename().endswith(".pdf")
    assert attachment.get_payload(decode=True) == Path(report.pdf.path).read_bytes()  # the PDF as archived
    entry = LedgerEntry.objects.get(activity_key="report")
    assert entry.activity_number == 5
    assert entry.output == report
    assert entry.performed_by == people["staff"]
    assert entry.duration == dt.timedelta(minutes=12)
    assert entry.met_standard is True  # within the 15-minute standard
    assert entry.evidence.get().sha256 == report.pdf_sha256


def test_a_draft_left_for_an_hour_misses_the_standard(institution: Any, month_data: Any, people: dict) -> None:
    from jaga.sop.models import LedgerEntry

    report = _draft(institution, people["staff"])
    with clock.frozen(NOW + dt.timedelta(hours=1)):
        report_send(report=report, user=people["staff"])
        report_send(report=report, user=people["staff"])  # a second click sends nothing more
    entry = LedgerEntry.objects.get(activity_key="report")
    assert entry.met_standard is False
    assert Report.objects.get().sent_at == NOW + dt.timedelta(hours=1)


def test_only_the_secretary_acknowledges_and_only_once(institution: Any, month_data: Any, people: dict) -> None:
    report = _draft(institution, people["staff"])
    with pytest.raises(ValidationError, match="belum dikirim"):
        report_acknowledge(report=report, user=people["sekretaris"])
    report = report_send(report=report, user=people["staff"])
    for who in ("admin", "ptip", "staff", "auditor"):
        with pytest.raises(PermissionDenied):
            report_acknowledge(report=report, user=people[who])
    report_acknowledge(report=report, user=people["sekretaris"], disposition="Baik.")
    with pytest.raises(ValidationError, match="sudah ditandai"):
        report_acknowledge(report=report, user=people["sekretaris"])
    assert Report.objects.get().disposition == "Baik."


def test_unacknowledged_reports_are_reminded_once_a_day(
    institution: Any, month_data: Any, people: dict, json_receiver: Any, immediate_tasks: Any
) -> None:
    channel = NotificationChannel.objects.create(
        institution=institution, name="Kanal", url=f"json://127.0.0.1:{json_receiver.server_address[1]}/"
    )
    NotificationRoute.objects.create(institution=institution, event_type="report.unacknowledged", channel=channel)
    with clock.frozen(NOW):
        report = report_send(report=_draft(institution, people["staff"]), user=people["staff"])
    assert reports_remind_unacknowledged(institution=institution, now=NOW + dt.timedelta(hours=20)) == []
    assert reports_remind_unacknowledged(institution=institution, now=NOW + dt.timedelta(hours=25)) == [report.pk]
    assert reports_remind_unacknowledged(institution=institution, now=NOW + dt.timedelta(hours=30)) == []
    assert reports_remind_unacknowledged(institution=institution, now=NOW + dt.timedelta(hours=50)) == [report.pk]
    assert [m["title"] for m in json_receiver.received] == ["Laporan W14.U21/1/OT.01/XII/2026 belum diketahui"] * 2
    report_acknowledge(report=report, user=people["sekretaris"])
    assert reports_remind_unacknowledged(institution=institution, now=NOW + dt.timedelta(days=5)) == []


def test_sending_declares_the_daily_reminder_at_eight(institution: Any, month_data: Any, people: dict) -> None:
    from jaga.core.models import Schedule
    from jaga.core.scheduling import schedules_declare_startup

    with clock.frozen(NOW):
        report_send(report=_draft(institution, people["staff"]), user=people["staff"])
    schedule = Schedule.objects.get(key=f"reports.remind.{institution.pk}")
    assert schedule.task_path == "jaga.reports.tasks.reports_remind"
    assert schedule.next_run_at == dt.datetime(2026, 12, 3, 8, 0, tzinfo=WIB)
    schedule.delete()
    assert "jaga.reports.delivery.reminder_schedules_ensure" not in schedules_declare_startup()
    assert Schedule.objects.filter(key=f"reports.remind.{institution.pk}").exists()
