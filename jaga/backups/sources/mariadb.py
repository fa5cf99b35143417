"""MariaDB / MySQL: ``mariadb-dump --single-transaction --routines --events --triggers`` to a file, checked.

The password reaches the tools through an option file (0600, removed afterwards), never the command line.
Row counts of every table are taken just before the dump and kept beside it, so that a drill can load
the dump into a scratch database and compare.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from jaga.backups.restic import private_file
from jaga.backups.sources import checks
from jaga.backups.sources.base import (
    DatabaseConfig,
    DrillResult,
    Log,
    Prepared,
    SourceBase,
    SourceError,
    SourceSpec,
)
from jaga.core import execute

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


@contextmanager
def _option_file(spec: SourceSpec, config: dict[str, Any] | None = None) -> Iterator[Path]:
    with private_file(option_file_text(config or spec.config, spec.secret), suffix=".cnf") as path:
        yield path


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


class Config(DatabaseConfig):
    pass  # MariaDB's port is the base's default, 3306


class MariadbSource(SourceBase):
    is_database = True
    Config = Config
    tool_label = "mariadb-dump"

    def describe(self, spec: SourceSpec) -> str:
        c = spec.config
        return f"MariaDB {c['user']}@{c['host']}:{c['port']}/{c['database']}"

    def prepare(self, spec: SourceSpec, *, staging: Path, log: Log) -> Prepared:
        out = staging / f"{spec.name}.sql"
        facts_path = staging / f"{spec.name}.facts.json"
        out.unlink(missing_ok=True)
        database = spec.config["database"]
        with _option_file(spec) as option_file:
            try:
                counts = row_counts(option_file, database, secret=spec.secret)
            except execute.ExecuteError as exc:
                raise SourceError(
                    _("Basis data %(db)s tidak dapat dibaca sebelum dump.") % {"db": database},
                    check="connection",
                    detail=exc.stderr_tail or exc.message,
                ) from None
            log(_("Dump MariaDB %(db)s (%(tables)d tabel)") % {"db": database, "tables": len(counts)})
            try:
                done = execute.run(dump_args(option_file, database, out), timeout=DUMP_TIMEOUT, secrets=[spec.secret])
            except execute.ExecuteError as exc:
                raise checks.tool_failed(self.tool_label, exc) from None
        facts = checks.text_dump_check(out, headers=HEADERS, trailer=TRAILER, tool=self.tool_label)
        facts.update({"file": str(out), "tables": counts, "seconds": round(done.duration, 2), "database": database})
        checks.facts_write(facts_path, facts)
        log(_("Dump diperiksa: %(size)d bita, penanda selesai ada") % {"size": facts["size"]})
        return Prepared(paths=[out, facts_path], facts=facts)

    def load(self, spec: SourceSpec, *, dump: Path, database: str, create: bool) -> None:
        """Load a dump into ``database`` (created first when ``create``)."""
        with _option_file(spec) as option_file:
            if create:
                _query(option_file, "", f"CREATE DATABASE {quote_name(database)}", secret=spec.secret)
            with dump.open("rb") as handle:
                execute.run(
                    (client_tool(), f"--defaults-extra-file={option_file}", database),
                    timeout=DUMP_TIMEOUT,
                    stdin=handle,
                    secrets=[spec.secret],
                )

    def drill(self, spec: SourceSpec, *, restored: Path, facts: dict[str, Any], log: Log) -> DrillResult:
        dump = restored / str(facts["file"]).lstrip("/")
        saved = checks.facts_read(dump.with_name(f"{spec.name}.facts.json")) or facts
        expected = {name: int(count) for name, count in (saved.get("tables") or {}).items()}
        scratch = f"jaga_drill_{secrets.token_hex(4)}"
        log(_("Memuat dump ke basis data sementara %(db)s") % {"db": scratch})
        try:
            try:
                self.load(spec, dump=dump, database=scratch, create=True)
                with _option_file(spec) as option_file:
                    found = row_counts(option_file, scratch, secret=spec.secret)
            except (execute.ExecuteError, OSError) as exc:
                detail = exc.stderr_tail if isinstance(exc, execute.ExecuteError) else str(exc)
                return DrillResult(ok=False, problems=[_("Dump tidak dapat dimuat: %(e)s") % {"e": detail}])
        finally:
            with _option_file(spec) as option_file:
                try:
                    _query(option_file, "", f"DROP DATABASE IF EXISTS {quote_name(scratch)}", secret=spec.secret)
                except execute.ExecuteError as exc:
                    log(_("Basis data sementara %(db)s tidak terhapus: %(e)s") % {"db": scratch, "e": exc.message})
        problems = checks.counts_compare(expected, found)
        return DrillResult(
            ok=not problems,
            figures={"tables": len(found), "rows": sum(found.values()), "scratch": scratch},
            problems=problems,
        )

    def restore_live(self, spec: SourceSpec, *, restored: Path, facts: dict[str, Any], log: Log) -> dict[str, Any]:
        """Load the dump into the live database (mariadb-dump writes DROP TABLE IF EXISTS before each table)."""
        dump = restored / str(facts["file"]).lstrip("/")
        database = spec.config["database"]
        log(_("Memuat dump ke basis data %(db)s") % {"db": database})
        try:
            self.load(spec, dump=dump, database=database, create=False)
            with _option_file(spec) as option_file:
                found = row_counts(option_file, database, secret=spec.secret)
        except (execute.ExecuteError, OSError) as exc:
            detail = exc.stderr_tail if isinstance(exc, execute.ExecuteError) else str(exc)
            raise SourceError(_("Dump tidak dapat dimuat ke %(db)s.") % {"db": database}, detail=detail) from None
        return {"tables": len(found), "rows": sum(found.values())}


KIND = MariadbSource()
