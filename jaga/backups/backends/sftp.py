"""Another server over SFTP: restic's ``sftp:user@host:/path``, with the repository's own SSH key.

The private key is the repository's credentials (stored encrypted); for each use it is written with the
pinned host key into a 0700 folder of the data folder (ssh reads only files). The server's host key is
pinned on first use (``ssh-keyscan``, kept in ``options["known_hosts"]``) and checked on every later use
(``StrictHostKeyChecking=yes``): another server answering at that address is refused in words, never used.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaga.backups.backends.base import BackendBase, MediumMissing
from jaga.core import execute
from jaga.core.kindconfig import KindConfig, setting

if TYPE_CHECKING:
    from jaga.backups.models import Repository

LOCATION = re.compile(r"^sftp:(?:(?P<user>[^@/:]+)@)?(?P<host>\[[^\]]+\]|[^:/]+):(?P<path>.*)$")
KEYSCAN_TIMEOUT = 30.0


class Config(KindConfig):
    port: int = setting(22, label=gettext_noop("Port SSH"), ge=1, le=65535)
    known_hosts: str = setting(
        "",
        label=gettext_noop("Kunci host yang dipatok"),
        help=gettext_noop("Diisi otomatis pada pemakaian pertama; kosongkan hanya bila server memang diganti."),
    )


def parse(location: str) -> tuple[str, str, str]:
    """``sftp:user@host:/path`` → (user, host, path); ValueError when it is not that."""
    found = LOCATION.match(location)
    if found is None:
        raise ValueError(location)
    return found["user"] or "", found["host"].strip("[]"), found["path"]


def _folder(repository: Repository) -> Path:
    folder = Path(settings.DATA_DIR) / "backups" / "ssh" / f"repo-{repository.pk}"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    return folder


def _private(path: Path, content: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(content if content.endswith("\n") else content + "\n")


class SftpBackend(BackendBase):
    Config = Config

    def before_use(self, repository: Repository) -> None:
        """Pin the server's host key on first use."""
        options = repository.options or {}
        if options.get("known_hosts"):
            return
        _user, host, _path = parse(repository.location)
        port = int(options.get("port") or 22)
        try:
            done = execute.run(("ssh-keyscan", "-p", str(port), "-T", "10", host), timeout=KEYSCAN_TIMEOUT)
        except execute.ExecuteError as exc:
            raise MediumMissing(
                _("Server SFTP %(host)s:%(port)s tidak dapat dihubungi: %(e)s")
                % {"host": host, "port": port, "e": exc},
                reason="unreachable",
            ) from None
        lines = [line for line in done.stdout.splitlines() if line.strip() and not line.startswith("#")]
        if not lines:
            raise MediumMissing(
                _("Server SFTP %(host)s:%(port)s tidak memberi kunci host.") % {"host": host, "port": port},
                reason="unreachable",
            )
        repository.options = {**options, "port": port, "known_hosts": "\n".join(lines)}
        repository.save(update_fields=["options"])

    def restic_options(self, repository: Repository) -> tuple[str, ...]:
        options = repository.options or {}
        user, host, _path = parse(repository.location)
        folder = _folder(repository)
        known = folder / "known_hosts"
        _private(known, str(options.get("known_hosts") or ""))
        command = [
            "ssh", "-p", str(int(options.get("port") or 22)), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
            "-o", f"UserKnownHostsFile={known}", "-o", "GlobalKnownHostsFile=/dev/null",
        ]  # fmt: skip
        if repository.credentials:
            key = folder / "id"
            _private(key, repository.credentials)
            command += ["-i", str(key), "-o", "IdentitiesOnly=yes"]
        command += [f"{user}@{host}" if user else host, "-s", "sftp"]
        return (f"sftp.command={' '.join(command)}",)


KIND = SftpBackend()
