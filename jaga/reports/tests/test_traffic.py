"""The situation report's visitor-activity section, from lines read by the traffic ingestion and detections made
by its engine, read back from the PDF."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from jaga.core import clock
from jaga.reports.tests.conftest import WIB, pdf_text

NOW = dt.datetime(2026, 12, 2, 8, 15, tzinfo=WIB)
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
    return figures


def _text(tmp_path: Path) -> str:
    target = tmp_path / "laporan.pdf"
    with clock.frozen(NOW):
        call_command("report", "build", "situation", "--institution", "pn-bangil", "--period", "2026-11",
                     "--pdf", str(target))  # fmt: skip
    return " ".join(pdf_text(target).split())


@pytest.mark.django_db
def test_the_visitor_section_counts_the_ingested_lines_and_the_engines_detections(
    month_data: Any, traffic_read: dict[str, Any], tmp_path: Path
) -> None:
    from jaga.traffic.models import Detection

    text = _text(tmp_path)
    figures = traffic_read
    assert figures == {**figures, "hits": 303, "visitors": 76, "errors": 5, "not_found": 4}
    assert "belum tersedia" not in text
    assert f"Permintaan dalam periode: {figures['hits']}" in text
    assert f"Pengunjung unik dalam periode: {figures['visitors']}" in text
    assert f"Permintaan periode sebelumnya: {figures['previous']}" in text
    detections = Detection.objects.filter(site__name="Situs PN Bangil")
    assert {d.rule_key for d in detections} >= {"sqli-probe", "scanner-agent"}
    assert f"Deteksi keamanan dalam periode: {detections.count()}" in text
    # The per-site row: requests, visitors, change from October (303 against 20), 404, 5xx, bots (sqlmap).
    assert "Situs PN Bangil 303 76 +1415,0% 4 5 3" in text
    assert "Situs SIPP 0 0 — 0 0 0" in text
    assert "Percobaan injeksi SQL Tinggi 203.0.113.66 3 10 November 2026 09.30" in text
    # Conclusions by rule: the 5xx share, the serious detection with the rule's own advice, the site not watched.
    assert "1,7% permintaan ke Situs PN Bangil dijawab galat server (5xx)." in text
    assert "Percobaan injeksi SQL: 1 klien terdeteksi, mis. 203.0.113.66 di Situs PN Bangil." in text
    assert "blokir alamat ini bila berulang" in text
    assert "Log akses Situs SIPP belum dihubungkan: aktivitas pengunjungnya tidak terpantau." in text
    assert "Tambahkan sumber log akses untuk Situs SIPP (aktivitas 3 SOP)." in text


@pytest.mark.django_db
def test_without_any_access_log_the_section_says_so(month_data: Any, tmp_path: Path, settings: Any) -> None:
    settings.JAGA_TRAFFIC_DIR = tmp_path / "traffic-store"
    text = _text(tmp_path)
    assert "Belum ada log akses yang dibaca untuk situs dalam cakupan laporan ini." in text
    assert "Hubungkan log akses setiap situs agar aktivitas pengunjung terpantau (aktivitas 3 SOP)." in text
