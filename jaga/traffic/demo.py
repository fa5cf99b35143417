"""The visitor-activity part of ``jaga demo``: a court site's access log, ingested and analysed by the real code.

A log of the demo court site is generated (jaga/traffic/sample.py: visitors on an Indonesian daily rhythm,
crawlers, Jaga's own probe and labelled attack campaigns) over the demo's last days, made a log source of
the demo site, and read into the Parquet store one day at a time, each day analysed by every detection rule
at its own end (the clock set there), as the worker's rounds would have: a rule's detections of later days
add to the incident its first day opened, so the incidents page shows each attack from the day it began.
Like a real week, the incidents whose attacks stopped more than a day before the end were taken on and
closed by the Staff P2TI with what was done (the addresses put on the block list); the latest stay open.
The panels, detections, incidents, notifications and the SOP ledger's records of activity 3 are what a real
site's would be.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from django.conf import settings

from jaga.core import clock
from jaga.core.demo import DemoContext
from jaga.core.models import Role
from jaga.traffic.models import Detection, LogSource
from jaga.traffic.sample import WIB, log_generate
from jaga.traffic.services.detection import traffic_detect
from jaga.traffic.services.ingest import sources_for, traffic_ingest

LINES_PER_DAY = 4_000
MOST_DAYS = 7  # a week of visitors is enough to fill every panel; the ingestion of a month is the benchmark's
QUIET_DAYS = 1  # an attack not seen for longer than this before the end was dealt with
HANDLED = (
    "Alamat-alamat pada deteksi ini dimasukkan ke daftar blokir nginx dari Jaga (jaga traffic blocklist) dan "
    "server web dimuat ulang; log sesudahnya tidak lagi memuat pola ini."
)


def _days(log: Path) -> list[tuple[dt.date, str]]:
    """The log's lines grouped by their day (the generated log is in time order, in WIB)."""
    days: dict[dt.date, list[str]] = {}
    with log.open(encoding="utf-8") as handle:
        for line in handle:
            stamp = line.partition("[")[2][:11]
            try:
                day = dt.datetime.strptime(stamp, "%d/%b/%Y").date()
            except ValueError:
                day = max(days) if days else dt.date.min  # a line without a time (junk) goes with its neighbours
            days.setdefault(day, []).append(line)
    return [(day, "".join(lines)) for day, lines in sorted(days.items())]


def _handled(ctx: DemoContext, end: dt.datetime) -> int:
    """Close, as the Staff P2TI did, the demo's traffic incidents whose attack stopped before ``end`` minus
    QUIET_DAYS; how many."""
    from jaga.incidents.models import EntryKind, Incident, State
    from jaga.incidents.services.workflow import incident_acknowledge, incident_entry_add, incident_state_change

    staff = ctx.users[Role.STAFF_P2TI]
    quiet = end - dt.timedelta(days=QUIET_DAYS)
    closed = 0
    for incident in Incident.objects.filter(site=ctx.site, cause_key__startswith="traffic:").exclude(
        state=State.RESOLVED
    ):
        last = Detection.objects.filter(incident=incident).order_by("-last_seen").values_list("last_seen", flat=True)
        if not last or last[0] >= quiet:
            continue
        at = last[0] + dt.timedelta(hours=2)
        incident = incident_acknowledge(incident=incident, user=staff, at=at)
        incident_entry_add(
            incident=incident, user=staff, kind=EntryKind.ACTION, at=at + dt.timedelta(minutes=20),
            text=HANDLED, is_alternative=True, worked=True,
        )  # fmt: skip
        for to_state, minutes in ((State.IDENTIFIED, 21), (State.MONITORING, 22)):
            incident = incident_state_change(
                incident=incident, user=staff, to_state=to_state, at=at + dt.timedelta(minutes=minutes)
            )
        incident_state_change(
            incident=incident, user=staff, to_state=State.RESOLVED, at=at + dt.timedelta(hours=20),
            note="Sehari penuh sesudah pemblokiran tidak ada lagi deteksi aturan ini dari alamat-alamat itu.",
        )  # fmt: skip
        closed += 1
    return closed


def demo_fill(*, ctx: DemoContext) -> None:
    if LogSource.objects.filter(site=ctx.site, path__contains="/demo/traffic/").exists():
        ctx.skipped.append("pengunjung: log demo sudah dibaca")
        return
    days = max(1, min(ctx.days, MOST_DAYS))
    # A folder of this demo's own, like the backups' (two demos in one data folder never share a log).
    base = Path(settings.DATA_DIR) / "demo" / "traffic" / f"{ctx.now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
    base.mkdir(parents=True, exist_ok=True)
    start = (ctx.now - dt.timedelta(days=days)).astimezone(WIB).replace(hour=0, minute=0, second=0, microsecond=0)
    generated = log_generate(base / "generated.log", lines=LINES_PER_DAY * days, days=days, start=start)
    log = base / "access.log"
    log.touch()
    sources = sources_for(site=ctx.site, paths=[str(log)])
    stored = found = 0
    end = ctx.now
    for day, text in _days(generated.log):
        with log.open("a", encoding="utf-8") as out:
            out.write(text)
        end = min(ctx.now, dt.datetime.combine(day, dt.time(23, 59), tzinfo=WIB))
        with clock.frozen(end):  # the round at the end of that day
            stored += traffic_ingest(site=ctx.site, sources=sources).lines_stored
            found += traffic_detect(site=ctx.site).findings
    generated.log.unlink()
    closed = _handled(ctx, end) if days > 2 else 0  # a day or two of history has nothing dealt with yet
    detections = Detection.objects.filter(site=ctx.site).count()
    ctx.done.append(
        f"pengunjung: {stored} baris log akses {days} hari dibaca hari demi hari, {found} temuan dalam "
        f"{detections} deteksi; {closed} insiden serangan yang sudah berhenti ditutup"
    )
