"""The other reports behind the registry: the visitor activity log, the ADK register, the monthly SOP compliance
recap and the high court's overview. Each built through the command line into a PDF, read back as text and
checked against the data made by the apps' own services; each kept as pictures under test-artefacts/."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from jaga.core import clock
from jaga.reports.tests.conftest import WIB, docs_picture, pdf_pictures, pdf_text

NOW = dt.datetime(2026, 12, 2, 8, 15, tzinfo=WIB)


DOCS_PAGES = {"visitors": 2, "adk": 1, "compliance": 2, "overview": 1}  # the page each kind shows in docs/


def _build(tmp_path: Path, kind: str, *extra: str, institution: str = "pn-bangil") -> str:
    target = tmp_path / f"{kind}.pdf"
    with clock.frozen(NOW):
        call_command("report", "build", kind, "--institution", institution, "--period", "2026-11",
                     "--pdf", str(target), *extra)  # fmt: skip
    pdf_pictures(target, f"{kind}-{'-'.join(extra) or 'id'}")
    if not extra and (kind != "overview" or institution != "pn-bangil"):  # the overview with its courts
        docs_picture(target, kind, DOCS_PAGES[kind])
    return " ".join(pdf_text(target).split())


@pytest.mark.django_db
def test_the_visitor_log_has_each_sites_days_pages_and_errors(
    month_data: Any, traffic_read: dict[str, Any], tmp_path: Path, client: Any, people: dict
) -> None:
    from jaga.reports.models import Report

    text = _build(tmp_path, "visitors")
    assert "LAPORAN TENTANG LOG AKTIVITAS PENGUNJUNG WEBSITE" in text
    assert "Nomor: W14.U21/1/OT.01/XII/2026" in text
    assert "Log aktivitas pengunjung Situs PN Bangil" in text
    assert "Permintaan: 303" in text
    assert "Pengunjung unik: 76" in text
    assert "Tidak ditemukan (404): 4" in text
    assert "Galat server (5xx): 5" in text
    # The days are a picture in the letter; their figures are the table's CSV (below).
    assert "Pengunjung dan permintaan per hari: angka 3 hari ada di berkas CSV tabel ini" in text
    assert "3 November 2026 100 25" not in text
    assert "/tidak-ada 4 4" in text  # the 404 panel: 4 requests from 4 addresses
    assert "Percobaan injeksi SQL" in text
    assert "Log aktivitas pengunjung Situs SIPP tidak ada data" in text
    # The same tables as CSV from the report's page.
    report = Report.objects.get()
    client.force_login(people["auditor"])
    response = client.get(f"/reports/pn-bangil/{report.pk}/csv/", {"tabel": f"daily-{traffic_read['site'].pk}"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Tanggal", "Permintaan", "Pengunjung unik", "Data (MB)"]
    assert [row[:3] for row in rows[1:]] == [
        ["3 November 2026", "100", "25"],
        ["10 November 2026", "103", "26"],
        ["17 November 2026", "100", "25"],
    ]


@pytest.mark.django_db
def test_the_adk_register_lists_the_backups_and_the_medium_each_went_to(
    month_data: Any, backed_up: dict[str, Any], tmp_path: Path
) -> None:
    first, _drill, export_run, _failed, last = backed_up["runs"]
    export = export_run.export
    assert export.snapshot_id == first.snapshot_id  # the disk holds the backup of 3 November
    text = _build(tmp_path, "adk")
    assert "LAPORAN TENTANG REGISTER ARSIP DATA KOMPUTER (ADK) CADANGAN WEBSITE" in text
    assert "Cadangan berhasil dalam periode: 2" in text
    assert "Di antaranya tersalin ke media ADK: 1" in text
    assert "Media ADK dibuat dalam periode: 1" in text
    assert "Media yang belum dibaca ulang (verifikasi): 0" in text
    assert f"3 November 2026 01.00 Situs PN Bangil Situs PN {first.snapshot_id[:8]}" in text
    assert f"{last.snapshot_id[:8]}" in text
    assert "belum disalin ke media" in text  # the backup of 21 November
    assert "ADK November" in text
    assert "Lemari TI" in text
    medium = export.get_medium_display()
    assert f"5 November 2026 Situs PN Bangil {medium} ADK November {export.snapshot_id[:8]}" in text


@pytest.fixture
def ledger_month(institution: Any, site: Any) -> None:
    """November 2026: monitoring rounds every 2 hours with one 10-hour hole on the 10th; two backups, the second
    7 hours long (over its 6-hour standard)."""
    from jaga.sop.services import ledger_record, sop_seed_default

    sop_seed_default()
    start = dt.datetime(2026, 11, 1, 0, 0, tzinfo=WIB)
    hole = (dt.datetime(2026, 11, 10, 2, 0, tzinfo=WIB), dt.datetime(2026, 11, 10, 8, 0, tzinfo=WIB))
    at = start
    while at < dt.datetime(2026, 12, 1, tzinfo=WIB):
        if not hole[0] <= at <= hole[1]:
            ledger_record(activity_key="monitoring", institution=institution, site=site, started_at=at,
                          ended_at=at + dt.timedelta(minutes=5), outcome="success")  # fmt: skip
        at += dt.timedelta(hours=2)
    for day, hours in ((5, 1), (20, 7)):
        begin = dt.datetime(2026, 11, day, 1, 0, tzinfo=WIB)
        ledger_record(activity_key="backup", institution=institution, site=site, started_at=begin,
                      ended_at=begin + dt.timedelta(hours=hours), outcome="success")  # fmt: skip


@pytest.mark.django_db
def test_the_compliance_recap_counts_executions_lateness_and_overdue_spans(ledger_month: None, tmp_path: Path) -> None:
    text = _build(tmp_path, "compliance")
    assert "LAPORAN TENTANG REKAPITULASI KEPATUHAN SOP PENGELOLAAN WEBSITE" in text
    # Activity 1: 360 two-hour slots less the 4 of the hole; all within 2 hours; once overdue, 8 hours.
    assert "1 2 jam 356 356 356 0 100,0% 0 1 8,0 jam" in text
    assert "10 November 2026 02.05 10 November 2026 10.05 8,0 jam" in text
    assert "Aktivitas 1 terlambat 1 kali dalam periode ini, seluruhnya 8,0 jam." in text
    # Activity 2: two backups, one over 6 hours; overdue from 5 Nov 08.00 to 20 Nov 08.00 and from 20 Nov 14.00.
    assert "2 6 jam 2 2 1 1 50,0% 0 2 610,0 jam" in text
    assert "Aktivitas 2: 1 dari 2 pelaksanaan melewati mutu baku 6 jam." in text
    assert "2 20 November 2026 01.00 7,0 jam" in text  # the late execution
    assert "Aktivitas 3 tidak tercatat dilaksanakan dalam periode ini." in text


@pytest.mark.django_db
def test_the_overview_covers_the_supervised_courts(month_data: Any, other_institution: Any, tmp_path: Path) -> None:
    from jaga.core.models import Institution, Site
    from jaga.reports.models import Supervision

    high = Institution.objects.create(name="Pengadilan Tinggi Surabaya", slug="pt-surabaya", city="Surabaya",
                                      letter_prefix="W14")  # fmt: skip
    Site.objects.create(institution=other_institution, name="Situs PN Pasuruan", base_url="http://127.0.0.1:9/p/")
    for court in (month_data["http"].site.institution, other_institution):
        Supervision.objects.create(supervisor=high, institution=court)
    text = _build(tmp_path, "overview", institution="pt-surabaya")
    assert "LAPORAN TENTANG IKHTISAR PENGELOLAAN WEBSITE SATUAN KERJA" in text
    assert "Nomor: W14/1/OT.01/XII/2026" in text
    assert "Satuan kerja: 2" in text
    # The scope names courts in words, not a "situs:" label.
    assert (
        "Laporan ini mencakup periode November 2026 untuk satuan kerja yang diawasi berikut: Pengadilan Negeri "
        "Bangil, Pengadilan Negeri Pasuruan." in text
    )
    assert "situs:" not in text
    # PN Bangil: 1 site, uptime of its month of rollups, 2 outages, 1 content finding, no backup plan.
    assert "Pengadilan Negeri Bangil 1 99,31% 2 1 0/0 belum pernah – 1, 2, 3, 4, 5, 6, 7" in text
    assert "Pengadilan Negeri Pasuruan 1 – 0" in text  # no monitor: no uptime, no outage
    assert "Pengadilan Negeri Bangil: 1 temuan konten (kesegaran atau halaman wajib)." in text
    assert "Pengadilan Negeri Bangil belum punya rencana pencadangan." in text
    assert "Pengadilan Negeri Pasuruan belum memantau ketersediaan situsnya." in text
    english = _build(tmp_path, "overview", "--lang", "en", institution="pt-surabaya")
    assert (
        "This report covers November 2026 for these supervised courts: Pengadilan Negeri Bangil, Pengadilan "
        "Negeri Pasuruan." in english
    )


@pytest.mark.django_db
def test_an_overview_without_supervised_courts_says_so(month_data: Any, tmp_path: Path) -> None:
    text = _build(tmp_path, "overview")
    assert "Belum ada satuan kerja di bawah pengawasan Pengadilan Negeri Bangil." in text


@pytest.mark.django_db
def test_every_kind_speaks_english_on_request(month_data: Any, tmp_path: Path) -> None:
    from jaga.reports.builders import REGISTRY

    kinds = list(REGISTRY.keys())
    assert len(kinds) == 5
    for kind in kinds:
        text = _build(tmp_path, kind, "--lang", "en")
        assert "REPORT ON" in text, kind
        assert "A. Introduction" in text, kind
        assert "December 2026" in text, kind
        assert "This report covers November 2026" in text, kind
