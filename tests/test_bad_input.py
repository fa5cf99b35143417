"""Bad input to the ``jaga`` command: a clear message that says what and where, no traceback, a non-zero
exit code, and nothing already stored touched."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from jaga.core.tests.processes_helpers import JAGA, jaga_env, shared_database_url


def run_jaga(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [JAGA, *args], env=jaga_env(tmp_path, **env), capture_output=True, text=True, timeout=60, check=False
    )


def assert_clean_failure(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output
    for text in expected:
        assert text in result.stderr, result.stderr


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


@pytest.fixture
def existing_database(tmp_path: Path) -> Path:
    """A data folder that already holds a database file (stand-in content: it must stay byte for byte)."""
    data = tmp_path / "data"
    data.mkdir()
    database = data / "jaga.sqlite3"
    database.write_bytes(b"data yang sudah ada / existing data\n" * 100)
    return database


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield sock.getsockname()[1]


@pytest.mark.parametrize("url", ["mysql://root@127.0.0.1/jaga", "postgresql://postgres@127.0.0.1:5432", "nonsense"])
def test_it_names_database_url_when_its_scheme_or_name_is_wrong(
    tmp_path: Path, existing_database: Path, url: str
) -> None:
    before = fingerprint(existing_database)
    result = run_jaga(tmp_path, "up", DATABASE_URL=url)
    assert_clean_failure(result, "DATABASE_URL")
    assert result.returncode == 2
    assert fingerprint(existing_database) == before


@pytest.mark.parametrize("command", [("up",), ("bootstrap",), ("worker",), ("scheduler", "--once")])
def test_it_says_the_database_cannot_be_reached_when_postgresql_does_not_answer(
    tmp_path: Path, existing_database: Path, command: tuple[str, ...]
) -> None:
    before = fingerprint(existing_database)
    result = run_jaga(tmp_path, *command, DATABASE_URL="postgresql://postgres@127.0.0.1:1/jaga")
    assert_clean_failure(result, "basis data tidak dapat dihubungi", "127.0.0.1:1/jaga", "Periksa DATABASE_URL")
    assert fingerprint(existing_database) == before


def test_it_says_the_data_folder_cannot_be_created_under_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("isi lama / old content\n")
    before = fingerprint(blocker)
    result = run_jaga(tmp_path, "up", JAGA_DATA_DIR=str(blocker / "data"))
    assert_clean_failure(result, "JAGA_DATA_DIR", str(blocker / "data"))
    assert fingerprint(blocker) == before


def test_it_says_the_data_folder_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("isi lama / old content\n")
    before = fingerprint(blocker)
    result = run_jaga(tmp_path, "up", JAGA_DATA_DIR=str(blocker))
    assert_clean_failure(result, "JAGA_DATA_DIR", str(blocker))
    assert fingerprint(blocker) == before


def test_it_says_the_data_folder_is_not_writable(tmp_path: Path, existing_database: Path) -> None:
    data = existing_database.parent
    before = fingerprint(existing_database)
    # Root writes through chmod 500, so as root the folder is made immutable instead (ext4 / tmpfs).
    lock, unlock = (["chattr", "+i", str(data)], ["chattr", "-i", str(data)]) if os.geteuid() == 0 else (None, None)
    if lock:
        subprocess.run(lock, check=True)
    else:
        data.chmod(0o500)
    try:
        result = run_jaga(tmp_path, "up")
    finally:
        if unlock:
            subprocess.run(unlock, check=True)
        else:
            data.chmod(0o750)
    assert_clean_failure(result, "JAGA_DATA_DIR", "tidak dapat ditulisi")
    assert fingerprint(existing_database) == before


@pytest.mark.parametrize("listen", ["nonsense", "127.0.0.1:99999", "127.0.0.1:http", ":8000"])
def test_it_names_jaga_listen_when_it_is_malformed(tmp_path: Path, listen: str) -> None:
    result = run_jaga(tmp_path, "web", JAGA_LISTEN=listen)
    assert_clean_failure(result, "JAGA_LISTEN")
    assert result.returncode == 2


def test_it_names_the_listen_option_when_it_is_malformed(tmp_path: Path) -> None:
    result = run_jaga(tmp_path, "web", "--listen", "localhost")
    assert_clean_failure(result, "--listen", "HOST:PORT")


def test_it_says_the_web_port_is_in_use(tmp_path: Path, busy_port: int) -> None:
    result = run_jaga(tmp_path, "web", JAGA_LISTEN=f"127.0.0.1:{busy_port}")
    assert_clean_failure(result, f"127.0.0.1:{busy_port} sudah dipakai", "is already in use", "JAGA_LISTEN")
    assert result.returncode == 2


def test_it_names_the_listen_option_when_its_port_is_in_use(tmp_path: Path, busy_port: int) -> None:
    result = run_jaga(tmp_path, "web", "--listen", f"127.0.0.1:{busy_port}")
    assert_clean_failure(result, f"127.0.0.1:{busy_port} sudah dipakai", "--listen")


@pytest.mark.django_db(transaction=True)
def test_it_stops_jaga_up_before_starting_anything_when_the_web_port_is_in_use(tmp_path: Path, busy_port: int) -> None:
    with shared_database_url(tmp_path) as url:
        result = run_jaga(tmp_path, "up", DATABASE_URL=url, JAGA_LISTEN=f"127.0.0.1:{busy_port}")
    assert_clean_failure(result, f"127.0.0.1:{busy_port} sudah dipakai", "JAGA_LISTEN")
    assert "memulai proses" not in result.stderr


def test_it_asks_to_migrate_when_jaga_up_finds_an_empty_database(tmp_path: Path) -> None:
    result = run_jaga(tmp_path, "up")
    assert_clean_failure(result, "belum dimigrasi", "make run", "jaga migrate")
    assert result.returncode == 2


@pytest.mark.parametrize(("processes", "expected"), [("web,worker,worker", "worker"), (",", "kosong")])
def test_it_names_jaga_processes_when_it_lists_nothing_or_a_process_twice(
    tmp_path: Path, processes: str, expected: str
) -> None:
    result = run_jaga(tmp_path, "up", JAGA_PROCESSES=processes)
    assert_clean_failure(result, "JAGA_PROCESSES", expected)
    assert result.returncode == 2
