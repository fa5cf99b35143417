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


@pytest.mark.django_db
def test_the_letter_lists_the_detections_with_most_requests_and_says_how_many_more(
    month_data: Any, traffic_read: dict[str, Any]
) -> None:
    from django.utils import translation

    from jaga.reports import services
    from jaga.reports.document import Period
    from jaga.reports.sources.traffic import traffic_section

    report = services.report_create(
        institution=traffic_read["site"].institution, kind="situation", period=Period(dt.date(2026, 11, 1),
                                                                                       dt.date(2026, 11, 30))
    )  # fmt: skip
    with translation.override("id"):
        section = traffic_section(services.report_context(report=report, now=NOW), listed=1)
    [table] = [t for t in section.tables if t.key == "detections"]
    assert len(table.rows) == 1
    assert "1 deteksi dengan permintaan terbanyak dari 2; semuanya ada di log aktivitas pengunjung." in table.note
