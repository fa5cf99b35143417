"""Data for report tests: a month of monitoring rollups with known outages, a required-pages result, a service
to renew and ledger records, all made through the models the apps write."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from jaga.backups.tests.conftest import initialized_repository, local_repository  # noqa: F401  (shared fixture)
from jaga.core import clock
from jaga.core.tests.conftest import immediate_tasks, json_receiver  # noqa: F401  (shared fixtures)

WIB = ZoneInfo("Asia/Jakarta")
ARTEFACTS = Path(__file__).resolve().parents[3] / "test-artefacts" / "reports"


def pdf_text(path: Path) -> str:
    """The PDF read back as text in reading order (poppler-utils' pdftotext)."""
    assert shutil.which("pdftotext"), "poppler-utils is installed by scripts/system-packages.sh test"
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def pdf_pictures(path: Path, name: str) -> list[Path]:
    """Each page as a PNG, kept under test-artefacts/reports/ for a person to look at."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    prefix = ARTEFACTS / name
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(prefix)], check=True)
    return sorted(ARTEFACTS.glob(f"{name}*.png"))


DOCS_PICTURES = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


def docs_picture(path: Path, kind: str, page: int) -> None:
    """With JAGA_SCREENSHOTS=1 (as for the browser screenshots): one page of the PDF as
    docs/screenshots/report-<kind>.png, the picture of that kind of report in the documentation."""
    if os.environ.get("JAGA_SCREENSHOTS") != "1":
        return
    target = DOCS_PICTURES / f"report-{kind}"
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page), "-singlefile", str(path),
                    str(target)], check=True)  # fmt: skip


@pytest.fixture
def month_data(institution, site):  # type: ignore[no-untyped-def]
    """November 2026 at PN Bangil: an HTTP monitor up all month but 10 hours half down, required pages with two
    stale of four, a domain ending 12 December 2026 without a case."""
    from jaga.monitoring.models import CheckResult, Monitor, MonitorStatus, Rollup, StatusChange
    from jaga.renewals.models import Service
    from jaga.sop.services import sop_seed_default

    sop_seed_default()
    http = Monitor.objects.create(site=site, name="Beranda", kind="http", config={"url": site.base_url})
    pages = Monitor.objects.create(site=site, name="Halaman wajib", kind="required_pages", config={})
    Monitor.objects.filter(pk__in=[http.pk, pages.pk]).update(created_at=dt.datetime(2026, 10, 1, tzinfo=WIB))
    since = dt.datetime(2026, 11, 1, tzinfo=WIB).astimezone(dt.UTC)
    until = dt.datetime(2026, 12, 1, tzinfo=WIB).astimezone(dt.UTC)
    rows = []
    hour = since
    index = 0
    while hour < until:
        down = 30 if index % 72 == 5 else 0  # 10 hours of the month with 30 of 60 checks down
        rows.append(Rollup(monitor=http, period="h", bucket=hour, checks=60, up=60 - down, down=down))
        hour += dt.timedelta(hours=1)
        index += 1
    Rollup.objects.bulk_create(rows)
    for day in (3, 17):
        StatusChange.objects.create(
            monitor=http, at=dt.datetime(2026, 11, day, 9, tzinfo=WIB), from_status=MonitorStatus.UP,
            to_status=MonitorStatus.DOWN, reason="timeout",
        )  # fmt: skip
    page_rows = [
        {"title": "Profil Pengadilan", "status": "ok", "age_days": 20, "max_age_days": 365},
        {"title": "Jadwal Sidang", "status": "stale", "age_days": 9, "max_age_days": 2},
        {"title": "Laporan Keuangan", "status": "stale", "age_days": 400, "max_age_days": 365},
        {"title": "Pengumuman", "status": "ok", "age_days": 1, "max_age_days": 30},
    ]
    CheckResult.objects.create(
        monitor=pages, probe="p1", checked_at=dt.datetime(2026, 11, 30, 22, tzinfo=WIB), status="degraded",
        details={"pages": page_rows, "ok": 2, "failing": 2},
    )  # fmt: skip
    Service.objects.create(
        institution=institution, kind="domain", name="pn-bangil.go.id", identifier="pn-bangil.go.id",
        expires_on=dt.date(2026, 12, 12),
    )  # fmt: skip
    return {"http": http, "pages": pages, "checks": len(rows) * 60, "down": 10 * 30}


@pytest.fixture
def people(make_user, institution):  # type: ignore[no-untyped-def]
    """One member for each role that reads or writes reports, with an e-mail address each."""
    found = {}
    for key, role in (("staff", "staff_p2ti"), ("ptip", "kasubbag_ptip"), ("umum", "kasubbag_umum"),
                      ("sekretaris", "sekretaris"), ("admin", "administrator"), ("auditor", "auditor")):  # fmt: skip
        user = make_user(role, institution, key)
        user.email = f"{key}@pn-bangil.go.id"
        user.first_name = key.capitalize()
        user.save()
        found[key] = user
    return found


LINE = (
    '{client} - - [{day:02d}/{month}/2026:09:{m:02d}:{s:02d} +0700] "GET {path} HTTP/1.1" {status} 2048 "-" "{agent}"\n'
)
BROWSER = "Mozilla/5.0 (Windows NT 10.0) Chrome/130.0"
SQLI = "/perkara?id=1%27%20UNION%20SELECT%20user,pass%20FROM%20users--"


def access_log(path: Path) -> dict[str, Any]:
    """Three November days of readers (25 addresses a day, five 500s, four 404s), three SQL injection probes
    by sqlmap, and 20 October lines (the previous period). Returns the figures a report must show."""
    lines: list[str] = []
    visitors: set[tuple[str, int, str]] = set()
    statuses: list[int] = []
    for day in (3, 10, 17):
        for i in range(100):
            client = f"198.51.100.{i % 25 + 1}"
            status = 500 if day == 10 and i < 5 else 404 if day == 17 and i < 4 else 200
            path_ = "/tidak-ada" if status == 404 else f"/berita/{i}"
            lines.append(LINE.format(client=client, day=day, month="Nov", m=i % 60, s=i % 60, path=path_,
                                     status=status, agent=BROWSER))  # fmt: skip
            visitors.add((client, day, BROWSER))
            statuses.append(status)
    for s in range(3):
        lines.append(LINE.format(client="203.0.113.66", day=10, month="Nov", m=30, s=s, path=SQLI, status=200,
                                 agent="sqlmap/1.7"))  # fmt: skip
        visitors.add(("203.0.113.66", 10, "sqlmap/1.7"))
        statuses.append(200)
    for i in range(20):
        lines.append(LINE.format(client="198.51.100.200", day=15, month="Oct", m=i, s=i, path="/", status=200,
                                 agent=BROWSER))  # fmt: skip
    path.write_text("".join(lines))
    return {
        "hits": len(statuses),
        "visitors": len(visitors),
        "errors": statuses.count(500),
        "not_found": statuses.count(404),
        "previous": 20,
    }


@pytest.fixture
def traffic_read(site: Any, tmp_path: Path, settings: Any) -> dict[str, Any]:
    from jaga.core.models import Site
    from jaga.traffic import services

    settings.JAGA_TRAFFIC_DIR = tmp_path / "traffic-store"
    log = tmp_path / "access.log"
    figures = access_log(log)
    run = services.traffic_ingest(site=site, sources=services.sources_for(site=site, paths=[str(log)]))
    assert run.lines_stored == figures["hits"] + figures["previous"]
    services.traffic_detect(site=site)
    figures["unwatched"] = Site.objects.create(
        institution=site.institution, name="Situs SIPP", base_url="http://127.0.0.1:9/sipp/"
    )
    figures["site"] = site
    return figures


@pytest.fixture
def backed_up(site: Any, tmp_path: Path, settings: Any, initialized_repository: Path) -> dict[str, Any]:  # noqa: F811
    """Two good backups, a failed one, a drill and an ADK disk in November 2026, by the backups services (in a
    copy of the worker's initialized repository, which Jaga adopts: jaga/backups/tests/conftest.py)."""
    from jaga.backups import services
    from jaga.backups.models import RunState

    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    root = tmp_path / "www"
    (root / "wp-content").mkdir(parents=True)
    (root / "index.php").write_text("<?php echo 1;\n")
    (root / "wp-content" / "putusan.pdf").write_bytes(b"%PDF-1.4 " + b"x" * 4000)
    repository = local_repository(site.institution, initialized_repository, tmp_path / "repo")
    plan = services.plan_create(site=site, name="Situs PN", repository=repository)
    type(plan).objects.filter(pk=plan.pk).update(created_at=dt.datetime(2026, 10, 20, tzinfo=WIB))  # auto_now_add
    services.source_add(plan=plan, kind="files", name="www", config={"path": str(root), "cms": "wordpress"})
    runs = []
    with clock.frozen(dt.datetime(2026, 11, 3, 1, 0, tzinfo=WIB)):
        runs.append(services.backup_run(plan=plan))
    with clock.frozen(dt.datetime(2026, 11, 4, 1, 0, tzinfo=WIB)):
        runs.append(services.drill_run(plan=plan))
    with clock.frozen(dt.datetime(2026, 11, 5, 1, 0, tzinfo=WIB)):
        runs.append(services.export_run(plan=plan, to=tmp_path / "adk", label="ADK November", kept_at="Lemari TI"))
    moved = tmp_path / "www-away"
    shutil.move(root, moved)
    with clock.frozen(dt.datetime(2026, 11, 20, 1, 0, tzinfo=WIB)):
        runs.append(services.backup_run(plan=plan))
    shutil.move(moved, root)
    with clock.frozen(dt.datetime(2026, 11, 21, 1, 0, tzinfo=WIB)):
        runs.append(services.backup_run(plan=plan))
    states = [run.state for run in runs]
    assert states == [RunState.SUCCESS, RunState.SUCCESS, RunState.SUCCESS, RunState.FAILED, RunState.SUCCESS]
    return {"plan": plan, "runs": runs}
