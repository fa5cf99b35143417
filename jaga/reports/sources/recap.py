"""The monthly SOP compliance recap: for each activity its executions, its on-time rate against its time
standard, the executions that missed it, and the spans in which a recurring activity was overdue (no execution
within its rhythm), from the SOP ledger."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.translation import gettext as _

from jaga.reports.builders.base import BuildContext
from jaga.reports.document import Section, SectionState, Table
from jaga.reports.formatting import datetime_long, number, percent
from jaga.sop.models import NOT_DONE, Activity, LedgerEntry
from jaga.sop.selectors import Compliance, activity_entries_q

LATE_ROWS = 200  # the late executions the letter prints; the table's CSV has every one


@dataclass
class Overdue:
    activity: Activity
    spans: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)

    @property
    def total(self) -> dt.timedelta:
        return sum((end - start for start, end in self.spans), dt.timedelta(0))


def _done(ctx: BuildContext, activity: Activity) -> list[LedgerEntry]:
    entries = LedgerEntry.objects.filter(activity_entries_q(activity), institution=ctx.institution)
    if ctx.site is not None:
        entries = entries.filter(site=ctx.site)
    return list(entries.exclude(outcome__in=NOT_DONE).filter(ended_at__isnull=False).order_by("ended_at"))


def overdue_spans(ctx: BuildContext, activity: Activity) -> Overdue:
    """Each stretch of the period after the activity's next due time (last done + its rhythm) and before the
    next execution that was done; nothing for an activity without a rhythm."""
    found = Overdue(activity=activity)
    if activity.recurrence is None:
        return found
    ends = [end for entry in _done(ctx, activity) if (end := entry.ended_at) is not None and end < ctx.until]
    before = [end for end in ends if end < ctx.since]
    inside = [end for end in ends if end >= ctx.since]
    previous = before[-1] if before else None
    for end in [*inside, ctx.until]:
        if previous is not None:
            due = previous + activity.recurrence
            start, stop = max(due, ctx.since), min(end, ctx.until)
            if stop > start:
                found.spans.append((start, stop))
        previous = end
    return found


def _hours(value: dt.timedelta) -> str:
    """ "8,5 jam", or "25 menit" under two hours."""
    if value < dt.timedelta(hours=2):
        return _("%(n)s menit") % {"n": number(round(value.total_seconds() / 60))}
    return _("%(n)s jam") % {"n": formats.number_format(round(value.total_seconds() / 3600, 1), 1)}


def recap_section(ctx: BuildContext, compliances: list[Compliance]) -> Section:
    section = Section(key="recap", title=_("Rekapitulasi kepatuhan per aktivitas"))
    if not any(item.total for item in compliances):
        section.state = SectionState.EMPTY
        section.paragraphs.append(_("Tidak ada pelaksanaan aktivitas SOP yang tercatat dalam periode ini."))
    rows, spans_rows = [], []
    for item in compliances:
        activity = item.activity
        overdue = overdue_spans(ctx, activity)
        late = item.with_standard - item.on_time
        rows.append(
            [
                str(activity.number),
                activity.time_standard_label or (_("Relatif") if activity.is_relative else ""),
                number(item.total),
                number(item.with_standard),
                number(item.on_time),
                number(late),
                percent(item.rate * 100, 1) if item.rate is not None else _("tanpa mutu baku"),
                number(item.interrupted),
                number(len(overdue.spans)),
                _hours(overdue.total) if overdue.spans else "—",
            ]
        )
        for start, stop in overdue.spans:
            spans_rows.append(
                [
                    str(activity.number),
                    datetime_long(start.astimezone(ctx.tz)),
                    datetime_long(stop.astimezone(ctx.tz)),
                    _hours(stop - start),
                ]
            )
        if overdue.spans:
            section.findings.append(
                _("Aktivitas %(number)d terlambat %(count)s kali dalam periode ini, seluruhnya %(hours)s.")
                % {"number": activity.number, "count": number(len(overdue.spans)), "hours": _hours(overdue.total)}
            )
            section.recommendations.append(
                _("Pastikan aktivitas %(number)d dilaksanakan setiap %(every)s.")
                % {"number": activity.number, "every": _hours(activity.recurrence or dt.timedelta(0))}
            )
        if item.rate is not None and item.rate < 0.9:
            section.findings.append(
                _("Aktivitas %(number)d: %(late)d dari %(total)d pelaksanaan melewati mutu baku %(standard)s.")
                % {"number": activity.number, "late": late, "total": item.with_standard,
                   "standard": activity.time_standard_label}
            )  # fmt: skip
        if item.total == 0:
            section.findings.append(
                _("Aktivitas %(number)d tidak tercatat dilaksanakan dalam periode ini.") % {"number": activity.number}
            )
    section.tables.append(
        Table(
            key="recap",
            title=_("Kepatuhan per aktivitas"),
            headers=[
                _("No."),
                _("Mutu baku"),
                _("Dilaksanakan"),
                _("Dengan mutu baku"),
                _("Tepat waktu"),
                _("Melewati mutu baku"),
                _("Tingkat tepat waktu"),
                _("Terputus"),
                _("Kali terlambat"),
                _("Lama terlambat"),
            ],
            rows=rows,
        )
    )
    if spans_rows:
        section.tables.append(
            Table(
                key="overdue",
                title=_("Keterlambatan aktivitas berulang"),
                headers=[_("Aktivitas"), _("Jatuh tempo sejak"), _("Sampai"), _("Lama")],
                rows=spans_rows,
            )
        )
    late_entries = (
        LedgerEntry.objects.filter(institution=ctx.institution, met_standard=False)
        .filter(started_at__gte=ctx.since, started_at__lt=ctx.until)
        .select_related("performed_by", "site")
        .order_by("started_at", "pk")
    )
    if ctx.site is not None:
        late_entries = late_entries.filter(site=ctx.site)
    late_rows = [
        [
            str(entry.activity_number),
            datetime_long(entry.started_at.astimezone(ctx.tz)),
            _hours(entry.duration) if entry.duration else "—",
            entry.performer_label,
            entry.site.name if entry.site else "—",
        ]
        for entry in late_entries
    ]
    if late_rows:
        section.tables.append(
            Table(
                key="late",
                title=_("Pelaksanaan yang melewati mutu baku"),
                headers=[_("Aktivitas"), _("Mulai"), _("Durasi"), _("Pelaksana"), _("Situs")],
                rows=late_rows,
                shown=LATE_ROWS,
                note=_("%(shown)s pertama dari %(total)s; semuanya ada di berkas CSV tabel ini.")
                % {"shown": number(LATE_ROWS), "total": number(len(late_rows))}
                if len(late_rows) > LATE_ROWS
                else "",
            )
        )
    return section
