"""The machine's real MariaDB and PostgreSQL for the database tests: a throw-away database on each, with rows.

The fixtures (``maria_db``, ``pg_db``) reach every test module through the folder's conftest."""

from __future__ import annotations

import os
import secrets
from urllib.parse import urlsplit

import pytest

from jaga.core import execute

MARIADB = urlsplit(os.environ.get("JAGA_TEST_MARIADB_URL", "mysql://root@127.0.0.1:3306/test"))
POSTGRES = urlsplit(os.environ.get("JAGA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/jaga"))


def _mariadb(sql: str, database: str = "") -> None:
    args = ("mariadb", "-h", MARIADB.hostname or "127.0.0.1", "-P", str(MARIADB.port or 3306), "-u", "root", "-e", sql)
    execute.run((*args, database) if database else args, timeout=60)


def _psql(sql: str, database: str = "postgres") -> None:
    execute.run(
        ("psql", "-h", POSTGRES.hostname or "127.0.0.1", "-p", str(POSTGRES.port or 5432), "-U", "postgres", "-X",
         "-q", "-v", "ON_ERROR_STOP=1", "-c", sql, database),
        timeout=60,
    )  # fmt: skip


@pytest.fixture
def maria_db():  # type: ignore[no-untyped-def]
    name = f"jaga_src_{secrets.token_hex(3)}"
    user = f"u{secrets.token_hex(3)}"
    password = "Pw'with\"quotes-" + secrets.token_hex(3)
    _mariadb(f"CREATE DATABASE {name}")
    _mariadb(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password.replace(chr(39), chr(39) * 2)}'")
    _mariadb(f"GRANT ALL ON *.* TO '{user}'@'%'")
    _mariadb(
        "CREATE TABLE perkara (id INT PRIMARY KEY AUTO_INCREMENT, nomor VARCHAR(50)); "
        "CREATE TABLE `jadwal sidang` (id INT PRIMARY KEY); "
        "INSERT INTO perkara (nomor) SELECT CONCAT('12/Pdt.G/2026/PN Bil-', seq) FROM seq_1_to_300; "
        "INSERT INTO `jadwal sidang` SELECT seq FROM seq_1_to_42; "
        "CREATE PROCEDURE hitung() SELECT COUNT(*) FROM perkara;",
        name,
    )
    config = {"host": MARIADB.hostname or "127.0.0.1", "port": MARIADB.port or 3306, "database": name, "user": user}
    yield config, password
    _mariadb(f"DROP DATABASE IF EXISTS {name}")
    _mariadb(f"DROP USER IF EXISTS '{user}'@'%'")


@pytest.fixture
def pg_db():  # type: ignore[no-untyped-def]
    name = f"jaga_src_{secrets.token_hex(3)}"
    _psql(f"CREATE DATABASE {name}")
    _psql(
        "CREATE TABLE perkara (id serial primary key, nomor text); "
        "INSERT INTO perkara (nomor) SELECT 'PN-' || g FROM generate_series(1, 321) g; "
        'CREATE SCHEMA arsip; CREATE TABLE arsip."Surat Masuk" (id int); '
        'INSERT INTO arsip."Surat Masuk" SELECT generate_series(1, 17);',
        name,
    )
    config = {
        "host": POSTGRES.hostname or "127.0.0.1",
        "port": POSTGRES.port or 5432,
        "database": name,
        "user": "postgres",
    }
    yield config
    _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
