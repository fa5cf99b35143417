"""Remote back ends with real servers on loopback: restic over SFTP to OpenSSH, and through rclone."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from jaga.backups import services
from jaga.backups.models import RunState
from jaga.backups.tests.sshd import Sshd

pytestmark = pytest.mark.django_db

needs_sshd = pytest.mark.skipif(shutil.which("sshd") is None and not Path("/usr/sbin/sshd").exists(),
                                reason="openssh-server missing: scripts/system-packages.sh test")  # fmt: skip


@pytest.fixture
def sshd(tmp_path: Path) -> Any:
    with Sshd(tmp_path / "sshd") as server:
        yield server


@needs_sshd
def test_a_plan_backs_up_drills_and_restores_over_sftp_with_a_pinned_host_key(
    institution: Any, site: Any, web_root: Path, tmp_path: Path, sshd: Any
) -> None:
    remote = tmp_path / "server" / "repo"
    repository = services.repository_create(
        institution=institution, name="Server cadangan", kind="sftp",
        location=f"sftp:{sshd.user}@127.0.0.1:{remote}", password="sandi-sftp-2026",
        options={"port": sshd.port}, credentials=sshd.client_key,
    )  # fmt: skip
    assert (remote / "config").is_file()  # the repository is on the server's disk
    assert repository.options["known_hosts"].startswith(f"[127.0.0.1]:{sshd.port} ssh-ed25519 ")
    assert len(repository.fingerprint) == 64
    plan = services.plan_create(site=site, name="SFTP", repository=repository)
    services.source_add(plan=plan, kind="files", name="www", config={"path": str(web_root), "cms": "wordpress"})
    run = services.backup_run(plan=plan)
    assert run.state == RunState.SUCCESS, run.error
    assert services.drill_run(plan=plan).state == RunState.SUCCESS
    target = tmp_path / "pulih"
    assert services.restore_run(plan=plan, target=target).state == RunState.SUCCESS
    assert (target / str(web_root).lstrip("/") / "index.php").is_file()


@needs_sshd
def test_another_server_at_the_pinned_address_is_refused_in_words(
    institution: Any, site: Any, web_root: Path, tmp_path: Path, sshd: Any
) -> None:
    repository = services.repository_create(
        institution=institution, name="Server cadangan", kind="sftp",
        location=f"sftp:{sshd.user}@127.0.0.1:{tmp_path / 'repo'}", password="sandi-sftp-2026",
        options={"port": sshd.port}, credentials=sshd.client_key,
    )  # fmt: skip
    plan = services.plan_create(site=site, name="SFTP", repository=repository)
    services.source_add(plan=plan, kind="files", name="www", config={"path": str(web_root)})
    # The server's host key changes (another machine took its address): the pinned key no longer matches.
    sshd.new_host_key()
    run = services.backup_run(plan=plan)
    assert run.state == RunState.FAILED
    assert "Kunci host SSH tidak cocok dengan yang tersimpan" in run.error, run.error


def test_an_rclone_remote_holds_a_repository(institution: Any, site: Any, web_root: Path, tmp_path: Path) -> None:
    if shutil.which("rclone") is None:
        pytest.skip("rclone missing: scripts/system-packages.sh")
    remote = tmp_path / "rclone-tujuan"
    repository = services.repository_create(
        institution=institution, name="rclone", kind="rclone", location=f"rclone::local:{remote}",
        password="sandi-rclone-2026",
    )  # fmt: skip
    assert (remote / "config").is_file()
    plan = services.plan_create(site=site, name="rclone", repository=repository)
    services.source_add(plan=plan, kind="files", name="www", config={"path": str(web_root)})
    run = services.backup_run(plan=plan)
    assert run.state == RunState.SUCCESS, run.error
    assert services.drill_run(plan=plan).state == RunState.SUCCESS
