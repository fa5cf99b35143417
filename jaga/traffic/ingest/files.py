"""Reading log files from a cursor: discovery by glob, identity by the first bytes, chunks ending at a line.

A file is known by a hash of its first bytes, not by its name or inode: ``access.log`` renamed to
``access.log.1`` and then compressed to ``access.log.1.gz`` is the same content, so its cursor follows it
and nothing is read twice. A truncated file (copytruncate) starts with other bytes and is a new file.
"""

from __future__ import annotations

import glob
import gzip
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

HEAD_BYTES = 1024
# A chunk's text, its fields and its lines are in memory at once (and the lines kept for the detection round):
# 32 MB keeps a million-line first ingestion under 1 GB (64 MB peaked at 1,029 MB), for the same CPU time.
CHUNK_BYTES = 32 * 1024 * 1024
# A "line" longer than this is junk (a binary upload, a broken writer): skipped up to its end, counted.
MAX_LINE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class LogFile:
    path: Path
    inode: int
    device: int
    size: int  # on disk (compressed size for .gz)
    mtime: float
    compressed: bool


def files_discover(pattern: str) -> list[LogFile]:
    """The regular files matching ``pattern``, oldest first (so lines are stored in about their order)."""
    found: list[LogFile] = []
    for name in sorted(set(glob.glob(os.path.expanduser(pattern)))):
        path = Path(name)
        try:
            stat = path.stat()
        except OSError:
            continue  # rotated away between the glob and the stat
        if not path.is_file():
            continue
        found.append(
            LogFile(
                path=path,
                inode=stat.st_ino,
                device=stat.st_dev,
                size=stat.st_size,
                mtime=stat.st_mtime,
                compressed=path.suffix == ".gz",
            )
        )
    # Oldest first; at equal times access.log.2 before access.log.1 before access.log.
    return sorted(found, key=lambda f: (f.mtime, -_rotation_number(f.path)))


def file_by_inode(folder: Path, *, inode: int, device: int) -> LogFile | None:
    """The regular file of ``folder`` with that inode (a log renamed by logrotate: ``access.log`` is now
    ``access.log.1``), or None once it is compressed or deleted."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return None
    for entry in entries:
        try:
            if entry.inode() != inode or not entry.is_file(follow_symlinks=False):
                continue
            stat = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if stat.st_dev == device:
            path = Path(entry.path)
            return LogFile(path, stat.st_ino, stat.st_dev, stat.st_size, stat.st_mtime, path.suffix == ".gz")
    return None


def _rotation_number(path: Path) -> int:
    name = path.name[:-3] if path.name.endswith(".gz") else path.name
    suffix = name.rsplit(".", 1)[-1]
    return int(suffix) if suffix.isdigit() else 0


def file_open(log: LogFile) -> BinaryIO:
    if log.compressed:
        return gzip.open(log.path, "rb")  # type: ignore[return-value]
    return open(log.path, "rb")


def head_read(log: LogFile) -> bytes:
    """The first bytes of the content (decompressed), at most HEAD_BYTES; b"" for an empty file."""
    try:
        with file_open(log) as handle:
            return handle.read(HEAD_BYTES)
    except (OSError, EOFError):
        return b""


def head_hash(head: bytes, length: int | None = None) -> str:
    return hashlib.sha256(head if length is None else head[:length]).hexdigest()


@dataclass
class Chunk:
    data: bytes  # whole lines, each ending with a newline (b"" when ``source`` holds them)
    start: int  # offset of data[0] in the content
    end: int  # offset just after data[-1]
    too_long: list[bytes]  # the first bytes of each line skipped for being too long
    source: Path | None = None  # an uncompressed file whose bytes start to end are the lines, not read yet

    @property
    def size(self) -> int:
        return self.end - self.start if self.source is not None else len(self.data)

    def write_to(self, handle: IO[bytes]) -> None:
        """Write the lines to ``handle``: from ``source`` the kernel copies them, file to file, without their
        passing through Python (a million lines' 254 MB read into Python and written out cost 0.8 CPU s)."""
        if self.source is None:
            handle.write(self.data)
            return
        handle.flush()
        with open(self.source, "rb") as log:
            _file_copy(log.fileno(), handle.fileno(), start=self.start, size=self.end - self.start)


def _file_copy(source: int, target: int, *, start: int, size: int) -> None:
    """``size`` bytes of ``source`` from ``start`` on, appended to ``target``, in the kernel."""
    done = 0
    while done < size:
        try:
            copied = os.copy_file_range(source, target, size - done, start + done)
        except OSError:  # another file system, an old kernel: sendfile, which copies file to file too
            copied = os.sendfile(target, source, start + done, size - done)
        if copied <= 0:
            raise OSError(f"the log ended before offset {start + size}")
        done += copied


def chunks_read(log: LogFile, *, offset: int, chunk_bytes: int = CHUNK_BYTES) -> Iterator[Chunk]:
    """Whole lines from ``offset`` on, in chunks. A last line without its newline is left for later (it is
    still being written), except in a compressed file, which is complete.

    Each chunk ends at the last newline before ``offset`` + k × ``chunk_bytes``. In an uncompressed file only
    the end of each block is read, to find that newline: the chunk's bytes stay in the file (``Chunk.source``)
    until :meth:`Chunk.write_to` copies them. A block whose last ``MAX_LINE_BYTES`` hold no newline (a line too
    long) is read by :func:`_chunks_read` as a compressed file's are."""
    if log.compressed:
        yield from _chunks_read(log, offset=offset, chunk_bytes=chunk_bytes)
        return
    with open(log.path, "rb") as handle:
        position = block_end = offset
        while True:
            size = os.fstat(handle.fileno()).st_size
            block_end = min(block_end + chunk_bytes, size)
            if block_end <= position:
                return
            window = max(position, block_end - MAX_LINE_BYTES - 1)
            tail = os.pread(handle.fileno(), block_end - window, window)
            last = tail.rfind(b"\n")
            if last < 0:
                if block_end - position > MAX_LINE_BYTES:
                    break  # a line too long: the general reader from here
                if block_end == size:
                    return  # a last line still being written
                continue  # a line that goes on into the next block
            end = window + last + 1
            yield Chunk(data=b"", start=position, end=end, too_long=[], source=log.path)
            position = end
    yield from _chunks_read(log, offset=position, chunk_bytes=chunk_bytes)


def _chunks_read(log: LogFile, *, offset: int, chunk_bytes: int) -> Iterator[Chunk]:
    """:func:`chunks_read` reading every byte: for a compressed file, and for lines too long."""
    with file_open(log) as handle:
        if offset:
            handle.seek(offset)
        position = offset
        pending = b""
        skipping = False  # inside a line longer than MAX_LINE_BYTES
        too_long: list[bytes] = []
        while True:
            block = handle.read(chunk_bytes)
            if not block:
                break
            if skipping:
                cut = block.find(b"\n")
                if cut < 0:
                    position += len(block)
                    continue
                position += cut + 1
                block = block[cut + 1 :]
                skipping = False
            data = pending + block
            last = data.rfind(b"\n")
            if last < 0:
                if len(data) > MAX_LINE_BYTES:
                    too_long.append(data[:200])
                    position += len(data)
                    pending = b""
                    skipping = True
                else:
                    pending = data
                continue
            lines, pending = data[: last + 1], data[last + 1 :]
            if len(pending) > MAX_LINE_BYTES:
                too_long.append(pending[:200])
                position_after = position + len(lines) + len(pending)
                yield Chunk(data=lines, start=position, end=position + len(lines), too_long=too_long)
                too_long = []
                position = position_after
                pending = b""
                skipping = True
                continue
            yield Chunk(data=lines, start=position, end=position + len(lines), too_long=too_long)
            too_long = []
            position += len(lines)
        if log.compressed and pending:
            yield Chunk(data=pending + b"\n", start=position, end=position + len(pending), too_long=too_long)
        elif too_long:
            yield Chunk(data=b"", start=position, end=position, too_long=too_long)
