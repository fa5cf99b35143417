"""The backups section: each plan's last good backup and last drill, the failures in the period and the offline
media (ADK) made in it. Read through the backups app's selectors."""

from __future__ import annotations

import datetime as dt

from django.utils import formats
from django.utils.translation import gettext as _

from jaga.backups.models import MediaExport, Plan, RunKind, RunState
from jaga.backups.selectors import DONE_WELL, exports_for, last_run_before, runs_between
from jaga.reports.builders.base import BuildContext
from jaga.reports.document import Section, SectionState, Table
from jaga.reports.formatting import date_long, datetime_long, number

FAILED = (RunState.FAILED, RunState.INTERRUPTED)
FAILURES_LISTED = 30


def size_label(value: int) -> str:
    for unit, step in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if value >= step:
            return f"{formats.number_format(value / step, 1)} {unit}"
    return f"{number(value)} B"


def media_in_period(ctx: BuildContext) -> list[MediaExport]:
    """The offline media (ADK) of the report's sites made in its period, oldest first."""
    return list(
        exports_for(institution=ctx.institution)
        .filter(plan__site__in=ctx.sites, created_at__gte=ctx.since, created_at__lt=ctx.until)
        .order_by("created_at", "pk")
    )


def media_table(ctx: BuildContext, exports: list[MediaExport]) -> Table:
    """The ADK media table, the same in the situation report and in the ADK register."""
    return Table(
        key="adk_media",
        title=_("Media cadangan luring (ADK)"),
        headers=[
            _("Tanggal"),
            _("Situs"),
            _("Media"),
            _("Label"),
            _("Snapshot"),
            _("Keping"),
            _("Ukuran"),
            _("Dibaca ulang"),
            _("Tempat penyimpanan"),
        ],
        rows=[
            [
                date_long(export.created_at.astimezone(ctx.tz)),
                export.plan.site.name,
                export.get_medium_display(),
                export.label,
                export.snapshot_id[:8],
                number(export.volumes),
                size_label(export.total_bytes),
                datetime_long(export.verified_at.astimezone(ctx.tz)) if export.verified_at else _("belum"),
                export.kept_at or "—",
            ]
            for export in exports
        ],
    )


def backups_section(ctx: BuildContext) -> Section:
    section = Section(key="backups", title=_("Pencadangan (backup) dan uji pemulihan"))
    plans = list(
        Plan.objects.filter(site__in=ctx.sites, created_at__lt=ctx.until).select_related("site").order_by("site__name")
    )
    if not plans:
        section.state = SectionState.EMPTY
        section.paragraphs.append(_("Belum ada rencana pencadangan untuk situs dalam cakupan laporan ini."))
        section.recommendations.append(_("Buat rencana pencadangan untuk setiap situs (aktivitas 2 SOP)."))
        return section
    runs = list(runs_between(sites=ctx.sites, since=ctx.since, until=ctx.until))
    backups = [run for run in runs if run.kind == RunKind.BACKUP]
    good = [run for run in backups if run.state in DONE_WELL]
    failed = [run for run in runs if run.state in FAILED]
    drills = [run for run in runs if run.kind == RunKind.DRILL and run.state in DONE_WELL]
    section.facts += [
        (_("Rencana pencadangan"), number(len(plans))),
        (_("Pencadangan berhasil dalam periode"), number(len(good))),
        (_("Pekerjaan cadangan yang gagal dalam periode"), number(len(failed))),
        (_("Latihan pemulihan berhasil dalam periode"), number(len(drills))),
    ]
    rows = []
    for plan in plans:
        last_good = last_run_before(plan, RunKind.BACKUP, until=ctx.until)
        last_drill = last_run_before(plan, RunKind.DRILL, until=ctx.until)
        plan_failed = [run for run in failed if run.plan_id == plan.pk]
        name = f"{plan.site.name} — {plan.name}"
        rows.append(
            [
                plan.site.name,
                plan.name,
                datetime_long(last_good.started_at.astimezone(ctx.tz)) if last_good else _("belum pernah"),
                datetime_long(last_drill.started_at.astimezone(ctx.tz)) if last_drill else _("belum pernah"),
                number(len(plan_failed)),
            ]
        )
        if not plan.is_active:
            continue
        if not any(run.plan_id == plan.pk for run in good):
            section.findings.append(
                _("%(name)s tidak punya cadangan yang berhasil dalam periode ini.") % {"name": name}
            )
            section.recommendations.append(
                _("Periksa dan jalankan kembali pencadangan %(name)s, lalu pastikan berhasil.") % {"name": name}
            )
        drill_due = dt.timedelta(days=plan.drill_interval_days or 30)
        if last_drill is None or ctx.until - last_drill.started_at > drill_due:
            section.findings.append(
                _("Uji pemulihan %(name)s terakhir %(when)s, melewati selang %(days)s hari.")
                % {
                    "name": name,
                    "when": date_long(last_drill.started_at.astimezone(ctx.tz)) if last_drill else _("belum pernah"),
                    "days": number(plan.drill_interval_days or 30),
                }
            )
            section.recommendations.append(_("Jalankan latihan pemulihan untuk %(name)s.") % {"name": name})
    if failed:
        section.findings.append(
            _("%(count)s pekerjaan cadangan gagal dalam periode ini.") % {"count": number(len(failed))}
        )
    section.tables.append(
        Table(
            key="backups",
            title=_("Cadangan per rencana"),
            headers=[
                _("Situs"),
                _("Rencana"),
                _("Cadangan terakhir berhasil"),
                _("Uji pemulihan terakhir"),
                _("Gagal dalam periode"),
            ],
            rows=rows,
        )
    )
    if failed:
        section.tables.append(
            Table(
                key="backup_failures",
                title=_("Pekerjaan cadangan yang gagal"),
                headers=[_("Waktu"), _("Situs"), _("Jenis"), _("Sebab")],
                rows=[
                    [
                        datetime_long(run.started_at.astimezone(ctx.tz)),
                        run.plan.site.name,
                        run.get_kind_display(),
                        (run.error or run.get_state_display())[:200],
                    ]
                    for run in reversed(failed)
                ],
                note=_("%(shown)s terbaru dari %(total)s; semuanya ada di berkas CSV tabel ini.")
                % {"shown": number(FAILURES_LISTED), "total": number(len(failed))}
                if len(failed) > FAILURES_LISTED
                else "",
                shown=FAILURES_LISTED,
            )
        )
    exports = media_in_period(ctx)
    section.facts.append((_("Media ADK yang dibuat dalam periode"), number(len(exports))))
    if exports:
        section.tables.append(media_table(ctx, exports))
    else:
        section.recommendations.append(
            _("Salin cadangan terbaru ke media luring (ADK) dan catat tempat penyimpanannya.")
        )
    return section
