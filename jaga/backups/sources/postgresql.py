"""PostgreSQL: ``pg_dump`` (plain SQL or custom format) to a file, checked before it is snapshotted.

The password reaches the tools through ``PGPASSWORD`` in their environment, never the command line.
A plain dump must end with pg_dump's ``-- PostgreSQL database dump complete``; a custom-format dump
must be listed by ``pg_restore --list`` (the format has no text trailer; an archive cut short fails to list).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any, Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from pydantic import field_validator

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
from jaga.core.kindconfig import setting

DUMP_TIMEOUT = 6 * 3600.0
QUERY_TIMEOUT = 600.0
TRAILER = b"-- PostgreSQL database dump complete"
HEADERS = (b"--\n-- PostgreSQL database dump",)


def _env(spec: SourceSpec) -> dict[str, str]:
    env = {"PGCONNECT_TIMEOUT": "15"}
    if spec.secret:
        env["PGPASSWORD"] = spec.secret
    return env


def connection_args(config: dict[str, Any], database: str | None = None) -> tuple[str, ...]:
    return (
        "--host",
        config["host"],
        "--port",
        str(config["port"]),
        "--username",
        config["user"],
        "--no-password",
        "--dbname",
        database or config["database"],
    )


def dump_args(config: dict[str, Any], out: Path) -> tuple[str, ...]:
    form = "c" if config.get("format") == "custom" else "p"
    return ("pg_dump", *connection_args(config), f"--format={form}", "--file", str(out))


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _psql(spec: SourceSpec, sql: str, *, database: str | None = None) -> list[list[str]]:
    done = execute.run(
        (
            "psql",
            *connection_args(spec.config, database),
            "-X",
            "-A",
            "-t",
            "-F",
            "\t",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        ),
        timeout=QUERY_TIMEOUT,
        env=_env(spec),
        secrets=[spec.secret],
    )
    return [line.split("\t") for line in done.stdout.splitlines() if line]


def row_counts(spec: SourceSpec, *, database: str | None = None) -> dict[str, int]:
    tables = _psql(
        spec,
        "SELECT schemaname, tablename FROM pg_catalog.pg_tables "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2",
        database=database,
    )
    counts: dict[str, int] = {}
    for start in range(0, len(tables), 200):
        part = tables[start : start + 200]
        sql = " UNION ALL ".join(
            f"SELECT {_literal(f'{schema}.{table}')}, count(*) FROM {quote_ident(schema)}.{quote_ident(table)}"
            for schema, table in part
        )
        for name, count in _psql(spec, sql, database=database):
            counts[name] = int(count)
    return counts


class Config(DatabaseConfig):
    port: int = setting(5432, ge=1, le=65535, label=gettext_noop("Port"))
    format: Literal["plain", "custom"] = setting(
        "plain",
        label=gettext_noop("Format dump"),
        help=gettext_noop("plain: berkas SQL yang dapat dibaca; custom: arsip pg_restore yang lebih kecil."),
        choices={"plain": gettext_noop("SQL biasa (plain)"), "custom": gettext_noop("Arsip pg_dump (custom)")},
    )

    @field_validator("format", mode="before")
    @classmethod
    def _blank_format(cls, value: Any) -> Any:
        return value or "plain"


class PostgresqlSource(SourceBase):
    is_database = True
    Config = Config

    def describe(self, spec: SourceSpec) -> str:
        c = spec.config
        return f"PostgreSQL {c['user']}@{c['host']}:{c['port']}/{c['database']} ({c.get('format', 'plain')})"

    def prepare(self, spec: SourceSpec, *, staging: Path, log: Log) -> Prepared:
        custom = spec.config.get("format") == "custom"
        out = staging / f"{spec.name}.{'dump' if custom else 'sql'}"
        facts_path = staging / f"{spec.name}.facts.json"
        out.unlink(missing_ok=True)
        try:
            counts = row_counts(spec)
        except execute.ExecuteError as exc:
            raise SourceError(
                _("Basis data %(db)s tidak dapat dibaca sebelum dump.") % {"db": spec.config["database"]},
                check="connection",
                detail=exc.stderr_tail or exc.message,
            ) from None
        log(_("Dump PostgreSQL %(db)s (%(tables)d tabel)") % {"db": spec.config["database"], "tables": len(counts)})
        try:
            done = execute.run(dump_args(spec.config, out), timeout=DUMP_TIMEOUT, env=_env(spec), secrets=[spec.secret])
        except execute.ExecuteError as exc:
            raise checks.tool_failed("pg_dump", exc) from None
        if custom:
            facts = self._check_custom(out)
        else:
            facts = checks.text_dump_check(out, headers=HEADERS, trailer=TRAILER, tool="pg_dump")
        facts.update(
            {
                "file": str(out),
                "tables": counts,
                "seconds": round(done.duration, 2),
                "database": spec.config["database"],
                "format": "custom" if custom else "plain",
            }
        )
        checks.facts_write(facts_path, facts)
        log(_("Dump diperiksa: %(size)d bita") % {"size": facts["size"]})
        return Prepared(paths=[out, facts_path], facts=facts)

    @staticmethod
    def _check_custom(out: Path) -> dict[str, Any]:
        size = out.stat().st_size if out.exists() else 0
        if size == 0:
            raise checks.check_failed("size", _("berkas dump kosong (0 bita)."))
        with out.open("rb") as handle:
            if handle.read(5) != b"PGDMP":
                raise checks.check_failed("readable", _("awal berkas bukan arsip pg_dump."))
        try:
            execute.run(("pg_restore", "--list", str(out)), timeout=QUERY_TIMEOUT)
        except execute.ExecuteError as exc:
            raise checks.check_failed(
                "trailer", _("pg_restore tidak dapat membaca arsip: dump terpotong."), detail=exc.stderr_tail
            ) from None
        return {"size": size}

    def load(self, spec: SourceSpec, *, dump: Path, database: str, create: bool, custom: bool) -> None:
        if create:
            _psql(spec, f"CREATE DATABASE {quote_ident(database)}", database="postgres")
        if custom:
            args: tuple[str, ...] = (
                "pg_restore",
                *connection_args(spec.config, database),
                "--no-owner",
                "--exit-on-error",
                str(dump),
            )
        else:
            args = (
                "psql",
                *connection_args(spec.config, database),
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-f",
                str(dump),
            )
        execute.run(args, timeout=DUMP_TIMEOUT, env=_env(spec), secrets=[spec.secret])

    def drill(self, spec: SourceSpec, *, restored: Path, facts: dict[str, Any], log: Log) -> DrillResult:
        dump = restored / str(facts["file"]).lstrip("/")
        saved = checks.facts_read(dump.with_name(f"{spec.name}.facts.json")) or facts
        expected = {name: int(count) for name, count in (saved.get("tables") or {}).items()}
        scratch = f"jaga_drill_{secrets.token_hex(4)}"
        log(_("Memuat dump ke basis data sementara %(db)s") % {"db": scratch})
        try:
            try:
                self.load(spec, dump=dump, database=scratch, create=True, custom=saved.get("format") == "custom")
                found = row_counts(spec, database=scratch)
            except (execute.ExecuteError, OSError) as exc:
                detail = exc.stderr_tail if isinstance(exc, execute.ExecuteError) else str(exc)
                return DrillResult(ok=False, problems=[_("Dump tidak dapat dimuat: %(e)s") % {"e": detail}])
        finally:
            try:
                _psql(spec, f"DROP DATABASE IF EXISTS {quote_ident(scratch)}", database="postgres")
            except execute.ExecuteError as exc:
                log(_("Basis data sementara %(db)s tidak terhapus: %(e)s") % {"db": scratch, "e": exc.message})
        problems = checks.counts_compare(expected, found)
        return DrillResult(
            ok=not problems,
            figures={"tables": len(found), "rows": sum(found.values()), "scratch": scratch},
            problems=problems,
        )

    def restore_live(self, spec: SourceSpec, *, restored: Path, facts: dict[str, Any], log: Log) -> dict[str, Any]:
        """Load the dump into the live database, its current schemas dropped first (in one transaction for a
        plain dump; ``pg_restore --clean`` for a custom one)."""
        dump = restored / str(facts["file"]).lstrip("/")
        saved = checks.facts_read(dump.with_name(f"{spec.name}.facts.json")) or facts
        database = spec.config["database"]
        log(_("Memuat dump ke basis data %(db)s") % {"db": database})
        try:
            schemas = [row[0] for row in _psql(spec, SCHEMAS_SQL, database=database)]
            if schemas:
                drop = "; ".join(f"DROP SCHEMA IF EXISTS {quote_ident(name)} CASCADE" for name in schemas)
                _psql(spec, f"{drop}; CREATE SCHEMA IF NOT EXISTS public", database=database)
            self.load(spec, dump=dump, database=database, create=False, custom=saved.get("format") == "custom")
            found = row_counts(spec, database=database)
        except (execute.ExecuteError, OSError) as exc:
            detail = exc.stderr_tail if isinstance(exc, execute.ExecuteError) else str(exc)
            raise SourceError(_("Dump tidak dapat dimuat ke %(db)s.") % {"db": database}, detail=detail) from None
        return {"tables": len(found), "rows": sum(found.values())}


SCHEMAS_SQL = (
    "SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') "
    "AND nspname NOT LIKE 'pg_temp_%' AND nspname NOT LIKE 'pg_toast_temp_%' ORDER BY 1"
)

KIND = PostgresqlSource()
