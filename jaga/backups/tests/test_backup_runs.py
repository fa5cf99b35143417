"""Backups with the real restic in temporary folders: runs, warnings, failures, checks, drills, restores."""

from __future__ import annotations

import gc
import io
import os
import sqlite3
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from jaga.backups import services
from jaga.backups.models import Run, RunState
from jaga.backups.repositories import MediumMissing, medium_check, restic_for
from jaga.backups.restic import backup_args, check_args, forget_args, verified_files
from jaga.sop.models import LedgerEntry
from jaga.sop.selectors import ledger_notes_text

pytestmark = pytest.mark.django_db


def _snapshot_ids(plan) -> list[str]:  # type: ignore[no-untyped-def]
    """The short ids (what restic's backup summary gives) of the plan's snapshots, oldest first."""
    return [s["short_id"] for s in restic_for(plan.repository).snapshots(tags=[f"plan:{plan.pk}"])]


def test_it_backs_up_a_web_root_into_a_snapshot_and_the_ledger(plan, web_root) -> None:  # type: ignore[no-untyped-def]
    seen: list[float] = []
    run = services.backup_run(plan=plan, trigger="command", on_progress=lambda r: seen.append(r.percent))
    assert run.state == RunState.SUCCESS, run.error
    assert len(run.snapshot_id) >= 8
    assert run.files_new == 3  # the cache folder left out
    assert run.bytes_added > 0
    assert run.ended_at is not None
    assert seen  # progress reached the caller
    assert _snapshot_ids(plan) == [run.snapshot_id[:8]]
    names = {node["path"] for node in restic_for(plan.repository).ls(run.snapshot_id)}
    assert f"{web_root}/wp-content/uploads/2026/putusan.pdf" in names
    assert f"{web_root}/wp-content/cache/page.html" not in names
    entry = LedgerEntry.objects.get(pk=run.ledger_entry_id)
    assert entry.activity_key == "backup"
    assert entry.outcome == "success"
    assert entry.output_object_id == run.pk
    # Stored as a sentence: each reader reads the run's line in his language.
    added = ledger_notes_text(entry.notes).removeprefix(
        f"pencadangan {plan.name}: berhasil, snapshot {run.snapshot_id[:8]}, "
    )
    number, unit = added.removesuffix(" ditambahkan").split(" ")
    assert unit in ("B", "KB", "MB"), added
    scale = 1024 ** ("B", "KB", "MB").index(unit)  # the size as filesizeformat shows it, in Indonesian notation
    assert abs(float(number.replace(",", ".")) * scale - run.bytes_added) <= 0.05 * scale, added
    with translation.override("en"):
        english = ledger_notes_text(entry.notes)
    assert (
        english
        == f"backup {plan.name}: success, snapshot {run.snapshot_id[:8]}, {number.replace(',', '.')} {unit} added"
    )


def test_a_second_run_adds_only_what_changed(plan, web_root) -> None:  # type: ignore[no-untyped-def]
    first = services.backup_run(plan=plan)
    again = services.backup_run(plan=plan)
    assert again.state == RunState.SUCCESS
    assert again.files_new == 0
    assert again.files_changed == 0
    (web_root / "berita.php").write_text("<?php echo 'baru';")
    third = services.backup_run(plan=plan)
    assert third.files_new == 1
    assert {first.snapshot_id[:8], again.snapshot_id[:8], third.snapshot_id[:8]} <= set(_snapshot_ids(plan))


def test_an_unreadable_file_is_a_warning_that_lists_it_never_a_plain_success(plan, web_root) -> None:  # type: ignore[no-untyped-def]
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    secret = web_root / "wp-content" / "private.php"
    secret.write_text("<?php")
    secret.chmod(0)
    try:
        run = services.backup_run(plan=plan)
    finally:
        secret.chmod(0o644)
    assert run.state == RunState.WARNING
    assert run.snapshot_id
    assert any("private.php" in line for line in run.warnings)
    assert LedgerEntry.objects.get(pk=run.ledger_entry_id).outcome == "partial"


def test_a_missing_web_root_fails_in_words_and_keeps_the_good_snapshot(plan, web_root, tmp_path) -> None:  # type: ignore[no-untyped-def]
    good = services.backup_run(plan=plan)
    web_root.rename(tmp_path / "gone")
    run = services.backup_run(plan=plan)
    assert run.state == RunState.FAILED
    assert "tidak ada" in run.error
    assert not run.snapshot_id
    assert _snapshot_ids(plan) == [good.snapshot_id[:8]]
    assert LedgerEntry.objects.get(pk=run.ledger_entry_id).outcome == "failure"


def test_a_failed_backup_opens_the_plans_incident_and_the_next_success_resolves_it(plan, web_root, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from jaga.incidents.models import Incident, State

    web_root.rename(tmp_path / "gone")
    failed = services.backup_run(plan=plan)
    incident = Incident.objects.get(site=plan.site, kind="backup_failed", cause_key=f"backup-plan:{plan.pk}")
    assert incident.state != State.RESOLVED
    assert incident.details["run"] == failed.pk
    (tmp_path / "gone").rename(web_root)
    assert services.backup_run(plan=plan).state == RunState.SUCCESS
    incident.refresh_from_db()
    assert incident.state == State.RESOLVED


@pytest.mark.parametrize("kind", ["check", "drill"])
def test_a_failed_check_or_drill_opens_the_plans_incident_and_notifies(plan, repository, kind) -> None:  # type: ignore[no-untyped-def]
    from jaga.core.models import NotificationChannel, NotificationDelivery, NotificationRoute
    from jaga.incidents.models import Incident, State

    institution = plan.site.institution
    channel = NotificationChannel.objects.create(institution=institution, name="Webhook", url="json://127.0.0.1:9/")
    NotificationRoute.objects.create(institution=institution, channel=channel, event_type=f"backup.{kind}_failed")
    assert services.backup_run(plan=plan).state == RunState.SUCCESS
    repository.password = "kata-sandi-yang-salah"  # the stored password no longer opens the repository
    repository.save()
    plan.refresh_from_db()
    run = services.check_run(plan=plan) if kind == "check" else services.drill_run(plan=plan)
    assert run.state == RunState.FAILED
    incident = Incident.objects.get(site=plan.site, kind="backup_failed", cause_key=f"backup-plan:{plan.pk}")
    assert incident.state != State.RESOLVED
    assert (incident.details["run"], incident.details["kind"]) == (run.pk, kind)
    assert NotificationDelivery.objects.filter(event_type=f"backup.{kind}_failed").count() == 1


def test_a_missing_external_disk_is_a_soft_failure_that_alerts(institution, site, web_root, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from jaga.backups.models import Repository

    mount = tmp_path / "media" / "usb"
    mount.mkdir(parents=True)
    repository = Repository.objects.create(
        institution=institution,
        name="Disk USB",
        kind="disk",
        location=str(mount / "jaga-repo"),
        password="pw-disk-123",
        options={"mount_point": str(mount)},
    )
    with pytest.raises(MediumMissing) as caught:
        medium_check(repository)
    assert caught.value.reason == "not_mounted"
    plan = services.plan_create(site=site, name="Ke disk", repository=repository)
    services.source_add(plan=plan, kind="files", name="www", config={"path": str(web_root)})
    run = services.backup_run(plan=plan)
    assert run.state == RunState.FAILED
    assert "tidak terpasang" in run.error
    assert not (mount / "jaga-repo").exists()  # nothing written into the empty mount folder


def test_the_wrong_disk_is_noticed(institution, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from jaga.backups.models import Repository

    mount = tmp_path / "disk"
    mount.mkdir()
    repository = Repository.objects.create(
        institution=institution,
        name="Disk",
        kind="disk",
        location=str(mount / "repo"),
        password="pw-disk-123",
        options={"mount_point": str(mount), "require_mount": False},
    )
    services.repository_init(repository=repository)
    medium_check(repository)  # the right disk
    (mount / ".jaga-disk").write_text('{"repository": "another"}')
    with pytest.raises(MediumMissing) as caught:
        medium_check(repository)
    assert caught.value.reason == "wrong_disk"


def test_a_sqlite_database_is_copied_online_checked_and_drilled(site, repository, tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "site.sqlite3"
    connection = sqlite3.connect(db)
    connection.execute("create table berita (id integer primary key, judul text)")
    connection.executemany("insert into berita (judul) values (?)", [(f"Berita {i}",) for i in range(250)])
    connection.commit()
    connection.close()
    plan = services.plan_create(site=site, name="SQLite", repository=repository)
    services.source_add(plan=plan, kind="sqlite", name="db", config={"path": str(db)})
    run = services.backup_run(plan=plan)
    assert run.state == RunState.SUCCESS, run.error
    assert run.details["sources"]["db"]["tables"] == {"berita": 250}
    drill = services.drill_run(plan=plan)
    assert drill.state == RunState.SUCCESS, drill.error
    assert drill.details["sources"]["db"]["rows"] == 250
    assert LedgerEntry.objects.get(pk=drill.ledger_entry_id).outcome == "success"


def test_a_drill_restores_the_files_and_verifies_them(plan) -> None:  # type: ignore[no-untyped-def]
    backup = services.backup_run(plan=plan)
    drill = services.drill_run(plan=plan)
    assert drill.state == RunState.SUCCESS, drill.error
    assert drill.details["sources"]["www"]["files"] == 3
    # restic's --verify read back every file the backup saved (its own count, not a walk of the folder)
    assert drill.details["verified_files"] == drill.files_processed == backup.files_processed == 3
    assert not any((Path(services.work_dir("drills"))).iterdir())  # the scratch folder is gone


def test_a_drill_that_verifies_fewer_files_than_the_backup_saved_fails(plan) -> None:  # type: ignore[no-untyped-def]
    backup = services.backup_run(plan=plan)
    Run.objects.filter(pk=backup.pk).update(files_processed=backup.files_processed + 1)
    drill = services.drill_run(plan=plan)
    assert drill.state == RunState.FAILED
    assert f"restic memeriksa 3 berkas, snapshot berisi {backup.files_processed + 1}" in drill.error


def test_the_verified_count_is_read_from_restics_last_line() -> None:
    out = (
        "restoring <Snapshot 6e2a8b63 of [/srv/www]> to /x\nverifying files in /x\n"
        "finished verifying 37081 files in /x (took 3s)\n"
    )
    assert verified_files(out) == 37081
    assert verified_files("restoring <Snapshot 6e2a8b63> to /x\n") is None


def test_a_scratch_folder_is_removed_whole(tmp_path) -> None:  # type: ignore[no-untyped-def]
    scratch = tmp_path / "run-1"
    (scratch / "a" / "b").mkdir(parents=True)
    (scratch / "a" / "b" / "berkas.php").write_text("<?php")
    (scratch / "a" / "tautan").symlink_to(tmp_path / "di-luar")
    (tmp_path / "di-luar").mkdir()
    (tmp_path / "di-luar" / "tetap.txt").write_text("x")
    os.chmod(scratch / "a" / "b", 0o500)  # restic restores a read-only folder as it was
    services.scratch_remove(scratch)
    assert not scratch.exists()
    assert (tmp_path / "di-luar" / "tetap.txt").exists()  # a symlink is removed, never followed
    services.scratch_remove(scratch)  # gone already: nothing to do


def test_a_drill_without_a_snapshot_fails(plan) -> None:  # type: ignore[no-untyped-def]
    drill = services.drill_run(plan=plan)
    assert drill.state == RunState.FAILED
    assert "Belum ada snapshot" in drill.error


def test_restore_to_a_new_folder_brings_the_files_back(plan, web_root, tmp_path) -> None:  # type: ignore[no-untyped-def]
    backup = services.backup_run(plan=plan)
    target = tmp_path / "pulih"
    run = services.restore_run(plan=plan, target=target, snapshot=backup.snapshot_id[:8])
    assert run.state == RunState.SUCCESS, run.error
    restored = target / str(web_root).lstrip("/") / "wp-content" / "uploads" / "2026" / "putusan.pdf"
    assert restored.read_bytes() == (web_root / "wp-content" / "uploads" / "2026" / "putusan.pdf").read_bytes()
    again = services.restore_run(plan=plan, target=target)
    assert again.state == RunState.FAILED  # never over a folder that holds something
    assert "tidak kosong" in again.error


def test_retention_forgets_the_plans_old_snapshots_and_keeps_another_plans(plan, site, repository, web_root) -> None:  # type: ignore[no-untyped-def]
    other = services.plan_create(site=site, name="Lain", repository=repository, keep_last=1, keep_daily=0,
                                 keep_weekly=0, keep_monthly=0, keep_yearly=0)  # fmt: skip
    services.source_add(plan=other, kind="files", name="www", config={"path": str(web_root)})
    kept = services.backup_run(plan=other)
    plan.keep_last, plan.keep_daily, plan.keep_weekly, plan.keep_monthly, plan.keep_yearly = 2, 0, 0, 0, 0
    plan.save()
    runs = []
    for number in range(4):
        (web_root / "berita.php").write_text(f"<?php echo {number};")
        runs.append(services.backup_run(plan=plan))
        assert runs[-1].state == RunState.SUCCESS, runs[-1].error
    assert _snapshot_ids(plan) == [runs[2].snapshot_id[:8], runs[3].snapshot_id[:8]]  # the newest two
    assert _snapshot_ids(other) == [kept.snapshot_id[:8]]  # another plan's snapshot is not the plan's to forget


def test_check_reads_a_rotating_subset(plan) -> None:  # type: ignore[no-untyped-def]
    services.backup_run(plan=plan)
    first = services.check_run(plan=plan)
    assert first.state == RunState.SUCCESS, first.error
    assert first.details["subset"] == "1/4"
    plan.refresh_from_db()
    assert services.check_run(plan=plan).details["subset"] == "2/4"


def test_check_fails_on_a_damaged_repository(plan) -> None:  # type: ignore[no-untyped-def]
    services.backup_run(plan=plan)
    packs = [p for p in (Path(plan.repository.location) / "data").rglob("*") if p.is_file()]
    for pack in packs:
        data = bytearray(pack.read_bytes())
        data[len(data) // 2] ^= 0xFF
        pack.write_bytes(bytes(data))
    plan.read_cycle_checks = 1
    plan.save()
    run = services.check_run(plan=plan)
    assert run.state == RunState.FAILED


def test_a_killed_runs_row_is_closed_as_interrupted_by_the_sweep(plan) -> None:  # type: ignore[no-untyped-def]
    from jaga.core import clock
    from jaga.core.liveness import this_host

    run = Run.objects.create(  # its process (a PID that is not running on this machine) was killed
        plan=plan, kind="backup", started_at=clock.now(), process_id="", host=this_host(), pid=999999
    )
    closed = services.backup_runs_sweep_interrupted(now=clock.now())
    run.refresh_from_db()
    assert closed == 1
    assert run.state == RunState.INTERRUPTED
    # The next run starts from a clean staging folder and succeeds.
    assert services.backup_run(plan=plan).state == RunState.SUCCESS


def test_a_plan_declares_its_schedules(plan) -> None:  # type: ignore[no-untyped-def]
    from jaga.core.models import Schedule

    keys = set(Schedule.objects.filter(key__startswith=f"backup-plan:{plan.pk}:").values_list("key", flat=True))
    assert keys == {f"backup-plan:{plan.pk}:run", f"backup-plan:{plan.pk}:check", f"backup-plan:{plan.pk}:drill"}
    assert Schedule.objects.get(key=f"backup-plan:{plan.pk}:run").interval_seconds == 6 * 3600


def test_the_commands_are_built_as_data() -> None:
    assert backup_args(["/srv/www"], excludes=["/srv/www/cache"], tags=["plan:1"]) == (
        "backup", "--json", "--host", "jaga", "--tag", "plan:1", "--exclude", "/srv/www/cache", "/srv/www",
    )  # fmt: skip
    assert forget_args(
        keep_last=2, keep_daily=7, keep_weekly=0, keep_monthly=12, keep_yearly=0, tag="plan:1", prune=True
    ) == (
        "forget", "--json", "--tag", "plan:1", "--group-by", "host", "--keep-last", "2", "--keep-daily", "7",
        "--keep-monthly", "12", "--prune",
    )  # fmt: skip
    assert check_args(subset="2/4") == ("check", "--read-data-subset=2/4")


def test_the_run_log_writes_the_institutions_local_time_as_its_pages_do(plan) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from jaga.backups.services.runs import RunContext
    from jaga.core import clock

    with clock.frozen(dt.datetime(2026, 12, 3, 14, 47, 46, tzinfo=dt.UTC)):
        run = Run.objects.create(plan=plan, started_at=clock.now())
        RunContext(run).log("mulai")
    run.refresh_from_db()
    # 14.47.46 UTC is 21.47.46 in Asia/Jakarta (WIB), written with dots as the pages write times.
    assert run.log == "[21.47.46] mulai\n"


def test_the_backup_command_freezes_what_start_up_made(plan) -> None:  # type: ignore[no-untyped-def]
    gc.unfreeze()
    try:
        out = io.StringIO()
        call_command("backup", "list", stdout=out)
        assert plan.name in out.getvalue()
        # Django's and the apps' objects are out of the collector's sight (no walk of them at each collection)
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()


def test_a_drill_tells_the_web_roots_files_from_restics_count_without_walking(plan, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "situs.sqlite3"
    connection = sqlite3.connect(db)
    connection.execute("create table berita (id integer primary key)")
    connection.commit()
    connection.close()
    services.source_add(plan=plan, kind="sqlite", name="db", config={"path": str(db)})
    backup = services.backup_run(plan=plan)
    assert backup.state == RunState.SUCCESS, backup.error

    def no_walk(*args: object, **kwargs: object) -> None:
        raise AssertionError("the restored site was walked")

    monkeypatch.setattr("jaga.backups.sources.base.os.walk", no_walk)
    drill = services.drill_run(plan=plan)
    assert drill.state == RunState.SUCCESS, drill.error
    assert drill.details["verified_files"] == backup.files_processed == 5  # 3 of the web root, the copy, its facts
    assert drill.details["sources"]["www"]["files"] == 3
