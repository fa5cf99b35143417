"""The accreditation evidence pack: every file it lists is in it with the right hash, the evidence files and the
reports as they were sent, and a month with no activity says so."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from jaga.core import clock
from jaga.reports.tests.conftest import WIB, pdf_text

NOW = dt.datetime(2026, 12, 2, 8, 15, tzinfo=WIB)


@pytest.fixture
def november(institution: Any, site: Any, people: dict) -> dict[str, Any]:
    """November 2026: three monitoring rounds, a manual incident action with two evidence files, 120 backups
    (more than a PDF lists one by one) and a situation report sent to the Secretary (activity 5)."""
    from jaga.reports import delivery, services
    from jaga.reports.document import Period
    from jaga.sop.services import ledger_record, sop_seed_default

    sop_seed_default()
    for hour in (8, 10, 12):
        at = dt.datetime(2026, 11, 3, hour, tzinfo=WIB)
        ledger_record(activity_key="monitoring", institution=institution, site=site, started_at=at,
                      ended_at=at + dt.timedelta(minutes=4), outcome="success")  # fmt: skip
    action = dt.datetime(2026, 11, 12, 9, tzinfo=WIB)
    entry = ledger_record(
        activity_key="incident_action", institution=institution, site=site, performed_by=people["staff"],
        started_at=action, ended_at=action + dt.timedelta(hours=1), outcome="success", notes="Plugin diperbarui",
        evidence_files=[ContentFile(b"foto layar sebelum", name="sebelum.png"),
                        ContentFile(b"catatan vendor", name="tiket vendor.txt")],
    )  # fmt: skip
    for i in range(120):
        at = dt.datetime(2026, 11, 1, 0, tzinfo=WIB) + dt.timedelta(hours=6 * i)
        ledger_record(activity_key="backup", institution=institution, site=site, started_at=at,
                      ended_at=at + dt.timedelta(minutes=20), outcome="success")  # fmt: skip
    with clock.frozen(dt.datetime(2026, 11, 30, 9, 0, tzinfo=WIB)):
        report = services.report_create(
            institution=institution, kind="situation", period=Period(dt.date(2026, 11, 1), dt.date(2026, 11, 29)),
            created_by=people["staff"],
        )  # fmt: skip
    with clock.frozen(dt.datetime(2026, 11, 30, 9, 10, tzinfo=WIB)):
        report = delivery.report_send(report=report, user=people["staff"])
    return {"entry": entry, "report": report}


def _pack(tmp_path: Path, period: str = "2026-10-01..2026-11-30") -> zipfile.ZipFile:
    out = tmp_path / "bukti.zip"
    with clock.frozen(NOW):
        call_command("report", "evidence-pack", "--institution", "pn-bangil", "--period", period, "--out", str(out))
    assert not (tmp_path / "bukti.zip.part").exists()
    return zipfile.ZipFile(out)


def _sums(pack: zipfile.ZipFile) -> dict[str, str]:
    lines = pack.read("SHA256SUMS").decode().splitlines()
    return {line[66:]: line[:64] for line in lines}


@pytest.mark.django_db
def test_every_listed_file_is_in_the_pack_with_its_hash(november: dict[str, Any], tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    sums = _sums(pack)
    names = set(pack.namelist())
    assert {"index.html", "index.csv", "SHA256SUMS"} <= names
    assert set(sums) == names - {"SHA256SUMS", "index.csv"}  # every member but the two listings is listed
    for name, digest in sums.items():
        assert hashlib.sha256(pack.read(name)).hexdigest() == digest, name
    listed = {row["path"]: row for row in csv.DictReader(io.StringIO(pack.read("index.csv").decode()))}
    assert {path: row["sha256"] for path, row in listed.items()} == sums
    assert not any(row["note"] for row in listed.values())
    # Arranged by activity and month: each of the seven activities has both months.
    for number in range(1, 8):
        for month in ("2026-10", "2026-11"):
            assert f"aktivitas-{number}/{month}/ledger.pdf" in names
            assert f"aktivitas-{number}/{month}/ledger.csv" in names
    index = pack.read("index.html").decode()
    for name in sums:
        if name != "index.html":
            assert f'href="{name}"' in index, name
            assert sums[name] in index, name


@pytest.mark.django_db
def test_the_evidence_files_and_the_sent_report_are_as_stored(november: dict[str, Any], tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    sums = _sums(pack)
    entry, report = november["entry"], november["report"]
    folder = f"aktivitas-{entry.activity_number}/2026-11/bukti"
    for evidence in entry.evidence.all():
        stored = [name for name in sums if name.startswith(f"{folder}/{entry.pk}-")]
        assert evidence.sha256 in {sums[name] for name in stored}
    assert pack.read(f"{folder}/{entry.pk}-sebelum.png") == b"foto layar sebelum"
    assert pack.read(f"{folder}/{entry.pk}-tiket_vendor.txt") == b"catatan vendor"
    sent = "aktivitas-5/2026-11/laporan/W14.U21-1-OT.01-XI-2026.pdf"
    assert sums[sent] == report.pdf_sha256
    assert pack.read(sent) == Path(report.pdf.path).read_bytes()


@pytest.mark.django_db
def test_a_month_with_no_activity_says_so(november: dict[str, Any], tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    index = pack.read("index.html").decode()
    october = index.split('id="aktivitas-1-2026-10"', 1)[1].split("</tr>", 1)[0]
    assert "Tidak ada pelaksanaan aktivitas ini pada bulan ini." in october
    november_row = index.split('id="aktivitas-1-2026-11"', 1)[1].split("</tr>", 1)[0]
    assert "Tidak ada pelaksanaan" not in november_row
    assert "<td>3</td>" in november_row
    (tmp_path / "oct.pdf").write_bytes(pack.read("aktivitas-1/2026-10/ledger.pdf"))
    assert "Tidak ada pelaksanaan aktivitas ini pada bulan ini." in pdf_text(tmp_path / "oct.pdf")
    rows = list(csv.reader(io.StringIO(pack.read("aktivitas-1/2026-10/ledger.csv").decode("utf-8-sig"))))
    assert len(rows) == 1  # the header only


@pytest.mark.django_db
def test_a_busy_month_is_summed_up_per_day_in_the_pdf_and_whole_in_the_csv(
    november: dict[str, Any], tmp_path: Path
) -> None:
    pack = _pack(tmp_path, "2026-11")
    (tmp_path / "backup.pdf").write_bytes(pack.read("aktivitas-2/2026-11/ledger.pdf"))
    text = " ".join(pdf_text(tmp_path / "backup.pdf").split())
    assert "Pelaksanaan dalam bulan ini: 120" in text
    assert "dirangkum per hari" in text
    assert "1 November 2026 4 4 0 00.00 – 18.00" in text
    rows = list(csv.reader(io.StringIO(pack.read("aktivitas-2/2026-11/ledger.csv").decode("utf-8-sig"))))
    assert len(rows) == 121
    (tmp_path / "monitoring.pdf").write_bytes(pack.read("aktivitas-1/2026-11/ledger.pdf"))
    text = " ".join(pdf_text(tmp_path / "monitoring.pdf").split())
    assert "3 November 2026 10.00 4 menit ya Berhasil Jaga Situs PN Bangil" in text
    assert "Pelaksanaan dalam bulan ini: 3 Tepat waktu: 100,0%" in text


@pytest.mark.django_db
def test_an_evidence_file_changed_after_upload_is_marked(november: dict[str, Any], tmp_path: Path) -> None:
    evidence = november["entry"].evidence.get(original_name="sebelum.png")
    Path(evidence.file.path).write_bytes(b"diubah kemudian")
    pack = _pack(tmp_path, "2026-11")
    listed = {row["path"]: row for row in csv.DictReader(io.StringIO(pack.read("index.csv").decode()))}
    row = listed[f"aktivitas-6/2026-11/bukti/{november['entry'].pk}-sebelum.png"]
    assert row["note"] == "SHA-256 berbeda dari saat diunggah"
    assert row["sha256"] == hashlib.sha256(b"diubah kemudian").hexdigest()
    assert "SHA-256 berbeda dari saat diunggah" in pack.read("index.html").decode()


@pytest.mark.django_db
def test_bad_input_is_refused_and_writes_nothing(institution: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Periode tidak dikenal"):
        call_command("report", "evidence-pack", "--institution", "pn-bangil", "--period", "2026-13",
                     "--out", str(tmp_path / "x.zip"))  # fmt: skip
    with pytest.raises(CommandError, match="no such institution"):
        call_command("report", "evidence-pack", "--institution", "x", "--period", "2026-11",
                     "--out", str(tmp_path / "x.zip"))  # fmt: skip
    assert not list(tmp_path.glob("x.zip*"))
