"""The monthly SOP compliance recap: each activity, its executions, its on-time rate against its time standard,
and what was overdue (from the SOP ledger)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jaga.reports.builders.base import BuildContext
from jaga.reports.builders.common import document_make
from jaga.reports.document import Document
from jaga.reports.sources import recap, sop


class ComplianceRecapBuilder:
    key = "compliance"
    classification = "OT.01"

    def build(self, ctx: BuildContext) -> Document:
        compliances = sop.compliance_list(ctx)
        return document_make(
            ctx,
            kind=self.key,
            title=_("LAPORAN TENTANG REKAPITULASI KEPATUHAN SOP PENGELOLAAN WEBSITE"),
            subject=_("Rekapitulasi kepatuhan SOP pengelolaan website"),
            purpose=_(
                "Laporan ini menyajikan pelaksanaan setiap aktivitas SOP pengelolaan website, ketepatan waktunya "
                "terhadap mutu baku, dan keterlambatan yang terjadi selama periode laporan, sebagai bahan monitoring "
                "dan evaluasi penerapan SOP."
            ),
            activities=sop.activities_table(compliances),
            sections=[sop.compliance_section(ctx, compliances), recap.recap_section(ctx, compliances)],
        )


BUILDER = ComplianceRecapBuilder()
