"""The situation report's visitor-activity section, from lines read by the traffic ingestion and detections made
by its engine, read back from the PDF."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from jaga.core import clock
from jaga.reports.tests.conftest import WIB, pdf_text

NOW = dt.datetime(2026, 12, 2, 8, 15, tzinfo=WIB)


def _text(tmp_path: Path, kind: str = "situation") -> str:
    target = tmp_path / f"{kind}.pdf"
    with clock.frozen(NOW):
        call_command("report", "build", kind, "--institution", "pn-bangil", "--period", "2026-11",
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
def test_the_letter_prints_the_detections_with_most_requests_and_the_csv_has_them_all(
    month_data: Any, traffic_read: dict[str, Any], tmp_path: Path, monkeypatch: Any, client: Any, people: dict
) -> None:
    from jaga.reports.models import Report
    from jaga.traffic.models import Detection
    from jaga.traffic.selectors import rule_for

    monkeypatch.setattr("jaga.reports.builders.situation.DETECTIONS_LISTED", 1)
    detections = list(Detection.objects.filter(site=traffic_read["site"]).order_by("-count", "rule_key", "key"))
    assert len(detections) == 2
    text = _text(tmp_path)
    top, other = detections
    assert "1 deteksi dengan permintaan terbanyak dari 2; daftar lengkapnya ada di berkas CSV tabel ini." in text
    rows_printed = text.split("Deteksi keamanan Situs Aturan")[1].split("Jumlah permintaan dihitung")[0]
    label = {d.rule_key: rule_for(d.rule_key).label.id for d in detections}  # type: ignore[union-attr]
    assert label[top.rule_key] in rows_printed
    assert label[other.rule_key] not in rows_printed
    client.force_login(people["auditor"])
    report = Report.objects.get()
    # The detections summed per rule, with their total, above the list (in the letter and as CSV).
    assert "Deteksi keamanan per aturan" in text
    response = client.get(f"/reports/pn-bangil/{report.pk}/csv/", {"tabel": "detections_by_rule"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[-1] == ["Jumlah", "", "1", "2", str(top.count + other.count)]
    response = client.get(f"/reports/pn-bangil/{report.pk}/csv/", {"tabel": "detections"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == [label[top.rule_key], label[other.rule_key]]


@pytest.mark.django_db
def test_a_month_older_than_the_retention_keeps_its_visitor_figures(
    month_data: Any, traffic_read: dict[str, Any], tmp_path: Path, settings: Any
) -> None:
    from jaga.traffic.models import TrafficDay
    from jaga.traffic.services.retention import traffic_retention_apply

    settings.JAGA_TRAFFIC_RETENTION_DAYS = 30
    result = traffic_retention_apply(now=dt.datetime(2027, 3, 1, tzinfo=WIB))
    site = traffic_read["site"]
    november = [dt.date(2026, 11, 3), dt.date(2026, 11, 10), dt.date(2026, 11, 17)]
    assert {(site.pk, day) for day in november} <= set(result.days_deleted)
    assert list(TrafficDay.objects.filter(site=site, day__month=11).values_list("day", flat=True)) == november
    retired = "3 hari dalam periode ini (3 November 2026 – 17 November 2026) hanya tersimpan sebagai ringkasan harian"
    text = _text(tmp_path)
    assert f"Permintaan dalam periode: {traffic_read['hits']}" in text
    assert f"Pengunjung unik dalam periode: {traffic_read['visitors']}" in text
    assert f"Permintaan periode sebelumnya: {traffic_read['previous']}" in text
    assert "Situs PN Bangil 303 76 +1415,0% 4 5 3" in text
    assert retired in text
    log = _text(tmp_path, "visitors")
    assert "Permintaan: 303" in log
    assert "Galat server (5xx): 5" in log
    assert retired in log
    assert "/tidak-ada" not in log  # the 404 panel's lines went with retention; only the day totals are left
