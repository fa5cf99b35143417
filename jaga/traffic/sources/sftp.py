"""Access logs on shared hosting, pulled over SFTP with the site's SSH key into a local mirror, then read as local
files (so the cursors, rotation and truncation work exactly as they do for a log on this machine).

The source's path is the remote path, with a glob in its last part (``/home/pn/logs/access.log*``). Each pull
lists the remote folder (``rclone lsjson``) and reads the first bytes of each matching file: a file is known
by them, as the cursors know a local file, not by its name. A known file that grew gets only its new bytes
(``rclone cat --offset``) appended to its mirror copy, so ``access.log`` renamed to ``access.log.1`` by a
rotation keeps its copy and the lines written just before the rotation are pulled too; a file with first bytes
never seen (a new ``access.log``, one truncated and written again) gets a new copy. A copy whose content is
gone from the server is deleted after the ingestion that read it to its end.

The server's host key is pinned on first use and checked before every pull (:mod:`jaga.core.ssh`, the same
check as the backups'); rclone connects with the pinned keys only. The key is the site's (``server_ssh_key``,
stored encrypted), the host, port and user the site's too.
"""

from __future__ import annotations

import fnmatch
import hashlib
import io
import json
import os
import posixpath
import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from jaga.core import execute, ssh
from jaga.traffic.ingest import store
from jaga.traffic.ingest.files import HEAD_BYTES, head_hash
from jaga.traffic.sources import SourcePullError

if TYPE_CHECKING:
    from jaga.traffic.models import LogSource

RCLONE = "rclone"
LIST_TIMEOUT = 120.0
PULL_TIMEOUT = 3600.0
MANIFEST = ".manifest.json"  # a dot file: the mirror's glob ``*`` never reads it as a log


def mirror_dir(source: LogSource) -> Path:
    return store.store_root() / ".remote" / f"source-{int(source.pk)}"


def endpoint_of(source: LogSource) -> ssh.Endpoint:
    site = source.site
    if not site.server_host or not site.server_user:
        raise SourcePullError(
            _("Situs %(site)s belum punya server SSH (host dan pengguna): log di server tidak dapat ditarik.")
            % {"site": site.name}
        )
    return ssh.Endpoint(host=site.server_host, port=int(site.server_port or 22), user=site.server_user)


class _Remote:
    def __init__(self, source: LogSource, known_hosts: Path, key: Path | None) -> None:
        self.source = source
        self.endpoint = endpoint_of(source)
        self.options = [
            "--sftp-host", self.endpoint.host, "--sftp-port", str(self.endpoint.port),
            "--sftp-user", self.endpoint.user, "--sftp-known-hosts-file", str(known_hosts),
            "--config", os.devnull, "--low-level-retries", "3", "--log-level", "ERROR",
        ]  # fmt: skip
        if key is not None:
            self.options += ["--sftp-key-file", str(key)]
        self.secrets = [source.site.server_ssh_key] if source.site.server_ssh_key else []

    def _run(self, args: list[str], *, timeout: float, stdout_to: Any = None) -> execute.Completed:
        where = f"sftp://{self.endpoint.destination}:{self.endpoint.port}{self.source.path}"
        try:
            return execute.run(
                (RCLONE, *args, *self.options), timeout=timeout, secrets=self.secrets, stdout_to=stdout_to
            )
        except execute.ExecuteError as exc:
            raise SourcePullError(
                _("Penarikan log %(where)s melalui SFTP gagal: %(detail)s")
                % {"where": where, "detail": (exc.stderr_tail or exc.message).strip()[-500:]}
            ) from None

    def listing(self, folder: str, pattern: str) -> list[dict[str, Any]]:
        done = self._run(["lsjson", f":sftp:{folder}", "--files-only"], timeout=LIST_TIMEOUT)
        entries = [e for e in json.loads(done.stdout or "[]") if fnmatch.fnmatchcase(e["Name"], pattern)]
        return sorted(entries, key=lambda e: e["Name"])

    def cat(self, path: str, *, offset: int = 0, count: int | None = None, into: Any) -> None:
        args = ["cat", f":sftp:{path}"]
        if offset:
            args += ["--offset", str(offset)]
        if count is not None:
            args += ["--count", str(count)]
        self._run(args, timeout=PULL_TIMEOUT, stdout_to=into)

    def head(self, path: str) -> bytes:
        buffer = io.BytesIO()
        self.cat(path, count=HEAD_BYTES, into=buffer)
        return buffer.getvalue()


def _mtime(text: str) -> float:
    """rclone's RFC 3339 time (nanoseconds) as a POSIX time."""
    trimmed = re.sub(r"(\.\d{6})\d+", r"\1", text).replace("Z", "+00:00")
    return datetime.fromisoformat(trimmed).timestamp()


def _manifest(mirror: Path) -> dict[str, dict[str, Any]]:
    try:
        loaded: dict[str, dict[str, Any]] = json.loads((mirror / MANIFEST).read_text())
        return loaded
    except (OSError, ValueError):
        return {}


def _manifest_write(mirror: Path, manifest: dict[str, dict[str, Any]]) -> None:
    temporary = mirror / (MANIFEST + ".new")
    temporary.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    temporary.replace(mirror / MANIFEST)


def _known(manifest: dict[str, dict[str, Any]], head: bytes, compressed: bool) -> str | None:
    """The mirror copy whose content starts with the bytes it was known by (a file only grows at its end)."""
    for name, entry in manifest.items():
        length = int(entry["head_len"])
        if (
            bool(entry["compressed"]) == compressed
            and length <= len(head)
            and head_hash(head, length) == entry["head_hash"]
        ):
            return name
    return None


def mirror_pull(source: LogSource) -> Path:
    """Bring the mirror of ``source`` up to the server's files; the mirror folder."""
    endpoint = endpoint_of(source)
    try:
        pinned = ssh.host_key_verify(endpoint, source.known_hosts)
    except ssh.HostKeyError as exc:
        raise SourcePullError(exc.message) from None
    if pinned != source.known_hosts:
        source.known_hosts = pinned
        source.save(update_fields=["known_hosts"])
    known, key = ssh.ssh_files(
        f"source-{int(source.pk)}", pinned=pinned, private_key=source.site.server_ssh_key, area="traffic"
    )
    remote = _Remote(source, known, key)
    mirror = mirror_dir(source)
    mirror.mkdir(parents=True, exist_ok=True, mode=0o700)
    manifest = _manifest(mirror)
    folder, pattern = posixpath.split(source.path)
    seen: set[str] = set()
    for entry in remote.listing(folder or "/", pattern or "*"):
        path = posixpath.join(folder, entry["Name"])
        size, compressed = int(entry["Size"]), entry["Name"].endswith(".gz")
        head = remote.head(path)
        if not head:
            continue
        name = _known(manifest, head, compressed)
        copy = mirror / name if name else None
        have = copy.stat().st_size if copy is not None and copy.exists() else -1
        if name is None or copy is None or have < 0:
            name = hashlib.sha256(head).hexdigest()[:24] + (".log.gz" if compressed else ".log")
            copy = mirror / name
            with open(copy, "wb") as out:
                remote.cat(path, into=out)
        elif compressed or size < have:
            if size != have:  # a compressed file is whole or nothing; a shorter one was rewritten in place
                with open(copy, "wb") as out:
                    remote.cat(path, into=out)
        elif size > have:
            with open(copy, "ab") as out:
                remote.cat(path, offset=have, into=out)
        mtime = _mtime(entry["ModTime"])
        os.utime(copy, (mtime, mtime))
        manifest[name] = {
            "remote": entry["Name"],
            "compressed": compressed,
            "head_len": len(head),
            "head_hash": head_hash(head),
            "gone": False,
        }
        seen.add(name)
    for name, entry in manifest.items():
        entry["gone"] = name not in seen
    _manifest_write(mirror, manifest)
    return mirror


def mirror_prune(source: LogSource) -> int:
    """Delete the copies whose content is no longer on the server (the ingestion just read them to their end)."""
    mirror = mirror_dir(source)
    manifest = _manifest(mirror)
    gone = [name for name, entry in manifest.items() if entry.get("gone")]
    for name in gone:
        (mirror / name).unlink(missing_ok=True)
        del manifest[name]
    if gone:
        _manifest_write(mirror, manifest)
    return len(gone)


class SftpKind:
    def files_pattern(self, source: LogSource) -> str:
        return str(mirror_pull(source) / "*")

    def after_ingest(self, source: LogSource) -> None:
        mirror_prune(source)


KIND = SftpKind()
