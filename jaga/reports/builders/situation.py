"""The situation report (Laporan Situasi dan Kondisi Website): SOP activity 5's output, for any period, per site or
for the whole institution. Sections from every app; one whose app has no data (or is not installed) says so."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jaga.reports.builders.base import BuildContext
from jaga.reports.builders.common import document_make
from jaga.reports.document import Document, Section
from jaga.reports.sources import backups, incidents, monitoring, renewals, sop, traffic
from jaga.sop.selectors import Compliance

DETECTIONS_LISTED = 20  # a letter to the Secretary shows the worst; the visitor activity log has every one


class SituationBuilder:
    key = "situation"
    classification = "OT.01"

    def sections(self, ctx: BuildContext, compliances: list[Compliance]) -> list[Section]:
        sections = [
            monitoring.availability_section(ctx),
            monitoring.content_section(ctx),
            monitoring.integrity_section(ctx),
            backups.backups_section(ctx),
            traffic.traffic_section(ctx, listed=DETECTIONS_LISTED),
            renewals.renewals_section(ctx),
            incidents.incidents_section(ctx),
            sop.compliance_section(ctx, compliances),
        ]
        return sections

    def build(self, ctx: BuildContext) -> Document:
        compliances = sop.compliance_list(ctx)
        return document_make(
            ctx,
            kind=self.key,
            title=_("LAPORAN TENTANG SITUASI DAN KONDISI WEBSITE"),
            subject=_("Laporan situasi dan kondisi website"),
            purpose=_(
                "Laporan ini disusun untuk menyampaikan kepada Sekretaris situasi, kondisi, permasalahan dan "
                "alternatif pemecahan masalah website selama periode laporan, sebagai pelaksanaan aktivitas 5 SOP "
                "pengelolaan website."
            ),
            activities=sop.activities_table(compliances),
            sections=self.sections(ctx, compliances),
        )


BUILDER = SituationBuilder()
