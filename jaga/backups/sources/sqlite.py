"""SQLite: a consistent copy through SQLite's online backup API (the site may keep writing), checked."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from jaga.backups.sources import checks
from jaga.backups.sources.base import DrillResult, Log, Prepared, SourceBase, SourceError, SourceSpec
from jaga.core.lazyconfig import LazyConfig


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def row_counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {name: int(connection.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0]) for name in names}
    finally:
        connection.close()


class SqliteSource(SourceBase):
    is_database = True
    Config = LazyConfig("jaga.backups.sources.configs:SqliteConfig")

    def describe(self, spec: SourceSpec) -> str:
        return f"SQLite {spec.config['path']}"

    def prepare(self, spec: SourceSpec, *, staging: Path, log: Log) -> Prepared:
        source = Path(spec.config["path"])
        out = staging / f"{spec.name}.sqlite3"
        facts_path = staging / f"{spec.name}.facts.json"
        out.unlink(missing_ok=True)
        if not source.is_file():
            raise SourceError(_("Berkas SQLite %(path)s tidak ada.") % {"path": source}, check="missing")
        log(_("Salinan daring SQLite %(path)s") % {"path": source})
        try:
            src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
            dst = sqlite3.connect(out)
            try:
                src.backup(dst, pages=1024)
            finally:
                dst.close()
                src.close()
        except sqlite3.Error as exc:
            raise checks.check_failed("exit status", _("salinan SQLite gagal: %(e)s") % {"e": exc}) from None
        size = out.stat().st_size if out.exists() else 0
        if size == 0:
            raise checks.check_failed("size", _("berkas salinan kosong (0 bita)."))
        try:
            connection = sqlite3.connect(f"file:{out}?mode=ro", uri=True)
            try:
                verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                connection.close()
            counts = row_counts(out)
        except sqlite3.Error as exc:
            raise checks.check_failed("readable", str(exc)) from None
        if verdict != "ok":
            raise checks.check_failed("readable", _("integrity_check: %(v)s") % {"v": verdict})
        facts = {"file": str(out), "size": size, "tables": counts, "database": str(source)}
        checks.facts_write(facts_path, facts)
        return Prepared(paths=[out, facts_path], facts=facts)

    def drill(self, spec: SourceSpec, *, restored: Path, facts: dict[str, Any], log: Log) -> DrillResult:
        copy = restored / str(facts["file"]).lstrip("/")
        saved = checks.facts_read(copy.with_name(f"{spec.name}.facts.json")) or facts
        expected = {name: int(count) for name, count in (saved.get("tables") or {}).items()}
        try:
            found = row_counts(copy)
        except sqlite3.Error as exc:
            return DrillResult(ok=False, problems=[str(exc)])
        problems = checks.counts_compare(expected, found)
        return DrillResult(
            ok=not problems, figures={"tables": len(found), "rows": sum(found.values())}, problems=problems
        )

    def restore_live(self, spec: SourceSpec, *, restored: Path, facts: dict[str, Any], log: Log) -> dict[str, Any]:
        """Copy the restored database over the live one through the backup API (safe while it is open)."""
        copy = restored / str(facts["file"]).lstrip("/")
        live = Path(spec.config["path"])
        log(_("Mengembalikan SQLite %(path)s") % {"path": live})
        try:
            src = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
            dst = sqlite3.connect(live, timeout=30)
            try:
                src.backup(dst)
            finally:
                dst.close()
                src.close()
            found = row_counts(live)
        except sqlite3.Error as exc:
            raise SourceError(_("SQLite %(path)s tidak dapat dikembalikan: %(e)s") % {"path": live, "e": exc}) from None
        return {"tables": len(found), "rows": sum(found.values())}


KIND = SqliteSource()
