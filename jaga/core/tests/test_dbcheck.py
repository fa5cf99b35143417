"""A database failure is named for what it is (disk full, read-only, locked, damaged, user refused, no such
database), in Indonesian and English, not "cannot connect" for all of them. The failures are real: a tiny
tmpfs that fills up or is made read-only, a file that is not a database, a lock held by another connection,
a PostgreSQL server that refuses the user."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from jaga.core.dbcheck import database_trouble, describe_database_error
from jaga.core.tests.processes_helpers import JAGA, jaga_env


def jaga_migrate(tmp_path: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [JAGA, "migrate", "--no-input"],
        env=jaga_env(tmp_path, DATABASE_URL=database_url),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_named(result: subprocess.CompletedProcess[str], indonesian: str, english: str) -> None:
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert indonesian in result.stderr, result.stderr
    assert english in result.stderr, result.stderr
    assert "cannot connect" not in result.stderr


@pytest.fixture
def tiny_disk(tmp_path: Path, tmpfs: Callable[..., Path]) -> Path:
    """A 512 KiB tmpfs (Jaga's tables do not fit in it)."""
    return tmpfs(tmp_path / "disk", size="512k")


def test_a_full_disk_is_named_as_a_full_disk(tmp_path: Path, tiny_disk: Path) -> None:
    result = jaga_migrate(tmp_path, f"sqlite:///{tiny_disk}/jaga.sqlite3")
    assert_named(result, "disk basis data penuh", "the database disk is full")
    assert str(tiny_disk / "jaga.sqlite3") in result.stderr


def test_a_read_only_disk_is_named_as_read_only(tmp_path: Path, tiny_disk: Path) -> None:
    with closing(sqlite3.connect(tiny_disk / "jaga.sqlite3")) as db:
        db.execute("CREATE TABLE kept (x)")
        db.commit()
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_disk)], check=True)
    result = jaga_migrate(tmp_path, f"sqlite:///{tiny_disk}/jaga.sqlite3")
    assert_named(result, "basis data hanya bisa dibaca", "the database is read-only")


def test_a_file_that_is_not_a_database_is_named_damaged(tmp_path: Path) -> None:
    damaged = tmp_path / "jaga.sqlite3"
    damaged.write_bytes(b"bukan basis data / not a database\n" * 200)
    before = damaged.read_bytes()
    result = jaga_migrate(tmp_path, f"sqlite:///{damaged}")
    assert_named(result, "berkas basis data rusak", "restore it from a backup")
    assert damaged.read_bytes() == before


def test_a_database_locked_by_another_process_is_named_locked(tmp_path: Path) -> None:
    path = tmp_path / "jaga.sqlite3"
    with (
        closing(sqlite3.connect(path, isolation_level=None)) as holder,
        closing(sqlite3.connect(path, timeout=0.1)) as other,
    ):
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(sqlite3.OperationalError) as caught:
            other.execute("CREATE TABLE t (x)")
        holder.execute("ROLLBACK")
    cause, _ = database_trouble(caught.value)
    assert cause == "locked"
    message = describe_database_error(caught.value)
    assert "basis data sedang dikunci" in message
    assert "locked by another process" in message


def _postgres_url(user: str, name: str) -> str:
    server = urlsplit(os.environ.get("JAGA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/jaga"))
    return f"postgresql://{user}@{server.hostname or '127.0.0.1'}:{server.port or 5432}/{name}"


@pytest.mark.postgres
def test_a_user_the_server_refuses_is_named_as_refused(tmp_path: Path) -> None:
    result = jaga_migrate(tmp_path, _postgres_url("bukan_pengguna_jaga", "jaga"))
    assert_named(result, "menolak pengguna atau kata sandinya", "refused the user or its password")
    assert "bukan_pengguna_jaga@" in result.stderr  # where: the user and server from DATABASE_URL


@pytest.mark.postgres
def test_a_database_missing_on_the_server_is_named_missing(tmp_path: Path) -> None:
    result = jaga_migrate(tmp_path, _postgres_url("postgres", "jaga_tidak_ada"))
    assert_named(result, "basis data itu tidak ada di server", "no such database on the server")
