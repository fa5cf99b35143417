"""The failure cases of issue 8 on the machine itself: real restic, real folders, real database servers.

Each case asserts the same three things: the run is never recorded as a success (failed, with no snapshot, its
ledger entry a failure, the plan's last good backup unchanged); its error says why in words (the Indonesian
sentence and the tool's own stderr, secrets masked); and the previous good snapshot is intact (restic still
lists it, and a restore of it matches what was backed up, or a drill loads its dump and the row counts match).

A full disk is a small tmpfs that the test mounts (it runs as root) and unmounts; a locked repository is a real
``restic check`` holding its exclusive lock; a killed run is a real ``jaga backup run`` subprocess killed with
SIGKILL while its restic runs; a file that cannot be read is read by a ``jaga backup run`` that runs without
the capabilities that let root read every file (``setpriv``).
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from jaga.backups import services
from jaga.backups.models import Plan, Repository, Run, RunState
from jaga.backups.repositories import restic_for
from jaga.backups.restic import Restic
from jaga.backups.selectors import latest_snapshot_run
from jaga.backups.tests.databases import MARIADB, POSTGRES, _mariadb, _psql
from jaga.core import execute
from jaga.core.tests.processes_helpers import JAGA, jaga_env, shared_database_url
from jaga.sop.models import LedgerEntry

pytestmark = pytest.mark.django_db
# An outside tool's case (root conftest.py): restic, the dump tools and the machine fail, and Jaga's own database
# only records what they did, so the PostgreSQL pass leaves it out. Kept there: the `postgres` cases (they dump
# the PostgreSQL server, and only that pass runs them) and the two whose `jaga` process shares Jaga's database.
SAME = pytest.mark.same_on_every_database

REPO_PASSWORD = "kata-sandi-repo-123"  # the conftest's repository
DB_PASSWORD = "Rahasia-DB-" + secrets.token_hex(3)


# --- what every case asserts -----------------------------------------------------------------------------


def _tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative path: content)."""
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def _make_site(root: Path) -> Path:
    """A small web root with nothing a CMS pattern leaves out, so that a restore must give back all of it."""
    files = {
        "index.php": b"<?php require 'core/boot.php';\n",
        "core/boot.php": b"<?php define('PN', 'Bangil');\n",
        "berita/2026/sidang-keliling.php": b"<?php echo 'Sidang keliling di Kecamatan Pandaan';\n",
        "assets/app.js": b"document.title = 'PN';\n" * 40,
        "uploads/putusan-12-pdt-g-2026.pdf": b"%PDF-1.4\n" + os.urandom(20_000),
    }
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


@pytest.fixture
def site_root(tmp_path: Path) -> Path:
    return _make_site(tmp_path / "www")


@pytest.fixture
def files_plan(site, repository, site_root):  # type: ignore[no-untyped-def]
    plan = services.plan_create(site=site, name="Situs PN", repository=repository)
    services.source_add(plan=plan, kind="files", name="www", config={"path": str(site_root), "cms": "static"})
    return plan


def _good_backup(plan: Plan) -> Run:
    run = services.backup_run(plan=plan, trigger="command")
    assert run.state == RunState.SUCCESS, run.error
    return run


def _assert_never_a_success(run: Run, good: Run, *words: str, hidden: tuple[str, ...] = ()) -> None:
    """Failed, nothing saved, the ledger says failure, the last good backup is still ``good``; ``words`` in the
    error (the Indonesian sentence and the tool's stderr), ``hidden`` (secrets) nowhere in error or log."""
    run.refresh_from_db()
    assert run.state == RunState.FAILED, (run.state, run.error)
    assert run.ended_at is not None
    assert not run.snapshot_id
    assert LedgerEntry.objects.get(pk=run.ledger_entry_id).outcome == "failure"
    assert latest_snapshot_run(run.plan) == good
    for word in words:
        assert word in run.error, (word, run.error)
    for secret in hidden:
        assert secret not in run.error
        assert secret not in run.log


def _snapshots(plan: Plan) -> list[str]:
    return [s["short_id"] for s in restic_for(plan.repository).snapshots(tags=[f"plan:{plan.pk}"])]


def _assert_good_snapshot_intact(plan: Plan, good: Run, *, root: Path, expected: dict[str, bytes], into: Path) -> None:
    """restic still lists ``good``, and a restore of it (``--verify``) gives back ``expected`` under ``root``."""
    plan.repository.refresh_from_db()
    assert good.snapshot_id[:8] in _snapshots(plan)
    restic_for(plan.repository).restore(good.snapshot_id, target=into, verify=True)
    assert _tree(into / str(root).lstrip("/")) == expected


def _cli_fails(action: str, plan: Plan) -> str:
    """``jaga backup ACTION PLAN`` exits 1; returns what it wrote on stderr."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("backup", action, str(plan.pk), stdout=out, stderr=err)
    assert exited.value.code == 1, (exited.value.code, out.getvalue(), err.getvalue())
    return err.getvalue()


# --- the machine: a small tmpfs, a restic that holds the lock, processes ------------------------------------


def _need_root(why: str) -> None:
    if os.geteuid() != 0:
        if os.environ.get("JAGA_REQUIRE_SERVICES") == "1":
            pytest.fail(f"JAGA_REQUIRE_SERVICES=1 and {why} needs root", pytrace=False)
        pytest.skip(f"{why} needs root")


@contextlib.contextmanager
def _small_tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``path`` for the test (a disk that fills up), unmounted afterwards."""
    _need_root("mounting a tmpfs")
    path.mkdir(parents=True, exist_ok=True)
    execute.run(("mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "jaga-test-full", str(path)), timeout=30)
    try:
        yield path
    finally:
        try:
            execute.run(("umount", str(path)), timeout=30)
        except execute.ExecuteError:
            execute.run(("umount", "--lazy", str(path)), timeout=30)


def _restic_env(repository: Repository, cache: Path) -> dict[str, str]:
    return {
        **os.environ,
        "RESTIC_REPOSITORY": repository.location,
        "RESTIC_PASSWORD": repository.password,
        "RESTIC_CACHE_DIR": str(cache),
    }


def _lock_files(repository: Repository) -> set[str]:
    folder = Path(repository.location) / "locks"
    # restic writes a file under a temporary name and renames it: only a renamed file is a lock.
    return {path.name for path in folder.iterdir() if "-tmp-" not in path.name} if folder.is_dir() else set()


def _restic_check_with_its_lock(repository: Repository, cache: Path) -> subprocess.Popen[bytes]:
    """A real ``restic check --read-data`` (an exclusive lock), stopped (SIGSTOP) while it holds its lock."""
    for _attempt in range(30):
        process = subprocess.Popen(
            ["restic", "check", "--read-data"],
            env=_restic_env(repository, cache),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while process.poll() is None and not _lock_files(repository):
            time.sleep(0.002)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGSTOP)
            if process.poll() is None and _lock_files(repository):
                return process
            os.kill(process.pid, signal.SIGCONT)
        process.wait(timeout=60)
    pytest.fail("restic check never held its lock long enough to be stopped")


def _children(pid: int, name: str) -> list[int]:
    """The PIDs of the running processes called ``name`` whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        if comm == name and int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def _gone(pid: int) -> bool:
    """The process has ended and been reaped. A zombie is not gone: restic's ``unlock`` sees its PID still
    answer, so its lock counts as another process's (and the orphan is reaped by PID 1 only a moment later)."""
    return not Path(f"/proc/{pid}").exists()


def _free_port() -> int:
    """A port where nothing listens any more: a database server that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- database sources on the machine's servers ---------------------------------------------------------------


@pytest.fixture
def maria_source():  # type: ignore[no-untyped-def]
    """A MariaDB database of about 2 MB (larger than the small tmpfs) and a user with a password."""
    name = f"jaga_fail_{secrets.token_hex(3)}"
    user = f"f{secrets.token_hex(3)}"
    _mariadb(f"CREATE DATABASE {name}")
    _mariadb(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{DB_PASSWORD}'")
    _mariadb(f"GRANT ALL ON *.* TO '{user}'@'%'")
    _mariadb(
        "CREATE TABLE perkara (id INT PRIMARY KEY AUTO_INCREMENT, amar TEXT); "
        "INSERT INTO perkara (amar) SELECT REPEAT(MD5(seq), 32) FROM seq_1_to_2000;",
        name,
    )
    config = {"host": MARIADB.hostname or "127.0.0.1", "port": MARIADB.port or 3306, "database": name, "user": user}
    yield config
    _mariadb(f"DROP DATABASE IF EXISTS {name}")
    _mariadb(f"DROP USER IF EXISTS '{user}'@'%'")


@pytest.fixture
def pg_source():  # type: ignore[no-untyped-def]
    name = f"jaga_fail_{secrets.token_hex(3)}"
    _psql(f"CREATE DATABASE {name}")
    _psql(
        "CREATE TABLE perkara (id serial primary key, amar text); "
        "INSERT INTO perkara (amar) SELECT repeat(md5(g::text), 32) FROM generate_series(1, 2000) g;",
        name,
    )
    host, port = POSTGRES.hostname or "127.0.0.1", POSTGRES.port or 5432
    yield {"host": host, "port": port, "database": name, "user": "postgres"}
    _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _sqlite_source(path: Path) -> dict[str, Any]:
    connection = sqlite3.connect(path)
    connection.execute("create table perkara (id integer primary key, amar text)")
    connection.executemany("insert into perkara (amar) values (?)", [(os.urandom(500).hex(),) for _ in range(2000)])
    connection.commit()
    connection.close()
    return {"path": str(path)}


def _db_plan(site, repository, kind: str, config: dict[str, Any], secret: str = "") -> Plan:  # type: ignore[no-untyped-def]
    plan = services.plan_create(site=site, name=f"DB {kind}", repository=repository)
    services.source_add(plan=plan, kind=kind, name="db", config=config, secret=secret)
    return plan


def _assert_the_good_dump_loads(plan: Plan, good: Run) -> None:
    """The good snapshot restores and its dump loads (a drill: a scratch database, every table's rows compared)."""
    assert good.snapshot_id[:8] in _snapshots(plan)
    drill = services.drill_run(plan=plan)
    assert drill.state == RunState.SUCCESS, drill.error
    assert drill.details["snapshot"] == good.snapshot_id
    assert drill.details["sources"]["db"]["rows"] == 2000


# --- a full disk -------------------------------------------------------------------------------------------------


@SAME
def test_a_full_repository_disk_fails_in_words_and_keeps_the_good_snapshot(institution, site, tmp_path) -> None:  # type: ignore[no-untyped-def]
    root = _make_site(tmp_path / "www")
    with _small_tmpfs(tmp_path / "disk", "4m") as disk:
        repository = services.repository_create(
            institution=institution, name="Disk kecil", location=str(disk / "repo"), password=REPO_PASSWORD
        )
        plan = services.plan_create(site=site, name="Ke disk kecil", repository=repository)
        services.source_add(plan=plan, kind="files", name="www", config={"path": str(root), "cms": "static"})
        good = _good_backup(plan)
        expected = _tree(root)
        (root / "uploads" / "rekaman-sidang.mp4").write_bytes(os.urandom(8 * 1024 * 1024))  # more than the disk

        run = services.backup_run(plan=plan)
        words = ("Ruang penyimpanan penuh", "no space left on device")
        _assert_never_a_success(run, good, *words, hidden=(REPO_PASSWORD,))
        assert "Ruang penyimpanan penuh" in _cli_fails("run", plan)

        filler = disk / "pengisi"
        with filler.open("wb", buffering=0) as handle, contextlib.suppress(OSError):
            while True:  # not a byte left: restic cannot even write its lock
                handle.write(b"\0" * 65536)
        for failed in (services.backup_run(plan=plan), services.check_run(plan=plan), services.drill_run(plan=plan)):
            assert failed.state == RunState.FAILED
            assert "Ruang penyimpanan penuh" in failed.error
            assert "dikunci proses lain" not in failed.error  # restic's "unable to create lock" is not a lock
            assert "github.com/restic" not in failed.error  # nor its Go stack trace
        for action in ("run", "check", "drill"):
            assert "Ruang penyimpanan penuh" in _cli_fails(action, plan)
        filler.unlink()

        _assert_good_snapshot_intact(plan, good, root=root, expected=expected, into=tmp_path / "pulih")
        assert services.check_run(plan=plan).state == RunState.SUCCESS  # nothing half-written left in the repository
        (root / "uploads" / "rekaman-sidang.mp4").unlink()
        assert services.backup_run(plan=plan).state == RunState.SUCCESS  # once there is room again


@pytest.mark.parametrize(
    ("kind", "stderr_says"),
    [
        pytest.param("mariadb", "errno 28", marks=[pytest.mark.mariadb, SAME]),
        pytest.param("postgresql", "No space left on device", marks=pytest.mark.postgres),
        pytest.param("sqlite", "disk is full", marks=SAME),
    ],
)
def test_a_full_dump_folder_fails_naming_the_full_disk(site, repository, tmp_path, request, kind, stderr_says) -> None:  # type: ignore[no-untyped-def]
    if kind == "mariadb":
        config, secret = request.getfixturevalue("maria_source"), DB_PASSWORD
    elif kind == "postgresql":
        config, secret = request.getfixturevalue("pg_source"), ""
    else:
        config, secret = _sqlite_source(tmp_path / "perkara.sqlite3"), ""
    plan = _db_plan(site, repository, kind, config, secret)
    good = _good_backup(plan)
    assert good.details["sources"]["db"]["size"] > 512 * 1024  # the dump does not fit on the small disk below

    with _small_tmpfs(services.work_dir("staging", f"plan-{plan.pk}"), "256k"):
        run = services.backup_run(plan=plan)
        _assert_never_a_success(
            run, good, "Dump gagal pemeriksaan", "Ruang penyimpanan penuh", stderr_says, hidden=(DB_PASSWORD,)
        )
        assert "Ruang penyimpanan penuh" in _cli_fails("run", plan)
    assert _snapshots(plan) == [good.snapshot_id[:8]]  # the cut dump never reached restic
    _assert_the_good_dump_loads(plan, good)


# --- a repository locked by another process -------------------------------------------------------------------


@SAME
def test_a_repository_locked_by_a_running_restic_fails_in_words_and_its_lock_is_left_alone(  # type: ignore[no-untyped-def]
    files_plan, site_root, tmp_path
) -> None:
    plan = files_plan
    good = _good_backup(plan)
    expected = _tree(site_root)
    (site_root / "berita" / "2026" / "baru.php").write_text("<?php echo 'baru';")
    holder = _restic_check_with_its_lock(plan.repository, tmp_path / "other-cache")
    try:
        held = _lock_files(plan.repository)
        run = services.backup_run(plan=plan)
        _assert_never_a_success(run, good, "Repositori sedang dikunci proses lain", "locked exclusively by PID")
        check = services.check_run(plan=plan)
        assert check.state == RunState.FAILED
        assert "dikunci proses lain" in check.error
        drill = services.drill_run(plan=plan)
        assert drill.state == RunState.FAILED
        assert "dikunci proses lain" in drill.error
        for action in ("run", "check", "drill"):
            assert "dikunci proses lain" in _cli_fails(action, plan)
        assert _lock_files(plan.repository) == held  # a live process's lock is never removed
        assert holder.poll() is None
    finally:
        os.kill(holder.pid, signal.SIGCONT)
        assert holder.wait(timeout=120) == 0  # the other restic finishes its check undisturbed
    _assert_good_snapshot_intact(plan, good, root=site_root, expected=expected, into=tmp_path / "pulih")
    assert services.backup_run(plan=plan).state == RunState.SUCCESS  # once the other process is done


@SAME
def test_a_stale_lock_left_by_a_killed_restic_is_removed_and_the_run_succeeds(files_plan, site_root, tmp_path) -> None:  # type: ignore[no-untyped-def]
    plan = files_plan
    good = _good_backup(plan)
    holder = _restic_check_with_its_lock(plan.repository, tmp_path / "other-cache")
    os.kill(holder.pid, signal.SIGKILL)  # it dies holding its exclusive lock: the lock file stays
    holder.wait(timeout=30)
    assert _lock_files(plan.repository)
    with pytest.raises(Exception, match="locked"):  # restic itself refuses while the stale lock is there
        execute.run(("restic", "backup", str(site_root)), env=_restic_env(plan.repository, tmp_path / "c"), timeout=60)

    run = services.backup_run(plan=plan)
    assert run.state == RunState.SUCCESS, run.error
    assert _lock_files(plan.repository) == set()
    assert _snapshots(plan) == [good.snapshot_id[:8], run.snapshot_id[:8]]


# --- a source folder that vanishes mid-run ----------------------------------------------------------------------


@SAME
def test_a_web_root_removed_while_restic_reads_it_fails_and_its_partial_snapshot_is_not_kept(  # type: ignore[no-untyped-def]
    files_plan, site_root, tmp_path, monkeypatch
) -> None:
    plan = files_plan
    good = _good_backup(plan)
    expected = _tree(site_root)
    kept = tmp_path / "salinan"
    shutil.copytree(site_root, kept)
    for folder in range(40):  # enough small files that restic is still reading when the folder goes
        part = site_root / "uploads" / f"arsip-{folder:02d}"
        part.mkdir(parents=True)
        for number in range(400):
            (part / f"surat-{number:03d}.php").write_bytes(os.urandom(1024))
    monkeypatch.setattr("jaga.backups.services.runs.PROGRESS_EVERY", 0.0)  # every restic status reaches us
    removed_at: list[int] = []

    def remove_once_restic_reads(run: Run) -> None:
        if run.files_processed > 0 and not removed_at:
            removed_at.append(run.files_processed)
            shutil.rmtree(site_root)

    run = services.backup_run(plan=plan, on_progress=remove_once_restic_reads)
    assert removed_at, "restic never reported reading"
    assert removed_at[0] < 16_000  # restic had read part of the tree when it went
    _assert_never_a_success(run, good, "hilang selama pencadangan", str(site_root), "no such file or directory")
    assert _snapshots(plan) == [good.snapshot_id[:8]]  # the half snapshot is forgotten, the good one kept
    shutil.copytree(kept, site_root)
    _assert_good_snapshot_intact(plan, good, root=site_root, expected=expected, into=tmp_path / "pulih")


@SAME
def test_a_web_root_removed_between_the_dump_and_the_snapshot_fails(  # type: ignore[no-untyped-def]
    site, repository, site_root, tmp_path, monkeypatch
) -> None:
    plan = services.plan_create(site=site, name="Situs dan basis data", repository=repository)
    services.source_add(plan=plan, kind="files", name="www", config={"path": str(site_root), "cms": "static"})
    services.source_add(plan=plan, kind="sqlite", name="db", config=_sqlite_source(tmp_path / "perkara.sqlite3"))
    good = _good_backup(plan)
    expected = _tree(site_root)
    kept = tmp_path / "salinan"
    shutil.copytree(site_root, kept)
    real_backup = Restic.backup

    def folder_gone_after_the_dump(self: Restic, paths: Any, **kwargs: Any) -> Any:
        shutil.rmtree(site_root)  # the dump is made and checked; the web root goes before restic starts
        return real_backup(self, paths, **kwargs)

    monkeypatch.setattr(Restic, "backup", folder_gone_after_the_dump)
    run = services.backup_run(plan=plan)
    # restic skips a path that does not exist and exits 0: without Jaga's check this was a "success"
    # holding only the database.
    _assert_never_a_success(run, good, "hilang selama pencadangan", f"{site_root} does not exist")
    assert _snapshots(plan) == [good.snapshot_id[:8]]
    shutil.copytree(kept, site_root)
    assert "hilang selama pencadangan" in _cli_fails("run", plan)
    monkeypatch.undo()
    assert _snapshots(plan) == [good.snapshot_id[:8]]
    shutil.copytree(kept, site_root)
    _assert_good_snapshot_intact(plan, good, root=site_root, expected=expected, into=tmp_path / "pulih")
    _assert_the_good_dump_loads(plan, good)


# --- wrong passwords and a database server that is down ---------------------------------------------------


@SAME
def test_a_wrong_repository_password_fails_and_the_right_one_still_opens_it(files_plan, site_root, tmp_path) -> None:  # type: ignore[no-untyped-def]
    plan = files_plan
    good = _good_backup(plan)
    expected = _tree(site_root)
    plan.repository.password = "bukan-kata-sandinya"
    plan.repository.save()
    run = services.backup_run(plan=plan)
    _assert_never_a_success(run, good, "Kata sandi repositori salah", "wrong password", hidden=("bukan-kata-sandinya",))
    for action in ("run", "check", "drill"):
        stderr = _cli_fails(action, plan)
        assert "Kata sandi repositori salah" in stderr
        assert "bukan-kata-sandinya" not in stderr
    plan.repository.password = REPO_PASSWORD
    plan.repository.save()
    _assert_good_snapshot_intact(plan, good, root=site_root, expected=expected, into=tmp_path / "pulih")


@SAME
@pytest.mark.mariadb
def test_a_wrong_mariadb_password_fails_and_the_good_dump_still_loads(site, repository, maria_source) -> None:  # type: ignore[no-untyped-def]
    plan = _db_plan(site, repository, "mariadb", maria_source, DB_PASSWORD)
    good = _good_backup(plan)
    source = plan.sources.get()
    source.secret = "salah-" + DB_PASSWORD
    source.save()
    run = services.backup_run(plan=plan)
    _assert_never_a_success(run, good, "tidak dapat dibaca", "Access denied", hidden=(DB_PASSWORD,))
    assert "Access denied" in _cli_fails("run", plan)
    source.secret = DB_PASSWORD
    source.save()
    _assert_the_good_dump_loads(plan, good)


@pytest.mark.parametrize(
    ("kind", "stderr_says"),
    [
        pytest.param("mariadb", "Can't connect", marks=[pytest.mark.mariadb, SAME]),
        pytest.param("postgresql", "Connection refused", marks=pytest.mark.postgres),
    ],
)
def test_a_database_server_that_is_down_fails_and_the_good_dump_still_loads(  # type: ignore[no-untyped-def]
    site, repository, request, kind, stderr_says
) -> None:
    config = request.getfixturevalue("maria_source" if kind == "mariadb" else "pg_source")
    plan = _db_plan(site, repository, kind, config, DB_PASSWORD if kind == "mariadb" else "")
    good = _good_backup(plan)
    source = plan.sources.get()
    source.config = {**source.config, "port": _free_port()}
    source.save()
    run = services.backup_run(plan=plan)
    _assert_never_a_success(run, good, "tidak dapat dibaca", stderr_says, hidden=(DB_PASSWORD,))
    assert stderr_says in _cli_fails("run", plan)
    source.config = config
    source.save()
    _assert_the_good_dump_loads(plan, good)


# --- processes: killed mid-run, a service user that cannot read a file ------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_run_killed_mid_snapshot_is_recovered_by_the_next_run(site, repository, site_root, tmp_path) -> None:  # type: ignore[no-untyped-def]
    plan = services.plan_create(site=site, name="Situs dan basis data", repository=repository)
    services.source_add(plan=plan, kind="files", name="www", config={"path": str(site_root), "cms": "static"})
    services.source_add(plan=plan, kind="sqlite", name="db", config=_sqlite_source(tmp_path / "perkara.sqlite3"))
    good = _good_backup(plan)
    expected = _tree(site_root)
    large = site_root / "uploads" / "arsip-sidang.iso"
    with large.open("wb") as handle:  # 16 GB that take no room: restic reads for long enough to be killed
        handle.truncate(16 * 1024**3)
    env_extra = {"JAGA_ENCRYPTION_KEY": settings.JAGA_ENCRYPTION_KEY, "JAGA_SECRET_KEY": settings.SECRET_KEY}
    staging = services.work_dir("staging", f"plan-{plan.pk}")

    with shared_database_url(tmp_path) as url:
        jaga = subprocess.Popen(
            [JAGA, "backup", "run", str(plan.pk)],
            env=jaga_env(tmp_path, DATABASE_URL=url, **env_extra),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        restic: list[int] = []
        deadline = time.monotonic() + 120
        while not (restic and _lock_files(plan.repository) and any(staging.iterdir())):
            assert jaga.poll() is None, "jaga backup run ended before it could be killed"
            assert time.monotonic() < deadline, "restic never started"
            restic = _children(jaga.pid, "restic")
            time.sleep(0.05)
        time.sleep(0.5)  # restic is reading the large file
        restic = _children(jaga.pid, "restic") or restic  # every restic it runs at the moment of the kill
        os.kill(jaga.pid, signal.SIGKILL)
        assert jaga.wait(timeout=30) == -signal.SIGKILL
        deadline = time.monotonic() + 30
        while not all(_gone(pid) for pid in restic):  # Jaga's restic dies with it (SIGTERM from the kernel)
            assert time.monotonic() < deadline, "restic outlived the killed jaga"
            time.sleep(0.05)
    killed = Run.objects.filter(plan=plan).exclude(pk=good.pk).get()
    assert killed.state == RunState.RUNNING  # what the killed process left: never a success
    assert not killed.snapshot_id
    assert LedgerEntry.objects.get(pk=killed.ledger_entry_id).outcome == "running"
    assert _lock_files(plan.repository)  # restic's lock, left behind by the killed restic
    assert any(staging.iterdir())  # and the dump it had made

    large.unlink()
    with shared_database_url(tmp_path) as url:
        again = subprocess.run(
            [JAGA, "backup", "run", str(plan.pk)],
            env=jaga_env(tmp_path, DATABASE_URL=url, **env_extra),
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert again.returncode == 0, again.stdout + again.stderr
    killed.refresh_from_db()
    assert killed.state == RunState.INTERRUPTED
    assert "berhenti" in killed.error
    assert not killed.snapshot_id
    assert LedgerEntry.objects.get(pk=killed.ledger_entry_id).outcome == "interrupted"
    rerun = Run.objects.filter(plan=plan).exclude(pk__in=(good.pk, killed.pk)).get()
    assert rerun.state == RunState.SUCCESS, rerun.error
    assert LedgerEntry.objects.get(pk=rerun.ledger_entry_id).outcome == "success"
    assert latest_snapshot_run(plan) == rerun
    assert _snapshots(plan) == [good.snapshot_id[:8], rerun.snapshot_id[:8]]
    assert _lock_files(plan.repository) == set()
    assert list(staging.iterdir()) == []
    _assert_good_snapshot_intact(plan, good, root=site_root, expected=expected, into=tmp_path / "pulih")


DROP_DAC = "-dac_override,-dac_read_search"


@pytest.mark.django_db(transaction=True)
def test_a_file_that_cannot_be_read_is_a_warning_that_names_it(files_plan, site_root, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Root reads every file: here ``jaga backup run`` runs as root without the two capabilities that let it
    (``setpriv`` drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the whole process tree), so that another
    user's file of mode 0600 is as unreadable to it and its restic as it is to a service user."""
    _need_root("dropping capabilities with setpriv")
    plan = files_plan
    good = _good_backup(plan)
    expected = _tree(site_root)
    secret = site_root / "core" / "kunci-rahasia.php"
    secret.write_text("<?php define('KUNCI', 'x');")
    os.chown(secret, 65534, 65534)  # nobody's
    secret.chmod(0o600)
    env_extra = {"JAGA_ENCRYPTION_KEY": settings.JAGA_ENCRYPTION_KEY, "JAGA_SECRET_KEY": settings.SECRET_KEY}

    with shared_database_url(tmp_path) as url:
        done = subprocess.run(
            ["setpriv", f"--bounding-set={DROP_DAC}", f"--inh-caps={DROP_DAC}", JAGA, "backup", "run", str(plan.pk)],
            env=jaga_env(tmp_path, DATABASE_URL=url, **env_extra),
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert done.returncode == 3, done.stdout + done.stderr  # a warning: neither 0 nor a plain failure
    run = Run.objects.filter(plan=plan).exclude(pk=good.pk).get()
    assert run.state == RunState.WARNING
    assert run.snapshot_id
    assert run.warnings == [f"{secret}: open: permission denied"]
    assert f"tidak terbaca / unreadable: {secret}: open: permission denied" in done.stderr
    assert f"Tidak terbaca: {secret}" in run.log
    assert LedgerEntry.objects.get(pk=run.ledger_entry_id).outcome == "partial"
    assert latest_snapshot_run(plan) == run
    names = {node["path"] for node in restic_for(plan.repository).ls(run.snapshot_id)}
    assert str(site_root / "index.php") in names
    assert str(secret) not in names
    _assert_good_snapshot_intact(plan, good, root=site_root, expected=expected, into=tmp_path / "pulih")
