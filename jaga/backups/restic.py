"""restic, the repository engine: commands built as data, run through ``jaga.core.execute``.

Each command is a tuple built by a ``*_args`` function (unit-tested on its exact arguments) and run by
:class:`Restic`, which supplies the repository and its password through the environment (never the command
line), masks every secret, reads restic's ``--json`` output for progress and summaries, and interprets
restic's failures in one place (:func:`restic_error`): a wrong password, a locked repository, a missing
repository, a full disk each get their own sentence.

Exit codes (restic 0.14+): 0 success; 1 fatal error (no snapshot); 3 a snapshot was saved but some source
files could not be read — a warning that alerts and lists the files, never a plain success.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings

from jaga.core import execute

logger = logging.getLogger("jaga.backups.restic")

RESTIC = "restic"
BACKUP_WARNING = 3
# Deadlines: a backup or a restore may take hours on a slow line; the small commands never should.
LONG_TIMEOUT = 12 * 3600.0
SHORT_TIMEOUT = 600.0


class ResticError(Exception):
    """A restic failure as a person reads it; ``reason`` is machine-readable, ``detail`` is restic's stderr."""

    def __init__(self, message: str, *, reason: str, detail: str = "", returncode: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.detail = detail
        self.returncode = returncode

    def __str__(self) -> str:
        return self.message + (f"\n{self.detail}" if self.detail else "")


_KEYS_REFUSED = (
    "Server penyimpanan menolak kunci aksesnya (ID kunci akses atau kunci rahasia salah, atau tanpa izin) / "
    "the storage server refused its access keys (a wrong access key id or secret key, or no permission)"
)
_REASONS: tuple[tuple[str, str, str], ...] = (
    # First: a server that does not answer also makes restic ask "is there a repository at ...?".
    ("connection refused", "unreachable",
     "Server repositori tidak dapat dihubungi / the repository server cannot be reached"),
    ("no such host", "unreachable",
     "Server repositori tidak dapat dihubungi / the repository server cannot be reached"),
    ("i/o timeout", "unreachable",
     "Server repositori tidak dapat dihubungi / the repository server cannot be reached"),
    ("wrong password", "wrong_password",
     "Kata sandi repositori salah / wrong repository password"),
    ("no key found", "wrong_password",
     "Kata sandi repositori salah / wrong repository password"),
    ("repository is already locked", "locked",
     "Repositori sedang dikunci proses lain; coba lagi setelah proses itu selesai / "
     "the repository is locked by another process; try again when it has finished"),
    # Before "no repository": an S3 server that refuses the keys also makes restic ask whether one is there.
    ("access denied", "access_denied", _KEYS_REFUSED),
    ("signaturedoesnotmatch", "access_denied", _KEYS_REFUSED),
    ("invalidaccesskeyid", "access_denied", _KEYS_REFUSED),
    ("is there a repository at the following location", "no_repository",
     "Repositori tidak ditemukan di lokasinya / no repository at its location"),
    ("unable to open config file", "no_repository",
     "Repositori tidak ditemukan di lokasinya / no repository at its location"),
    ("no space left on device", "disk_full",
     "Ruang penyimpanan penuh / no space left on the device"),
    # Another process's lock says "already locked" (above); this is a lock restic could not write.
    ("unable to create lock", "lock_failed",
     "Kunci repositori tidak dapat ditulis (disk penuh, hanya-baca atau tanpa izin tulis) / "
     "the repository's lock cannot be written (a full, read-only or unwritable disk)"),
    ("config file already exists", "exists",
     "Sudah ada repositori di lokasi ini / a repository already exists at this location"),
    ("host key verification failed", "host_key",
     "Kunci host SSH tidak cocok dengan yang tersimpan / the SSH host key does not match the pinned one"),
    ("all target directories/files do not exist", "no_source",
     "Tidak ada satu pun sumber yang akan dicadangkan / none of the sources to back up exists"),
)  # fmt: skip


def without_stack_trace(text: str) -> str:
    """restic's stderr without the Go stack trace it prints after some errors (frames and their file lines)."""
    lines = text.splitlines()
    kept = [
        line
        for number, line in enumerate(lines)
        if not line.startswith("\t") and not (number + 1 < len(lines) and lines[number + 1].startswith("\t"))
    ]
    return "\n".join(kept)


def restic_error(error: execute.ExecuteError, *, action: str) -> ResticError:
    """The one place where restic's failures become sentences."""
    text = (error.stderr_tail or error.stdout_tail).lower()
    if isinstance(error, execute.ExecuteTimeout):
        return ResticError(error.message, reason="timeout", detail=error.stderr_tail, returncode=error.returncode)
    if error.returncode is None:
        return ResticError(
            "restic tidak terpasang atau tidak dapat dijalankan / restic is not installed or cannot be run",
            reason="missing_restic",
            detail=error.message,
        )
    detail = without_stack_trace(error.stderr_tail)
    for needle, reason, sentence in _REASONS:
        if needle in text:
            message = f"restic {action}: {sentence}"
            return ResticError(message, reason=reason, detail=detail, returncode=error.returncode)
    return ResticError(
        f"restic {action} gagal (kode {error.returncode}) / failed (exit code {error.returncode})",
        reason="failed",
        detail=detail,
        returncode=error.returncode,
    )


@dataclass(frozen=True)
class Target:
    """Where a repository is and how to open it: what :class:`Restic` needs, without the database row."""

    location: str
    password: str
    env: dict[str, str] = field(default_factory=dict)  # back-end credentials (AWS_*, RCLONE_*)
    options: tuple[str, ...] = ()  # -o key=value (sftp.command)
    secrets: tuple[str, ...] = ()


@dataclass
class Progress:
    percent: float = 0.0
    files_done: int = 0
    total_files: int = 0
    bytes_done: int = 0
    total_bytes: int = 0
    current: str = ""


@dataclass
class BackupSummary:
    snapshot_id: str = ""
    files_new: int = 0
    files_changed: int = 0
    files_unmodified: int = 0
    files_processed: int = 0
    bytes_added: int = 0
    bytes_processed: int = 0
    duration: float = 0.0
    errors: list[str] = field(default_factory=list)  # files restic could not read (exit 3)
    skipped: list[str] = field(default_factory=list)  # paths given to restic that did not exist (it goes on, exit 0)
    warned: bool = False


@dataclass(frozen=True)
class Restored:
    """What ``restic restore`` said: how many files ``--verify`` read back and found right (None without it)."""

    verified_files: int | None = None


_VERIFIED = re.compile(r"^finished verifying (\d+) files in ", re.MULTILINE)


def verified_files(stdout: str) -> int | None:
    """The count in ``restic restore --verify``'s last line, ``finished verifying 37081 files in /x (took 3s)``."""
    found = _VERIFIED.findall(stdout)
    return int(found[-1]) if found else None


# --- the commands, as data -------------------------------------------------------------------------------


def backup_args(
    paths: Sequence[str], *, excludes: Sequence[str] = (), tags: Sequence[str] = (), host: str = "jaga"
) -> tuple[str, ...]:
    args: list[str] = ["backup", "--json", "--host", host]
    for tag in tags:
        args += ["--tag", tag]
    for pattern in excludes:
        args += ["--exclude", pattern]
    return (*args, *paths)


def forget_args(
    *, keep_last: int, keep_daily: int, keep_weekly: int, keep_monthly: int, keep_yearly: int, tag: str, prune: bool
) -> tuple[str, ...]:
    # One group per plan: its snapshots are chosen by the plan's tag and grouped by host only. Grouping by
    # tags too made every snapshot a group of its own (each carries its run's tag), so nothing was forgotten.
    args = ["forget", "--json", "--tag", tag, "--group-by", "host"]
    for flag, value in (
        ("--keep-last", keep_last),
        ("--keep-daily", keep_daily),
        ("--keep-weekly", keep_weekly),
        ("--keep-monthly", keep_monthly),
        ("--keep-yearly", keep_yearly),
    ):
        if value:
            args += [flag, str(value)]
    if not any((keep_last, keep_daily, keep_weekly, keep_monthly, keep_yearly)):
        args += ["--keep-last", "1"]  # restic refuses to forget everything; Jaga never asks it to
    if prune:
        args.append("--prune")
    return tuple(args)


def check_args(*, subset: str = "") -> tuple[str, ...]:
    return ("check", f"--read-data-subset={subset}") if subset else ("check",)


def restore_args(snapshot: str, *, target: str, includes: Sequence[str] = (), verify: bool = True) -> tuple[str, ...]:
    args = ["restore", snapshot, "--target", target]
    for pattern in includes:
        args += ["--include", pattern]
    if verify:
        args.append("--verify")
    return tuple(args)


# --- running them ----------------------------------------------------------------------------------------


def cache_dir() -> Path:
    path = Path(settings.DATA_DIR) / "cache" / "restic"
    path.mkdir(parents=True, exist_ok=True)
    return path


class Restic:
    """One repository's restic. Every method raises :class:`ResticError` on failure."""

    def __init__(self, target: Target, *, binary: str = RESTIC) -> None:
        self.target = target
        self.binary = binary

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.target.password, *self.target.secrets)

    def _env(self) -> dict[str, str]:
        return {
            "RESTIC_REPOSITORY": self.target.location,
            "RESTIC_PASSWORD": self.target.password,
            "RESTIC_CACHE_DIR": str(cache_dir()),
            "RESTIC_PROGRESS_FPS": "2",
            **self.target.env,
        }

    def command(self, args: Sequence[str]) -> tuple[str, ...]:
        options: list[str] = []
        for option in self.target.options:
            options += ["-o", option]
        return (self.binary, *options, *args)

    def run(
        self,
        args: Sequence[str],
        *,
        action: str,
        timeout: float = SHORT_TIMEOUT,
        on_line: Callable[[str], None] | None = None,
        warn_codes: Sequence[int] = (),
        stdout_to: str | Path | BinaryIO | None = None,
    ) -> execute.Completed:
        for attempt in (1, 2):
            try:
                return execute.run(
                    self.command(args),
                    timeout=timeout,
                    env=self._env(),
                    secrets=self.secrets,
                    on_line=on_line,
                    warn_codes=warn_codes,
                    stdout_to=stdout_to,
                )
            except execute.ExecuteError as exc:
                error = restic_error(exc, action=action)
                if error.reason not in ("disk_full", "timeout") and local_disk_full(self.target.location):
                    # restic prints a Go stack trace after some write errors, and the end of stderr that
                    # Jaga keeps no longer holds "no space left on device": the disk itself says it.
                    error = ResticError(
                        f"restic {action}: Ruang penyimpanan penuh / no space left on the device",
                        reason="disk_full",
                        detail=error.detail,
                        returncode=error.returncode,
                    )
                if error.reason != "locked" or attempt == 2 or tuple(args[:1]) == ("unlock",):
                    raise error from None
            # A lock left by a restic that died (a killed run, a crash) blocks every later command until
            # someone runs `restic unlock`, which removes only stale locks (their process is dead on this
            # host, or they were not refreshed for 30 minutes): a live process's lock stays, and the retry
            # fails as locked again.
            logger.warning("restic %s: repository locked; removing stale locks (restic unlock) and retrying", action)
            self.unlock()
        raise AssertionError("unreachable")

    def init(self) -> str:
        """Create the repository; returns its id (the fingerprint on the recovery sheet)."""
        self.run(("init",), action="init")
        return self.repository_id()

    def repository_id(self) -> str:
        done = self.run(("cat", "config"), action="cat config")
        try:
            return str(json.loads(done.stdout)["id"])
        except (ValueError, KeyError, TypeError):
            raise ResticError(
                "konfigurasi repositori tidak terbaca / the repository's config cannot be read",
                reason="failed",
                detail=done.stdout[:500],
            ) from None

    def exists(self) -> bool:
        try:
            self.repository_id()
        except ResticError as exc:
            if exc.reason == "no_repository":
                return False
            raise
        return True

    def backup(
        self,
        paths: Sequence[str],
        *,
        excludes: Sequence[str] = (),
        tags: Sequence[str] = (),
        on_progress: Callable[[Progress], None] | None = None,
        timeout: float = LONG_TIMEOUT,
    ) -> BackupSummary:
        summary = BackupSummary()

        def on_line(line: str) -> None:
            try:
                message = json.loads(line)
            except ValueError:
                return
            if not isinstance(message, dict):
                return
            kind = message.get("message_type")
            if kind == "status" and on_progress is not None:
                current = message.get("current_files") or [""]
                on_progress(
                    Progress(
                        percent=float(message.get("percent_done") or 0.0),
                        files_done=int(message.get("files_done") or 0),
                        total_files=int(message.get("total_files") or 0),
                        bytes_done=int(message.get("bytes_done") or 0),
                        total_bytes=int(message.get("total_bytes") or 0),
                        current=str(current[0]),
                    )
                )
            elif kind == "error":
                summary.errors.append(error_text(message))
            elif kind == "summary":
                summary.snapshot_id = str(message.get("snapshot_id") or "")
                summary.files_new = int(message.get("files_new") or 0)
                summary.files_changed = int(message.get("files_changed") or 0)
                summary.files_unmodified = int(message.get("files_unmodified") or 0)
                summary.files_processed = int(message.get("total_files_processed") or 0)
                summary.bytes_added = int(message.get("data_added") or 0)
                summary.bytes_processed = int(message.get("total_bytes_processed") or 0)
                summary.duration = float(message.get("total_duration") or 0.0)

        done = self.run(
            backup_args(paths, excludes=excludes, tags=tags),
            action="backup",
            timeout=timeout,
            on_line=on_line,
            warn_codes=(BACKUP_WARNING,),
        )
        summary.warned = done.warned
        unread = stderr_read(done.stderr, summary)
        if done.warned and not summary.errors:
            summary.errors = unread[:200]
        if not summary.snapshot_id:
            raise ResticError(
                "restic tidak melaporkan snapshot yang tersimpan / restic reported no saved snapshot",
                reason="no_snapshot",
                detail=done.stderr[-2000:],
            )
        return summary

    def forget_snapshot(self, snapshot: str) -> None:
        """Forget one snapshot (its data goes at the next prune): an incomplete one is never kept."""
        self.run(("forget", snapshot), action="forget")

    def snapshots(self, *, tags: Sequence[str] = ()) -> list[dict[str, Any]]:
        args = ["snapshots", "--json"]
        for tag in tags:
            args += ["--tag", tag]
        done = self.run(args, action="snapshots")
        data = json.loads(done.stdout or "[]")
        return list(data or [])

    def forget(self, args: Sequence[str], *, timeout: float = LONG_TIMEOUT) -> execute.Completed:
        return self.run(args, action="forget --prune", timeout=timeout)

    def check(self, *, subset: str = "", timeout: float = LONG_TIMEOUT) -> execute.Completed:
        return self.run(check_args(subset=subset), action="check", timeout=timeout)

    def restore(
        self,
        snapshot: str,
        *,
        target: str | Path,
        includes: Sequence[str] = (),
        verify: bool = True,
        timeout: float = LONG_TIMEOUT,
    ) -> Restored:
        done = self.run(
            restore_args(snapshot, target=str(target), includes=includes, verify=verify),
            action="restore",
            timeout=timeout,
        )
        return Restored(verified_files=verified_files(done.stdout) if verify else None)

    def dump(
        self,
        snapshot: str,
        path: str,
        *,
        out: str | Path | BinaryIO,
        archive: str = "tar",
        timeout: float = LONG_TIMEOUT,
    ) -> execute.Completed:
        return self.run(("dump", "--archive", archive, snapshot, path), action="dump", timeout=timeout, stdout_to=out)

    def ls(self, snapshot: str) -> list[dict[str, Any]]:
        done = self.run(("ls", "--json", snapshot), action="ls", timeout=LONG_TIMEOUT)
        nodes = []
        for line in done.stdout.splitlines():
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict) and item.get("struct_type") == "node":
                nodes.append(item)
        return nodes

    def unlock(self) -> None:
        self.run(("unlock",), action="unlock")


SKIPPED_SUFFIX = " does not exist, skipping"
DISK_FULL_BYTES = 1024 * 1024  # less than this free where a local repository is: its disk is full


def local_disk_full(location: str) -> bool:
    """Whether a local repository (a path) is on a disk with almost no free space left."""
    if not location.startswith("/"):
        return False
    path = Path(location)
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        return shutil.disk_usage(path).free < DISK_FULL_BYTES
    except OSError:
        return False


def error_text(message: dict[str, Any]) -> str:
    """A restic ``--json`` error message as a line: the file, then why (``open: permission denied``)."""
    item = str(message.get("item") or "")
    error = message.get("error") or {}
    if isinstance(error, dict):
        reason = str(error.get("message") or "")
        if not reason and error.get("Op"):
            code = error.get("Err")
            why = os.strerror(code).lower() if isinstance(code, int) else str(code or "")
            reason = f"{error['Op']}: {why}".strip(": ")
    else:
        reason = str(error)
    return f"{item}: {reason}".strip(": ")


def stderr_read(stderr: str, summary: BackupSummary) -> list[str]:
    """What ``restic backup --json`` said on stderr: its errors (JSON, one a line) go to ``summary.errors``,
    the paths it skipped because they did not exist to ``summary.skipped``; returns the other lines."""
    others = []
    for line in stderr.splitlines():
        text = line.strip()
        if not text:
            continue
        try:
            message = json.loads(text)
        except ValueError:
            message = None
        if isinstance(message, dict) and message.get("message_type") == "error":
            summary.errors.append(error_text(message))
        elif text.endswith(SKIPPED_SUFFIX):
            summary.skipped.append(text.removesuffix(SKIPPED_SUFFIX))
        elif text != "Warning: at least one source file could not be read":
            others.append(text)
    return others


@contextmanager
def private_file(content: str, *, suffix: str = "") -> Iterator[Path]:
    """A 0600 file holding a secret for one command (an SSH key, an option file), removed afterwards."""
    folder = Path(settings.DATA_DIR) / "tmp"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, name = tempfile.mkstemp(dir=folder, suffix=suffix)
    path = Path(name)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(content)
        yield path
    finally:
        path.unlink(missing_ok=True)
