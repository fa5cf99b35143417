"""Export to offline media with the real restic, zstd, gpg, sha256sum and tar: a set that restores without Jaga."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from jaga.backups import services
from jaga.backups.export import readback
from jaga.backups.models import MediaExport, RunState
from jaga.backups.services.edits import source_remove
from jaga.core import execute

pytestmark = [pytest.mark.django_db, pytest.mark.same_on_every_database]  # an outside tool's test (root conftest.py)


@pytest.fixture
def site_db(tmp_path: Path) -> Path:
    db = tmp_path / "situs.sqlite3"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE berita (id INTEGER PRIMARY KEY, judul TEXT)")
        connection.executemany("INSERT INTO berita (judul) VALUES (?)", [(f"Berita {n}",) for n in range(40)])
    return db


@pytest.fixture
def exported_plan(plan: Any, site_db: Path) -> Any:
    services.source_add(plan=plan, kind="sqlite", name="db", config={"path": str(site_db)})
    assert services.backup_run(plan=plan).state == RunState.SUCCESS
    return plan


def _run(args: tuple[str, ...], cwd: Path, stdin: str | None = None) -> str:
    return execute.run(args, timeout=60, cwd=cwd, stdin=stdin).stdout


def test_a_disk_export_restores_with_sha256sum_zstd_and_tar_alone(
    exported_plan: Any, web_root: Path, tmp_path: Path, staff: Any
) -> None:
    to = tmp_path / "disk" / "ADK-2026-12"
    run = services.export_run(plan=exported_plan, to=to, label="ADK Desember", kept_at="Lemari arsip TI", user=staff)
    assert run.state == RunState.SUCCESS, run.error
    names = sorted(path.name for path in to.iterdir())
    assert names == ["RESTORE.txt", "SHA256SUMS", "db-db.facts.json", "db-db.sqlite3.zst", "site-www.tar.zst"]
    assert "OK" in _run(("sha256sum", "-c", "SHA256SUMS"), to)
    restore = (to / "RESTORE.txt").read_text()
    assert "zstd -d site-www.tar.zst -o site-www.tar" in restore
    assert "Salinan ini dapat dipulihkan tanpa Jaga" in restore
    # Follow RESTORE.txt by hand: decompress, unpack, open the database.
    _run(("zstd", "-q", "-d", "site-www.tar.zst", "-o", "site-www.tar"), to)
    (tmp_path / "pulih").mkdir()
    _run(("tar", "-xf", str(to / "site-www.tar"), "-C", str(tmp_path / "pulih")), to)
    restored = tmp_path / "pulih" / str(web_root).lstrip("/")
    assert (restored / "wp-content" / "uploads" / "2026" / "putusan.pdf").read_bytes().startswith(b"%PDF-1.4")
    assert not (restored / "wp-content" / "cache").exists()
    _run(("zstd", "-q", "-d", "db-db.sqlite3.zst", "-o", str(tmp_path / "db.sqlite3")), to)
    with sqlite3.connect(tmp_path / "db.sqlite3") as connection:
        assert connection.execute("SELECT COUNT(*) FROM berita").fetchone()[0] == 40
    entry = MediaExport.objects.get()
    assert entry.run == run
    assert entry.label == "ADK Desember"
    assert entry.kept_at == "Lemari arsip TI"
    assert entry.made_by == staff
    assert entry.verified_at is not None
    assert entry.snapshot_id == run.snapshot_id
    assert entry.checksums == (to / "SHA256SUMS").read_text()


def test_a_set_larger_than_a_disc_is_split_over_volumes_encrypted_and_joins_back(
    exported_plan: Any, web_root: Path, tmp_path: Path
) -> None:
    (web_root / "wp-content" / "uploads" / "2026" / "scan.bin").write_bytes(__import__("os").urandom(300_000))
    assert services.backup_run(plan=exported_plan).state == RunState.SUCCESS
    to = tmp_path / "cd"
    run = services.export_run(
        plan=exported_plan, to=to, medium="cd", passphrase="sandi ekspor 2026", volume_bytes=1024 * 1024 + 120_000
    )
    assert run.state == RunState.SUCCESS, run.error
    volumes = sorted(path.name for path in to.iterdir())
    assert volumes[:2] == ["KEPING-01", "KEPING-02"]
    entry = MediaExport.objects.get()
    assert entry.volumes == len(volumes)
    joined = tmp_path / "gabung"
    joined.mkdir()
    for volume in volumes:  # RESTORE.txt step 0: every volume into one folder
        for path in (to / volume).iterdir():
            shutil.copy(path, joined / path.name)
    restore = (joined / "RESTORE.txt").read_text()
    assert "cat site-www.tar.zst.gpg.part* > site-www.tar.zst.gpg" in restore
    assert "copy /b site-www.tar.zst.gpg.part001+site-www.tar.zst.gpg.part002" in restore
    assert "OK" in _run(("sha256sum", "-c", "SHA256SUMS"), joined)
    parts = sorted(joined.glob("site-www.tar.zst.gpg.part*"))
    with (joined / "site-www.tar.zst.gpg").open("wb") as whole:
        for part in parts:
            whole.write(part.read_bytes())
    gnupg = tmp_path / "gnupg"
    gnupg.mkdir(mode=0o700)
    _run(
        ("gpg", "--batch", "--homedir", str(gnupg), "--pinentry-mode", "loopback", "--passphrase-fd", "0",
         "--output", "site-www.tar.zst", "--decrypt", "site-www.tar.zst.gpg"),
        joined, stdin="sandi ekspor 2026\n",
    )  # fmt: skip
    listing = _run(("tar", "--zstd", "-tf", "site-www.tar.zst"), joined)
    assert "wp-content/uploads/2026/scan.bin" in listing


def test_a_corrupted_medium_is_caught_by_the_read_back(exported_plan: Any, tmp_path: Path) -> None:
    to = tmp_path / "disk"
    assert services.export_run(plan=exported_plan, to=to).state == RunState.SUCCESS
    sums = {line.split("  ")[1]: line.split("  ")[0] for line in (to / "SHA256SUMS").read_text().splitlines()}
    assert readback(to, sums) == []
    with (to / "site-www.tar.zst").open("r+b") as handle:
        handle.seek(10)
        handle.write(b"\x00\xff")
    (to / "db-db.facts.json").unlink()
    problems = readback(to, sums)
    assert "site-www.tar.zst: checksum berbeda / checksum mismatch" in problems
    assert "db-db.facts.json: hilang / missing" in problems


def test_an_export_into_a_folder_that_is_not_empty_fails_and_registers_nothing(
    exported_plan: Any, tmp_path: Path
) -> None:
    to = tmp_path / "isi"
    to.mkdir()
    (to / "lain.txt").write_text("milik orang lain")
    run = services.export_run(plan=exported_plan, to=to)
    assert run.state == RunState.FAILED
    assert "tidak kosong" in run.error
    assert not MediaExport.objects.exists()
    assert sorted(p.name for p in to.iterdir()) == ["lain.txt"]


def test_the_command_exports_with_a_passphrase_file_and_refuses_a_live_restore_without_the_name(
    exported_plan: Any, tmp_path: Path, capsys: Any
) -> None:
    from django.core.management import CommandError, call_command

    secret = tmp_path / "sandi.txt"
    secret.write_text("rahasia panjang sekali\n")
    call_command(
        "backup", "export", str(exported_plan.pk), "--to", str(tmp_path / "dvd"), "--medium", "dvd",
        "--label", "DVD-01", "--passphrase-file", str(secret),
    )  # fmt: skip
    assert "ekspor ke media #" in capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "dvd").glob("*.gpg")) == ["db-db.sqlite3.zst.gpg", "site-www.tar.zst.gpg"]
    assert MediaExport.objects.get().label == "DVD-01"
    with pytest.raises(CommandError, match="Konfirmasi tidak cocok"):
        call_command("backup", "restore", str(exported_plan.pk), "--live", "--confirm", "situs")


def test_a_dump_that_fails_while_it_streams_into_zstd_fails_the_export_and_registers_nothing(
    exported_plan: Any, tmp_path: Path
) -> None:
    from jaga.backups.repositories import restic_for

    # The snapshot's data packs are damaged after the backup: restic dump stops part-way through the
    # archive that zstd is compressing; zstd alone would end cleanly on the short input.
    packs = [p for p in (Path(exported_plan.repository.location) / "data").rglob("*") if p.is_file()]
    for pack in packs:
        pack.write_bytes(b"\0" * pack.stat().st_size)
    assert restic_for(exported_plan.repository).snapshots()  # the index still lists the snapshot
    to = tmp_path / "disk" / "rusak"
    run = services.export_run(plan=exported_plan, to=to)
    assert run.state == RunState.FAILED
    assert "restic dump" in run.error
    assert not MediaExport.objects.exists()
    assert not (to / "SHA256SUMS").exists()


def test_an_older_snapshot_is_exported_with_its_own_sources_not_the_plans_current_ones(
    exported_plan: Any, tmp_path: Path
) -> None:
    """The database source was removed from the plan after the snapshot, and another one added: the set holds
    what the snapshot holds, the removed database included, and nothing of the added one."""
    snapshot = exported_plan.runs.filter(state=RunState.SUCCESS).get().snapshot_id
    source_remove(source=exported_plan.sources.get(name="db"))
    later = tmp_path / "lain.sqlite3"
    with sqlite3.connect(later) as connection:
        connection.execute("CREATE TABLE t (x)")
    services.source_add(plan=exported_plan, kind="sqlite", name="baru", config={"path": str(later)})
    to = tmp_path / "disk" / "lama"
    run = services.export_run(plan=exported_plan, to=to, snapshot=snapshot)
    assert run.state == RunState.SUCCESS, run.error
    assert sorted(path.name for path in to.iterdir()) == [
        "RESTORE.txt", "SHA256SUMS", "db-db.facts.json", "db-db.sqlite3.zst", "site-www.tar.zst",
    ]  # fmt: skip
    assert "OK" in _run(("sha256sum", "-c", "SHA256SUMS"), to)
    _run(("zstd", "-q", "-d", "db-db.sqlite3.zst", "-o", str(tmp_path / "db.sqlite3")), to)
    with sqlite3.connect(tmp_path / "db.sqlite3") as connection:
        assert connection.execute("SELECT COUNT(*) FROM berita").fetchone()[0] == 40
