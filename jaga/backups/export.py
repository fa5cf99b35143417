"""The offline set written to a CD, DVD or external disk: readable with neither Jaga nor restic.

For each source of a snapshot: the web root as ``site-<name>.tar.zst`` (``restic dump --archive tar``), each
database dump as ``db-<name>.<ext>.zst``, optionally encrypted with a passphrase (GnuPG, symmetric AES256:
``.gpg``; the passphrase reaches gpg on its standard input, never the command line). Files larger than the
medium are split into parts (``.part001``...) and the parts spread over volumes (``KEPING-01``...), each
volume holding ``SHA256SUMS`` (of every file of the set) and ``RESTORE.txt`` (Indonesian and English, the
exact commands for a bare Debian or Windows machine). After writing, every file is read back and checked.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.template import Context, Engine

from jaga.core import execute

MEDIUM_BYTES: dict[str, int | None] = {
    "cd": 700 * 1024 * 1024,
    "dvd": 4_700_000_000,
    "disk": None,  # one volume, nothing split
}
RESERVE_BYTES = 1024 * 1024  # room on each volume for RESTORE.txt and SHA256SUMS
TOOL_TIMEOUT = 12 * 3600.0
CHUNK = 4 * 1024 * 1024
ZSTD = "zstd"
GPG = "gpg"


class ExportError(Exception):
    """The set could not be written or read back: the sentence says which file and why."""


@dataclass
class Item:
    """One file of the set before it is split: what it holds and how to open it."""

    name: str  # file name in the set (site-www.tar.zst[.gpg])
    source: str
    kind: str  # files / mariadb / postgresql / sqlite
    size: int = 0
    parts: list[str] = field(default_factory=list)  # part names when split


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
        _forget_cache(handle.fileno())
    return digest.hexdigest()


def _forget_cache(fd: int) -> None:
    # Ask the kernel to drop the file's cached pages, so that a read-back reads the medium, not memory.
    if hasattr(os, "posix_fadvise"):
        with contextlib.suppress(OSError):
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)


def gpg_args(source: Path, out: Path, *, home: Path) -> tuple[str, ...]:
    return (
        GPG, "--batch", "--yes", "--quiet", "--homedir", str(home), "--pinentry-mode", "loopback",
        "--passphrase-fd", "0", "--symmetric", "--cipher-algo", "AES256", "--output", str(out), str(source),
    )  # fmt: skip


def zstd_stream_args(out: Path) -> tuple[str, ...]:
    return (ZSTD, "-q", "-T0", "-f", "-o", str(out))


def compress_stream(produce: Callable[..., object], out: Path) -> Path:
    """``produce(out=...)`` writes the raw bytes (``restic dump``) into a pipe that ``zstd`` reads: ``out`` is the
    compressed file, and the raw archive never touches the disk (half the writes of dump-then-compress).

    ``produce`` runs in a thread of its own; its failure (restic's) is raised here, before zstd's, since
    zstd ends cleanly on a cut-short input and would hide it."""
    read_fd, write_fd = os.pipe()
    failure: list[BaseException] = []

    def producer() -> None:
        try:
            with os.fdopen(write_fd, "wb") as sink:
                produce(out=sink)
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=producer, name="export-dump", daemon=True)
    with os.fdopen(read_fd, "rb") as source:
        thread.start()
        try:
            execute.run(zstd_stream_args(out), timeout=TOOL_TIMEOUT, stdin=source)
        except execute.ExecuteError as exc:
            thread.join()
            if failure:
                raise failure[0] from None
            raise ExportError(f"zstd {out.name}: {exc.message}") from None
        thread.join()
    if failure:
        out.unlink(missing_ok=True)
        raise failure[0]
    return out


def encrypt(path: Path, passphrase: str) -> Path:
    out = path.with_name(path.name + ".gpg")
    # gpg's agent puts its socket in the home folder, and a socket path may not pass 107 bytes: a deep data
    # folder would fail with "can't connect to the agent". A short private folder (0700) serves each export.
    with tempfile.TemporaryDirectory(prefix="jaga-gpg-") as short:
        gpg_home = Path(short)
        try:
            execute.run(gpg_args(path, out, home=gpg_home), timeout=TOOL_TIMEOUT, stdin=passphrase + "\n",
                        secrets=[passphrase])  # fmt: skip
        except execute.ExecuteError as exc:
            raise ExportError(f"gpg {path.name}: {exc.message}") from None
        finally:
            with contextlib.suppress(execute.ExecuteError):
                execute.run(("gpgconf", "--homedir", short, "--kill", "gpg-agent"), timeout=30)
    path.unlink()
    return out


def split(path: Path, part_bytes: int) -> list[Path]:
    """``path`` cut into ``name.part001``... of at most ``part_bytes`` each; the whole is removed."""
    parts: list[Path] = []
    with path.open("rb") as handle:
        number = 0
        while True:
            number += 1
            part = path.with_name(f"{path.name}.part{number:03d}")
            written = 0
            with part.open("wb") as out:
                while written < part_bytes:
                    chunk = handle.read(min(CHUNK, part_bytes - written))
                    if not chunk:
                        break
                    out.write(chunk)
                    written += len(chunk)
            if written == 0:
                part.unlink()
                break
            parts.append(part)
            if written < part_bytes:
                break
    path.unlink()
    return parts


def volumes_plan(files: list[Path], capacity: int | None) -> list[list[Path]]:
    """Files (already no larger than a volume) placed on volumes in order, a new volume when one is full."""
    if capacity is None:
        return [files]
    volumes: list[list[Path]] = [[]]
    used = 0
    for path in files:
        size = path.stat().st_size
        if volumes[-1] and used + size > capacity:
            volumes.append([])
            used = 0
        volumes[-1].append(path)
        used += size
    return volumes


@functools.cache
def _text_engine() -> Engine:
    """RESTORE.txt uses only Django's built-in tags and filters. The project's template backend
    (``render_to_string``) first imports every app's tag libraries, and with them the monitoring pages' modules
    (pydantic, the HTTP client): about 0.3 CPU s of an export from the command line, for nothing."""
    return Engine(dirs=[str(Path(__file__).resolve().parent / "templates")])


def restore_text(context: dict[str, Any]) -> str:
    return _text_engine().get_template("backups/RESTORE.txt").render(Context(context))


def readback(root: Path, sums: dict[str, str]) -> list[str]:
    """Every file of the set read again from the medium and compared with its checksum; the mismatches."""
    problems = []
    for relative, expected in sums.items():
        path = root / relative
        if not path.is_file():
            problems.append(f"{relative}: hilang / missing")
        elif sha256_of(path) != expected:
            problems.append(f"{relative}: checksum berbeda / checksum mismatch")
    return problems


def move(path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    shutil.move(str(path), target)
    return target
