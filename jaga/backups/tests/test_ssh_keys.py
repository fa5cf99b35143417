"""SSH keys for SFTP: a remote web root pulled with the site's stored key (its host key pinned on first use), and
no private key left in the data folder after a run, even one that failed or was killed."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

from jaga.backups import services
from jaga.backups.models import RunState, Source
from jaga.backups.tests.conftest import sftp_repository
from jaga.core import ssh
from jaga.core.testservers import sshd as sshd_server

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.same_on_every_database,  # an outside tool's test (root conftest.py)
    pytest.mark.skipif(not sshd_server.available(), reason="openssh-server missing: scripts/system-packages.sh test"),
]


def _files_under_ssh() -> list[str]:
    folder = Path(settings.DATA_DIR) / "backups" / "ssh"
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def _hosting_form(sshd: Any, web_root: Path, **extra: str) -> dict[str, str]:
    return {"kind": "sftp", "name": "hosting", "cfg_host": "127.0.0.1", "cfg_port": str(sshd.port),
            "cfg_user": sshd.user, "cfg_path": str(web_root), "cfg_cms": "wordpress", **extra}  # fmt: skip


def test_a_remote_web_root_is_pulled_with_the_sites_stored_key_and_no_key_is_left_behind(
    client: Any, site: Any, repository: Any, web_root: Path, people: dict[str, Any], sshd: Any
) -> None:
    site.server_host, site.server_port, site.server_user = "127.0.0.1", sshd.port, sshd.user
    site.server_ssh_key = sshd.client_key
    site.save()
    plan = services.plan_create(site=site, name="Hosting", repository=repository)
    client.force_login(people["ptip"])
    url = f"/backups/pn-bangil/rencana/{plan.pk}/sumber/baru/"
    form = client.get(url + "?kind=sftp").content.decode()
    assert 'name="cfg_site_key"' in form
    box = re.search(r'<input[^>]*name="cfg_site_key"[^>]*>', form)
    assert box is not None
    assert "checked" in box.group(0)  # the site has a stored key: it is offered, ticked
    assert sshd.client_key not in form
    answer = client.post(url, _hosting_form(sshd, web_root, cfg_site_key="on"))
    assert answer.status_code == 302, answer.content.decode()[:2000]
    source = Source.objects.get(plan=plan)
    assert source.config["site_key"] is True
    assert source.secret == ""  # the key stays the site's: changed there, it is the one used next time
    run = services.backup_run(plan=plan)
    assert run.state == RunState.SUCCESS, run.error
    source.refresh_from_db()
    assert source.config["known_hosts"].startswith(f"[127.0.0.1]:{sshd.port} ssh-ed25519 ")  # pinned on first use
    assert sshd.client_key not in run.log
    assert _files_under_ssh() == []
    # The host key is checked from then on: another server at that address is refused in words.
    sshd.new_host_key()
    refused = services.backup_run(plan=plan)
    assert refused.state == RunState.FAILED
    assert "tidak cocok dengan yang dipatok" in refused.error
    assert _files_under_ssh() == []


def test_the_sites_key_is_asked_for_only_where_it_exists_and_a_source_has_a_key_either_way(
    client: Any, site: Any, repository: Any, web_root: Path, people: dict[str, Any], sshd: Any
) -> None:
    plan = services.plan_create(site=site, name="Hosting", repository=repository)
    client.force_login(people["admin"])
    url = f"/backups/pn-bangil/rencana/{plan.pk}/sumber/baru/"
    with translation.override("id"):
        text = client.post(url, _hosting_form(sshd, web_root, cfg_site_key="on")).content.decode()
        assert "belum menyimpan kunci SSH" in text
        text = client.post(url, _hosting_form(sshd, web_root)).content.decode()
        assert "Tempel kunci SSH privat, atau centang Pakai kunci SSH situs." in text
    assert not Source.objects.exists()
    assert client.post(url, _hosting_form(sshd, web_root, secret=sshd.client_key)).status_code == 302
    run = services.backup_run(plan=plan)
    assert run.state == RunState.SUCCESS, run.error
    assert _files_under_ssh() == []


def test_an_sftp_repositorys_key_is_removed_after_each_run_and_after_a_killed_one(
    institution: Any, site: Any, web_root: Path, tmp_path: Path, sshd: Any, initialized_repository: Path
) -> None:
    repository = sftp_repository(institution, sshd, tmp_path / "remote", initialized=initialized_repository)
    plan = services.plan_create(site=site, name="SFTP", repository=repository)
    services.source_add(plan=plan, kind="files", name="www", config={"path": str(web_root)})
    assert services.backup_run(plan=plan).state == RunState.SUCCESS
    assert services.check_run(plan=plan).state == RunState.SUCCESS
    assert _files_under_ssh() == []
    # A scope whose process died (a run killed mid-way) leaves its folder; the next scope removes it.
    dead = subprocess.Popen(["true"])
    dead.wait()
    base = Path(settings.DATA_DIR) / "backups" / "ssh"
    left = base / f"{ssh.SCOPE_PREFIX}{dead.pid}-0000"
    left.mkdir(parents=True)
    (left / "id").write_text(sshd.client_key)
    mine = base / f"{ssh.SCOPE_PREFIX}{os.getpid()}-ffff"  # a live process's scope is not touched
    mine.mkdir()
    assert services.backup_run(plan=plan).state == RunState.SUCCESS
    assert not left.exists()
    assert mine.exists()


def test_an_sftp_repository_moved_onto_another_repository_is_refused_and_nothing_of_it_is_stored(
    institution: Any, tmp_path: Path, sshd: Any, initialized_repository: Path
) -> None:
    from django.core.exceptions import ValidationError

    from jaga.backups.models import Repository
    from jaga.backups.services.edits import repository_update

    # Two repositories of their own: the worker's initialized one (copied) and one made by restic init over SFTP.
    repository = sftp_repository(institution, sshd, tmp_path / "a", initialized=initialized_repository)
    other = sftp_repository(institution, sshd, tmp_path / "b", name="Lain")
    assert repository.fingerprint != other.fingerprint
    pinned, location = repository.options["known_hosts"], repository.location
    sshd.new_host_key()  # the "new place" answers with another key: pinned there on first use, if at all
    with pytest.raises(ValidationError, match="repositori restic lain"):
        repository_update(
            repository=Repository.objects.get(pk=repository.pk), name="Server cadangan", location=other.location,
            options={"port": sshd.port, "known_hosts": pinned},
        )  # fmt: skip
    repository.refresh_from_db()
    assert (repository.location, repository.options["known_hosts"]) == (location, pinned)
    assert _files_under_ssh() == []
