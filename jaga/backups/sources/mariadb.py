"""MariaDB / MySQL: ``mariadb-dump --single-transaction --routines --events --triggers`` to a file, checked.

The password reaches the tools through an option file (0600, removed afterwards), never the command line.
Row counts of every table are taken just before the dump and kept beside it, so that a drill can load
the dump into a scratch database and compare.
"""

from __future__ import annotations

import shutil
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from jaga.backups.restic import private_file
from jaga.backups.sources import checks
from jaga.backups.sources.base import SourceSpec
from jaga.backups.sources.dumped import DumpedDatabase
from jaga.core import execute
from jaga.core.lazyconfig import LazyConfig

DUMP_TIMEOUT = 6 * 3600.0
QUERY_TIMEOUT = 600.0
TRAILER = b"-- Dump completed"
HEADERS = (b"-- MariaDB dump", b"-- MySQL dump", b"/*M!999999", b"/*!999999")


def dump_tool() -> str:
    return shutil.which("mariadb-dump") or shutil.which("mysqldump") or "mariadb-dump"


def client_tool() -> str:
    return shutil.which("mariadb") or shutil.which("mysql") or "mariadb"


def option_file_text(config: dict[str, Any], password: str) -> str:
    lines = ["[client]", f"host={config['host']}", f"port={config['port']}", f"user={config['user']}"]
    if password:
        # Option files read backslash escapes and quotes: quote the value and escape what needs it.
        escaped = password.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'password="{escaped}"')
    return "\n".join(lines) + "\n"


def dump_args(option_file: Path, database: str, out: Path) -> tuple[str, ...]:
    return (
        dump_tool(),
        f"--defaults-extra-file={option_file}",  # must come first
        "--single-transaction",
        "--routines",
        "--events",
        "--triggers",
        "--hex-blob",
        "--default-character-set=utf8mb4",
        f"--result-file={out}",
        database,
    )


def quote_name(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _option_file(spec: SourceSpec) -> AbstractContextManager[Path]:
    return private_file(option_file_text(spec.config, spec.secret), suffix=".cnf")


def _query(option_file: Path, database: str, sql: str, *, secret: str) -> list[list[str]]:
    args = (client_tool(), f"--defaults-extra-file={option_file}", "-N", "-B", "-e", sql)
    done = execute.run(
        (*args, database) if database else args,
        timeout=QUERY_TIMEOUT,
        secrets=[secret],
    )
    return [line.split("\t") for line in done.stdout.splitlines() if line]


def row_counts(option_file: Path, database: str, *, secret: str) -> dict[str, int]:
    tables = [
        row[0]
        for row in _query(
            option_file,
            database,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() "
            "AND table_type = 'BASE TABLE' ORDER BY table_name",
            secret=secret,
        )
    ]
    if not tables:
        return {}
    counts: dict[str, int] = {}
    for start in range(0, len(tables), 200):  # one statement per 200 tables keeps the query reasonable
        part = tables[start : start + 200]
        sql = " UNION ALL ".join(f"SELECT {_literal(table)}, COUNT(*) FROM {quote_name(table)}" for table in part)
        for name, count in _query(option_file, database, sql, secret=secret):
            counts[name] = int(count)
    return counts


def _literal(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


class MariadbSource(DumpedDatabase):
    Config = LazyConfig("jaga.backups.sources.configs:MariadbConfig")
    engine = "MariaDB"
    tool_label = "mariadb-dump"

    def row_counts(self, spec: SourceSpec, *, database: str) -> dict[str, int]:
        with _option_file(spec) as option_file:
            return row_counts(option_file, database, secret=spec.secret)

    def dump(self, spec: SourceSpec, *, out: Path) -> execute.Completed:
        with _option_file(spec) as option_file:
            args = dump_args(option_file, spec.config["database"], out)
            return execute.run(args, timeout=DUMP_TIMEOUT, secrets=[spec.secret])

    def check(self, spec: SourceSpec, *, out: Path) -> dict[str, Any]:
        return checks.text_dump_check(out, headers=HEADERS, trailer=TRAILER, tool=self.tool_label)

    def database_create(self, spec: SourceSpec, *, database: str) -> None:
        with _option_file(spec) as option_file:
            _query(option_file, "", f"CREATE DATABASE {quote_name(database)}", secret=spec.secret)

    def database_drop(self, spec: SourceSpec, *, database: str) -> None:
        with _option_file(spec) as option_file:
            _query(option_file, "", f"DROP DATABASE IF EXISTS {quote_name(database)}", secret=spec.secret)

    def load(self, spec: SourceSpec, *, dump: Path, database: str, facts: dict[str, Any]) -> None:
        """mariadb-dump writes DROP TABLE IF EXISTS before each table: loading over the live database is safe."""
        with _option_file(spec) as option_file, dump.open("rb") as handle:
            execute.run(
                (client_tool(), f"--defaults-extra-file={option_file}", database),
                timeout=DUMP_TIMEOUT,
                stdin=handle,
                secrets=[spec.secret],
            )


KIND = MariadbSource()
