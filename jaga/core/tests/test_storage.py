"""A full disk or a damaged SQLite file (issue 6): said in words, a 503 page, a banner, and ``jaga up`` says
the cause. The disk is a real 4 MB tmpfs (the tests need root to mount it; they skip without)."""

from __future__ import annotations

import io
import logging
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from jaga.core.processes.supervisor import ChildSpec, Supervisor
from jaga.core.storage import disk_free_mb, disk_space_warning, exit_cause, storage_trouble
from jaga.core.tests.test_supervisor import _wait_for, running


@pytest.fixture(autouse=True)
def _indonesian() -> Iterator[None]:
    with translation.override("id"):  # the words are Indonesian first, whatever a test before left active
        yield


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs, unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    folder = tmp_path / "disk"
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def _fill(folder: Path) -> Path:
    """Fill the disk to the last byte; the filler file is returned (delete it to give the space back)."""
    filler = folder / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    return filler


def _database(folder: Path) -> Path:
    path = folder / "jaga.sqlite3"
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE t (b BLOB)")
        db.execute("INSERT INTO t VALUES ('disimpan sebelumnya')")
        db.commit()
    return path


def _write(path: Path) -> None:
    with closing(sqlite3.connect(path)) as db:
        db.execute("INSERT INTO t VALUES (randomblob(2000000))")
        db.commit()


def test_a_full_disk_is_said_in_words_and_nothing_stored_is_lost(small_disk: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = small_disk
    path = _database(small_disk)
    filler = _fill(small_disk)
    with pytest.raises(sqlite3.OperationalError) as raised:
        _write(path)
    words = storage_trouble(raised.value)
    assert words is not None
    assert f"Disk folder data Jaga ({small_disk}) penuh" in words
    filler.unlink()  # space is back
    _write(path)
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT count(*) FROM t").fetchone() == (2,)
        assert db.execute("SELECT b FROM t LIMIT 1").fetchone() == ("disimpan sebelumnya",)


def test_a_damaged_file_is_said_with_how_to_check_and_restore(tmp_path: Path) -> None:
    path = tmp_path / "rusak.sqlite3"
    path.write_bytes(b"bukan basis data" * 1000)
    with pytest.raises(sqlite3.DatabaseError) as raised, closing(sqlite3.connect(path)) as db:
        db.execute("SELECT * FROM sqlite_master").fetchall()
    words = storage_trouble(raised.value)
    assert words is not None
    assert "PRAGMA integrity_check" in words
    assert "cadangan terakhir" in words


def test_another_error_is_not_taken_for_a_storage_failure() -> None:
    assert storage_trouble(sqlite3.OperationalError("no such table: t")) is None
    assert storage_trouble(ValueError("database or disk is full")) is None


def test_it_warns_below_the_free_space_minimum_and_not_above(small_disk: Path, settings) -> None:  # type: ignore[no-untyped-def]
    (small_disk / "besar").write_bytes(b"\0" * 3 * 1024 * 1024)
    free = disk_free_mb(small_disk)
    assert free < 2
    settings.JAGA_DISK_FREE_MIN_MB = 2
    warning = disk_space_warning(small_disk)
    assert warning is not None
    assert f"tinggal {free} MB" in warning
    assert "JAGA_DISK_FREE_MIN_MB: 2 MB" in warning
    settings.JAGA_DISK_FREE_MIN_MB = 0
    assert disk_space_warning(small_disk) is None


@pytest.mark.django_db
def test_the_dashboard_shows_a_banner_while_the_disk_is_nearly_full(small_disk: Path, settings, staff) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = small_disk
    client = Client()
    client.force_login(staff)
    settings.JAGA_DISK_FREE_MIN_MB = 100
    body = client.get("/").content.decode()
    assert "data-storage-warning" in body
    assert "Ruang disk folder data Jaga tinggal" in body
    settings.JAGA_DISK_FREE_MIN_MB = 1
    assert "data-storage-warning" not in client.get("/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading"),
    [("id", "Jaga tidak dapat menyimpan saat ini"), ("en", "Jaga cannot store anything at the moment")],
)
def test_the_web_answers_a_full_disk_with_a_503_page_in_words(  # type: ignore[no-untyped-def]
    small_disk: Path, settings, language: str, heading: str, compiled_messages_en: None
) -> None:
    settings.ROOT_URLCONF = "jaga.core.tests.urls_storage"
    settings.DEBUG = False
    settings.DATA_DIR = small_disk
    settings.STORAGE_TEST_DATABASE = str(_database(small_disk))
    settings.LANGUAGE_CODE = language
    _fill(small_disk)
    response = Client(raise_request_exception=False).get("/uji/tulis/")
    assert response.status_code == 503
    body = response.content.decode()
    assert heading in body
    assert ("penuh" if language == "id" else "is full") in body
    assert "Traceback" not in body
    assert response.headers["Retry-After"] == "60"


def test_jaga_up_says_the_cause_when_a_process_dies_of_a_full_disk(  # type: ignore[no-untyped-def]
    small_disk: Path, settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.DATA_DIR = small_disk
    path = _database(small_disk)
    _fill(small_disk)
    writer = ChildSpec(
        "probe",
        (
            sys.executable,
            "-c",
            f"import sqlite3; db = sqlite3.connect({str(path)!r}); "
            "db.execute('INSERT INTO t VALUES (randomblob(2000000))'); db.commit()",
        ),
    )
    caplog.set_level(logging.INFO, logger="jaga.up")
    supervisor = Supervisor(
        [writer], output=io.StringIO(), backoff_initial=0.05, backoff_max=0.2, poll_interval=0.01, diagnose=exit_cause
    )
    with running(supervisor):
        _wait_for(lambda: caplog.text.count("penyebab / cause (probe)") >= 2)  # it keeps restarting it
    assert f"Disk folder data Jaga ({small_disk}) penuh" in caplog.text
    assert "proses probe berhenti (kode 1); mulai ulang dalam 0.1 d" in caplog.text  # with back-off


def test_the_cause_of_an_exit_is_read_from_the_last_lines(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path
    settings.JAGA_DISK_FREE_MIN_MB = 0
    damaged = exit_cause(["Traceback ...", "django.db.utils.DatabaseError: database disk image is malformed"])
    assert damaged is not None
    assert "PRAGMA integrity_check" in damaged
    assert exit_cause(["ValueError: something else"]) is None


@pytest.mark.django_db
def test_the_web_answers_a_damaged_database_with_a_503_page_saying_how_to_restore(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOT_URLCONF = "jaga.core.tests.urls_storage"
    damaged = tmp_path / "rusak.sqlite3"
    damaged.write_bytes(b"bukan basis data" * 1000)
    settings.STORAGE_TEST_DATABASE = str(damaged)
    response = Client(raise_request_exception=False).get("/uji/tulis/")
    assert response.status_code == 503
    body = response.content.decode()
    assert "Berkas basis data SQLite rusak" in body
    assert "PRAGMA integrity_check" in body
