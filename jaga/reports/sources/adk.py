"""The ADK register (Arsip Data Komputer): the good backups of the period, which offline medium each went to,
and the media made in the period (label, pieces, size, read back, where kept). Through the backups selectors."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jaga.backups.models import RunKind
from jaga.backups.selectors import DONE_WELL, exports_for, runs_between
from jaga.reports.builders.base import BuildContext
from jaga.reports.document import Section, SectionState, Table
from jaga.reports.formatting import datetime_long, number
from jaga.reports.sources.backups import media_in_period, media_table, size_label


def adk_register_section(ctx: BuildContext) -> Section:
    section = Section(key="adk", title=_("Register ADK: cadangan dan media luring"))
    backups = [
        run
        for run in runs_between(sites=ctx.sites, since=ctx.since, until=ctx.until)
        if run.kind == RunKind.BACKUP and run.state in DONE_WELL
    ]
    exports = media_in_period(ctx)
    # A backup went to a medium when a medium holds its snapshot (made in the period or later).
    media_of: dict[str, list[str]] = {}
    snapshots = {run.snapshot_id for run in backups if run.snapshot_id}
    for export in exports_for(institution=ctx.institution).filter(snapshot_id__in=snapshots):
        media_of.setdefault(export.snapshot_id, []).append(f"{export.label} ({export.get_medium_display()})")
    if not backups and not exports:
        section.state = SectionState.EMPTY
        section.paragraphs.append(_("Tidak ada cadangan yang berhasil dan tidak ada media ADK dalam periode ini."))
        section.findings.append(_("Tidak ada cadangan yang berhasil dalam periode ini."))
        section.recommendations.append(_("Jalankan pencadangan setiap situs dan salin hasilnya ke media luring (ADK)."))
        return section
    on_media = [run for run in backups if run.snapshot_id in media_of]
    unverified = [export for export in exports if export.verified_at is None]
    section.facts += [
        (_("Cadangan berhasil dalam periode"), number(len(backups))),
        (_("Di antaranya tersalin ke media ADK"), number(len(on_media))),
        (_("Media ADK dibuat dalam periode"), number(len(exports))),
        (_("Media yang belum dibaca ulang (verifikasi)"), number(len(unverified))),
    ]
    if backups:
        section.tables.append(
            Table(
                key="adk_backups",
                title=_("Cadangan yang berhasil"),
                headers=[_("Waktu"), _("Situs"), _("Rencana"), _("Snapshot"), _("Data ditambahkan"), _("Media ADK")],
                rows=[
                    [
                        datetime_long(run.started_at.astimezone(ctx.tz)),
                        run.plan.site.name,
                        run.plan.name,
                        run.snapshot_id[:8] or "—",
                        size_label(run.bytes_added),
                        "; ".join(media_of.get(run.snapshot_id, [])) or _("belum disalin ke media"),
                    ]
                    for run in backups
                ],
            )
        )
    if exports:
        section.tables.append(media_table(ctx, exports))
    else:
        section.findings.append(_("Tidak ada media ADK yang dibuat dalam periode ini."))
        section.recommendations.append(
            _("Salin cadangan terbaru ke media luring (ADK) dan catat tempat penyimpanannya.")
        )
    for export in unverified:
        section.findings.append(_("Media %(label)s belum dibaca ulang setelah ditulis.") % {"label": export.label})
        section.recommendations.append(
            _("Baca ulang media %(label)s untuk memastikan isinya utuh.") % {"label": export.label}
        )
    for export in exports:
        if not export.kept_at:
            section.findings.append(_("Tempat penyimpanan media %(label)s belum dicatat.") % {"label": export.label})
            section.recommendations.append(_("Catat tempat penyimpanan media %(label)s.") % {"label": export.label})
    return section
