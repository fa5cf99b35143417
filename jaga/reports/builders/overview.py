"""A high court's overview: one report across the courts it supervises (each court's uptime, content, backups and
compliance), for the high court's supervision. The courts are the institution's supervisions (admin site)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jaga.reports.builders.base import BuildContext
from jaga.reports.builders.common import document_make
from jaga.reports.document import Document, Table
from jaga.reports.formatting import number, period_label
from jaga.reports.sources import overview


class OverviewBuilder:
    key = "overview"
    classification = "OT.01"

    def build(self, ctx: BuildContext) -> Document:
        courts = [overview.court_figures(ctx, institution) for institution in overview.supervised(ctx)]
        activities = Table(
            key="courts_list",
            title=_("Satuan kerja yang diawasi"),
            headers=[_("No."), _("Satuan kerja"), _("Situs")],
            rows=[[str(i), court.institution.name, number(court.sites)] for i, court in enumerate(courts, 1)],
        )
        return document_make(
            ctx,
            kind=self.key,
            title=_("LAPORAN TENTANG IKHTISAR PENGELOLAAN WEBSITE SATUAN KERJA"),
            subject=_("Ikhtisar pengelolaan website satuan kerja"),
            purpose=_(
                "Laporan ini menyajikan keadaan website setiap satuan kerja yang diawasi (ketersediaan, konten, "
                "pencadangan dan kepatuhan SOP) selama periode laporan, sebagai bahan pengawasan."
            ),
            activities=activities,
            sections=[overview.overview_section(ctx, courts)],
            scope=", ".join(court.institution.name for court in courts) or _("belum ada satuan kerja yang diawasi"),
            scope_line=self.scope_line(ctx, courts),
        )

    def scope_line(self, ctx: BuildContext, courts: list[overview.CourtFigures]) -> str:
        period = period_label(ctx.period)
        if not courts:
            return _("Laporan ini mencakup periode %(period)s; belum ada satuan kerja yang diawasi.") % {
                "period": period
            }
        return _("Laporan ini mencakup periode %(period)s untuk satuan kerja yang diawasi berikut: %(courts)s.") % {
            "period": period,
            "courts": ", ".join(court.institution.name for court in courts),
        }


BUILDER = OverviewBuilder()
