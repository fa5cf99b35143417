"""The situation report's sections from the other apps, with data made by those apps' own services."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command

from jaga.core import clock
from jaga.reports.tests.conftest import WIB, pdf_text

NOW = dt.datetime(2026, 12, 2, 8, 15, tzinfo=WIB)


def _text(tmp_path: Path, *extra: str) -> str:
    target = tmp_path / "laporan.pdf"
    with clock.frozen(NOW):
        call_command("report", "build", "situation", "--institution", "pn-bangil", "--period", "2026-11",
                     "--pdf", str(target), *extra)  # fmt: skip
    return " ".join(pdf_text(target).split())


@pytest.mark.django_db
def test_the_backups_section_reports_the_runs_drill_failures_and_adk_media(month_data, backed_up, tmp_path):
    text = _text(tmp_path)
    assert "Pencadangan (backup) dan uji pemulihan belum tersedia" not in text
    assert "Rencana pencadangan: 1" in text
    assert "Pencadangan berhasil dalam periode: 2" in text
    assert "Pekerjaan cadangan yang gagal dalam periode: 1" in text
    assert "Latihan pemulihan berhasil dalam periode: 1" in text
    assert "Media ADK yang dibuat dalam periode: 1" in text
    assert "21 November 2026" in text  # the last good backup
    assert "4 November 2026" in text  # the last drill
    assert "ADK November" in text
    assert "Lemari TI" in text
    assert "1 pekerjaan cadangan gagal dalam periode ini." in text  # a conclusion drafted by rule
    assert "Salin cadangan terbaru ke media luring" not in text  # there is a medium this month


@pytest.mark.django_db
def test_a_plan_without_drill_or_good_backup_gets_recommendations(  # type: ignore[no-untyped-def]
    month_data, site, tmp_path, settings, initialized_repository
):
    from jaga.backups import services
    from jaga.backups.tests.conftest import local_repository

    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    repository = local_repository(site.institution, initialized_repository, tmp_path / "repo")
    plan = services.plan_create(site=site, name="Situs PN", repository=repository)
    type(plan).objects.filter(pk=plan.pk).update(created_at=dt.datetime(2026, 10, 20, tzinfo=WIB))  # auto_now_add
    services.source_add(plan=plan, kind="files", name="www", config={"path": str(tmp_path / "none")})
    with clock.frozen(dt.datetime(2026, 11, 10, 1, 0, tzinfo=WIB)):
        services.backup_run(plan=plan)
    text = _text(tmp_path)
    assert "Situs PN Bangil — Situs PN tidak punya cadangan yang berhasil dalam periode ini." in text
    assert "Jalankan latihan pemulihan untuk Situs PN Bangil — Situs PN." in text
    assert "Salin cadangan terbaru ke media luring (ADK)" in text


@pytest.mark.django_db
def test_the_problems_section_has_the_solutions_and_times(month_data, site, staff, tmp_path):
    from jaga.incidents.models import State
    from jaga.incidents.services.workflow import incident_acknowledge, incident_open_manual, incident_state_change

    start = dt.datetime(2026, 11, 10, 9, 0, tzinfo=WIB)
    solved = incident_open_manual(site=site, user=staff, kind="manual", summary="Formulir galat", at=start)
    solved = incident_acknowledge(incident=solved, user=staff, at=start + dt.timedelta(minutes=12))
    for state in (State.IDENTIFIED, State.MONITORING):
        solved = incident_state_change(incident=solved, user=staff, to_state=state, at=start + dt.timedelta(minutes=30))
    incident_state_change(
        incident=solved, user=staff, to_state=State.RESOLVED, note="Plugin formulir diperbarui, diuji terkirim.",
        at=start + dt.timedelta(hours=2),
    )  # fmt: skip
    later = dt.datetime(2026, 11, 28, 14, 0, tzinfo=WIB)
    incident_open_manual(site=site, user=staff, kind="manual", summary="Tautan SIPP putus", at=later)
    text = _text(tmp_path)
    assert "Permasalahan dan alternatif pemecahannya belum tersedia" not in text
    assert "Permasalahan dalam periode: 2" in text
    assert "Diselesaikan dalam periode: 1" in text
    assert "Masih terbuka pada akhir periode: 1" in text
    assert "Rata-rata waktu sampai ditangani: 12 menit" in text
    assert "Rata-rata waktu sampai selesai: 120 menit" in text
    assert "Plugin formulir diperbarui" in text
    assert "Masalah “Tautan SIPP putus” di Situs PN Bangil masih terbuka pada akhir periode." in text
    assert "Tunjuk penanggung jawab untuk masalah “Tautan SIPP putus”" in text


@pytest.mark.django_db
def test_many_open_problems_are_summed_up_in_one_conclusion(month_data, site, staff, tmp_path):
    from jaga.incidents.services.workflow import incident_open_manual

    for day in range(1, 8):
        incident_open_manual(site=site, user=staff, kind="manual", summary=f"Galat {day}",
                             at=dt.datetime(2026, 11, day, 9, 0, tzinfo=WIB))  # fmt: skip
    text = _text(tmp_path)
    assert "7 masalah masih terbuka pada akhir periode, antara lain “Galat 1”; “Galat 2”" in text
    assert "Tetapkan penanggung jawab dan tenggat untuk 7 masalah yang masih terbuka." in text
    assert "Masalah “Galat 1” di Situs PN Bangil masih terbuka" not in text


@pytest.mark.django_db
def test_a_capped_table_prints_the_first_rows_and_its_csv_has_all(month_data, site, staff, monkeypatch):
    from django.utils import translation

    from jaga.incidents.services.workflow import incident_open_manual
    from jaga.reports import services
    from jaga.reports.document import Period
    from jaga.reports.export import table_csv
    from jaga.reports.sources.incidents import incidents_section

    monkeypatch.setattr("jaga.reports.sources.incidents.LISTED", 3)
    for day in range(1, 8):
        incident_open_manual(site=site, user=staff, kind="manual", summary=f"Galat {day}",
                             at=dt.datetime(2026, 11, day, 9, 0, tzinfo=WIB))  # fmt: skip
    report = services.report_create(
        institution=site.institution, kind="situation", period=Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    )
    with translation.override("id"):
        section = incidents_section(services.report_context(report=report, now=NOW))
    [table] = [t for t in section.tables if t.key == "incidents"]
    summaries = [row[2] for row in table.rows]
    assert summaries[:3] == ["Galat 7", "Galat 6", "Galat 5"]  # still open, the latest first
    assert [row[2] for row in table.letter_rows] == summaries[:3]
    assert sorted(summaries) == [f"Galat {day}" for day in range(1, 8)]
    assert "3 dari 7 permasalahan" in table.note
    assert "semuanya ada di berkas CSV tabel ini" in table.note
    assert table_csv(table).count("Galat ") == 7
