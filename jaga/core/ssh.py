"""SSH for every SFTP use (backups' back end and source, a database's tunnel, the visitor logs of shared
hosting): the host key pinned on first use and checked by Jaga.

A server's host key is pinned the first time Jaga connects (``ssh-keyscan``, every key type the server
offers, kept with the repository or the source) and compared by Jaga before every later use: when none of
the keys the server now offers is a pinned one, the use is refused with one sentence, before restic or
rclone is started. That check is Jaga's own so that the reason is always the same words (restic reports a
failed ssh in several ways, "file already closed" among them). The connection itself is then made with
``StrictHostKeyChecking=yes`` against a known_hosts file that holds only the pinned keys, so a server that
passed the scan but presents another key to ssh is refused by ssh too.

The private key is the repository's or source's secret (stored encrypted); for a use it is written, with the
pinned keys, into a 0700 folder of the data folder (ssh reads keys only from files). Inside
:func:`ssh_scope` (a backup run, a page that talks to an SFTP repository) that folder is the scope's own and
is removed when the scope ends, also when it fails; a scope whose process was killed is removed by the next
scope that starts.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
import secrets
import shlex
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from jaga.core import execute

KEYSCAN_TIMEOUT = 30.0
KEYSCAN = "ssh-keyscan"
SSH = "ssh"
SFTP_LOCATION = re.compile(r"^sftp:(?:(?P<user>[^@/:]+)@)?(?P<host>\[[^\]]+\]|[^:/]+):(?P<path>.+)$")


class HostKeyError(Exception):
    """The server's host key cannot be read (``unreachable``) or is not the pinned one (``host_key``)."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int
    user: str

    @property
    def destination(self) -> str:
        return f"{self.user}@{self.host}" if self.user else self.host


def site_server(site: Any) -> tuple[Endpoint | None, str]:
    """The site's web server as its page records it (host, SSH port, user) and its stored private key."""
    if not str(site.server_host or "").strip():
        return None, ""
    endpoint = Endpoint(host=site.server_host.strip(), port=int(site.server_port or 22), user=site.server_user.strip())
    return endpoint, str(site.server_ssh_key or "")


def sftp_location_parse(location: str) -> tuple[str, str, str]:
    """restic's ``sftp:user@host:/path`` → (user, host, path); ``ValueError`` when it is not that."""
    found = SFTP_LOCATION.match(location)
    if found is None:
        raise ValueError(location)
    return found["user"] or "", found["host"].strip("[]"), found["path"]


def _keys(text: str) -> set[tuple[str, str]]:
    """The (type, key) pairs of known_hosts lines, whatever host names they carry."""
    pairs = set()
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 3 and not line.startswith("#"):
            pairs.add((fields[1], fields[2]))
    return pairs


def host_keys_scan(endpoint: Endpoint) -> str:
    """The server's host keys as known_hosts lines; :class:`HostKeyError` when it gives none."""
    where = {"host": endpoint.host, "port": endpoint.port}
    try:
        done = execute.run((KEYSCAN, "-p", str(endpoint.port), "-T", "10", endpoint.host), timeout=KEYSCAN_TIMEOUT)
    except execute.ExecuteError as exc:
        raise HostKeyError(
            _("Server SSH %(host)s:%(port)s tidak dapat dihubungi: %(e)s") % {**where, "e": exc.message},
            reason="unreachable",
        ) from None
    lines = [line for line in done.stdout.splitlines() if line.strip() and not line.startswith("#")]
    if not lines:
        raise HostKeyError(
            _("Server SSH %(host)s:%(port)s tidak dapat dihubungi atau tidak memberi kunci host.") % where,
            reason="unreachable",
        )
    return "\n".join(sorted(lines)) + "\n"


def host_key_verify(endpoint: Endpoint, pinned: str) -> str:
    """The pinned keys, after checking that the server still offers one of them.

    With nothing pinned yet (first use) the server's keys are pinned and returned; the caller stores them.
    """
    offered = host_keys_scan(endpoint)
    if not pinned.strip():
        return offered
    if not _keys(offered) & _keys(pinned):
        raise HostKeyError(
            _(
                "Kunci host SSH %(host)s:%(port)s tidak cocok dengan yang dipatok pada pemakaian pertama: "
                "server lain menjawab di alamat itu, atau servernya dipasang ulang. Jaga tidak memakainya. "
                "Bila server memang diganti, periksa sidik jarinya lalu kosongkan kunci host yang dipatok."
            )
            % {"host": endpoint.host, "port": endpoint.port},
            reason="host_key",
        )
    return pinned


def _private(path: Path, content: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(content if content.endswith("\n") else content + "\n")


_scope: contextvars.ContextVar[Path | None] = contextvars.ContextVar("jaga_ssh_scope", default=None)
SCOPE_PREFIX = "use-"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def ssh_scope(area: str = "backups") -> Iterator[Path]:
    """The keys and known_hosts files written inside the block live in one folder that goes when it ends.

    Nested scopes share the outer one. The folders of scopes whose process is gone (killed mid-run) are
    removed here, so a private key never outlives the run that needed it for longer than the next run."""
    current = _scope.get()
    if current is not None:
        yield current
        return
    base = Path(settings.DATA_DIR) / area / "ssh"
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    for stale in base.glob(f"{SCOPE_PREFIX}*"):
        pid = stale.name[len(SCOPE_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _pid_alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    folder = base / f"{SCOPE_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    folder.mkdir(mode=0o700)
    token = _scope.set(folder)
    try:
        yield folder
    finally:
        _scope.reset(token)
        shutil.rmtree(folder, ignore_errors=True)


def ssh_files(name: str, *, pinned: str, private_key: str, area: str = "backups") -> tuple[Path, Path | None]:
    """known_hosts (only the pinned keys) and the private key in ``DATA_DIR/<area>/ssh/<name>/`` (0700), or in
    the current :func:`ssh_scope`'s folder."""
    scope = _scope.get()
    folder = (scope if scope is not None else Path(settings.DATA_DIR) / area / "ssh") / name
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    known = folder / "known_hosts"
    _private(known, pinned)
    key = None
    if private_key.strip():
        key = folder / "id"
        _private(key, private_key)
    return known, key


def ssh_options(known_hosts: Path, key: Path | None, *, port: int) -> list[str]:
    """ssh's options: batch mode, the pinned keys only, strict checking, the given key only."""
    options = [
        "-p", str(port), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
        "-o", f"UserKnownHostsFile={known_hosts}", "-o", "GlobalKnownHostsFile=/dev/null",
        "-o", "ConnectTimeout=20", "-o", "ServerAliveInterval=30",
    ]  # fmt: skip
    if key is not None:
        options += ["-i", str(key), "-o", "IdentitiesOnly=yes"]
    return options


def sftp_command(endpoint: Endpoint, known_hosts: Path, key: Path | None) -> str:
    """restic's ``sftp.command``: one line that restic splits like a shell (paths are quoted)."""
    parts = [SSH, *ssh_options(known_hosts, key, port=endpoint.port), endpoint.destination, "-s", "sftp"]
    return " ".join(shlex.quote(part) for part in parts)


def tunnel_args(endpoint: Endpoint, known_hosts: Path, key: Path | None, *, local: int, target: str) -> tuple[str, ...]:
    """``ssh -N -L``: 127.0.0.1:``local`` here reaches ``target`` (host:port as the server sees it) there.

    ``ExitOnForwardFailure`` makes ssh end instead of holding a connection that forwards nothing."""
    return (
        SSH, *ssh_options(known_hosts, key, port=endpoint.port), "-N", "-o", "ExitOnForwardFailure=yes",
        "-o", "LogLevel=ERROR", "-L", f"127.0.0.1:{local}:{target}", endpoint.destination,
    )  # fmt: skip
