"""Reads of the reports app: the archive and drafts of an institution, one report, what waits for the Secretary."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jaga.core.models import Institution
from jaga.reports.builders import REGISTRY
from jaga.reports.document import Table
from jaga.reports.models import Report, ReportSchedule


@dataclass(frozen=True)
class ReportState:
    key: str  # draft, issued, sent, acknowledged
    css: str  # the badge's class

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.key])


STATE_LABELS = {
    "acknowledged": _("diketahui Sekretaris"),
    "sent": _("dikirim, menunggu Mengetahui"),
    "issued": _("bernomor, belum dikirim"),
    "draft": _("konsep"),
}


def report_state(report: Report) -> ReportState:
    if report.acknowledged_at is not None:
        return ReportState("acknowledged", "ok")
    if report.sent_at is not None:
        return ReportState("sent", "warn")
    if report.number:
        return ReportState("issued", "info")
    return ReportState("draft", "")


def reports_for(*, institution: Institution, kind: str = "") -> QuerySet[Report]:
    reports = Report.objects.filter(institution=institution).select_related("site", "acknowledged_by", "created_by")
    if kind and kind in REGISTRY:
        reports = reports.filter(kind=kind)
    return reports.defer("content")


def reports_awaiting_acknowledgement(*, institution: Institution) -> QuerySet[Report]:
    return reports_for(institution=institution).filter(sent_at__isnull=False, acknowledged_at__isnull=True)


def report_detail(*, report_id: int) -> QuerySet[Report]:
    """The queryset the permission helper fetches one report from."""
    return Report.objects.select_related("institution", "site", "acknowledged_by", "sent_by", "created_by").filter(
        pk=report_id
    )


def kind_label(kind: str) -> str:
    return str(REGISTRY.entry(kind).label) if kind in REGISTRY else kind


@dataclass(frozen=True)
class ScheduleRow:
    schedule: ReportSchedule
    kind_label: str
    when: str  # "setiap Senin pukul 07.30 WIB"
    next_run_at: dt.datetime | None


def report_schedules_for(*, institution: Institution) -> list[ScheduleRow]:
    """The institution's report schedules, each with its calendar in words and its next run."""
    from jaga.core.models import Schedule
    from jaga.reports.scheduled import schedule_calendar, schedule_key

    report_schedules = list(ReportSchedule.objects.filter(institution=institution).select_related("site"))
    next_runs = dict(
        Schedule.objects.filter(key__in=[schedule_key(s) for s in report_schedules]).values_list("key", "next_run_at")
    )
    tz = ZoneInfo(institution.time_zone)
    return [
        ScheduleRow(
            schedule=s,
            kind_label=kind_label(s.kind),
            when=schedule_calendar(s).describe(tz),
            next_run_at=next_runs.get(schedule_key(s)),
        )
        for s in report_schedules
    ]


@dataclass(frozen=True)
class LedgerSpan:
    """SOP activity 5 for one report: from the draft opened to the report sent, against its time standard."""

    opened_at: dt.datetime | None
    standard_label: str  # "15 menit", or "" when the SOP gives activity 5 no standard
    minutes: int | None  # the span recorded in the ledger once the report was sent
    met: bool | None


def report_ledger_span(*, report: Report) -> LedgerSpan:
    from django.contrib.contenttypes.models import ContentType

    from jaga.reports.delivery import REPORT_ACTIVITY
    from jaga.sop.models import LedgerEntry
    from jaga.sop.selectors import sop_for_institution

    activity = sop_for_institution(institution=report.institution).activities.filter(key=REPORT_ACTIVITY).first()
    entry = None
    if report.sent_at is not None:
        entry = (
            LedgerEntry.objects.filter(
                output_content_type=ContentType.objects.get_for_model(Report), output_object_id=report.pk
            )
            .order_by("-started_at")
            .first()
        )
    return LedgerSpan(
        opened_at=report.opened_at,
        standard_label=activity.time_standard_words if activity is not None and activity.time_standard else "",
        minutes=round(entry.duration.total_seconds() / 60) if entry is not None and entry.duration else None,
        met=entry.met_standard if entry is not None else None,
    )


def report_archive_table(*, institution: Institution, kind: str = "") -> Table:
    """The register of the institution's reports (numbered ones and drafts), newest period first, for its CSV."""
    from jaga.core.templatetags.jaga_format import tanggal_jam

    rows = []
    for report in reports_for(institution=institution, kind=kind).select_related("sent_by"):
        rows.append(
            [
                report.number,
                kind_label(report.kind),
                report.period_start.isoformat(),
                report.period_end.isoformat(),
                report.site.name if report.site else str(_("semua situs")),
                report_state(report).label,
                tanggal_jam(report.sent_at, institution),
                tanggal_jam(report.acknowledged_at, institution),
                report.acknowledged_by.get_full_name() or report.acknowledged_by.get_username()
                if report.acknowledged_by
                else "",
                report.disposition,
                report.pdf_sha256,
            ]
        )
    return Table(
        key="arsip",
        title=str(_("Arsip laporan")),
        headers=[
            str(header)
            for header in (
                _("Nomor"), _("Jenis"), _("Awal periode"), _("Akhir periode"), _("Situs"), _("Keadaan"),
                _("Dikirim"), _("Mengetahui"), _("Diketahui oleh"), _("Disposisi"), _("SHA-256 PDF"),
            )
        ],
        rows=rows,
    )  # fmt: skip
