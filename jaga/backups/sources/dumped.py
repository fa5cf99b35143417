"""What MariaDB and PostgreSQL share: a database dumped with its client tool, checked, drilled and restored.

The order is the same for both and lives here once: row counts of every table just before the dump (kept
beside it, so that a drill can compare), the dump, its checks; a drill loads the dump into a scratch
database, counts again and always drops the scratch database; a live restore loads the dump over the live
database. Each engine module says only how its own tools do each step (``row_counts``, ``dump``, ``check``,
``database_create``, ``database_drop``, ``load``, ``clear``). A database that only the web server reaches is
used through an SSH tunnel for the whole of each of the three (:mod:`.tunnel`).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any, ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaga.backups.sources import checks, tunnel
from jaga.backups.sources.base import DrillResult, Log, Prepared, SourceBase, SourceError, SourceSpec
from jaga.core import execute


def _detail(exc: execute.ExecuteError | OSError) -> str:
    return exc.stderr_tail or exc.message if isinstance(exc, execute.ExecuteError) else str(exc)


class DumpedDatabase(SourceBase):
    is_database = True
    secret_label = gettext_noop("Kata sandi basis data")
    engine: ClassVar[str]  # "MariaDB", "PostgreSQL": for log lines and descriptions
    tool_label: ClassVar[str]  # the dump tool, named in a failed check

    # --- what each engine does its own way ----------------------------------------------------------------

    def dump_name(self, spec: SourceSpec) -> str:
        return f"{spec.name}.sql"

    def row_counts(self, spec: SourceSpec, *, database: str) -> dict[str, int]:
        raise NotImplementedError

    def dump(self, spec: SourceSpec, *, out: Path) -> execute.Completed:
        raise NotImplementedError

    def check(self, spec: SourceSpec, *, out: Path) -> dict[str, Any]:
        """The dump's checks (size, trailer, readable); its facts; :class:`SourceError` naming the failed one."""
        raise NotImplementedError

    def database_create(self, spec: SourceSpec, *, database: str) -> None:
        raise NotImplementedError

    def database_drop(self, spec: SourceSpec, *, database: str) -> None:
        raise NotImplementedError

    def load(self, spec: SourceSpec, *, dump: Path, database: str, facts: dict[str, Any]) -> None:
        raise NotImplementedError

    def clear(self, spec: SourceSpec, *, database: str) -> None:
        """Empty the live database before a restore loads into it (nothing when the dump drops its own tables)."""

    # --- the same for every engine ------------------------------------------------------------------------

    def describe(self, spec: SourceSpec) -> str:
        c = spec.config
        text = f"{self.engine} {c['user']}@{c['host']}:{c['port']}/{c['database']}"
        return f"{text} ({_('melalui terowongan SSH ke server web')})" if c.get("tunnel") else text

    def prepare(self, spec: SourceSpec, *, staging: Path, log: Log) -> Prepared:
        with tunnel.opened(spec, log=log) as (near, pinned):
            prepared = self._prepare(near, staging=staging, log=log)
        if pinned != spec.config.get("tunnel_known_hosts", ""):  # pinned now, on first use: checked from now on
            prepared.config_update["tunnel_known_hosts"] = pinned
        return prepared

    def drill(self, spec: SourceSpec, *, restored: Path, facts: dict[str, Any], log: Log) -> DrillResult:
        try:
            with tunnel.opened(spec, log=log) as (near, _pinned):
                return self._drill(near, restored=restored, facts=facts, log=log)
        except SourceError as exc:
            return DrillResult(ok=False, problems=[str(exc)])

    def restore_live(self, spec: SourceSpec, *, restored: Path, facts: dict[str, Any], log: Log) -> dict[str, Any]:
        with tunnel.opened(spec, log=log) as (near, _pinned):
            return self._restore_live(near, restored=restored, facts=facts, log=log)

    def _prepare(self, spec: SourceSpec, *, staging: Path, log: Log) -> Prepared:
        out = staging / self.dump_name(spec)
        facts_path = staging / f"{spec.name}.facts.json"
        out.unlink(missing_ok=True)
        database = spec.config["database"]
        try:
            counts = self.row_counts(spec, database=database)
        except execute.ExecuteError as exc:
            raise SourceError(
                _("Basis data %(db)s tidak dapat dibaca sebelum dump.") % {"db": database},
                check="connection",
                detail=exc.stderr_tail or exc.message,
            ) from None
        log(
            _("Dump %(engine)s %(db)s (%(tables)d tabel)")
            % {"engine": self.engine, "db": database, "tables": len(counts)}
        )
        try:
            done = self.dump(spec, out=out)
        except execute.ExecuteError as exc:
            raise checks.tool_failed(self.tool_label, exc) from None
        facts = self.check(spec, out=out)
        facts.update({"file": str(out), "tables": counts, "seconds": round(done.duration, 2), "database": database})
        checks.facts_write(facts_path, facts)
        log(_("Dump diperiksa: %(size)d bita") % {"size": facts["size"]})
        return Prepared(paths=[out, facts_path], facts=facts)

    def _saved_facts(self, spec: SourceSpec, dump: Path, facts: dict[str, Any]) -> dict[str, Any]:
        """The facts the snapshot carries beside the dump (row counts at dump time); the run's otherwise."""
        return checks.facts_read(dump.with_name(f"{spec.name}.facts.json")) or facts

    def _drill(self, spec: SourceSpec, *, restored: Path, facts: dict[str, Any], log: Log) -> DrillResult:
        dump = restored / str(facts["file"]).lstrip("/")
        saved = self._saved_facts(spec, dump, facts)
        expected = {name: int(count) for name, count in (saved.get("tables") or {}).items()}
        scratch = f"jaga_drill_{secrets.token_hex(4)}"
        log(_("Memuat dump ke basis data sementara %(db)s") % {"db": scratch})
        try:
            try:
                self.database_create(spec, database=scratch)
                self.load(spec, dump=dump, database=scratch, facts=saved)
                found = self.row_counts(spec, database=scratch)
            except (execute.ExecuteError, OSError) as exc:
                return DrillResult(ok=False, problems=[_("Dump tidak dapat dimuat: %(e)s") % {"e": _detail(exc)}])
        finally:
            try:
                self.database_drop(spec, database=scratch)
            except execute.ExecuteError as exc:
                log(_("Basis data sementara %(db)s tidak terhapus: %(e)s") % {"db": scratch, "e": exc.message})
        problems = checks.counts_compare(expected, found)
        return DrillResult(
            ok=not problems,
            figures={"tables": len(found), "rows": sum(found.values()), "scratch": scratch},
            problems=problems,
        )

    def _restore_live(self, spec: SourceSpec, *, restored: Path, facts: dict[str, Any], log: Log) -> dict[str, Any]:
        dump = restored / str(facts["file"]).lstrip("/")
        saved = self._saved_facts(spec, dump, facts)
        database = spec.config["database"]
        log(_("Memuat dump ke basis data %(db)s") % {"db": database})
        try:
            self.clear(spec, database=database)
            self.load(spec, dump=dump, database=database, facts=saved)
            found = self.row_counts(spec, database=database)
        except (execute.ExecuteError, OSError) as exc:
            raise SourceError(_("Dump tidak dapat dimuat ke %(db)s.") % {"db": database}, detail=_detail(exc)) from None
        return {"tables": len(found), "rows": sum(found.values())}
