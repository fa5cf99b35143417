"""A high court's overview: for each court it supervises, the period's uptime and outages, content findings,
backups and SOP compliance, each figure made by the same sources as that court's own situation report."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.utils.translation import gettext as _

from jaga.backups.models import Plan, RunKind
from jaga.backups.selectors import DONE_WELL, last_run_before, runs_between
from jaga.core.models import Institution
from jaga.monitoring.models import Monitor, MonitorStatus, StatusChange
from jaga.reports import charts
from jaga.reports.builders.base import BuildContext
from jaga.reports.document import Chart, Section, SectionState, Table
from jaga.reports.formatting import date_long, number, percent
from jaga.reports.models import Supervision
from jaga.reports.sources import monitoring, sop
from jaga.reports.sources.monitoring import UPTIME_TARGET

COMPLIANCE_TARGET = 0.9


@dataclass
class CourtFigures:
    institution: Institution
    sites: int
    uptime: float | None
    outages: int
    content_findings: list[str]
    plans: int
    plans_backed_up: int
    last_backup: str
    on_time: float | None
    not_done: list[int]


def supervised(ctx: BuildContext) -> list[Institution]:
    return [
        row.institution for row in Supervision.objects.filter(supervisor=ctx.institution).select_related("institution")
    ]


def court_figures(ctx: BuildContext, institution: Institution) -> CourtFigures:
    sites = list(institution.sites.filter(is_active=True).order_by("name"))
    sub = dataclasses.replace(ctx, institution=institution, site=None, sites=sites, extra={})
    monitors = list(Monitor.objects.filter(site__in=sites, created_at__lt=sub.until).values_list("pk", flat=True))
    sums = monitoring.period_uptime(monitors, since=sub.since, until=sub.until)
    up = sum(value[0] for value in sums.values())
    down = sum(value[1] for value in sums.values())
    outages = StatusChange.objects.filter(
        monitor_id__in=monitors, at__gte=sub.since, at__lt=sub.until, to_status=MonitorStatus.DOWN,
        in_maintenance=False,
    ).count()  # fmt: skip
    plans = list(Plan.objects.filter(site__in=sites, is_active=True, created_at__lt=sub.until))
    good = {
        run.plan_id
        for run in runs_between(sites=sites, since=sub.since, until=sub.until)
        if run.kind == RunKind.BACKUP and run.state in DONE_WELL
    }
    lasts = [run for plan in plans if (run := last_run_before(plan, RunKind.BACKUP, until=sub.until))]
    latest = max((run.started_at for run in lasts), default=None)
    compliances = sop.compliance_list(sub)
    with_standard = sum(item.with_standard for item in compliances)
    return CourtFigures(
        institution=institution,
        sites=len(sites),
        uptime=100.0 * up / (up + down) if up + down else None,
        outages=outages,
        content_findings=monitoring.content_section(sub).findings,
        plans=len(plans),
        plans_backed_up=len([plan for plan in plans if plan.pk in good]),
        last_backup=date_long(latest.astimezone(sub.tz)) if latest else _("belum pernah"),
        on_time=sum(item.on_time for item in compliances) / with_standard if with_standard else None,
        not_done=[item.activity.number for item in compliances if item.total == 0],
    )


def overview_section(ctx: BuildContext, courts: list[CourtFigures]) -> Section:
    section = Section(key="overview", title=_("Ikhtisar satuan kerja"))
    if not courts:
        section.state = SectionState.EMPTY
        section.paragraphs.append(
            _("Belum ada satuan kerja di bawah pengawasan %(name)s.") % {"name": ctx.institution.name}
        )
        section.recommendations.append(
            _("Daftarkan satuan kerja yang diawasi di halaman admin (Laporan → Pengawasan satuan kerja).")
        )
        return section
    rows = []
    for court in courts:
        name = court.institution.name
        rows.append(
            [
                name,
                number(court.sites),
                percent(court.uptime),
                number(court.outages),
                number(len(court.content_findings)),
                f"{number(court.plans_backed_up)} / {number(court.plans)}",
                court.last_backup,
                percent(court.on_time * 100, 1) if court.on_time is not None else "–",
                ", ".join(str(n) for n in court.not_done) or "—",
            ]
        )
        if court.uptime is not None and court.uptime < UPTIME_TARGET:
            section.findings.append(
                _("Uptime %(name)s %(value)s, di bawah target %(target)s.")
                % {"name": name, "value": percent(court.uptime), "target": percent(UPTIME_TARGET, 0)}
            )
            section.recommendations.append(_("Minta %(name)s menelusuri penyebab gangguan situsnya.") % {"name": name})
        if court.uptime is None:
            section.findings.append(_("%(name)s belum memantau ketersediaan situsnya.") % {"name": name})
        if court.content_findings:
            section.findings.append(
                _("%(name)s: %(count)s temuan konten (kesegaran atau halaman wajib).")
                % {"name": name, "count": number(len(court.content_findings))}
            )
        if court.plans == 0:
            section.findings.append(_("%(name)s belum punya rencana pencadangan.") % {"name": name})
            section.recommendations.append(
                _("Minta %(name)s membuat rencana pencadangan untuk setiap situs.") % {"name": name}
            )
        elif court.plans_backed_up < court.plans:
            section.findings.append(
                _("%(name)s: %(missing)s dari %(total)s rencana pencadangan tanpa cadangan berhasil dalam periode ini.")
                % {"name": name, "missing": number(court.plans - court.plans_backed_up), "total": number(court.plans)}
            )
        if court.on_time is not None and court.on_time < COMPLIANCE_TARGET:
            section.findings.append(
                _("Kepatuhan SOP %(name)s %(value)s, di bawah %(target)s.")
                % {"name": name, "value": percent(court.on_time * 100, 1), "target": percent(90, 0)}
            )
        if court.not_done:
            section.findings.append(
                _("%(name)s tidak mencatat aktivitas %(numbers)s dalam periode ini.")
                % {"name": name, "numbers": ", ".join(str(n) for n in court.not_done)}
            )
    section.facts.append((_("Satuan kerja"), number(len(courts))))
    section.facts.append((_("Situs"), number(sum(court.sites for court in courts))))
    section.tables.append(
        Table(
            key="courts",
            title=_("Keadaan website per satuan kerja"),
            headers=[
                _("Satuan kerja"),
                _("Situs"),
                _("Uptime"),
                _("Gangguan"),
                _("Temuan konten"),
                _("Rencana dengan cadangan berhasil"),
                _("Cadangan terakhir"),
                _("Kepatuhan SOP"),
                _("Aktivitas tidak tercatat"),
            ],
            rows=rows,
        )
    )
    section.charts.append(
        Chart(
            title=_("Uptime per satuan kerja"),
            svg=charts.horizontal_bars(
                [(court.institution.name, court.uptime, percent(court.uptime)) for court in courts]
            ),
        )
    )
    return section
