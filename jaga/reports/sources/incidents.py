"""The problems section: the incidents open at some time in the period, how each was solved (the alternative
solutions), and the times to acknowledge and to resolve. Read through the incidents app's selectors."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jaga.core.sentences import sentence_read
from jaga.incidents.selectors import duration_minutes, incidents_between
from jaga.reports.builders.base import BuildContext
from jaga.reports.document import Section, SectionState, Table
from jaga.reports.formatting import datetime_long, number

LISTED = 30  # rows of the letter's table: the problems still open first, then the latest
FINDINGS_EACH = 5  # up to this many open problems get a conclusion each; more are summed up in one


def _minutes(value: int | None) -> str:
    return _("%(n)s menit") % {"n": number(value)} if value is not None else "—"


def _mean(values: list[int]) -> int | None:
    return round(sum(values) / len(values)) if values else None


def incidents_section(ctx: BuildContext) -> Section:
    section = Section(key="incidents", title=_("Permasalahan dan alternatif pemecahannya"))
    incidents = list(incidents_between(sites=ctx.sites, since=ctx.since, until=ctx.until))
    if not incidents:
        section.state = SectionState.EMPTY
        section.paragraphs.append(_("Tidak ada permasalahan yang tercatat dalam periode ini."))
        return section
    opened = [i for i in incidents if i.opened_at >= ctx.since]
    resolved = [i for i in incidents if i.resolved_at is not None and i.resolved_at < ctx.until]
    still_open = [i for i in incidents if i.resolved_at is None or i.resolved_at >= ctx.until]
    to_ack = [
        m
        for i in incidents
        if (m := duration_minutes(i.opened_at, i.acknowledged_at)) is not None
        and i.acknowledged_at is not None
        and i.acknowledged_at < ctx.until
    ]
    to_resolve = [m for i in resolved if (m := duration_minutes(i.opened_at, i.resolved_at)) is not None]
    section.facts += [
        (_("Permasalahan dalam periode"), number(len(incidents))),
        (_("Dibuka dalam periode"), number(len(opened))),
        (_("Diselesaikan dalam periode"), number(len(resolved))),
        (_("Masih terbuka pada akhir periode"), number(len(still_open))),
        (_("Rata-rata waktu sampai ditangani"), _minutes(_mean(to_ack))),
        (_("Rata-rata waktu sampai selesai"), _minutes(_mean(to_resolve))),
    ]
    rows = []
    for incident in incidents:
        done = incident in resolved
        acknowledged = (
            incident.acknowledged_at if incident.acknowledged_at and incident.acknowledged_at < ctx.until else None
        )
        solution = (sentence_read(incident.resolution_note) or incident.review_done).strip() if done else ""
        rows.append(
            [
                datetime_long(incident.opened_at.astimezone(ctx.tz)),
                incident.site.name,
                incident.title,
                incident.get_severity_display(),
                incident.get_state_display() if done else _("masih terbuka"),
                _minutes(duration_minutes(incident.opened_at, acknowledged)),
                _minutes(duration_minutes(incident.opened_at, incident.resolved_at)) if done else "—",
                solution or "—",
            ]
        )
        if not done and len(still_open) <= FINDINGS_EACH:
            section.findings.append(
                _("Masalah \u201c%(summary)s\u201d di %(site)s masih terbuka pada akhir periode.")
                % {"summary": incident.title, "site": incident.site.name}
            )
            if acknowledged is None:
                section.recommendations.append(
                    _("Tunjuk penanggung jawab untuk masalah \u201c%(summary)s\u201d dan mulai penanganannya.")
                    % {"summary": incident.title}
                )
            else:
                section.recommendations.append(
                    _("Selesaikan masalah \u201c%(summary)s\u201d atau eskalasikan ke tingkat berikutnya.")
                    % {"summary": incident.title}
                )
    if len(still_open) > FINDINGS_EACH:
        names = "; ".join(f"\u201c{i.title}\u201d" for i in still_open[:FINDINGS_EACH])
        section.findings.append(
            _("%(count)s masalah masih terbuka pada akhir periode, antara lain %(names)s.")
            % {"count": number(len(still_open)), "names": names}
        )
        section.recommendations.append(
            _("Tetapkan penanggung jawab dan tenggat untuk %(count)s masalah yang masih terbuka.")
            % {"count": number(len(still_open))}
        )
    if resolved:
        section.findings.append(
            _("%(count)s masalah diselesaikan dalam periode ini, rata-rata dalam %(minutes)s.")
            % {"count": number(len(resolved)), "minutes": _minutes(_mean(to_resolve))}
        )
    note = ""
    if len(rows) > LISTED:
        # The letter prints the first LISTED rows: those still open first, then the latest; the CSV has all.
        order = sorted(
            range(len(rows)), key=lambda k: (incidents[k] not in still_open, -incidents[k].opened_at.timestamp())
        )
        rows = [rows[k] for k in order]
        note = _(
            "%(shown)s dari %(total)s permasalahan (yang masih terbuka lebih dahulu, lalu yang terbaru); semuanya ada "
            "di berkas CSV tabel ini dan di halaman insiden."
        ) % {"shown": number(LISTED), "total": number(len(incidents))}
    section.tables.append(
        Table(
            key="incidents",
            note=note,
            title=_("Permasalahan dan pemecahannya"),
            headers=[
                _("Dibuka"),
                _("Situs"),
                _("Masalah"),
                _("Tingkat"),
                _("Status"),
                _("Sampai ditangani"),
                _("Sampai selesai"),
                _("Pemecahan"),
            ],
            rows=rows,
            shown=LISTED,
        )
    )
    return section
