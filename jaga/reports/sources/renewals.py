"""The renewals section: services whose rental ends within 90 days of the period's end, and their cases."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jaga.renewals.selectors import register_rows
from jaga.reports.builders.base import BuildContext
from jaga.reports.document import Section, SectionState, Table
from jaga.reports.formatting import date_long, number

DUE_DAYS = 90


def renewals_section(ctx: BuildContext) -> Section:
    section = Section(key="renewals", title=_("Perpanjangan koneksi, hosting dan nama domain"))
    rows = register_rows(institution=ctx.institution)
    if not rows:
        section.state = SectionState.EMPTY
        section.paragraphs.append(_("Register layanan yang harus diperpanjang masih kosong."))
        return section
    reference = min(ctx.period.end, ctx.until.astimezone(ctx.tz).date())
    due = []
    for row in rows:
        expires = row.service.expires_on
        if expires is None:
            continue
        days = (expires - reference).days
        if days <= DUE_DAYS:
            due.append((row, days))
    section.facts.append((_("Layanan dalam register"), number(len(rows))))
    section.facts.append((_("Berakhir dalam 90 hari"), number(len(due))))
    if not due:
        section.paragraphs.append(_("Tidak ada layanan yang berakhir dalam 90 hari setelah akhir periode."))
        return section
    table_rows = []
    for row, days in due:
        expires = row.service.expires_on
        assert expires is not None
        table_rows.append(
            [
                row.service.name,
                row.kind_label,
                date_long(expires),
                _("%(days)s hari lagi") % {"days": number(days)} if days >= 0 else _("sudah berakhir"),
                row.case.get_state_display() if row.case else _("belum ada kasus"),
            ]
        )
        if days <= 30 and row.case is None:
            section.findings.append(
                _("%(name)s berakhir %(date)s dan belum diproses perpanjangannya.")
                % {"name": row.service.name, "date": date_long(expires)}
            )
            section.recommendations.append(
                _("Mulai perpanjangan %(name)s bersama Keuangan dan Sekretaris sebelum %(date)s.")
                % {"name": row.service.name, "date": date_long(expires)}
            )
    section.tables.append(
        Table(
            key="renewals",
            title=_("Layanan yang segera berakhir"),
            headers=[_("Layanan"), _("Jenis"), _("Berakhir"), _("Sisa"), _("Tahap perpanjangan")],
            rows=table_rows,
        )
    )
    return section
