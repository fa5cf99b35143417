"""Writes of a report's life after its draft: sending it to the Secretary (its number, its PDF, the notification
with the PDF attached, the ledger entry of SOP activity 5), the Secretary's "Mengetahui", and the reminders
of reports nobody acknowledged."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from jaga.core import clock
from jaga.core.models import Institution, Role
from jaga.core.notifications import notify
from jaga.core.permissions import user_roles
from jaga.core.sentences import say, say_label, sentence_dump
from jaga.reports.builders import REGISTRY
from jaga.reports.models import Report
from jaga.reports.services import report_issue

REPORT_ACTIVITY = "report"  # the SOP ledger key of activity 5
REMIND_AFTER = dt.timedelta(days=1)  # a sent report not acknowledged for this long is reminded, once a day
LEDGER_NOTE = gettext_noop("%(number)s · %(report)s")  # the sent report's line in the SOP ledger, as a sentence
REMIND_AT = "08:00"  # the reminder's time of day, in the institution's zone


def reminder_schedule_ensure_for(*, institution: Institution) -> None:
    from jaga.core.scheduling import Calendar, schedule_ensure

    schedule_ensure(
        key=f"reports.remind.{institution.pk}",
        task_path="jaga.reports.tasks.reports_remind",
        calendar=Calendar.daily(REMIND_AT),
        kwargs={"institution_id": institution.pk},
        institution=institution,
    )


def reminder_schedules_ensure() -> None:
    """Every institution that ever sent a report has its daily reminder (called when the scheduler starts)."""
    for institution in Institution.objects.filter(reports__sent_at__isnull=False).distinct():
        reminder_schedule_ensure_for(institution=institution)


def _attachments(report: Report) -> tuple[Path, ...]:
    try:
        return (Path(report.pdf.path),)
    except (NotImplementedError, ValueError):  # a storage without local paths: the link still goes
        return ()


def report_send(*, report: Report, user: User | None = None, now: dt.datetime | None = None) -> Report:
    """Issue the report (number, content, PDF) if it is a draft, then send it to the Secretary: the
    ``report.ready`` notification with the PDF attached, and the ledger entry of activity 5 from the moment the
    draft was opened to now, with the PDF as its evidence. Sending again changes nothing."""
    from jaga.sop.services import ledger_record

    now = now or clock.now()
    issued = report_issue(report=report, now=now)
    with transaction.atomic():
        locked = Report.objects.select_for_update(of=("self",)).select_related("institution", "site").get(pk=issued.pk)
        if locked.sent_at is not None:
            return locked
        if not locked.pdf:
            raise ValidationError(_("PDF laporan belum tersimpan; coba kirim lagi."))
        locked.sent_at = now
        locked.sent_by = user
        locked.save(update_fields=["sent_at", "sent_by", "updated_at"])
        with locked.pdf.open("rb") as handle:
            pdf = ContentFile(handle.read(), name=Path(str(locked.pdf.name)).name)
        ledger_record(
            activity_key=REPORT_ACTIVITY,
            institution=locked.institution,
            site=locked.site,
            performed_by=user,
            started_at=min(locked.opened_at or locked.created_at, now),
            ended_at=now,
            outcome="success",
            output=locked,
            notes=sentence_dump(
                say(LEDGER_NOTE, number=locked.number, report=say_label(REGISTRY.entry(locked.kind).label))
            ),
            evidence_files=[pdf],
        )
        transaction.on_commit(lambda: _announce_ready(locked))
    reminder_schedule_ensure_for(institution=locked.institution)
    return locked


def _announce_ready(report: Report) -> None:
    notify(
        institution=report.institution,
        event_type="report.ready",
        title=_("Laporan %(number)s: %(subject)s"),
        body=_(
            "%(subject)s, periode %(period)s, untuk Sekretaris %(institution)s. PDF terlampir; tandai Mengetahui "
            "di Jaga."
        ),
        params=_params(report),
        site=report.site,
        link=report,
        attachments=_attachments(report),
    )


def _params(report: Report) -> dict[str, object]:
    content = report.content or {}
    return {
        "number": report.number,
        "subject": content.get("subject", ""),
        "period": content.get("period_label", f"{report.period_start} – {report.period_end}"),
        "institution": report.institution.name,
    }


def may_acknowledge(*, user: User, report: Report) -> bool:
    """Only the Secretary says "Mengetahui": the role itself, not every role that may approve."""
    return user.is_active and Role.SEKRETARIS in user_roles(user, report.institution_id)


def report_acknowledge(*, report: Report, user: User, disposition: str = "", now: dt.datetime | None = None) -> Report:
    """The Secretary's "Mengetahui" on a sent report, with the time and an optional disposition note."""
    if not may_acknowledge(user=user, report=report):
        raise PermissionDenied(_("Hanya Sekretaris yang dapat menandai laporan Mengetahui."))
    now = now or clock.now()
    with transaction.atomic():
        locked = Report.objects.select_for_update(of=("self",)).select_related("institution").get(pk=report.pk)
        if locked.sent_at is None:
            raise ValidationError(_("Laporan ini belum dikirim kepada Sekretaris."))
        if locked.acknowledged_at is not None:
            raise ValidationError(_("Laporan ini sudah ditandai Mengetahui."))
        locked.acknowledged_at = now
        locked.acknowledged_by = user
        locked.disposition = disposition.strip()
        locked.save(update_fields=["acknowledged_at", "acknowledged_by", "disposition", "updated_at"])
        params = {**_params(locked), "who": user.get_full_name() or user.get_username(), "note": locked.disposition}
        transaction.on_commit(
            lambda: notify(
                institution=locked.institution,
                event_type="report.acknowledged",
                title=_("Laporan %(number)s diketahui Sekretaris"),
                body=_("%(who)s menandai Mengetahui. Disposisi: %(note)s"),
                params=params,
                site=locked.site,
                link=locked,
            )
        )
    return locked


def reports_remind_unacknowledged(*, institution: Institution, now: dt.datetime | None = None) -> list[int]:
    """Remind the sent reports not acknowledged for a day, each at most once a day. Returns their ids."""
    now = now or clock.now()
    due = Report.objects.filter(
        institution=institution, sent_at__lte=now - REMIND_AFTER, acknowledged_at__isnull=True
    ).exclude(reminded_at__gt=now - REMIND_AFTER)
    reminded: list[int] = []
    for report in due.select_related("institution", "site"):
        # Claimed with a conditional update, so two schedulers' runs remind once.
        claimed = (
            Report.objects.filter(pk=report.pk, acknowledged_at__isnull=True)
            .exclude(reminded_at__gt=now - REMIND_AFTER)
            .update(reminded_at=now)
        )
        if not claimed:
            continue
        reminded.append(report.pk)
        notify(
            institution=institution,
            event_type="report.unacknowledged",
            title=_("Laporan %(number)s belum diketahui"),
            body=_("Dikirim %(sent)s dan belum ditandai Mengetahui oleh Sekretaris."),
            params={**_params(report), "sent": report.sent_at},
            site=report.site,
            link=report,
        )
    return reminded
