"""Reports benchmark (issue 11): the monthly situation report of a 10-site institution as a PDF, and the evidence
pack of a year, each by the real command in its own process, timed with its peak memory (max RSS, ``wait4``).

    python -m bench.reports                         # 10 sites, 1,000,000 access-log lines, a year of everything
    python -m bench.reports --lines 100000 --sites 2   # smaller
    python -m bench.reports --keep                  # keep the data folder (its path is printed)
    python -m bench.reports --reuse /tmp/jaga-bench-reports-XXXX   # measure again on a kept fill

The fill (not timed against the targets; its time is printed) makes, in a fresh JAGA_DATA_DIR on SQLite:

- an institution with ``--sites`` sites, each with an HTTP, a freshness and a required-pages monitor; a year of
  rollups as the rollup job leaves them (days for 365 days, hours for 365 days, minutes for 3 days), status
  changes, and a required-pages result each month;
- a year of backup runs per site (every 6 hours, a failure a week, a drill and an ADK disk a month) written as
  rows (restic is not run 14,600 times; the report reads the rows);
- a year of SOP ledger records (monitoring every 2 hours and backups every 6 hours per site, a visitor-log
  check a day, a report a week, an incident action a week with an evidence file) and 12 situation reports
  sent (each with a copy of one rendered PDF as the PDF it was sent with);
- ``--lines`` access-log lines of the report month (jaga/traffic/sample.py: humans, crawlers and labelled
  attacks), split over the sites, read by the real ingestion and analysed by the real detection engine.

Then, each alone: ``jaga report build situation --period <last month> --pdf`` (targets: 10 s, 500 MB) and
``jaga report evidence-pack --period <the 12 months before this one>`` (target: 60 s). Results as JSON
(``--output``); docs/benchmarks.md part 5 has the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
WIB = ZoneInfo("Asia/Jakarta")
SLUG = "pn-bench"


def _spawn(args: list[str], *, env: dict[str, str], stdout: Path) -> tuple[int, float, int, float]:
    """Run ``args``; (exit status, wall seconds, peak RSS in MB, CPU seconds) of that process. On a shared
    machine the CPU seconds are the figure to compare: the wall time grows with the other processes' load."""
    started = time.perf_counter()
    with stdout.open("wb") as out:
        actions = [(os.POSIX_SPAWN_DUP2, out.fileno(), 1), (os.POSIX_SPAWN_DUP2, out.fileno(), 2)]
        pid = os.posix_spawn(args[0], args, env, file_actions=actions)
        _pid, status, usage = os.wait4(pid, 0)
    cpu = usage.ru_utime + usage.ru_stime
    return os.waitstatus_to_exitcode(status), time.perf_counter() - started, usage.ru_maxrss // 1024, cpu


def months_back(today: dt.date) -> tuple[dt.date, dt.date, dt.date]:
    """(first day of the year's first month, first and last day of last month)."""
    last_end = today.replace(day=1) - dt.timedelta(days=1)
    last_start = last_end.replace(day=1)
    year_start = (last_start.replace(day=1) - dt.timedelta(days=330)).replace(day=1)
    return year_start, last_start, last_end


def fill(data: Path, *, sites_count: int, lines: int) -> dict[str, Any]:
    """The child that fills the data folder; what it made and how long each part took."""
    from bench.monitoring import ROLLUP_COLUMNS, django_start, rollup_rows, rows_insert

    django_start(data, None)
    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from jaga.backups.models import MediaExport, Plan, Repository, Run, RunKind, RunState
    from jaga.core.models import Institution, Site
    from jaga.monitoring.models import CheckResult, Monitor, MonitorStatus, Rollup, StatusChange
    from jaga.monitoring.rollups import DAY, HOUR, MINUTE, MINUTE_OVERLAP, floor_to
    from jaga.reports.models import Report
    from jaga.sop.models import EvidenceFile, LedgerEntry
    from jaga.sop.services import sop_seed_default
    from jaga.traffic import services as traffic
    from jaga.traffic.sample import log_generate

    took: dict[str, float] = {}
    began = time.perf_counter()
    now = timezone.now()
    today = now.astimezone(WIB).date()
    year_start, month_start, month_end = months_back(today)
    since = dt.datetime.combine(year_start, dt.time.min, tzinfo=WIB)
    sop = sop_seed_default()
    activities = {a.key: a for a in sop.activities.all()}
    institution = Institution.objects.create(
        name="Pengadilan Negeri Uji Beban", slug=SLUG, city="Bangil", letter_prefix="W14.U21",
        address="Jl. Contoh No. 1", phone="(0343) 000000", email="pn@uji.go.id",
    )  # fmt: skip
    sites = [
        Site.objects.create(institution=institution, name=f"Situs {n:02d}", base_url=f"https://situs{n:02d}.go.id/")
        for n in range(1, sites_count + 1)
    ]
    monitors = []
    for site in sites:
        for kind in ("http", "freshness", "required_pages"):
            monitors.append(Monitor.objects.create(site=site, name=kind, kind=kind, config={"url": site.base_url}))
    Monitor.objects.update(created_at=since - dt.timedelta(days=30))
    ids = [m.pk for m in monitors]
    hour_end = floor_to(floor_to(now, MINUTE) - MINUTE_OVERLAP, HOUR)
    day_end = floor_to(hour_end, DAY)
    levels = (
        ("d", [day_end - DAY * n for n in range(365, 0, -1)], 1440),
        ("h", [hour_end - HOUR * n for n in range(365 * 24, 0, -1)], 60),
        ("m", [floor_to(now, MINUTE) - MINUTE * n for n in range(3 * 1440, 0, -1)], 1),
    )
    rollups = sum(rows_insert(Rollup._meta.db_table, ROLLUP_COLUMNS, rollup_rows(ids, p, b, c)) for p, b, c in levels)
    StatusChange.objects.bulk_create(
        StatusChange(monitor_id=pk, at=now - dt.timedelta(days=3 * n, hours=pk % 24), from_status=MonitorStatus.UP,
                     to_status=MonitorStatus.DOWN, reason="timeout")
        for pk in ids for n in range(1, 120)
    )  # fmt: skip
    pages = [{"title": f"Halaman {i}", "status": "stale" if i == 3 else "ok", "age_days": 5, "max_age_days": 30}
             for i in range(14)]  # fmt: skip
    results = []
    for monitor in monitors:
        for month in range(13):
            at = now - dt.timedelta(days=30 * month + 1)
            details = {"pages": pages} if monitor.kind == "required_pages" else {"age_days": 3, "max_age_days": 14}
            results.append(CheckResult(monitor=monitor, probe="p1", checked_at=at, status="up", details=details))
    CheckResult.objects.bulk_create(results)
    took["monitoring"] = time.perf_counter() - began

    began = time.perf_counter()
    repository = Repository.objects.create(institution=institution, name="Lokal", location=str(data / "repo"),
                                           password="kata-sandi-uji-beban")  # fmt: skip
    plans = [Plan.objects.create(site=site, name="Situs dan basis data", repository=repository) for site in sites]
    Plan.objects.update(created_at=since - dt.timedelta(days=30))
    runs = []
    for plan in plans:
        at = since
        index = 0
        while at < now:
            failed = index % 28 == 27
            runs.append(
                Run(plan=plan, kind=RunKind.BACKUP, state=RunState.FAILED if failed else RunState.SUCCESS,
                    started_at=at, ended_at=at + dt.timedelta(minutes=12), snapshot_id="" if failed else f"{index:08x}",
                    bytes_added=50_000_000, error="dump terpotong" if failed else "")
            )  # fmt: skip
            if index % 120 == 60:
                runs.append(Run(plan=plan, kind=RunKind.DRILL, state=RunState.SUCCESS, started_at=at + HOUR,
                                ended_at=at + 2 * HOUR))  # fmt: skip
            at += dt.timedelta(hours=6)
            index += 1
    Run.objects.bulk_create(runs, batch_size=5000)
    exports = []
    for plan in plans:
        for month in range(12):
            at = now - dt.timedelta(days=30 * month + 2)
            exports.append(MediaExport(plan=plan, snapshot_id=f"{month * 120:08x}", label=f"ADK {at:%Y-%m}",
                                       path="/media/adk", total_bytes=4_000_000_000, created_at=at, verified_at=at,
                                       kept_at="Lemari arsip TI"))  # fmt: skip
    MediaExport.objects.bulk_create(exports)
    took["backups"] = time.perf_counter() - began

    began = time.perf_counter()
    entries: list[LedgerEntry] = []

    def entry(key: str, site: Site | None, start: dt.datetime, minutes: float, outcome: str = "success") -> None:
        activity = activities[key]
        duration = dt.timedelta(minutes=minutes)
        standard = activity.time_standard
        entries.append(
            LedgerEntry(activity=activity, activity_number=activity.number, activity_key=key, institution=institution,
                        site=site, started_at=start, ended_at=start + duration, duration=duration,
                        time_standard=standard, met_standard=None if standard is None else duration <= standard,
                        outcome=outcome)
        )  # fmt: skip

    for site in sites:
        at = since
        while at < now:
            entry("monitoring", site, at, 3)
            if at.hour % 6 == 0:
                entry("backup", site, at, 12 if at.day % 9 else 400)
            if at.hour == 8:
                entry("traffic", site, at, 20)
            at += dt.timedelta(hours=2)
    at = since
    while at < now:
        entry("report", None, at + dt.timedelta(hours=7), 11)
        entry("incident_action", sites[0], at + dt.timedelta(hours=10), 90)
        at += dt.timedelta(days=7)
    LedgerEntry.objects.bulk_create(entries, batch_size=5000)
    evidence = 0
    for row in LedgerEntry.objects.filter(institution=institution, activity_key="incident_action"):
        data_bytes = os.urandom(20_000)
        EvidenceFile.objects.create(entry=row, file=ContentFile(data_bytes, name="tangkapan-layar.png"),
                                    original_name="tangkapan-layar.png", sha256=hashlib.sha256(data_bytes).hexdigest(),
                                    size=len(data_bytes))  # fmt: skip
        evidence += 1
    took["ledger"] = time.perf_counter() - began

    began = time.perf_counter()
    from weasyprint import HTML

    sent_pdf = HTML(string="<h1>LAPORAN TENTANG SITUASI DAN KONDISI WEBSITE</h1><p>arsip</p>").write_pdf() or b""
    for number, month in enumerate(range(12, 0, -1), start=1):
        start = (today.replace(day=1) - dt.timedelta(days=30 * month)).replace(day=1)
        end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        sent = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(7, 40), tzinfo=WIB)
        report = Report.objects.create(
            institution=institution, kind="situation", period_start=start, period_end=end, sequence=number,
            number=f"W14.U21/{number}/OT.01/{sent:%m}/{sent:%Y}", issued_at=sent, sent_at=sent,
            content={"kind": "situation"}, pdf_sha256=hashlib.sha256(sent_pdf).hexdigest(), pdf_size=len(sent_pdf),
        )  # fmt: skip
        report.pdf.save(f"laporan-{number}.pdf", ContentFile(sent_pdf), save=True)
    took["reports"] = time.perf_counter() - began

    began = time.perf_counter()
    logs = Path(settings.DATA_DIR) / "logs"
    logs.mkdir()
    days = (month_end - month_start).days + 1
    per_site = lines // len(sites)
    stored = 0
    detections = 0
    for n, site in enumerate(sites):
        log = logs / f"access-{n}.log"
        log_generate(log, lines=per_site, days=days, seed=100 + n,
                     start=dt.datetime.combine(month_start, dt.time.min, tzinfo=WIB))  # fmt: skip
        run = traffic.traffic_ingest(site=site, sources=traffic.sources_for(site=site, paths=[str(log)]))
        stored += run.lines_stored
        detections += len(traffic.traffic_detect(site=site, record=False).detections)
    took["traffic"] = time.perf_counter() - began
    return {
        "sites": len(sites),
        "monitors": len(monitors),
        "rollups": rollups,
        "backup_runs": len(runs),
        "media_exports": len(exports),
        "ledger_entries": len(entries),
        "evidence_files": evidence,
        "reports_sent": 12,
        "access_lines_stored": stored,
        "detections": detections,
        "fill_seconds": {key: round(value, 1) for key, value in took.items()},
        "month": [month_start.isoformat(), month_end.isoformat()],
        "year": [year_start.isoformat(), month_end.isoformat()],
    }


def measure(data: Path, info: dict[str, Any]) -> dict[str, Any]:
    env = dict(os.environ, JAGA_DATA_DIR=str(data), JAGA_LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
    env.pop("DATABASE_URL", None)
    jaga = str(Path(sys.executable).with_name("jaga"))
    month = info["month"][0][:7]
    year = f"{info['year'][0]}..{info['year'][1]}"
    result: dict[str, Any] = {}
    for name, args, target in (
        ("situation_pdf", ["report", "build", "situation", "--institution", SLUG, "--period", month,
                           "--pdf", str(data / "situation.pdf")], data / "situation.pdf"),
        ("visitor_log_pdf", ["report", "build", "visitors", "--institution", SLUG, "--period", month,
                             "--pdf", str(data / "visitors.pdf")], data / "visitors.pdf"),
        ("evidence_pack_year", ["report", "evidence-pack", "--institution", SLUG, "--period", year,
                                "--out", str(data / "pack.zip")], data / "pack.zip"),
    ):  # fmt: skip
        code, seconds, peak, cpu = _spawn([jaga, *args], env=env, stdout=data / f"{name}.out")
        result[name] = {
            "exit": code,
            "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu, 2),
            "peak_mb": peak,
            "bytes": target.stat().st_size if target.exists() else 0,
            "said": (data / f"{name}.out").read_text(errors="replace").strip().splitlines()[-1:],
        }
    pdf = data / "situation.pdf"
    if pdf.exists() and shutil.which("pdfinfo"):
        pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=False).stdout
        result["situation_pdf"]["pages"] = next(
            (int(line.split()[-1]) for line in pages.splitlines() if line.startswith("Pages:")), None
        )
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=False).stdout
        flat = " ".join(text.split())
        result["situation_pdf"]["requests_line"] = next(
            (part for part in flat.split("Permintaan dalam periode:")[1:2]), ""
        )[:20]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", type=Path, default=None, help="measure again on a data folder kept by --keep")
    parser.add_argument("--fill", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.fill:
        info = fill(options.fill, sites_count=options.sites, lines=options.lines)
        (options.fill / "fill.json").write_text(json.dumps(info))
        return
    if options.reuse:
        info = json.loads((options.reuse / "fill.json").read_text())
        # A fill kept by an older version: bring its database to this version's tables first (not timed).
        env = dict(os.environ, JAGA_DATA_DIR=str(options.reuse), JAGA_LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
        env.pop("DATABASE_URL", None)
        jaga = str(Path(sys.executable).with_name("jaga"))
        subprocess.run([jaga, "migrate", "--noinput"], env=env, check=True, stdout=subprocess.DEVNULL)
        result = {"machine": {"cpus": os.cpu_count(), "load_before": os.getloadavg()}, "data": info}
        result["runs"] = measure(options.reuse, info)
        result["machine"]["load_after"] = os.getloadavg()
        print(json.dumps(result, indent=2))
        if options.output:
            options.output.write_text(json.dumps(result, indent=2))
        return
    data = Path(tempfile.mkdtemp(prefix="jaga-bench-reports-"))
    try:
        env = dict(os.environ, PYTHONPATH=str(ROOT), JAGA_LOG_LEVEL="WARNING")
        env.pop("DATABASE_URL", None)
        args = [sys.executable, "-m", "bench.reports", "--fill", str(data), "--sites", str(options.sites),
                "--lines", str(options.lines)]  # fmt: skip
        code, seconds, peak, _cpu = _spawn(args, env=env, stdout=data / "fill.out")
        if code != 0:
            print((data / "fill.out").read_text()[-4000:])
            raise SystemExit(f"the fill failed ({code})")
        info = json.loads((data / "fill.json").read_text())
        info["fill_total_seconds"] = round(seconds, 1)
        info["fill_peak_mb"] = peak
        result = {
            "machine": {"cpus": os.cpu_count(), "load_before": os.getloadavg()},
            "data": info,
            "database_mb": round((data / "jaga.sqlite3").stat().st_size / 2**20, 1),
        }
        result["runs"] = measure(data, info)
        result["machine"]["load_after"] = os.getloadavg()
        text = json.dumps(result, indent=2)
        print(text)
        if options.output:
            options.output.write_text(text)
    finally:
        if options.keep:
            print(f"kept: {data}")
        else:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
