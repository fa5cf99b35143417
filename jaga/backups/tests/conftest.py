from __future__ import annotations

from pathlib import Path

import pytest

from jaga.backups.tests.databases import maria_db, pg_db  # noqa: F401 - the real database servers' fixtures


@pytest.fixture(autouse=True)
def _private_data_dir(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Each test's staging, locks and restic cache in its own folder."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()


@pytest.fixture
def web_root(tmp_path: Path) -> Path:
    root = tmp_path / "www"
    (root / "wp-content" / "uploads" / "2026").mkdir(parents=True)
    (root / "wp-content" / "cache").mkdir(parents=True)
    (root / "index.php").write_text("<?php require 'wp-blog-header.php';\n")
    (root / "wp-config.php").write_text("<?php define('DB_NAME', 'site');\n")
    (root / "wp-content" / "uploads" / "2026" / "putusan.pdf").write_bytes(b"%PDF-1.4 " + b"x" * 5000)
    (root / "wp-content" / "cache" / "page.html").write_text("cached")
    return root


@pytest.fixture
def repository(institution, tmp_path):  # type: ignore[no-untyped-def]
    from jaga.backups.services import repository_create

    return repository_create(
        institution=institution, name="Lokal", location=str(tmp_path / "repo"), password="kata-sandi-repo-123"
    )


@pytest.fixture
def plan(site, repository, web_root):  # type: ignore[no-untyped-def]
    from jaga.backups.services import plan_create, source_add

    plan = plan_create(site=site, name="Situs PN", repository=repository)
    source_add(plan=plan, kind="files", name="www", config={"path": str(web_root), "cms": "wordpress"})
    return plan


@pytest.fixture
def people(make_user, institution):  # type: ignore[no-untyped-def]
    """One member of each role that the backups pages tell apart."""
    return {
        "staff": make_user("staff_p2ti", institution, "staff"),
        "auditor": make_user("auditor", institution, "auditor"),
        "ptip": make_user("kasubbag_ptip", institution, "ptip"),
        "admin": make_user("administrator", institution, "admin"),
    }
