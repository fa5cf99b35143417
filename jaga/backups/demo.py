"""The backups part of ``jaga demo``: a real restic repository holding the demo court site, drilled and exported.

The demo site's web root (a small CMS-like tree with its PHP, uploads and cache) and its SQLite database
are made in the data folder; then the real services run: the repository is created with restic, a backup
dumps and checks the database and snapshots everything, a change and a second backup show what is added, a
check reads part of the data, a drill restores into a scratch folder and compares the row counts, and an
export writes the ADK set (``site-www.tar.zst``, ``db-perkara.sqlite3.zst``, ``SHA256SUMS``, ``RESTORE.txt``)
and reads it back. Everything is in the SOP ledger like any other run.
"""

from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path

from django.conf import settings

from jaga.backups.models import Plan, Repository, RunState
from jaga.backups.services import (
    backup_run,
    check_run,
    drill_run,
    export_run,
    plan_create,
    repository_create,
    source_add,
)
from jaga.core.demo import DemoContext
from jaga.core.models import Role

PLAN_NAME = "Situs PN Contoh (berkas dan basis data)"


def _web_root(root: Path) -> None:
    (root / "wp-content" / "uploads" / "2026" / "11").mkdir(parents=True, exist_ok=True)
    (root / "wp-content" / "cache").mkdir(parents=True, exist_ok=True)
    (root / "wp-content" / "themes" / "pengadilan").mkdir(parents=True, exist_ok=True)
    (root / "index.php").write_text("<?php define('WP_USE_THEMES', true); require __DIR__ . '/wp-blog-header.php';\n")
    (root / "wp-config.php").write_text("<?php define('DB_NAME', 'pn_contoh'); define('DB_USER', 'situs');\n")
    (root / "wp-content" / "themes" / "pengadilan" / "style.css").write_text(
        "/* Theme Name: Pengadilan */\nbody { font-family: sans-serif; }\n" * 40
    )
    for number in range(1, 13):
        (root / "wp-content" / "uploads" / "2026" / "11" / f"putusan-{number:03d}.pdf").write_bytes(
            b"%PDF-1.4\n" + secrets.token_bytes(20_000)
        )
    (root / "wp-content" / "cache" / "beranda.html").write_text("<html>tembolok</html>")


def _database(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS perkara (id INTEGER PRIMARY KEY, nomor TEXT, jenis TEXT)")
        if connection.execute("SELECT COUNT(*) FROM perkara").fetchone()[0] == 0:
            connection.executemany(
                "INSERT INTO perkara (nomor, jenis) VALUES (?, ?)",
                [(f"{n}/Pdt.G/2026/PN Ctc", "perdata" if n % 3 else "pidana") for n in range(1, 241)],
            )


def demo_fill(*, ctx: DemoContext) -> None:
    if Plan.objects.filter(site=ctx.site, name=PLAN_NAME).exists():
        ctx.skipped.append("pencadangan: rencana demo sudah ada")
        return
    # A folder of this demo's own: two demos made at once (test workers sharing a data folder) or one made
    # again after the database was reset never share a restic repository, whose password each keeps.
    base = Path(settings.DATA_DIR) / "demo" / "backups" / f"{ctx.now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
    web_root, database = base / "www", base / "pn_contoh.sqlite3"
    web_root.mkdir(parents=True, exist_ok=True)
    _web_root(web_root)
    _database(database)
    staff = ctx.users[Role.STAFF_P2TI]
    location = base / "repositori"
    repository = Repository.objects.filter(institution=ctx.institution, location=str(location)).first()
    if repository is None:
        repository = repository_create(
            institution=ctx.institution, name="Repositori lokal demo", location=str(location),
            password=secrets.token_urlsafe(24),
        )  # fmt: skip
    plan = plan_create(site=ctx.site, name=PLAN_NAME, repository=repository)
    source_add(plan=plan, kind="files", name="www", config={"path": str(web_root), "cms": "wordpress"})
    source_add(plan=plan, kind="sqlite", name="perkara", config={"path": str(database)})
    first = backup_run(plan=plan, trigger="demo", user=staff)
    (web_root / "wp-content" / "uploads" / "2026" / "11" / "pengumuman-sidang.pdf").write_bytes(
        b"%PDF-1.4\n" + b"x" * 9000
    )
    second = backup_run(plan=plan, trigger="demo", user=staff)
    check = check_run(plan=plan, trigger="demo", user=staff)
    drill = drill_run(plan=plan, trigger="demo", user=staff)
    target = base / "adk" / f"ADK-{ctx.now:%Y%m%d-%H%M}"
    export = export_run(
        plan=plan, to=target, label="ADK demo 01", kept_at="Lemari arsip ruang TI",
        user=ctx.users[Role.KASUBBAG_PTIP], trigger="demo",
    )  # fmt: skip
    runs = [first, second, check, drill, export]
    failed = [run for run in runs if run.state not in (RunState.SUCCESS, RunState.WARNING)]
    if failed:
        ctx.skipped.append("pencadangan: " + "; ".join(f"{run.get_kind_display()}: {run.error}" for run in failed))
        return
    ctx.done.append(
        f"pencadangan: repositori restic {repository.fingerprint[:8]}, 2 snapshot (+{second.files_new} berkas baru "
        f"di snapshot kedua), pemeriksaan, latihan pemulihan ({drill.details['sources']['perkara']['rows']} baris "
        f"cocok), ekspor ADK ke {export.details['target']} dibaca ulang"
    )
