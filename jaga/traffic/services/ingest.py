"""Ingestion of a site's access logs into the analytics store, exactly once per line.

For each chunk: a pending :class:`IngestBatch` row is made, its Parquet files are written, then one
transaction marks it committed and moves the file's cursor. A batch still pending at the next run (the
process died in between) has its files deleted and its bytes read again: nothing doubles, nothing is lost.
"""

from __future__ import annotations

import fcntl
import queue
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from jaga.core import clock
from jaga.core.models import Site
from jaga.traffic.ingest import enrich, pipeline, store
from jaga.traffic.ingest import files as logfiles
from jaga.traffic.logformats import format_build
from jaga.traffic.logformats.base import LogFormat
from jaga.traffic.models import IngestBatch, IngestRun, LogSource, SourceFile
from jaga.traffic.sources import location_parse, source_kind

SAMPLES_PER_REASON = 5
MEMORY_MB = 512
# The first READERS chunks, when this big, take long enough to read for the user-agent parser's patterns to load.
WARM_AGENTS_BYTES = 8 * 2**20
# Chunks read at once, each by a DuckDB cursor of its own: one query alone leaves a core idle part of the time
# (million lines: 2.65 -> 2.45 s wall); each chunk in hand is 60-100 MB.
READERS = 2


@dataclass
class _Counts:
    bad: dict[str, int]
    samples: dict[str, list[str]]

    def add(self, reason: str, sample: str) -> None:
        self.bad[reason] = self.bad.get(reason, 0) + 1
        kept = self.samples.setdefault(reason, [])
        if len(kept) < SAMPLES_PER_REASON:
            # NUL shown as U+FFFD: PostgreSQL's text and jsonb cannot hold it (a binary line's sample is mostly NULs)
            kept.append(sample[: pipeline.SAMPLE_CHARS].replace("\x00", "\ufffd"))


def sources_for(*, site: Site, paths: list[str] | None = None, format_key: str = "combined") -> list[LogSource]:
    """The sources to read: the files given (made sources of the site), else the site's configured ones."""
    if paths:
        return [
            LogSource.objects.get_or_create(
                site=site, path=str(Path(p).resolve()), defaults={"format_key": format_key}
            )[0]
            for p in paths
        ]
    configured = [line.strip() for line in site.access_log_paths.splitlines() if line.strip()]
    for line in configured:
        kind, path = location_parse(line)  # hook (trafficfeat): "sftp:/path" is on the site's server
        LogSource.objects.get_or_create(site=site, path=path, defaults={"format_key": format_key, "kind": kind})
    return list(LogSource.objects.filter(site=site, is_active=True))


def _recover(source: LogSource) -> None:
    for batch in IngestBatch.objects.filter(source_file__source=source, state=IngestBatch.State.PENDING):
        store.batch_discard(site_id=source.site_id, batch_id=batch.pk)
        batch.delete()


def _cursor(source: LogSource, log: logfiles.LogFile, head: bytes) -> SourceFile:
    """The cursor of this content: a known file whose first bytes match, else a new one at offset 0."""
    for known in source.files.all():
        if known.head_len <= len(head) and logfiles.head_hash(head, known.head_len) == known.head_hash:
            return known
    now = clock.now()
    return SourceFile.objects.create(
        source=source,
        head_len=len(head),
        head_hash=logfiles.head_hash(head),
        path=str(log.path),
        inode=log.inode,
        device=log.device,
        offset=0,
        first_seen_at=now,
        updated_at=now,
    )


def _rotated_away(source: LogSource, pattern: str) -> list[logfiles.LogFile]:
    """Files read before under the source's path that a rotation renamed out of it (the path is ``access.log``,
    not a glob): each is read to its end first, as ``tail -F`` finishes the old file before the new one, so the
    lines written just before the rotation are not lost."""
    found: list[logfiles.LogFile] = []
    current = {(log.device, log.inode) for log in logfiles.files_discover(pattern)}
    for cursor in source.files.exclude(inode=0).order_by("-updated_at")[:3]:
        if (cursor.device, cursor.inode) in current:
            continue
        moved = logfiles.file_by_inode(Path(cursor.path).parent, inode=cursor.inode, device=cursor.device)
        if moved is not None and not moved.compressed and moved.size > cursor.offset:
            found.append(moved)
    return found


@contextmanager
def store_connection() -> Iterator[Any]:
    """A DuckDB connection for the store, closed at the end: one for an ingestion and the detection round after
    it (``con=`` of :func:`traffic_ingest` and :func:`traffic_detect`), where each would open its own."""
    (store.store_root() / ".tmp").mkdir(exist_ok=True)
    con = pipeline.connection_open(memory_mb=MEMORY_MB, temp_dir=store.store_root() / ".tmp")
    try:
        yield con
    finally:
        con.close()


def traffic_ingest(
    *, site: Site, sources: list[LogSource], progress: Callable[[int], None] | None = None, con: Any = None
) -> IngestRun:
    """Read every source of the site from its cursors to their ends; the run, with the bad lines counted.
    ``con``: a connection of :func:`store_connection` to use (else one is opened for the run)."""
    run = IngestRun.objects.create(site=site, started_at=clock.now())
    counts = _Counts(bad={}, samples={})
    (store.store_root() / ".tmp").mkdir(exist_ok=True)
    lock_path = store.store_root() / f".site-{site.pk}.lock"
    with open(lock_path, "w") as lock, nullcontext(con) if con is not None else store_connection() as con:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one ingestion of a site at a time
        try:
            for source in sources:
                _source_ingest(con, run=run, source=source, counts=counts, progress=progress)
            run.outcome = IngestRun.Outcome.SUCCESS
        except Exception as exc:
            run.outcome = IngestRun.Outcome.FAILURE
            run.error = str(exc)[:2000]
            raise
        finally:
            run.ended_at = clock.now()
            run.bad_counts, run.bad_samples = counts.bad, counts.samples
            run.save()
    return run


def _source_ingest(
    con: object, *, run: IngestRun, source: LogSource, counts: _Counts, progress: Callable[[int], None] | None
) -> None:
    _recover(source)
    kind = source_kind(source)  # hook (trafficfeat): a remote source is pulled into its local mirror first
    pattern = kind.files_pattern(source)
    for log in _rotated_away(source, pattern) + logfiles.files_discover(pattern):
        head = logfiles.head_read(log)
        if not head:
            continue
        cursor = _cursor(source, log, head)
        if len(head) > cursor.head_len:  # the file grew past the bytes it was first known by
            cursor.head_len, cursor.head_hash = len(head), logfiles.head_hash(head)
        if not log.compressed and log.size < cursor.offset:
            cursor.offset = 0  # truncated in place with the same first bytes: read it again from the start
        read_here = _file_ingest(con, run=run, source=source, log=log, cursor=cursor, counts=counts, progress=progress)
        cursor.save()
        run.files.append({"path": str(log.path), "bytes": read_here})
    kind.after_ingest(source)
    source.last_ingest_at = clock.now()
    source.save(update_fields=["last_ingest_at"])


def _file_ingest(
    con: object,
    *,
    run: IngestRun,
    source: LogSource,
    log: logfiles.LogFile,
    cursor: SourceFile,
    counts: _Counts,
    progress: Callable[[int], None] | None,
) -> int:
    """Read ``log`` from its cursor to its end, a batch per chunk; the bytes read.

    Each step has threads of its own, so that both cores work: chunks n + 1 and n + 2 are read by DuckDB (a
    cursor of ``con`` each) while chunk n is enriched here and chunk n - 1's Parquet files are written
    (pyarrow); DuckDB and pyarrow's writer both let go of Python's lock. The batches still commit one by one,
    in the file's order, each once its files are in place. What enrichment loads once per process (the country
    tables, the user-agent parser's patterns) is loaded while DuckDB reads the first chunks, once they are all
    handed to the readers, so that no reader waits for it.
    """
    fmt = format_build(source.format_key, source.format_spec)
    tz = source.site.institution.time_zone
    proxies = tuple(settings.JAGA_TRAFFIC_TRUSTED_PROXIES)
    read_here = 0
    cursors: queue.SimpleQueue[Any] = queue.SimpleQueue()  # each read takes one and gives it back

    def read(chunk: logfiles.Chunk) -> tuple[Any, Any]:
        connection = cursors.get()
        try:
            return _chunk_read(connection, chunk=chunk, fmt=fmt, tz=tz, source=source, proxies=proxies)
        finally:
            cursors.put(connection)

    def commit(staged: _Staged) -> None:
        nonlocal read_here
        read_here += _chunk_commit(staged, run=run, log=log, cursor=cursor, counts=counts)
        if progress:
            progress(staged.chunk.size)

    opened = [con.cursor() for _ in range(READERS)]  # type: ignore[attr-defined]
    for connection in opened:
        cursors.put(connection)
    try:
        with (
            ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="jaga-ingest-read") as reader,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="jaga-ingest-write") as writer,
        ):
            reading: deque[tuple[logfiles.Chunk, Future[tuple[Any, Any]]]] = deque()
            writing: _Staged | None = None

            def stage(chunk: logfiles.Chunk, parsed: Future[tuple[Any, Any]]) -> None:
                nonlocal writing
                staged = _chunk_stage(chunk, parsed, cursor=cursor, source=source, writer=writer)
                if writing is not None:
                    commit(writing)  # its files were written while this chunk was enriched
                writing = staged

            for chunk in logfiles.chunks_read(log, offset=cursor.offset):
                reading.append((chunk, reader.submit(read, chunk)))
                if len(reading) > READERS:
                    if writing is None:  # the first chunks are being read: see above
                        enrich.warm(agents=True)
                    stage(*reading.popleft())
            if reading and writing is None:
                enrich.warm(agents=sum(chunk.size for chunk, _ in reading) >= WARM_AGENTS_BYTES)
            while reading:
                stage(*reading.popleft())
            if writing is not None:
                commit(writing)
    finally:
        for connection in opened:
            connection.close()
    return read_here


def _chunk_read(
    con: Any, *, chunk: logfiles.Chunk, fmt: LogFormat, tz: str, source: LogSource, proxies: tuple[str, ...]
) -> tuple[Any, Any]:
    """The chunk's lines (not enriched yet) and bad lines, read in the reader thread: only ``con`` is used."""
    with tempfile.NamedTemporaryFile(dir=store.store_root() / ".tmp", suffix=".log") as raw:
        chunk.write_to(raw)
        raw.flush()
        return pipeline.batch_read(
            con, fmt=fmt, chunk=Path(raw.name), tz=tz, source_id=source.pk, trusted_proxies=proxies
        )


@dataclass
class _Staged:
    """A chunk whose lines are enriched and whose batch is pending, its files being written by ``written``."""

    chunk: logfiles.Chunk
    batch: IngestBatch
    lines: Any
    bad: Any
    written: Future[list[Path]]


def _chunk_stage(
    chunk: logfiles.Chunk,
    read: Future[tuple[Any, Any]],
    *,
    cursor: SourceFile,
    source: LogSource,
    writer: ThreadPoolExecutor,
) -> _Staged:
    """Enrich one chunk's lines, make its pending batch and hand its files to the writer. The batch is pending
    from before its files are written until the cursor moves (see :func:`_recover`)."""
    raw_lines, bad = read.result()
    lines = pipeline.batch_enrich(raw_lines)
    del raw_lines
    batch = IngestBatch.objects.create(
        source_file=cursor, start_offset=chunk.start, end_offset=chunk.end, created_at=clock.now()
    )
    written = writer.submit(store.batch_write, None, lines=lines, site_id=source.site_id, batch_id=batch.pk)
    return _Staged(chunk=chunk, batch=batch, lines=lines, bad=bad, written=written)


def _chunk_commit(
    staged: _Staged, *, run: IngestRun, log: logfiles.LogFile, cursor: SourceFile, counts: _Counts
) -> int:
    """Once its files are written, commit one chunk's batch and move the cursor past it; its bytes."""
    chunk, batch, lines, bad = staged.chunk, staged.batch, staged.lines, staged.bad
    staged.written.result()
    for sample in chunk.too_long:
        counts.add("too_long", sample.decode("utf-8", "backslashreplace"))
    for row in bad.to_pylist():
        counts.add(row["reason"], row["sample"] or "")
    late = pipeline.out_of_order_count(None, lines)
    if late:
        counts.bad["out_of_order"] = counts.bad.get("out_of_order", 0) + late
    with transaction.atomic():
        batch.state, batch.lines = IngestBatch.State.COMMITTED, lines.num_rows
        batch.save(update_fields=["state", "lines"])
        cursor.offset, cursor.lines = chunk.end, cursor.lines + lines.num_rows
        cursor.path, cursor.inode, cursor.device = str(log.path), log.inode, log.device
        cursor.updated_at = clock.now()
        cursor.save()
        run.lines_read += lines.num_rows + bad.num_rows
        run.lines_stored += lines.num_rows
        run.bytes_read += chunk.size
        run.save(update_fields=["lines_read", "lines_stored", "bytes_read"])
    store.recent_keep(batch_id=batch.pk, lines=lines)
    return chunk.size
