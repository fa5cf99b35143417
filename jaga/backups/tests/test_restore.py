"""Restores: into a new folder, and over the live site after a typed confirmation with a safety snapshot first."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from jaga.backups import services
from jaga.backups.models import Run, RunKind, RunState

pytestmark = pytest.mark.django_db


def test_a_live_restore_puts_the_snapshot_back_after_a_safety_snapshot(plan: Any, web_root: Path) -> None:
    good = services.backup_run(plan=plan)
    (web_root / "index.php").write_text("<?php echo 'DIRETAS';")  # defaced
    (web_root / "shell.php").write_text("<?php system($_GET['c']);")  # dropped by the attacker
    (web_root / "wp-content" / "cache" / "page2.html").write_text("cached later")
    with pytest.raises(services.RunFailed):
        services.restore_live_run(plan=plan, confirmation="salah", snapshot=good.snapshot_id[:8])
    assert (web_root / "shell.php").exists()  # a wrong confirmation touches nothing
    run = services.restore_live_run(plan=plan, confirmation=plan.site.name, snapshot=good.snapshot_id[:8])
    assert run.state == RunState.SUCCESS, run.error
    assert (web_root / "index.php").read_text() == "<?php require 'wp-blog-header.php';\n"
    assert not (web_root / "shell.php").exists()
    assert (web_root / "wp-content" / "cache" / "page2.html").exists()  # never backed up, left alone
    assert run.details["sources"]["www"]["removed"] == 1
    safety = Run.objects.get(pk=run.details["safety_run"])
    assert safety.trigger == "pre-restore"
    assert safety.state == RunState.SUCCESS
    assert run.details["safety_snapshot"] == safety.snapshot_id
    # The defaced state is in the safety snapshot: a restore of it into a folder brings shell.php back.
    target = web_root.parent / "forensik"
    back = services.restore_run(plan=plan, target=target, snapshot=safety.snapshot_id[:8])
    assert back.state == RunState.SUCCESS, back.error
    assert (target / str(web_root).lstrip("/") / "shell.php").exists()


def test_a_live_restore_of_a_sqlite_database_brings_its_rows_back(site: Any, repository: Any, tmp_path: Path) -> None:
    db = tmp_path / "situs.sqlite3"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE perkara (id INTEGER PRIMARY KEY, nomor TEXT)")
        connection.executemany("INSERT INTO perkara (nomor) VALUES (?)", [(f"{n}/Pdt.G/2026",) for n in range(50)])
    plan = services.plan_create(site=site, name="SQLite", repository=repository)
    services.source_add(plan=plan, kind="sqlite", name="db", config={"path": str(db)})
    assert services.backup_run(plan=plan).state == RunState.SUCCESS
    with sqlite3.connect(db) as connection:
        connection.execute("DELETE FROM perkara WHERE id > 10")
    run = services.restore_live_run(plan=plan, confirmation=site.name)
    assert run.state == RunState.SUCCESS, run.error
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT COUNT(*) FROM perkara").fetchone()[0] == 50
    assert run.details["sources"]["db"] == {"tables": 1, "rows": 50}


def test_only_administrators_and_kasubbag_ptip_restore_from_the_page(
    client: Any, plan: Any, make_user: Any, institution: Any, tmp_path: Path
) -> None:
    url = f"/backups/pn-bangil/rencana/{plan.pk}/pulihkan/"
    client.force_login(make_user("staff_p2ti", institution))
    assert client.get(url).status_code == 403
    client.force_login(make_user("auditor", institution))
    assert client.get(url).status_code == 403
    client.force_login(make_user("kasubbag_ptip", institution))
    page = client.post(url, {"snapshot": "latest", "mode": "live", "confirmation": "Situs lain"})
    assert page.status_code == 200
    assert "Tidak cocok. Ketik persis Situs PN Bangil." in page.content.decode()
    busy = tmp_path / "isi"
    busy.mkdir()
    (busy / "a.txt").write_text("a")
    page = client.post(url, {"snapshot": "latest", "mode": "folder", "target": str(busy)})
    assert "Folder ini tidak kosong" in page.content.decode()
    assert not DBTaskResult.objects.exists()
    assert (
        client.post(url, {"snapshot": "latest", "mode": "live", "confirmation": "Situs PN Bangil"}).status_code == 302
    )
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "jaga.backups.tasks.backup_restore"
    assert queued.args_kwargs["kwargs"]["confirmation"] == "Situs PN Bangil"
    assert queued.args_kwargs["kwargs"]["target"] == ""
    assert not Run.objects.filter(kind=RunKind.RESTORE).exists()
