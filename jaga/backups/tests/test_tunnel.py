"""A database that only the web server reaches, dumped through an SSH tunnel: the real OpenSSH server on loopback
(the site's web server) forwarding to the real MariaDB and PostgreSQL on the machine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from jaga.backups import services
from jaga.backups.models import RunState, Source
from jaga.backups.repositories import restic_for
from jaga.core.testservers import sshd as sshd_server

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.same_on_every_database,  # an outside tool's test (root conftest.py)
    pytest.mark.skipif(not sshd_server.available(), reason="openssh-server missing: scripts/system-packages.sh test"),
]


@pytest.fixture
def web_server(tmp_path: Path, site: Any) -> Any:
    """The site's web server: an sshd on loopback, recorded on the site's page with its key."""
    with sshd_server.Sshd(tmp_path / "sshd") as server:
        site.server_host, site.server_port, site.server_user = "127.0.0.1", server.port, server.user
        site.server_ssh_key = server.client_key
        site.save()
        yield server


def _tunnels() -> list[str]:
    """The ssh tunnels of this test still running (their known_hosts file is in this test's data folder)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        text = b" ".join(words).decode(errors="replace")
        if "ExitOnForwardFailure=yes" in text and str(settings.DATA_DIR) in text:
            found.append(text)
    return found


def _plan(site: Any, repository: Any, kind: str, config: dict[str, Any], secret: str = "") -> Any:
    plan = services.plan_create(site=site, name=f"DB {kind} via SSH", repository=repository)
    services.source_add(plan=plan, kind=kind, name="db", config={**config, "tunnel": True}, secret=secret)
    return plan


@pytest.mark.mariadb
def test_a_mariadb_behind_the_web_server_is_dumped_and_drilled_through_a_tunnel_that_is_closed_after(
    site: Any, repository: Any, maria_db: Any, web_server: Any
) -> None:
    config, password = maria_db
    plan = _plan(site, repository, "mariadb", config, password)
    run = services.backup_run(plan=plan)
    assert run.state == RunState.SUCCESS, run.error
    assert "Terowongan SSH dibuka" in run.log
    assert f"127.0.0.1:{web_server.port}" in run.log
    assert run.details["sources"]["db"]["tables"] == {"jadwal sidang": 42, "perkara": 300}
    pinned = Source.objects.get(plan=plan).config["tunnel_known_hosts"]
    assert pinned.startswith(f"[127.0.0.1]:{web_server.port} ssh-ed25519 ")  # pinned on first use
    assert web_server.client_key not in run.log
    assert _tunnels() == []
    drill = services.drill_run(plan=plan)
    assert drill.state == RunState.SUCCESS, drill.error
    assert drill.details["sources"]["db"]["rows"] == 342
    assert _tunnels() == []
    # The dump depends on the tunnel: with the web server's sshd down the database is out of reach (a direct
    # connection would have worked), the run fails in words and the good snapshot stays.
    web_server.__exit__()
    failed = services.backup_run(plan=plan)
    assert failed.state == RunState.FAILED
    assert "tidak dapat dihubungi" in failed.error
    assert not failed.snapshot_id
    shorts = [s["short_id"] for s in restic_for(repository).snapshots(tags=[f"plan:{plan.pk}"])]
    assert shorts == [run.snapshot_id[:8]]


@pytest.mark.mariadb
def test_a_dump_that_fails_inside_the_tunnel_fails_in_words_and_the_tunnel_is_closed(
    site: Any, repository: Any, maria_db: Any, web_server: Any
) -> None:
    config, _password = maria_db
    plan = _plan(site, repository, "mariadb", config, "kata-sandi-salah")
    run = services.backup_run(plan=plan)
    assert run.state == RunState.FAILED
    assert "Terowongan SSH dibuka" in run.log  # the tunnel was open: the database itself refused
    assert "tidak dapat dibaca sebelum dump" in run.error
    assert "Access denied" in run.error
    assert "kata-sandi-salah" not in run.error + run.log
    assert _tunnels() == []


@pytest.mark.postgres
def test_a_postgresql_behind_the_web_server_is_dumped_and_drilled_through_a_tunnel(
    site: Any, repository: Any, pg_db: Any, web_server: Any
) -> None:
    plan = _plan(site, repository, "postgresql", {**pg_db, "format": "custom"})
    run = services.backup_run(plan=plan)
    assert run.state == RunState.SUCCESS, run.error
    assert run.details["sources"]["db"]["tables"] == {"arsip.Surat Masuk": 17, "public.perkara": 321}
    drill = services.drill_run(plan=plan)
    assert drill.state == RunState.SUCCESS, drill.error
    assert _tunnels() == []


@pytest.mark.mariadb
def test_another_web_server_at_the_pinned_address_is_refused_before_the_tunnel_opens(
    site: Any, repository: Any, maria_db: Any, web_server: Any
) -> None:
    config, password = maria_db
    plan = _plan(site, repository, "mariadb", config, password)
    good = services.backup_run(plan=plan)
    assert good.state == RunState.SUCCESS, good.error
    web_server.new_host_key()
    refused = services.backup_run(plan=plan)
    assert refused.state == RunState.FAILED
    assert "tidak cocok dengan yang dipatok" in refused.error
    assert "Terowongan SSH dibuka" not in refused.log
    assert _tunnels() == []


@pytest.mark.mariadb
def test_a_tunnel_without_a_web_server_on_the_sites_page_says_what_to_fill_in(
    site: Any, repository: Any, maria_db: Any
) -> None:
    config, password = maria_db
    plan = _plan(site, repository, "mariadb", config, password)
    run = services.backup_run(plan=plan)
    assert run.state == RunState.FAILED
    assert "belum punya server SSH" in run.error
    assert "halaman situs" in run.error


@pytest.mark.mariadb
def test_the_tunnel_is_open_only_while_it_is_used_and_closed_when_the_use_fails(
    site: Any, maria_db: Any, web_server: Any
) -> None:
    from jaga.backups.sources import REGISTRY, tunnel
    from jaga.backups.sources.base import SourceSpec
    from jaga.core.ssh import site_server

    config, password = maria_db
    server, key = site_server(site)
    cleaned = REGISTRY.get("mariadb").validate({**config, "tunnel": True})
    spec = SourceSpec(name="db", config=cleaned, secret=password, server=server, server_key=key)
    lines: list[str] = []
    seen: dict[str, Any] = {}

    def use_then_fail() -> None:
        with tunnel.opened(spec, log=lines.append) as (near, pinned):
            seen.update(near=near, pinned=pinned, tunnels=_tunnels(), listening=tunnel.listening(near.config["port"]))
            seen["counts"] = REGISTRY.get("mariadb").row_counts(near, database=config["database"])
            raise RuntimeError("the dump failed")

    with pytest.raises(RuntimeError):
        use_then_fail()
    near, pinned, port = seen["near"], seen["pinned"], seen["near"].config["port"]
    assert near.config["host"] == "127.0.0.1"
    assert port != config["port"]
    assert len(seen["tunnels"]) == 1
    assert seen["listening"]
    assert seen["counts"]["perkara"] == 300
    assert pinned.startswith(f"[127.0.0.1]:{web_server.port} ")
    assert _tunnels() == []
    assert not tunnel.listening(port)
    assert lines[-1] == "Terowongan SSH ditutup"
