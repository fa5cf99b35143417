"""A remote web root on shared hosting, pulled over SFTP with the site's SSH key, then snapshotted.

The key is the one stored on the site's page (``site_key``, the default when the site has one) or a key of the
source's own (its secret, stored encrypted).

The remote folder is mirrored into ``DATA_DIR/backups/mirrors/<id>/`` with ``rclone sync`` (only what
changed since the last pull is transferred; modification times are kept, so restic too reads only what
changed), without the CMS's caches, sessions and tmp folders; restic then snapshots the mirror. The
server's host key is pinned on first use and checked by Jaga before every pull (:mod:`jaga.core.ssh`);
rclone connects with the pinned keys only.

A restore over the live site pushes the restored copy back with ``rclone sync`` (files that the snapshot
did not hold are removed on the server, except what the plan never backs up).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaga.backups.sources.base import (
    ALWAYS_EXCLUDES,
    DrillResult,
    Log,
    Prepared,
    SourceBase,
    SourceError,
    SourceSpec,
    web_root_drill,
    web_root_patterns,
)
from jaga.core import execute, ssh
from jaga.core.lazyconfig import LazyConfig

RCLONE = "rclone"
PULL_TIMEOUT = 12 * 3600.0


def endpoint_of(config: dict[str, Any]) -> ssh.Endpoint:
    return ssh.Endpoint(host=str(config["host"]), port=int(config.get("port") or 22), user=str(config["user"]))


def mirror_of(config: dict[str, Any]) -> Path:
    """The local mirror of one remote folder: kept between runs, so that a pull moves only what changed."""
    key = f"{config['user']}@{config['host']}:{config.get('port') or 22}:{config['path']}"
    return Path(settings.DATA_DIR) / "backups" / "mirrors" / hashlib.sha256(key.encode()).hexdigest()[:16]


def rclone_filters(config: dict[str, Any]) -> list[str]:
    """The CMS's and the plan's patterns as rclone filters, anchored at the web root."""
    args: list[str] = []
    for pattern in web_root_patterns(config):
        anchored = "/" + pattern.strip("/")
        args += ["--exclude", anchored, "--exclude", f"{anchored}/**"]
    for pattern in ALWAYS_EXCLUDES:
        args += ["--exclude", pattern]
    return args


def rclone_args(
    config: dict[str, Any], *, known_hosts: Path, key: Path | None, source: str, target: str
) -> tuple[str, ...]:
    """``rclone sync`` between the server's folder and a local one; the remote side is ``:sftp:<path>``."""
    args = [
        RCLONE, "sync", source, target, "--sftp-host", str(config["host"]), "--sftp-port", str(config["port"]),
        "--sftp-user", str(config["user"]), "--sftp-known-hosts-file", str(known_hosts),
        "--sftp-disable-hashcheck", "--config", os.devnull, "--retries", "3",
        "--low-level-retries", "10", "--stats", "0", "--log-level", "ERROR",
    ]  # fmt: skip
    if key is not None:
        args += ["--sftp-key-file", str(key)]
    return (*args, *rclone_filters(config))


def _key(spec: SourceSpec) -> str:
    """The private key: the site's stored one (``site_key``), else the source's own secret."""
    return spec.server_key if spec.config.get("site_key") else spec.secret


class SftpSource(SourceBase):
    is_database = False
    Config = LazyConfig("jaga.backups.sources.configs:SftpConfig")
    secret_label = gettext_noop("Kunci SSH privat (bila bukan kunci situs)")
    secret_multiline = True

    def describe(self, spec: SourceSpec) -> str:
        c = spec.config
        return f"sftp://{c['user']}@{c['host']}:{c['port']}{c['path']}"

    def _connect(self, spec: SourceSpec) -> tuple[str, Path, Path | None]:
        """The pinned host keys (pinned now on first use), checked; the files ssh reads."""
        pinned = str(spec.config.get("known_hosts") or "")
        try:
            keys = ssh.host_key_verify(endpoint_of(spec.config), pinned)
        except ssh.HostKeyError as exc:
            raise SourceError(exc.message, check="host_key" if exc.reason == "host_key" else "connection") from None
        known, key = ssh.ssh_files(f"source-{mirror_of(spec.config).name}", pinned=keys, private_key=_key(spec))
        return keys, known, key

    def _sync(self, spec: SourceSpec, args: tuple[str, ...], *, failure: str) -> None:
        try:
            execute.run(args, timeout=PULL_TIMEOUT, secrets=[_key(spec)] if _key(spec) else [])
        except execute.ExecuteError as exc:
            raise SourceError(
                failure % {"where": self.describe(spec)},
                check="connection",
                detail=exc.stderr_tail or exc.message,
            ) from None

    def prepare(self, spec: SourceSpec, *, staging: Path, log: Log) -> Prepared:
        keys, known, key = self._connect(spec)
        mirror = mirror_of(spec.config)
        mirror.mkdir(parents=True, exist_ok=True, mode=0o700)
        log(_("Menarik %(where)s ke salinan lokal") % {"where": self.describe(spec)})
        remote = f":sftp:{spec.config['path']}"
        self._sync(spec, rclone_args(spec.config, known_hosts=known, key=key, source=remote, target=str(mirror)),
                   failure=_("Penarikan %(where)s melalui SFTP gagal."))  # fmt: skip
        count = sum(len(names) for _root, _dirs, names in os.walk(mirror))
        if count == 0:
            raise SourceError(
                _("Folder %(path)s di server kosong: tidak ada yang dicadangkan.") % {"path": spec.config["path"]},
                check="missing",
            )
        log(_("Salinan lokal: %(count)d berkas") % {"count": count})
        facts = {"path": str(mirror), "remote": self.describe(spec), "files": count}
        update = {"known_hosts": keys} if keys != spec.config.get("known_hosts") else {}
        return Prepared(paths=[mirror], facts=facts, config_update=update)

    def drill(self, spec: SourceSpec, *, restored: Path, facts: dict[str, Any], log: Log) -> DrillResult:
        return web_root_drill(
            restored / str(facts.get("path", mirror_of(spec.config))).lstrip("/"), files=facts.get("restored_files")
        )

    def restore_live(self, spec: SourceSpec, *, restored: Path, facts: dict[str, Any], log: Log) -> dict[str, Any]:
        """Push the restored copy back to the server: it becomes what the snapshot holds."""
        copy = restored / str(facts.get("path", mirror_of(spec.config))).lstrip("/")
        if not copy.is_dir():
            raise SourceError(_("Folder %(path)s tidak ada di snapshot.") % {"path": copy}, check="missing")
        _keys, known, key = self._connect(spec)
        log(_("Mengirim salinan kembali ke %(where)s") % {"where": self.describe(spec)})
        remote = f":sftp:{spec.config['path']}"
        self._sync(spec, rclone_args(spec.config, known_hosts=known, key=key, source=str(copy), target=remote),
                   failure=_("Pengiriman kembali ke %(where)s melalui SFTP gagal."))  # fmt: skip
        count = sum(len(names) for _root, _dirs, names in os.walk(copy))
        log(_("Berkas dikirim kembali: %(count)d") % {"count": count})
        return {"files": count}


KIND = SftpSource()
