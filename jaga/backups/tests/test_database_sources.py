"""Real MariaDB and PostgreSQL dumps on the machine's servers: checks, failures in words, drills with row counts."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest

from jaga.backups import services
from jaga.backups.models import RunState
from jaga.backups.sources import REGISTRY, checks
from jaga.backups.sources.base import SourceError, SourceSpec
from jaga.backups.tests.databases import _mariadb
from jaga.core import execute

pytestmark = [pytest.mark.django_db, pytest.mark.same_on_every_database]  # an outside tool's test (root conftest.py)


def _plan(site, repository, kind: str, config: dict, secret: str = ""):  # type: ignore[no-untyped-def]
    plan = services.plan_create(site=site, name=f"DB {kind}", repository=repository)
    services.source_add(plan=plan, kind=kind, name="db", config=config, secret=secret)
    return plan


@pytest.mark.mariadb
def test_a_mariadb_dump_is_checked_snapshotted_and_drilled(site, repository, maria_db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    config, password = maria_db
    plan = _plan(site, repository, "mariadb", config, password)
    run = services.backup_run(plan=plan)
    assert run.state == RunState.SUCCESS, run.error
    facts = run.details["sources"]["db"]
    assert facts["tables"] == {"perkara": 300, "jadwal sidang": 42}
    assert facts["size"] > 1000
    assert password not in run.log
    drill = services.drill_run(plan=plan)
    assert drill.state == RunState.SUCCESS, drill.error
    assert drill.details["sources"]["db"]["rows"] == 342
    scratch = drill.details["sources"]["db"]["scratch"]
    with pytest.raises(execute.ExecuteError):  # the scratch database was dropped
        _mariadb("SELECT 1", scratch)


@pytest.mark.mariadb
def test_the_mariadb_dump_keeps_routines_and_never_puts_the_password_on_the_command_line(maria_db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    config, password = maria_db
    spec = SourceSpec(name="db", config=REGISTRY.get("mariadb").validate(config), secret=password)
    prepared = REGISTRY.get("mariadb").prepare(spec, staging=tmp_path, log=lambda line: None)
    text = prepared.paths[0].read_text()
    assert "CREATE DEFINER" in text
    assert "PROCEDURE `hitung`" in text
    from jaga.backups.sources.mariadb import dump_args

    args = dump_args(Path("/x/opt.cnf"), config["database"], Path("/x/out.sql"))
    assert args[1] == "--defaults-extra-file=/x/opt.cnf"
    assert {"--single-transaction", "--routines", "--events", "--triggers"} <= set(args)
    assert not any(password in arg for arg in args)
    assert list(Path(tmp_path).glob("*.cnf")) == []


def _fake_tool(tmp_path: Path, script: str) -> Path:
    """A dump tool that behaves badly (exits 2, writes half a dump, writes nothing), first on PATH."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    tool = folder / "mariadb-dump"
    tool.write_text("#!/bin/sh\n" + script)
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    return folder


@pytest.mark.mariadb
@pytest.mark.parametrize(
    ("script", "check"),
    [
        ("echo 'mysqldump: Got error: 2013: Lost connection' >&2; exit 2\n", "exit status"),
        ('for a in "$@"; do case $a in --result-file=*) : > "${a#--result-file=}";; esac; done\n', "size"),
        (
            'for a in "$@"; do case $a in --result-file=*) printf -- "-- MariaDB dump 10.19\\nINSERT INTO t" '
            '> "${a#--result-file=}";; esac; done\n',
            "trailer",
        ),
        (
            'for a in "$@"; do case $a in --result-file=*) printf "garbage\\n-- Dump completed\\n" '
            '> "${a#--result-file=}";; esac; done\n',
            "readable",
        ),
    ],
)
def test_a_bad_dump_fails_the_run_naming_the_check(
    site, repository, maria_db, tmp_path, monkeypatch, script, check
) -> None:  # type: ignore[no-untyped-def]
    config, password = maria_db
    good_plan = _plan(site, repository, "mariadb", config, password)
    good = services.backup_run(plan=good_plan)
    assert good.state == RunState.SUCCESS
    monkeypatch.setattr(
        "jaga.backups.sources.mariadb.dump_tool", lambda: str(_fake_tool(tmp_path, script) / "mariadb-dump")
    )
    spec = SourceSpec(name="db", config=config, secret=password)
    with pytest.raises(SourceError) as caught:
        REGISTRY.get("mariadb").prepare(spec, staging=tmp_path, log=lambda line: None)
    assert caught.value.check == check
    run = services.backup_run(plan=good_plan)
    assert run.state == RunState.FAILED
    assert checks.CHECK_LABELS[check] in run.error
    assert not run.snapshot_id
    if check == "exit status":
        assert "Lost connection" in run.error
    from jaga.backups.repositories import restic_for

    shorts = [s["short_id"] for s in restic_for(repository).snapshots(tags=[f"plan:{good_plan.pk}"])]
    assert shorts == [good.snapshot_id[:8]]  # the good snapshot is intact


@pytest.mark.postgres
@pytest.mark.parametrize("form", ["plain", "custom"])
def test_a_postgresql_dump_is_checked_snapshotted_and_drilled(site, repository, pg_db, form) -> None:  # type: ignore[no-untyped-def]
    plan = _plan(site, repository, "postgresql", {**pg_db, "format": form})
    run = services.backup_run(plan=plan)
    assert run.state == RunState.SUCCESS, run.error
    assert run.details["sources"]["db"]["tables"] == {"public.perkara": 321, "arsip.Surat Masuk": 17}
    drill = services.drill_run(plan=plan)
    assert drill.state == RunState.SUCCESS, drill.error
    assert drill.details["sources"]["db"]["rows"] == 338


@pytest.mark.postgres
def test_a_truncated_postgresql_dump_has_no_trailer(pg_db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    spec = SourceSpec(name="db", config=REGISTRY.get("postgresql").validate(pg_db))
    prepared = REGISTRY.get("postgresql").prepare(spec, staging=tmp_path, log=lambda line: None)
    dump = prepared.paths[0]
    data = dump.read_bytes()
    dump.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError) as caught:
        checks.text_dump_check(dump, headers=(b"--",), trailer=b"-- PostgreSQL database dump complete", tool="pg_dump")
    assert caught.value.check == "trailer"
    shutil.rmtree(tmp_path, ignore_errors=True)
