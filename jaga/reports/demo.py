"""The reports app's part of ``jaga demo``: the situation report of the demo's history, issued and sent to
the Secretary by the demo's Staff P2TI, and the accreditation evidence pack of the demo's history (a zip in the
media folder)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings

from jaga.core.demo import DemoContext
from jaga.core.models import Role
from jaga.reports import delivery, services
from jaga.reports.document import Period
from jaga.reports.evidence import evidence_pack_write
from jaga.reports.models import Report


def evidence_pack_path(*, slug: str, period: Period) -> Path:
    return Path(settings.MEDIA_ROOT) / "reports" / "evidence" / f"{slug}-{period.start}-{period.end}.zip"


def demo_fill(*, ctx: DemoContext) -> None:
    institution = ctx.institution
    today = ctx.now.astimezone(ZoneInfo(institution.time_zone)).date()
    # The demo's whole history (its backups, visitor log and renewals are of the last days, not of last month).
    period = Period(today - dt.timedelta(days=min(ctx.days, 365)), today)
    report = Report.objects.filter(
        institution=institution, kind="situation", period_start=period.start, period_end=period.end
    ).first()
    if report is None or not report.is_sent:
        staff = ctx.users[Role.STAFF_P2TI]
        report = report or services.report_create(
            institution=institution, kind="situation", period=period, created_by=staff
        )
        report = delivery.report_send(report=report, user=staff)  # now: after the other steps made their data
        ctx.done.append(f"laporan situasi {report.number} dikirim ke Sekretaris")
    else:
        ctx.done.append(f"laporan situasi {report.number} sudah ada (dibiarkan)")
    out = evidence_pack_path(slug=institution.slug, period=period)
    out.parent.mkdir(parents=True, exist_ok=True)
    pack = evidence_pack_write(institution=institution, period=period, out=out, now=ctx.now)
    ctx.done.append(f"paket bukti akreditasi: {out} ({len(pack.files)} berkas)")
