"""The situation report, rendered as a PDF through the command line and read back as text."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import close_old_connections

from jaga.core import clock
from jaga.reports.formatting import percent
from jaga.reports.models import Report
from jaga.reports.tests.conftest import WIB, pdf_pictures, pdf_text

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
