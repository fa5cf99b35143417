"""From the SOP ledger: what was done in the period (section B) and the compliance per activity."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jaga.reports import charts
from jaga.reports.builders.base import BuildContext
from jaga.reports.document import Chart, Section, SectionState, Table
from jaga.reports.formatting import number, percent
from jaga.sop.selectors import Compliance, activity_compliance, sop_for_institution


def compliance_list(ctx: BuildContext, *, keys: tuple[str, ...] = ()) -> list[Compliance]:
    """Each activity's compliance in the period (only the activities with ``keys``, when given)."""
    sop = sop_for_institution(institution=ctx.institution)
    activities = sop.activities.order_by("number")
    if keys:
        activities = activities.filter(key__in=keys)
    return [
        activity_compliance(
            institution=ctx.institution,
            activity_number=activity.number,
            start=ctx.period.start,
            end=ctx.period.end,
            site=ctx.site,
        )
        for activity in activities
    ]


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def activities_table(compliances: list[Compliance]) -> Table:
    rows = []
    for item in compliances:
        activity = item.activity
        standard = activity.time_standard_label or (_("Relatif") if activity.is_relative else "")
        rows.append(
            [
                str(activity.number),
                _short(activity.description),
                standard,
                number(item.total),
                percent(item.rate * 100 if item.rate is not None else None, 0),
            ]
        )
    return Table(
        key="activities",
        title=_("Pelaksanaan aktivitas SOP"),
        headers=[_("No."), _("Aktivitas"), _("Mutu baku"), _("Dilaksanakan"), _("Tepat waktu")],
        rows=rows,
    )


def compliance_section(ctx: BuildContext, compliances: list[Compliance]) -> Section:
    section = Section(key="compliance", title=_("Kepatuhan SOP per aktivitas"))
    if not any(item.total for item in compliances):
        section.state = SectionState.EMPTY
        section.paragraphs.append(_("Tidak ada pelaksanaan aktivitas SOP yang tercatat dalam periode ini."))
    rows = [
        (
            f"{item.activity.number}. {_short(item.activity.description, 38)}",
            item.rate * 100 if item.rate is not None else None,
            percent(item.rate * 100, 0) if item.rate is not None else _("tanpa mutu baku"),
        )
        for item in compliances
    ]
    section.charts.append(Chart(title=_("Ketepatan waktu terhadap mutu baku"), svg=charts.horizontal_bars(rows)))
    for item in compliances:
        if item.total == 0:
            section.findings.append(
                _("Aktivitas %(number)d tidak tercatat dilaksanakan dalam periode ini.")
                % {"number": item.activity.number}
            )
            section.recommendations.append(
                _("Laksanakan dan catat aktivitas %(number)d (%(what)s).")
                % {"number": item.activity.number, "what": _short(item.activity.description, 60)}
            )
        elif item.rate is not None and item.rate < 0.9:
            late = item.with_standard - item.on_time
            section.findings.append(
                _("Aktivitas %(number)d: %(late)d dari %(total)d pelaksanaan melewati mutu baku %(standard)s.")
                % {
                    "number": item.activity.number,
                    "late": late,
                    "total": item.with_standard,
                    "standard": item.activity.time_standard_label,
                }
            )
    return section
