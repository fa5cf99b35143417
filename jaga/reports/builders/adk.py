"""The ADK register (register Arsip Data Komputer): the backups of the period and the offline media they went to,
the output of SOP activity 2."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jaga.reports.builders.base import BuildContext
from jaga.reports.builders.common import document_make
from jaga.reports.document import Document
from jaga.reports.sources import adk, sop


class AdkRegisterBuilder:
    key = "adk"
    classification = "OT.01"

    def build(self, ctx: BuildContext) -> Document:
        compliances = sop.compliance_list(ctx, keys=("backup",))
        return document_make(
            ctx,
            kind=self.key,
            title=_("LAPORAN TENTANG REGISTER ARSIP DATA KOMPUTER (ADK) CADANGAN WEBSITE"),
            subject=_("Register ADK cadangan website"),
            purpose=_(
                "Laporan ini mencatat cadangan sistem, data dan informasi website serta media luring tempat "
                "cadangan itu disimpan selama periode laporan, sebagai output aktivitas 2 SOP pengelolaan website."
            ),
            activities=sop.activities_table(compliances),
            sections=[adk.adk_register_section(ctx)],
        )


BUILDER = AdkRegisterBuilder()
