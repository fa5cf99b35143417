from __future__ import annotations

import shutil
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


REPOSITORY_PASSWORD = "kata-sandi-repo-123"


@pytest.fixture(scope="session")
def initialized_repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One empty local repository per test worker, made by a real ``restic init`` and its key lightened as the
    root conftest.py lightens every test repository's. ``restic init`` calibrates and runs the heavy scrypt of
    a new key (about 1 CPU second, and as much again to re-seal it light): the ``repository`` of each test is a
    copy of this one instead, so a test pays only for the restic commands it tests."""
    from jaga.backups.tests.restic_keys import restic_key_lightened
    from jaga.core import execute

    folder = tmp_path_factory.mktemp("restic-init")
    env = {"RESTIC_PASSWORD": REPOSITORY_PASSWORD, "RESTIC_CACHE_DIR": str(folder / "cache")}
    execute.run(("restic", "init", "--repo", str(folder / "repo")), env=env, timeout=120)
    restic_key_lightened(folder / "repo", REPOSITORY_PASSWORD)
    return folder / "repo"


@pytest.fixture
def repository(institution, tmp_path, initialized_repository):  # type: ignore[no-untyped-def]
    """A local repository of the test's own (a copy of the worker's freshly initialized one): Jaga adopts it
    as it adopts any repository already at a location (``repository_init``: restic opens it and reads its id).
    Making one with ``restic init`` is tested where it is made (test_restic_keys, test_setup_pages, the full
    disk of test_failures)."""
    return local_repository(institution, initialized_repository, tmp_path / "repo")


def local_repository(institution, initialized: Path, folder: Path, *, name: str = "Lokal"):  # type: ignore[no-untyped-def]
    """Jaga's local repository at ``folder``: a copy of the worker's ``initialized`` one (the fixture above),
    which Jaga adopts as it adopts any repository already at a location (restic opens it and reads its id)."""
    from jaga.backups.services import repository_create

    shutil.copytree(initialized, folder, symlinks=True, copy_function=shutil.copy2)
    return repository_create(institution=institution, name=name, location=str(folder), password=REPOSITORY_PASSWORD)


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


def sftp_repository(  # type: ignore[no-untyped-def]
    institution, sshd, remote: Path, *, initialized: Path | None = None, name: str = "Server cadangan"
):
    """Jaga's repository on the loopback SFTP server: made there by ``restic init`` over SFTP, or, given the
    worker's ``initialized`` repository (conftest.py: a test that is not about making one), a copy of it put
    at the server's folder first, which Jaga adopts over SFTP (restic opens it and reads its id)."""
    if initialized is not None:
        shutil.copytree(initialized, remote)
    from jaga.backups.services import repository_create

    return repository_create(
        institution=institution, name=name, kind="sftp",
        location=f"sftp:{sshd.user}@127.0.0.1:{remote}", password=REPOSITORY_PASSWORD,
        options={"port": sshd.port}, credentials=sshd.client_key,
    )  # fmt: skip
