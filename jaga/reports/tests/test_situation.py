"""The situation report, rendered as a PDF through the command line and read back as text."""

from __future__ import annotations

import datetime as dt
import subprocess
import threading
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import close_old_connections

from jaga.core import clock
from jaga.reports.formatting import ROMAN_MONTHS, percent
from jaga.reports.models import Report
from jaga.reports.tests.conftest import WIB, docs_picture, pdf_pictures, pdf_text

NOW = dt.datetime(2026, 12, 2, 8, 15, tzinfo=WIB)


def _build(tmp_path, *extra: str, name: str = "laporan.pdf"):  # type: ignore[no-untyped-def]
    target = tmp_path / name
    with clock.frozen(NOW):
        call_command("report", "build", "situation", "--institution", "pn-bangil", "--period", "2026-11",
                     "--pdf", str(target), *extra)  # fmt: skip
    return target


@pytest.mark.django_db
def test_it_renders_the_letter_with_its_sections_number_and_indonesian_dates(month_data, tmp_path):
    target = _build(tmp_path)
    text = pdf_text(target)
    for heading in ("LAPORAN TENTANG SITUASI DAN KONDISI WEBSITE", "A. Pendahuluan", "Maksud dan Tujuan",
                    "Ruang Lingkup", "Dasar", "B. Kegiatan yang Dilaksanakan", "C. Hasil yang Dicapai",
                    "D. Simpulan dan Saran", "E. Penutup"):  # fmt: skip
        assert heading in text, heading
    assert "PENGADILAN NEGERI BANGIL" in text
    assert "Nomor: W14.U21/1/OT.01/XII/2026" in text
    assert "Periode: November 2026" in text
    assert "Bangil, 2 Desember 2026" in text
    flat = " ".join(text.split())
    assert "SOP PENGELOLAAN WEBSITE nomor" in flat
    assert "SOP SOP" not in flat  # the SOP's title names itself
    report = Report.objects.get()
    assert report.number == "W14.U21/1/OT.01/XII/2026"
    assert report.pdf_sha256
    assert report.pdf.read() == target.read_bytes()  # the archive keeps the PDF as it went out
    pdf_pictures(target, "situation-id")
    docs_picture(target, "situation", 2)


@pytest.mark.django_db
def test_its_figures_are_the_data(month_data, tmp_path):
    text = " ".join(pdf_text(_build(tmp_path)).split())
    checks, down = month_data["checks"], month_data["down"]
    expected = percent(100.0 * (checks - down) / checks)
    assert expected == "99,31%"
    assert f"Uptime seluruh pemeriksaan: {expected}" in text
    assert "Gangguan (situs tidak dapat diakses): 2" in text
    # Conclusions drafted by rules from the data.
    assert (
        "2 dari 4 halaman wajib Situs PN Bangil lebih tua dari batas usianya: perbarui Jadwal Sidang, Laporan Keuangan."
        in text
    )
    assert "pn-bangil.go.id berakhir 12 Desember 2026 dan belum diproses perpanjangannya." in text
    # Every app is installed: no section is left "belum tersedia".
    assert "belum tersedia" not in text


@pytest.mark.django_db
def test_it_speaks_english_on_request(month_data, tmp_path):
    text = pdf_text(_build(tmp_path, "--lang", "en"))
    assert "REPORT ON THE SITUATION AND CONDITION OF THE WEBSITE" in text
    assert "A. Introduction" in text
    assert "December 2026" in text
    pdf_pictures(tmp_path / "laporan.pdf", "situation-en")


@pytest.mark.django_db
def test_numbers_follow_each_other_and_a_draft_takes_none(month_data, tmp_path):
    _build(tmp_path, name="a.pdf")
    draft = pdf_text(_build(tmp_path, "--draft", name="b.pdf"))
    assert "KONSEP" in draft
    _build(tmp_path, name="c.pdf")
    assert list(Report.objects.order_by("pk").values_list("number", flat=True)) == [
        "W14.U21/1/OT.01/XII/2026",
        "W14.U21/2/OT.01/XII/2026",
    ]


@pytest.mark.django_db
def test_bad_input_is_refused_in_words(month_data, tmp_path):
    with pytest.raises(CommandError, match="Periode tidak dikenal"):
        call_command("report", "build", "situation", "--institution", "pn-bangil", "--period", "2026-13",
                     "--pdf", str(tmp_path / "x.pdf"))  # fmt: skip
    with pytest.raises(CommandError, match="Jenis laporan tidak dikenal"):
        call_command("report", "build", "nope", "--institution", "pn-bangil", "--period", "2026-11",
                     "--pdf", str(tmp_path / "x.pdf"))  # fmt: skip
    with pytest.raises(CommandError, match="no such institution"):
        call_command("report", "build", "situation", "--institution", "x", "--period", "2026-11",
                     "--pdf", str(tmp_path / "x.pdf"))  # fmt: skip
    assert not Report.objects.exists()
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=["default"])
def test_two_numbers_taken_at_once_differ_on_postgresql(institution):
    from django.db import connection

    from jaga.reports.services import letter_number_take

    if connection.vendor != "postgresql":
        pytest.skip("runs under the PostgreSQL settings (make test-postgres)")
    barrier = threading.Barrier(4)
    numbers: list[str] = []

    def take() -> None:
        try:
            barrier.wait()
            numbers.append(letter_number_take(institution=institution, classification="OT.01", at=NOW)[1])
        finally:
            close_old_connections()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(numbers) == [f"W14.U21/{n}/OT.01/XII/2026" for n in range(1, 5)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=["default"])
def test_two_reports_issued_at_once_by_two_processes_get_two_numbers(institution, tmp_path):
    """Two ``jaga report build`` processes at the same moment, against the same PostgreSQL database: each
    report is issued with a number of its own, one after the other in the institution's sequence."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from django.db import connection

    from jaga.sop.services import sop_seed_default

    if connection.vendor != "postgresql":
        pytest.skip("runs under the PostgreSQL settings (make test-postgres)")
    sop_seed_default()
    db = connection.settings_dict
    url = f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = dict(os.environ, DATABASE_URL=url, JAGA_DATA_DIR=str(tmp_path / "data"), JAGA_LOG_LEVEL="WARNING")
    (tmp_path / "data").mkdir()
    jaga = str(Path(sys.executable).with_name("jaga"))
    processes = [
        subprocess.Popen(
            [jaga, "report", "build", "situation", "--institution", "pn-bangil", "--period", "2026-11",
             "--pdf", str(tmp_path / f"{n}.pdf")],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        for n in (1, 2)
    ]  # fmt: skip
    outputs = [process.communicate(timeout=300)[0] for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    numbers = sorted(Report.objects.values_list("number", flat=True))
    today = clock.now().astimezone(WIB)
    month = ROMAN_MONTHS[today.month - 1]
    year = today.year
    assert numbers == [f"W14.U21/{n}/OT.01/{month}/{year}" for n in (1, 2)]
    for n in (1, 2):
        assert any(number in pdf_text(tmp_path / f"{n}.pdf") for number in numbers)


def test_a_table_caption_never_ends_a_pdf_page_alone(tmp_path: Path) -> None:
    """Whatever comes before a table, its caption is printed on the page of its first rows."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from jaga.reports.document import Table
    from jaga.reports.render import letter_css

    table = Table(key="t", title="Tabel Ketersediaan Situs", headers=["Situs", "Uptime"],
                  rows=[[f"Situs {i}", "99,9%"] for i in range(30)])  # fmt: skip
    captions_on_first_page = 0
    for tenths in range(200, 262, 3):  # the filler pushes the table down the first page, past its end
        html = (
            f"<html><head><style>{letter_css()}</style></head><body><article class='letter'>"
            f"<div style='height:{tenths / 10}cm'></div>{render_to_string('reports/_table.html', {'table': table})}"
            "</article></body></html>"
        )
        target = tmp_path / f"{tenths}.pdf"
        target.write_bytes(HTML(string=html).write_pdf() or b"")
        first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(target), "-"], check=True,
                               capture_output=True, text=True).stdout  # fmt: skip
        if "Tabel Ketersediaan Situs" in first:
            captions_on_first_page += 1
            assert "Situs 0" in first, f"the caption ends page 1 alone after {tenths / 10} cm"
    assert captions_on_first_page > 0  # the sweep did reach positions where the caption fits on page 1
