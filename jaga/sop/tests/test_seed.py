from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from jaga.sop.models import Activity, LegalBasis, Sop
from jaga.sop.seed import DEFAULT_SOP_FILE, SopParseError, parse_date, parse_time_standard, sop_parse_file

SOP_TEXT = DEFAULT_SOP_FILE.read_text(encoding="utf-8")


def test_it_reads_the_header_of_the_real_sop() -> None:
    parsed = sop_parse_file(path=DEFAULT_SOP_FILE)
    assert parsed.number == "W14.U21/10/SOP/09/2016"
    assert parsed.title == "SOP PENGELOLAAN WEBSITE"
    assert parsed.created_date == dt.date(2016, 9, 19)
    assert parsed.revision_date is None
    assert parsed.effective_date == dt.date(2016, 9, 20)
    assert parsed.approved_by == "Ketua Pengadilan Negeri Bangil"
    assert parsed.related_sops == ["SOP Bagian Umum dan Keuangan"]
    assert parsed.warning.startswith("Jika SOP ini tidak dilaksanakan")


def test_it_reads_the_lists_of_the_real_sop() -> None:
    parsed = sop_parse_file(path=DEFAULT_SOP_FILE)
    assert len(parsed.legal_bases) == 5
    assert "1-144/KMA/SK/I/2011" in parsed.legal_bases[3]
    assert parsed.qualifications[0] == "Strata Satu (S1)"
    assert len(parsed.qualifications) == 5
    assert parsed.equipment == ["Jaringan Internet", "Peralatan jaringan", "Komputer Server", "Komputer Administrator"]


def test_it_reads_the_seven_activities_with_their_time_standards() -> None:
    activities = sop_parse_file(path=DEFAULT_SOP_FILE).activities
    assert [a.number for a in activities] == [1, 2, 3, 4, 5, 6, 7]
    assert [a.time_standard_label for a in activities] == [
        "2 jam", "6 jam", "Relatif", "Relatif", "15 menit", "Relatif", "Relatif",
    ]  # fmt: skip
    assert activities[0].time_standard == dt.timedelta(hours=2)
    assert activities[1].time_standard == dt.timedelta(hours=6)
    assert activities[4].time_standard == dt.timedelta(minutes=15)
    assert activities[2].time_standard is None
    assert activities[1].output == "ADK / Dokumen elektronik"


def test_it_assigns_executors_and_rhythms_as_the_design_reads_them() -> None:
    activities = {a.number: a for a in sop_parse_file(path=DEFAULT_SOP_FILE).activities}
    assert activities[1].executors == ["staff_p2ti", "kasubbag_ptip"]
    assert activities[4].executors == ["staff_p2ti", "kasubbag_umum", "sekretaris"]
    assert activities[5].executors == ["staff_p2ti", "sekretaris"]
    assert activities[1].recurrence == dt.timedelta(hours=2)
    assert activities[2].recurrence == dt.timedelta(hours=6)
    assert activities[5].recurrence is None


def test_it_takes_marked_executor_columns_over_the_defaults(tmp_path: Path) -> None:
    text = SOP_TEXT.replace("2 jam", "1 jam").replace(
        "ketersediaan akses online website\t\t\t\t\t", "ketersediaan akses online website\t\t\t√\t\t"
    )
    path = tmp_path / "sop.txt"
    path.write_text(text, encoding="utf-8")
    first = sop_parse_file(path=path).activities[0]
    assert first.executors == ["kasubbag_umum"]
    assert first.time_standard == dt.timedelta(hours=1)


def test_it_parses_indonesian_dates_and_times() -> None:
    assert parse_date("1 Agustus 2022") == dt.date(2022, 8, 1)
    assert parse_date("17 Desember 2023") == dt.date(2023, 12, 17)
    assert parse_date("") is None
    assert parse_time_standard("1 hari") == dt.timedelta(days=1)
    with pytest.raises(ValueError, match="Tigabelas"):
        parse_date("3 Tigabelas 2020")
    with pytest.raises(ValueError, match="sebentar"):
        parse_time_standard("sebentar")


def _corrupt(tmp_path: Path, old: str, new: str) -> Path:
    assert old in SOP_TEXT
    path = tmp_path / "rusak.txt"
    path.write_text(SOP_TEXT.replace(old, new), encoding="utf-8")
    return path


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_it_names_file_and_line_of_a_bad_time(tmp_path: Path) -> None:
    path = _corrupt(tmp_path, "\t6 jam\t", "\tenam jam\t")
    with pytest.raises(SopParseError) as caught:
        sop_parse_file(path=path)
    assert caught.value.line == _line_of(SOP_TEXT, "\t6 jam\t")
    assert str(caught.value).startswith(f"{path}:{caught.value.line}: ")
    assert "'2 jam'" in str(caught.value)


def test_it_names_file_and_line_of_a_bad_date(tmp_path: Path) -> None:
    path = _corrupt(tmp_path, "20 September 2016", "20 Sept3mber 2016")
    with pytest.raises(SopParseError, match=rf"rusak.txt:{_line_of(SOP_TEXT, 'Tanggal Efektif')}: tanggal"):
        sop_parse_file(path=path)


def test_it_names_an_out_of_sequence_item(tmp_path: Path) -> None:
    path = _corrupt(tmp_path, "- 3 Peraturan Komisi", "- 7 Peraturan Komisi")
    with pytest.raises(SopParseError, match="expected 3"):
        sop_parse_file(path=path)


def test_it_refuses_a_truncated_activity_row(tmp_path: Path) -> None:
    row = next(line for line in SOP_TEXT.splitlines() if line.startswith("3\t"))
    path = _corrupt(tmp_path, row, "3\tMemonitoring aktivitas pengunjung")
    with pytest.raises(SopParseError, match=rf":{_line_of(SOP_TEXT, row)}: .*10 "):
        sop_parse_file(path=path)


def test_the_command_stores_nothing_from_a_corrupt_file(tmp_path: Path, institution) -> None:  # type: ignore[no-untyped-def]
    path = _corrupt(tmp_path, "\tRelatif\tpemecahan masalah", "\tkapan-kapan\tpemecahan masalah")
    with pytest.raises(CommandError, match=rf"rusak.txt:{_line_of(SOP_TEXT, 'kondisi	Relatif	pemecahan')}:"):
        call_command("sop_seed", file=str(path), institution=institution.slug)
    assert not Sop.objects.exists()
    assert not LegalBasis.objects.exists()
    assert not Activity.objects.exists()


def test_the_command_rolls_back_when_storing_fails_halfway(tmp_path: Path, institution, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from jaga.sop import services

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk penuh")

    monkeypatch.setattr(services.Activity.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        call_command("sop_seed", institution=institution.slug)
    assert not Sop.objects.exists()
    assert not LegalBasis.objects.exists()


def test_the_command_seeds_a_courts_own_sop_once(tmp_path: Path, institution) -> None:  # type: ignore[no-untyped-def]
    path = _corrupt(tmp_path, "W14.U21/10/SOP/09/2016", "W14.U99/1/SOP/01/2024")
    call_command("sop_seed", file=str(path), institution=institution.slug)
    call_command("sop_seed", file=str(path), institution=institution.slug)
    sop = Sop.objects.get()
    assert sop.institution == institution
    assert sop.number == "W14.U99/1/SOP/01/2024"
    assert sop.activities.count() == 7


def test_the_command_refuses_an_unknown_institution(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="tidak-ada"):
        call_command("sop_seed", institution="tidak-ada")


def test_the_command_seeds_the_template_by_default(db) -> None:  # type: ignore[no-untyped-def]
    call_command("sop_seed")
    call_command("sop_seed")
    assert Sop.objects.get().institution is None
