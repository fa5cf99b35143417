"""Remote back ends with real servers on loopback: restic over SFTP to OpenSSH, and through rclone."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from jaga.backups import services
from jaga.backups.models import RunState
from jaga.backups.repositories import MediumMissing, medium_check, restic_for
from jaga.backups.tests.conftest import sftp_repository
from jaga.core.testservers import sshd as sshd_server

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.same_on_every_database,  # an outside tool's test (root conftest.py)
    pytest.mark.skipif(not sshd_server.available(), reason="openssh-server missing: scripts/system-packages.sh test"),
]


def test_a_plan_backs_up_drills_and_restores_over_sftp_with_a_pinned_host_key(
    institution: Any, site: Any, web_root: Path, tmp_path: Path, sshd: Any
) -> None:
    remote = tmp_path / "server" / "repo"
    repository = sftp_repository(institution, sshd, remote)
    assert (remote / "config").is_file()  # the repository is on the server's disk
    assert repository.options["known_hosts"].startswith(f"[127.0.0.1]:{sshd.port} ssh-ed25519 ")
    assert len(repository.fingerprint) == 64
    plan = services.plan_create(site=site, name="SFTP", repository=repository)
    services.source_add(plan=plan, kind="files", name="www", config={"path": str(web_root), "cms": "wordpress"})
    run = services.backup_run(plan=plan)
    assert run.state == RunState.SUCCESS, run.error
    assert len(list((remote / "snapshots").iterdir())) == 1
    assert services.drill_run(plan=plan).state == RunState.SUCCESS
    target = tmp_path / "pulih"
    assert services.restore_run(plan=plan, target=target).state == RunState.SUCCESS
    assert (target / str(web_root).lstrip("/") / "index.php").read_bytes() == (web_root / "index.php").read_bytes()
    assert sshd.client_key not in run.log


def test_another_server_at_the_pinned_address_is_refused_in_words_and_the_snapshot_stays(
    institution: Any, site: Any, web_root: Path, tmp_path: Path, sshd: Any, initialized_repository: Path
) -> None:
    remote = tmp_path / "repo"
    repository = sftp_repository(institution, sshd, remote, initialized=initialized_repository)
    pinned = repository.options["known_hosts"]
    plan = services.plan_create(site=site, name="SFTP", repository=repository)
    services.source_add(plan=plan, kind="files", name="www", config={"path": str(web_root)})
    good = services.backup_run(plan=plan)
    assert good.state == RunState.SUCCESS, good.error
    # The server's host key changes (another machine took its address): the pinned key no longer matches.
    sshd.new_host_key()
    for _attempt in range(3):  # the same words every time, never restic's guess at a broken pipe
        run = services.backup_run(plan=plan)
        assert run.state == RunState.FAILED
        assert "tidak cocok dengan yang dipatok" in run.error, run.error
    repository.refresh_from_db()
    assert repository.options["known_hosts"] == pinned  # never re-pinned silently
    assert [p.name[:8] for p in (remote / "snapshots").iterdir()] == [good.snapshot_id[:8]]
    from jaga.incidents.models import Incident

    assert Incident.objects.get(cause_key=f"backup-plan:{plan.pk}").severity == "tinggi"  # not a soft failure


def test_even_if_the_scan_passed_ssh_refuses_a_key_that_is_not_pinned(
    institution: Any, tmp_path: Path, sshd: Any, initialized_repository: Path
) -> None:
    repository = sftp_repository(institution, sshd, tmp_path / "repo", initialized=initialized_repository)
    # Pinned: another key of the same type (as if the scan had been answered by the real server and the
    # connection by an impostor): ssh itself refuses, restic never talks to the impostor.
    other = sshd_server.keygen(tmp_path / "other") and (tmp_path / "other.pub").read_text().split()
    repository.options = {**repository.options, "known_hosts": f"[127.0.0.1]:{sshd.port} {other[0]} {other[1]}\n"}
    from jaga.backups.restic import ResticError

    with pytest.raises(ResticError):
        restic_for(repository).snapshots()


def test_an_sftp_server_that_does_not_answer_is_a_soft_failure(
    institution: Any, tmp_path: Path, sshd: Any, initialized_repository: Path
) -> None:
    repository = sftp_repository(institution, sshd, tmp_path / "repo", initialized=initialized_repository)
    sshd.__exit__()
    with pytest.raises(MediumMissing) as caught:
        medium_check(repository)
    assert caught.value.soft
    assert "tidak dapat dihubungi" in caught.value.message


def test_an_rclone_remote_holds_a_repository(institution: Any, site: Any, web_root: Path, tmp_path: Path) -> None:
    if shutil.which("rclone") is None:
        pytest.skip("rclone missing: scripts/system-packages.sh test")
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
    assert len(list((remote / "snapshots").iterdir())) == 1
    assert services.drill_run(plan=plan).state == RunState.SUCCESS


def test_a_remote_web_root_is_pulled_over_sftp_with_its_host_key_pinned_and_restored_over_it(
    institution: Any, site: Any, repository: Any, web_root: Path, tmp_path: Path, sshd: Any
) -> None:
    from jaga.backups.models import Source

    plan = services.plan_create(site=site, name="Hosting", repository=repository)
    source = services.source_add(
        plan=plan, kind="sftp", name="hosting", secret=sshd.client_key,
        config={"host": "127.0.0.1", "port": sshd.port, "user": sshd.user, "path": str(web_root), "cms": "wordpress"},
    )  # fmt: skip
    first = services.backup_run(plan=plan)
    assert first.state == RunState.SUCCESS, first.error
    source.refresh_from_db()
    assert source.config["known_hosts"].startswith(f"[127.0.0.1]:{sshd.port} ssh-ed25519 ")  # pinned on first use
    mirror = Path(first.details["sources"]["hosting"]["path"])
    names = {node["path"] for node in restic_for(repository).ls(first.snapshot_id)}
    assert f"{mirror}/wp-content/uploads/2026/putusan.pdf" in names
    assert f"{mirror}/wp-content/cache/page.html" not in names  # the CMS's cache stays on the server
    assert sshd.client_key not in first.log
    # Only what changed moves: the next run finds one new file.
    (web_root / "berita.php").write_text("<?php echo 'baru';")
    second = services.backup_run(plan=plan)
    assert second.state == RunState.SUCCESS, second.error
    assert (second.files_new, second.files_changed) == (1, 0)
    assert services.drill_run(plan=plan).state == RunState.SUCCESS
    # A restore over the live site pushes the snapshot back: the file it did not hold goes, the cache stays.
    (web_root / "berita.php").unlink()
    (web_root / "index.php").write_text("<?php echo 'dirusak';")
    restore = services.restore_live_run(plan=plan, confirmation=site.name, snapshot=first.snapshot_id)
    assert restore.state == RunState.SUCCESS, restore.error
    assert (web_root / "index.php").read_text() == "<?php require 'wp-blog-header.php';\n"
    assert not (web_root / "berita.php").exists()
    assert (web_root / "wp-content" / "cache" / "page.html").read_text() == "cached"
    assert Source.objects.get(pk=source.pk).config["known_hosts"] == source.config["known_hosts"]


def test_a_remote_web_root_behind_another_host_key_is_not_pulled(
    site: Any, repository: Any, web_root: Path, sshd: Any
) -> None:
    plan = services.plan_create(site=site, name="Hosting", repository=repository)
    services.source_add(
        plan=plan, kind="sftp", name="hosting", secret=sshd.client_key,
        config={"host": "127.0.0.1", "port": sshd.port, "user": sshd.user, "path": str(web_root)},
    )  # fmt: skip
    good = services.backup_run(plan=plan)
    assert good.state == RunState.SUCCESS, good.error
    sshd.new_host_key()
    run = services.backup_run(plan=plan)
    assert run.state == RunState.FAILED
    assert "tidak cocok dengan yang dipatok" in run.error
    assert not run.snapshot_id
    shorts = [s["short_id"] for s in restic_for(repository).snapshots(tags=[f"plan:{plan.pk}"])]
    assert shorts == [good.snapshot_id[:8]]


def _s3_repository(institution: Any, s3: Any, *, secret: str | None = None) -> Any:
    return services.repository_create(
        institution=institution, name="S3", kind="s3", location=f"s3:{s3.endpoint}/cadangan-pn/situs",
        password="sandi-s3-2026", options={"access_key_id": s3.access_key, "region": "us-east-1"},
        credentials=s3.secret_key if secret is None else secret,
    )  # fmt: skip


def test_a_plan_backs_up_checks_drills_and_restores_on_an_s3_server(
    institution: Any, site: Any, web_root: Path, tmp_path: Path, s3: Any
) -> None:
    repository = _s3_repository(institution, s3)
    assert "situs/config" in s3.keys("cadangan-pn")  # the repository is on the server, read back with boto3
    plan = services.plan_create(site=site, name="S3", repository=repository)
    services.source_add(plan=plan, kind="files", name="www", config={"path": str(web_root), "cms": "wordpress"})
    run = services.backup_run(plan=plan)
    assert run.state == RunState.SUCCESS, run.error
    assert [key for key in s3.keys("cadangan-pn") if key.startswith("situs/snapshots/")] == [
        f"situs/snapshots/{restic_for(repository).snapshots()[0]['id']}"
    ]
    assert s3.secret_key not in run.log
    assert services.check_run(plan=plan).state == RunState.SUCCESS
    assert services.drill_run(plan=plan).state == RunState.SUCCESS
    target = tmp_path / "pulih"
    assert services.restore_run(plan=plan, target=target).state == RunState.SUCCESS
    restored = target / str(web_root).lstrip("/") / "wp-content" / "uploads" / "2026" / "putusan.pdf"
    assert restored.read_bytes() == (web_root / "wp-content" / "uploads" / "2026" / "putusan.pdf").read_bytes()


def test_an_s3_server_that_is_down_fails_the_run_in_words(institution: Any, site: Any, web_root: Path, s3: Any) -> None:
    repository = _s3_repository(institution, s3)
    plan = services.plan_create(site=site, name="S3", repository=repository)
    services.source_add(plan=plan, kind="files", name="www", config={"path": str(web_root)})
    assert services.backup_run(plan=plan).state == RunState.SUCCESS
    s3.__exit__()
    run = services.backup_run(plan=plan)
    assert run.state == RunState.FAILED
    assert "tidak dapat dihubungi" in run.error, run.error
    assert not run.snapshot_id


@pytest.fixture
def s3_with_keys(tmp_path: Path) -> Any:
    """An S3 server that checks every request's signature against its one user's key."""
    from jaga.core.testservers.s3server import S3Server, available

    if not available():
        pytest.skip("moto[s3] missing: make setup installs requirements.lock")
    with S3Server(auth=True) as server:
        yield server


def test_a_wrong_s3_secret_key_never_succeeds_says_why_and_keeps_the_good_snapshot(
    institution: Any, site: Any, web_root: Path, tmp_path: Path, s3_with_keys: Any
) -> None:
    from jaga.backups.models import Repository
    from jaga.backups.selectors import latest_snapshot_run

    s3 = s3_with_keys
    repository = _s3_repository(institution, s3)
    plan = services.plan_create(site=site, name="S3", repository=repository)
    services.source_add(plan=plan, kind="files", name="www", config={"path": str(web_root), "cms": "wordpress"})
    good = services.backup_run(plan=plan)
    assert good.state == RunState.SUCCESS, good.error
    stored = sorted(s3.keys("cadangan-pn"))
    Repository.objects.filter(pk=repository.pk).update(credentials="kunci-rahasia-yang-salah-0123456789")
    plan.refresh_from_db()
    for action in (services.backup_run, services.check_run):
        run = action(plan=plan)
        assert run.state == RunState.FAILED, action
        assert "menolak kunci aksesnya" in run.error, run.error
        assert "tidak ditemukan" not in run.error  # the repository is there: its keys are what is wrong
        assert "kunci-rahasia-yang-salah" not in run.error + run.log
        assert not run.snapshot_id
    assert latest_snapshot_run(plan) == good
    assert sorted(s3.keys("cadangan-pn")) == stored  # nothing was written with the wrong key
    # The good snapshot is intact: with the right key it restores, file for file.
    Repository.objects.filter(pk=repository.pk).update(credentials=s3.secret_key)
    plan.refresh_from_db()
    target = tmp_path / "pulih"
    restore = services.restore_run(plan=plan, target=target, snapshot=good.snapshot_id)
    assert restore.state == RunState.SUCCESS, restore.error
    restored = target / str(web_root).lstrip("/") / "wp-content" / "uploads" / "2026" / "putusan.pdf"
    assert restored.read_bytes() == (web_root / "wp-content" / "uploads" / "2026" / "putusan.pdf").read_bytes()
