"""The visitor activity log (Log Aktivitas Pengunjung): the SOP's output of activity 3, for any period, per site or
for the whole institution. From the traffic app: the summary and detections, then each site's log."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jaga.reports.builders.base import BuildContext
from jaga.reports.builders.common import document_make
from jaga.reports.document import Document
from jaga.reports.sources import sop, traffic

DETECTIONS_LISTED = 20  # printed, most requests first; the detections' CSV has every one


class VisitorLogBuilder:
    key = "visitors"
    classification = "OT.01"

    def build(self, ctx: BuildContext) -> Document:
        ctx.extra["traffic_keys"] = ("daily", *traffic.LOG_PANELS)  # one read per site for the summary and its log
        ctx.extra["traffic_responses"] = True  # what was done about each detection (the incident, the block list)
        compliances = sop.compliance_list(ctx, keys=("traffic",))
        return document_make(
            ctx,
            kind=self.key,
            title=_("LAPORAN TENTANG LOG AKTIVITAS PENGUNJUNG WEBSITE"),
            subject=_("Log aktivitas pengunjung website"),
            purpose=_(
                "Laporan ini menyajikan log aktivitas pengunjung website dan aktivitas mencurigakan yang terdeteksi "
                "selama periode laporan, sebagai output aktivitas 3 SOP pengelolaan website."
            ),
            activities=sop.activities_table(compliances),
            sections=[
                traffic.traffic_section(ctx, listed=DETECTIONS_LISTED),
                *(traffic.site_log_section(ctx, site) for site in ctx.sites),
            ],
        )


BUILDER = VisitorLogBuilder()
