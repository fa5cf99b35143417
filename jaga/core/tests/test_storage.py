"""A full disk or a damaged SQLite file (issue 6): said in words, a 503 page, a banner, and ``jaga up`` says
the cause; in the test process and under a running ``jaga web``. The disk is a real tmpfs (the tests need
root to mount it; they skip without)."""

from __future__ import annotations

import datetime as dt
import html
import io
import logging
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from jaga.core import clock
from jaga.core.processes.supervisor import ChildSpec, Supervisor
from jaga.core.storage import FREE_SPACE_MAX_AGE, disk_free_mb, disk_space_warning, exit_cause, storage_trouble
from jaga.core.testing import free_port
from jaga.core.tests.processes_helpers import JAGA, WebVisitor, jaga_bootstrapped, jaga_env, jaga_web
from jaga.core.tests.test_supervisor import _wait_for, running


@pytest.fixture(autouse=True)
def _indonesian() -> Iterator[None]:
    with translation.override("id"):  # the words are Indonesian first, whatever a test before left active
        yield


@pytest.fixture
def small_disk(tmp_path: Path, tmpfs: Callable[..., Path]) -> Path:
    """A 4 MB tmpfs."""
    return tmpfs(tmp_path / "disk", size="4m")


def _fill(folder: Path) -> Path:
    """Fill the disk to the last byte; the filler file is returned (delete it to give the space back)."""
    filler = folder / "filler"
    # Unbuffered: a write the disk refused leaves nothing behind for close() to flush (and fail on).
    with filler.open("wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 65536)
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


def test_the_banners_reading_of_the_disk_is_renewed_after_a_few_seconds_not_at_every_page(  # type: ignore[no-untyped-def]
    small_disk: Path, settings
) -> None:
    settings.JAGA_DISK_FREE_MIN_MB = 2
    with clock.frozen(dt.datetime(2026, 12, 2, 6, 55, tzinfo=dt.UTC)):
        assert disk_space_warning(small_disk) is None  # 4 MB free: read now
        (small_disk / "besar").write_bytes(b"\0" * 3 * 1024 * 1024)
        assert disk_space_warning(small_disk) is None  # the reading of a moment ago still serves
        clock.advance(FREE_SPACE_MAX_AGE - dt.timedelta(milliseconds=1))
        assert disk_space_warning(small_disk) is None
        assert disk_space_warning(small_disk, recent=False) is not None  # read now, when asked to
        clock.advance(dt.timedelta(milliseconds=1))
        warning = disk_space_warning(small_disk)
        assert warning is not None
        assert f"tinggal {disk_free_mb(small_disk)} MB" in warning


@pytest.mark.django_db
def test_pages_rendered_together_ask_the_disk_once(small_disk: Path, settings, staff, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = small_disk
    settings.JAGA_DISK_FREE_MIN_MB = 100
    reads: list[str] = []
    real_statvfs = os.statvfs

    def counted(path):  # type: ignore[no-untyped-def]
        reads.append(str(path))
        return real_statvfs(path)

    monkeypatch.setattr(os, "statvfs", counted)
    client = Client()
    client.force_login(staff)
    with clock.frozen(dt.datetime(2026, 12, 2, 6, 55, tzinfo=dt.UTC)):
        for _ in range(5):
            assert "data-storage-warning" in client.get("/").content.decode()
        assert reads.count(str(small_disk)) == 1
        clock.advance(FREE_SPACE_MAX_AGE)
        client.get("/")
        assert reads.count(str(small_disk)) == 2


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


# --- a running `jaga web` -------------------------------------------------------------------------------------


def _logins(database: Path) -> list[str]:
    with closing(sqlite3.connect(database)) as db:
        rows = db.execute("SELECT action FROM core_auditevent WHERE action LIKE 'login%' ORDER BY id").fetchall()
    return [action for (action,) in rows]


def test_a_running_jaga_web_answers_a_full_disk_with_the_503_page_and_carries_on_when_space_is_back(
    tmp_path: Path, tmpfs: Callable[..., Path]
) -> None:
    data = tmpfs(tmp_path / "data", size="48m")
    password = jaga_bootstrapped(data)
    output: list[str] = []
    with jaga_web(data, output, JAGA_DISK_FREE_MIN_MB="0") as (base, proc):
        visitor = WebVisitor(base)
        status, _headers, _page = visitor.log_in("admin", "salah-sekali")  # stored: a failed log-in
        assert status == 200
        filler = _fill(data)
        status, headers, page = visitor.log_in("admin", password)
        assert status == 503, page
        assert "Jaga tidak dapat menyimpan saat ini" in page
        assert f"Disk folder data Jaga ({data}) penuh" in page, page[page.find("<main") :] + "".join(output)
        assert "Traceback" not in page
        assert headers["Retry-After"] == "60"
        filler.unlink()  # space is back: the same process carries on, nobody restarted it
        status, headers, page = visitor.log_in("admin", password)
        assert status == 302, page
        assert proc.poll() is None
    assert _logins(data / "jaga.sqlite3") == ["login_failed", "login"]  # nothing stored before was lost
    assert "penyimpanan bermasalah / storage failure: Disk folder data Jaga" in output[0]  # in the log, too
    assert "Traceback" not in output[0]


def test_a_running_jaga_web_shows_the_banner_below_the_minimum_and_the_damaged_database_page(
    tmp_path: Path, tmpfs: Callable[..., Path]
) -> None:
    data = tmpfs(tmp_path / "data", size="48m")
    password = jaga_bootstrapped(data)
    free = disk_free_mb(data)
    with jaga_web(data, [], JAGA_DISK_FREE_MIN_MB=str(free + 100)) as (base, _proc):
        visitor = WebVisitor(base)
        status, _headers, page = visitor.get("/login/")
        assert status == 200
        assert "data-storage-warning" in page
        assert f"(batas peringatan JAGA_DISK_FREE_MIN_MB: {free + 100} MB)" in page
        database = data / "jaga.sqlite3"
        database.write_bytes(b"bukan basis data" * 4096)  # damaged under the running web
        status, headers, page = visitor.log_in("admin", password)
        assert status == 503, page
        assert "Berkas basis data SQLite rusak" in page
        assert f"sqlite3 {database} 'PRAGMA integrity_check'" in html.unescape(page)
        assert headers["Retry-After"] == "60"


HEARTBEAT = 1  # seconds (JAGA_HEARTBEAT_SECONDS)


def test_jaga_up_rides_out_a_full_disk_and_carries_on_when_space_is_back(
    tmp_path: Path, tmpfs: Callable[..., Path]
) -> None:
    """Every process of a real ``jaga up`` on a full disk: none is lost (one that exits is restarted with its
    cause), each says the cause in words, the web answers 503; once space is back the same processes carry on
    and the database is sound."""
    data = tmpfs(tmp_path / "data", size="48m")
    password = jaga_bootstrapped(data)
    port = free_port()
    log = tmp_path / "up.log"
    env = jaga_env(
        data.parent,
        JAGA_DATA_DIR=str(data),
        JAGA_LISTEN=f"127.0.0.1:{port}",
        JAGA_DISK_FREE_MIN_MB="0",
        JAGA_HEARTBEAT_SECONDS=str(HEARTBEAT),  # the workers' and the probe's, 10 s in production
    )
    with log.open("w") as out:
        up = subprocess.Popen([JAGA, "up"], env=env, stdout=out, stderr=subprocess.STDOUT, text=True)

    def said(pattern: str, *, since: int = 0, timeout: float = 40) -> None:
        deadline = time.monotonic() + timeout
        while not re.search(pattern, log.read_text()[since:], re.MULTILINE):
            assert up.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"never said {pattern!r}:\n{log.read_text()[since:]}"
            time.sleep(0.2)

    try:
        for started in ("web serving on", "worker started, queues quick", "worker started, queues long",
                        "scheduler started", "probe .*: berjalan"):  # fmt: skip
            said(started)
        visitor = WebVisitor(f"http://127.0.0.1:{port}")
        assert visitor.log_in("admin", "salah-sekali")[0] == 200  # stored before the disk fills
        before = len(log.read_text())
        filler = _fill(data)
        status, _headers, page = visitor.log_in("admin", password)
        assert status == 503
        assert f"Disk folder data Jaga ({data}) penuh" in page
        for name in ("worker-quick", "worker-long"):  # their heartbeats meet the full disk
            said(rf"^{name} +\|.*heartbeat not stored: database or disk is full", since=before)
        said(r"^probe +\|.*the database disk is full", since=before)
        time.sleep(3 * HEARTBEAT)  # three more rounds of heartbeats on the full disk
        full = log.read_text()[before:]
        assert len(re.findall(r"^probe .*the database disk is full", full, re.MULTILINE)) == 1  # said once
        assert "the database answers again" not in full  # a read that works is not the disk coming back
        filler.unlink()
        time.sleep(1)
        assert visitor.log_in("admin", password)[0] == 302  # the same web, no restart needed
        said("probe .*the database answers again", since=before, timeout=20)  # its next heartbeat is stored
        during = log.read_text()[before:]
    finally:
        up.send_signal(signal.SIGTERM)
        up.wait(timeout=30)
    output = log.read_text()
    assert up.returncode == 0, output
    assert "semua proses berhenti / all processes stopped" in output
    exits = re.findall(r"proses (\S+) berhenti \(kode", during)
    for name in exits:  # a process that did die of it was started again with the cause said
        assert f"penyebab / cause ({name}): Disk folder data Jaga ({data}) penuh" in during, during
    assert "Traceback" not in during, during
    database = data / "jaga.sqlite3"
    with closing(sqlite3.connect(database)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert _logins(database) == ["login_failed", "login"]
