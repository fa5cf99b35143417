"""PostgreSQL: ``pg_dump`` (plain SQL or custom format) to a file, checked before it is snapshotted.

The password reaches the tools through ``PGPASSWORD`` in their environment, never the command line.
A plain dump must end with pg_dump's ``-- PostgreSQL database dump complete``; a custom-format dump
must be listed by ``pg_restore --list`` (the format has no text trailer; an archive cut short fails to list).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from jaga.backups.sources import checks
from jaga.backups.sources.base import SourceSpec
from jaga.backups.sources.dumped import DumpedDatabase
from jaga.core import execute
from jaga.core.lazyconfig import LazyConfig

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


class PostgresqlSource(DumpedDatabase):
    Config = LazyConfig("jaga.backups.sources.configs:PostgresqlConfig")
    engine = "PostgreSQL"
    tool_label = "pg_dump"

    def describe(self, spec: SourceSpec) -> str:
        return f"{super().describe(spec)} ({spec.config.get('format', 'plain')})"

    def dump_name(self, spec: SourceSpec) -> str:
        return f"{spec.name}.{'dump' if spec.config.get('format') == 'custom' else 'sql'}"

    def row_counts(self, spec: SourceSpec, *, database: str) -> dict[str, int]:
        return row_counts(spec, database=database)

    def dump(self, spec: SourceSpec, *, out: Path) -> execute.Completed:
        return execute.run(dump_args(spec.config, out), timeout=DUMP_TIMEOUT, env=_env(spec), secrets=[spec.secret])

    def check(self, spec: SourceSpec, *, out: Path) -> dict[str, Any]:
        if spec.config.get("format") == "custom":
            facts = self._check_custom(out)
        else:
            facts = checks.text_dump_check(out, headers=HEADERS, trailer=TRAILER, tool=self.tool_label)
        return {**facts, "format": spec.config.get("format") or "plain"}

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

    def database_create(self, spec: SourceSpec, *, database: str) -> None:
        _psql(spec, f"CREATE DATABASE {quote_ident(database)}", database="postgres")

    def database_drop(self, spec: SourceSpec, *, database: str) -> None:
        _psql(spec, f"DROP DATABASE IF EXISTS {quote_ident(database)}", database="postgres")

    def load(self, spec: SourceSpec, *, dump: Path, database: str, facts: dict[str, Any]) -> None:
        if facts.get("format") == "custom":
            args: tuple[str, ...] = (
                "pg_restore", *connection_args(spec.config, database), "--no-owner", "--exit-on-error", str(dump),
            )  # fmt: skip
        else:
            args = ("psql", *connection_args(spec.config, database), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                    "-f", str(dump))  # fmt: skip
        execute.run(args, timeout=DUMP_TIMEOUT, env=_env(spec), secrets=[spec.secret])

    def clear(self, spec: SourceSpec, *, database: str) -> None:
        """The live database's schemas dropped (public made again empty), so the dump loads into nothing."""
        schemas = [row[0] for row in _psql(spec, SCHEMAS_SQL, database=database)]
        if schemas:
            drop = "; ".join(f"DROP SCHEMA IF EXISTS {quote_ident(name)} CASCADE" for name in schemas)
            _psql(spec, f"{drop}; CREATE SCHEMA IF NOT EXISTS public", database=database)


SCHEMAS_SQL = (
    "SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') "
    "AND nspname NOT LIKE 'pg_temp_%' AND nspname NOT LIKE 'pg_toast_temp_%' ORDER BY 1"
)

KIND = PostgresqlSource()
