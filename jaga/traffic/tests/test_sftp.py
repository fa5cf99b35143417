"""Access logs pulled over SFTP from a real OpenSSH server on loopback, with the site's key and a pinned host key."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from jaga.core.testservers import sshd as sshd_server
from jaga.traffic import services
from jaga.traffic.ingest import store
from jaga.traffic.models import LogSource
from jaga.traffic.sources import SourcePullError
from jaga.traffic.sources.sftp import mirror_dir

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.same_on_every_database,  # an outside tool's test (root conftest.py)
    pytest.mark.skipif(not sshd_server.available(), reason="openssh-server missing: scripts/system-packages.sh test"),
]


def _line(n: int) -> str:
    at = f"01/Nov/2026:10:{n // 60 % 60:02d}:{n % 60:02d} +0700"
    return f'203.0.113.{n % 250 + 1} - - [{at}] "GET /berita/{n} HTTP/1.1" 200 512 "-" "Mozilla/5.0"\n'


def _write(path: Path, numbers: range, mode: str = "a") -> None:
    with open(path, mode) as handle:
        handle.writelines(_line(n) for n in numbers)


def _stored(site: Any) -> list[str]:
    if not list(store.site_dir(site.pk).glob("day=*/*.parquet")):
        return []
    rows = duckdb.sql(f"SELECT path FROM read_parquet('{store.site_glob(site.pk)}') ORDER BY path").fetchall()
    return [row[0] for row in rows]


def _expected(numbers: range) -> list[str]:
    return sorted(f"/berita/{n}" for n in numbers)


@pytest.fixture
def remote_source(site: Any, sshd: Any, tmp_path: Path) -> tuple[LogSource, Path]:
    logs = tmp_path / "hosting" / "logs"
    logs.mkdir(parents=True)
    site.server_host, site.server_port, site.server_user = "127.0.0.1", sshd.port, sshd.user
    site.server_ssh_key = sshd.client_key
    site.save()
    source = LogSource.objects.create(site=site, kind=LogSource.Kind.SFTP, path=str(logs / "access.log*"))
    return source, logs


def _ingest(source: LogSource) -> Any:
    source.refresh_from_db()
    return services.traffic_ingest(site=source.site, sources=[source])


def test_it_pulls_each_line_once_across_growth_rotation_compression_and_truncation(remote_source, sshd) -> None:  # type: ignore[no-untyped-def]
    source, logs = remote_source
    log = logs / "access.log"
    _write(log, range(0, 30), "w")
    run = _ingest(source)
    assert run.outcome == "success"
    assert run.lines_stored == 30
    source.refresh_from_db()
    assert source.known_hosts.startswith(f"[127.0.0.1]:{sshd.port} ssh-ed25519 ")  # pinned on first use

    _write(log, range(30, 45))  # the file grows: only its new bytes come over
    assert _ingest(source).lines_stored == 15

    _write(log, range(45, 50))  # written just before the rotation...
    log.rename(logs / "access.log.1")  # ...then logrotate renames it and a new file starts
    _write(log, range(50, 60), "w")
    assert _ingest(source).lines_stored == 15

    with open(logs / "access.log.1", "rb") as raw, gzip.open(logs / "access.log.1.gz", "wb") as packed:
        shutil.copyfileobj(raw, packed)  # compressed the next day: the same content, nothing new
    (logs / "access.log.1").unlink()
    _write(log, range(0, 0), "w")  # copytruncate: emptied in place, then written again
    _write(log, range(60, 64))
    assert _ingest(source).lines_stored == 4
    assert _ingest(source).lines_stored == 0

    assert _stored(source.site) == _expected(range(0, 64))
    # The copies whose content left the server are gone from the mirror once read.
    kept = sorted(p.name for p in mirror_dir(source).iterdir() if not p.name.startswith("."))
    assert len(kept) == 2
    assert sum(name.endswith(".gz") for name in kept) == 1


def test_a_server_with_another_host_key_is_refused_in_words(remote_source, sshd) -> None:  # type: ignore[no-untyped-def]
    source, logs = remote_source
    _write(logs / "access.log", range(0, 3), "w")
    assert _ingest(source).lines_stored == 3
    sshd.new_host_key()
    _write(logs / "access.log", range(3, 6))
    with pytest.raises(SourcePullError, match="tidak cocok dengan yang dipatok"):
        _ingest(source)
    assert _stored(source.site) == _expected(range(0, 3))


def test_a_site_without_its_ssh_server_says_so(site) -> None:  # type: ignore[no-untyped-def]
    source = LogSource.objects.create(site=site, kind=LogSource.Kind.SFTP, path="/home/pn/logs/access.log*")
    with pytest.raises(SourcePullError, match="belum punya server SSH"):
        _ingest(source)


def test_a_wrong_key_fails_the_pull_with_rclones_reason(remote_source) -> None:  # type: ignore[no-untyped-def]
    source, logs = remote_source
    _write(logs / "access.log", range(0, 3), "w")
    site = source.site
    site.server_ssh_key = sshd_server.keygen(logs.parent / "other_key")
    site.save()
    with pytest.raises(SourcePullError, match="melalui SFTP gagal") as failure:
        _ingest(source)
    assert "PRIVATE KEY" not in str(failure.value)


def test_a_line_of_the_sites_log_locations_starting_with_sftp_is_pulled_by_the_worker(site, sshd, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from jaga.traffic.services.rounds import traffic_sites_round

    logs = tmp_path / "hosting"
    logs.mkdir()
    _write(logs / "access.log", range(0, 7), "w")
    site.server_host, site.server_port, site.server_user = "127.0.0.1", sshd.port, sshd.user
    site.server_ssh_key = sshd.client_key
    site.access_log_paths = f"sftp:{logs}/access.log*"
    site.save()
    result = traffic_sites_round()
    assert result.failed == []
    assert result.lines == 7
    source = LogSource.objects.get(site=site)
    assert (source.kind, source.path) == ("sftp", f"{logs}/access.log*")
