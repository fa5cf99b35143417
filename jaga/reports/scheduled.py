"""Reports Jaga makes and sends on its own: each :class:`ReportSchedule` is a calendar schedule of the core
scheduler (weekly on Monday, monthly on the 1st, at its time of day in the institution's zone) whose run
builds the report of the period just ended, issues it and sends it to the Secretary."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from jaga.core import clock
from jaga.core.models import Institution, Site
from jaga.core.notifications import notify
from jaga.core.scheduling import Calendar, schedule_ensure, schedule_time_zone
from jaga.reports.builders import REGISTRY
from jaga.reports.delivery import report_send
from jaga.reports.document import Period
from jaga.reports.models import Report, ReportSchedule
from jaga.reports.services import report_create

logger = logging.getLogger(__name__)
TASK_PATH = "jaga.reports.tasks.report_schedule_run"


def schedule_key(report_schedule: ReportSchedule) -> str:
    return f"reports.schedule.{report_schedule.pk}"


def schedule_calendar(report_schedule: ReportSchedule) -> Calendar:
    if report_schedule.cadence == ReportSchedule.Cadence.WEEKLY:
        return Calendar.weekly(0, report_schedule.at)
    return Calendar.monthly(1, report_schedule.at)


def schedule_period(report_schedule: ReportSchedule, *, today: dt.date) -> Period:
    """The period just ended on ``today``: the last full Monday–Sunday, or the month before."""
    if report_schedule.cadence == ReportSchedule.Cadence.WEEKLY:
        end = today - dt.timedelta(days=today.weekday() + 1)
        return Period(end - dt.timedelta(days=6), end)
    end = today.replace(day=1) - dt.timedelta(days=1)
    return Period(end.replace(day=1), end)


def report_schedule_create(
    *,
    institution: Institution,
    kind: str,
    cadence: str,
    at: dt.time,
    site: Site | None = None,
    language: str = "id",
    created_by: User | None = None,
) -> ReportSchedule:
    if kind not in REGISTRY:
        raise ValidationError({"kind": _("Jenis laporan tidak dikenal: %(kind)s.") % {"kind": kind}})
    if cadence not in ReportSchedule.Cadence.values:
        raise ValidationError({"cadence": _("Kekerapan harus weekly atau monthly.")})
    if site is not None and site.institution_id != institution.pk:
        raise ValidationError({"site": _("Situs itu bukan milik instansi ini.")})
    with transaction.atomic():
        report_schedule = ReportSchedule.objects.create(
            institution=institution, kind=kind, cadence=cadence, at=at, site=site, language=language,
            created_by=created_by,
        )  # fmt: skip
        report_schedule_sync(report_schedule=report_schedule)
    return report_schedule


def report_schedule_sync(*, report_schedule: ReportSchedule) -> None:
    """Its core schedule, as the report schedule says (declared again at every start: idempotent)."""
    schedule = schedule_ensure(
        key=schedule_key(report_schedule),
        task_path=TASK_PATH,
        calendar=schedule_calendar(report_schedule),
        kwargs={"report_schedule_id": report_schedule.pk},
        institution=report_schedule.institution,
        owner=report_schedule,
    )
    if schedule.enabled != report_schedule.is_active:
        schedule.enabled = report_schedule.is_active
        schedule.save(update_fields=["enabled"])


def report_schedules_ensure() -> None:
    """Called when the scheduler starts: every report schedule has its core schedule."""
    for report_schedule in ReportSchedule.objects.select_related("institution"):
        report_schedule_sync(report_schedule=report_schedule)


def report_schedule_delete(*, report_schedule: ReportSchedule) -> None:
    """Its core schedule goes with it; the reports it made stay in the archive."""
    report_schedule.delete()


def report_schedule_run(*, report_schedule: ReportSchedule, now: dt.datetime | None = None) -> Report:
    """Build, issue and send the report of the period just ended. A second run of the same period (a worker
    killed mid-run) sends the report the first one made, once; a failure is told as ``report.failed`` and
    raised, never recorded as a sent report."""
    now = now or clock.now()
    tz: ZoneInfo = schedule_time_zone(institution_id=report_schedule.institution_id)
    period = schedule_period(report_schedule, today=now.astimezone(tz).date())
    try:
        report = Report.objects.filter(
            schedule=report_schedule, period_start=period.start, period_end=period.end
        ).first()
        if report is None:
            try:
                with transaction.atomic():
                    report = report_create(
                        institution=report_schedule.institution, kind=report_schedule.kind, period=period,
                        site=report_schedule.site, language=report_schedule.language,
                    )  # fmt: skip
                    Report.objects.filter(pk=report.pk).update(schedule=report_schedule)
                    report.schedule = report_schedule
            except IntegrityError:  # another run of the same period made it first
                report = Report.objects.get(schedule=report_schedule, period_start=period.start, period_end=period.end)
        return report_send(report=report, user=None, now=now)
    except Exception as exc:
        logger.exception("scheduled report %s failed", report_schedule.pk)
        notify(
            institution=report_schedule.institution,
            event_type="report.failed",
            title=_("Laporan terjadwal gagal: %(kind)s %(period)s"),
            body=_("Laporan tidak dapat disusun atau dikirim: %(error)s"),
            params={
                "kind": str(REGISTRY.entry(report_schedule.kind).label) if report_schedule.kind in REGISTRY else "",
                "period": f"{period.start:%Y-%m-%d}–{period.end:%Y-%m-%d}",
                "error": str(exc)[:500],
            },
            site=report_schedule.site,
        )
        raise
