"""The visitor-activity part of ``jaga demo``: a court site's access log, ingested and analysed by the real code.

A log of the demo court site is generated (jaga/traffic/sample.py: visitors on an Indonesian daily rhythm,
crawlers, Jaga's own probe and labelled attack campaigns) over the demo's last days, made a log source of
the demo site, read into the Parquet store and analysed by every detection rule: the panels, the
detections, their incidents and notifications and the SOP ledger's record of activity 3 are what a real
site's would be.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from django.conf import settings

from jaga.core.demo import DemoContext
from jaga.traffic.models import Detection, LogSource
from jaga.traffic.sample import WIB, log_generate
from jaga.traffic.services.detection import traffic_detect
from jaga.traffic.services.ingest import sources_for, traffic_ingest

LINES_PER_DAY = 4_000
MOST_DAYS = 7  # a week of visitors is enough to fill every panel; the ingestion of a month is the benchmark's


def demo_fill(*, ctx: DemoContext) -> None:
    if LogSource.objects.filter(site=ctx.site, path__contains="/demo/traffic/").exists():
        ctx.skipped.append("pengunjung: log demo sudah dibaca")
        return
    days = max(1, min(ctx.days, MOST_DAYS))
    # A folder of this demo's own, like the backups' (two demos in one data folder never share a log).
    base = Path(settings.DATA_DIR) / "demo" / "traffic" / f"{ctx.now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
    base.mkdir(parents=True, exist_ok=True)
    start = (ctx.now - dt.timedelta(days=days)).astimezone(WIB).replace(hour=0, minute=0, second=0, microsecond=0)
    generated = log_generate(base / "access.log", lines=LINES_PER_DAY * days, days=days, start=start)
    run = traffic_ingest(site=ctx.site, sources=sources_for(site=ctx.site, paths=[str(generated.log)]))
    analysed = traffic_detect(site=ctx.site)
    detections = Detection.objects.filter(site=ctx.site).count()
    ctx.done.append(
        f"pengunjung: {run.lines_stored} baris log akses {days} hari dibaca, "
        f"{analysed.findings} temuan dalam {detections} deteksi"
    )
