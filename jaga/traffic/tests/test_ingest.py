"""Ingestion: every line stored once across re-runs, growth, rotation, compression and a crash."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pytest

from jaga.traffic import services
from jaga.traffic.ingest import store
from jaga.traffic.models import IngestBatch

LINE = '203.0.113.{n} - - [01/Nov/2026:08:{m:02d}:00 +0700] "GET /berita/{n} HTTP/1.1" 200 512 "-" "Mozilla/5.0"\n'


def _lines(start: int, count: int) -> str:
    return "".join(LINE.format(n=i % 250 + 1, m=i % 60) for i in range(start, start + count))


def _stored(site_id: int) -> list[str]:
    if not list(store.site_dir(site_id).glob("day=*/*.parquet")):
        return []
    rows = duckdb.sql(f"SELECT path FROM read_parquet('{store.site_glob(site_id)}')").fetchall()
    return sorted(r[0] for r in rows)


def _ingest(site, path: Path):  # type: ignore[no-untyped-def]
    sources = services.sources_for(site=site, paths=[str(path)])
    return services.traffic_ingest(site=site, sources=sources)


@pytest.mark.django_db
def test_it_stores_each_line_once_across_runs_growth_and_rotation(site, tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text(_lines(0, 100))
    run = _ingest(site, tmp_path / "access.log*")
    assert run.lines_stored == 100
    assert _ingest(site, tmp_path / "access.log*").lines_stored == 0  # twice: nothing doubles

    with log.open("a") as handle:
        handle.write(_lines(100, 20) + '203.0.113.9 - - [01/Nov/2026:08:00:00 +0700] "GET /half')
    assert _ingest(site, tmp_path / "access.log*").lines_stored == 20  # the half line waits for its end

    # logrotate: renamed, compressed, a new file begins; the lines written before the rotation still count.
    with log.open("a") as handle:
        handle.write(' HTTP/1.1" 200 1 "-" "x"\n' + _lines(120, 5))
    with gzip.open(tmp_path / "access.log.1.gz", "wb") as packed:
        packed.write(log.read_bytes())
    log.unlink()
    (tmp_path / "access.log").write_text(_lines(500, 7))
    run = _ingest(site, tmp_path / "access.log*")
    assert run.lines_stored == 6 + 7
    assert len(_stored(site.pk)) == 100 + 20 + 6 + 7


@pytest.mark.django_db
def test_it_undoes_a_batch_that_died_before_its_commit(site, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "access.log"
    log.write_text(_lines(0, 50))

    def die(**kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt  # the process killed after the files were written, before the commit

    real_write = store.batch_write

    def write_then_die(con, **kwargs):  # type: ignore[no-untyped-def]
        real_write(con, **kwargs)
        die()

    monkeypatch.setattr(store, "batch_write", write_then_die)
    with pytest.raises(KeyboardInterrupt):
        _ingest(site, log)
    assert IngestBatch.objects.filter(state="pending").count() == 1
    assert len(_stored(site.pk)) == 50  # written but not committed
    monkeypatch.setattr(store, "batch_write", real_write)

    assert _ingest(site, log).lines_stored == 50
    assert len(_stored(site.pk)) == 50  # the dead batch's files were deleted, the lines read again


@pytest.mark.django_db
def test_it_counts_bad_lines_per_reason_with_samples_and_goes_on(site, tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_bytes(
        _lines(0, 3).encode()
        + b"this is not a log line\n"
        + b'203.0.113.1 - - [01/Nov/2026:08:00:00 +0700] "GET /\xff\xfe HTTP/1.1" 200 5 "-" "x"\n'
        + b'203.0.113.1 - - [99/Xyz/2026:08:00:00 +0700] "GET / HTTP/1.1" 200 5 "-" "x"\n'
        + b"A" * (2 * 1024 * 1024)
        + b"\n"
        + _lines(3, 2).encode()
    )
    run = _ingest(site, log)
    assert run.lines_stored == 5
    assert run.bad_counts == {"malformed": 1, "invalid_utf8": 1, "bad_time": 1, "too_long": 1}
    assert run.bad_samples["malformed"] == ["this is not a log line"]
    assert run.bad_samples["too_long"][0].startswith("AAAA")


@pytest.mark.django_db
def test_it_normalises_a_line(site, tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text(
        '103.28.12.1 - - [01/Nov/2026:23:30:00 +0000] "GET /images/logo.png?v=2 HTTP/1.1" 304 0 '
        '"https://www.google.com/" "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"\n'
    )
    _ingest(site, log)
    row = duckdb.sql(
        f"SELECT day::VARCHAR, hour, path, query, status, is_static, crawler, country "
        f"FROM read_parquet('{store.site_glob(site.pk)}', hive_partitioning=true)"
    ).fetchall()[0]
    # 23.30 UTC is 06.30 the next day in Jakarta.
    assert row == ("2026-11-02", 6, "/images/logo.png", "v=2", 304, True, "Googlebot", "ID")


def test_the_country_table_is_kept_beside_the_store_and_read_back_the_same(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from jaga.traffic.ingest import enrich

    settings.JAGA_TRAFFIC_DIR = tmp_path / "store"
    built = enrich.geoip_ipv4_table.__wrapped__()  # type: ignore[attr-defined]
    kept = list((tmp_path / "store" / ".cache").glob("geo-v4-*.arrow"))
    assert len(kept) == 1
    written = kept[0].stat().st_mtime_ns
    again = enrich.geoip_ipv4_table.__wrapped__()  # type: ignore[attr-defined]
    assert kept[0].stat().st_mtime_ns == written  # read, not built and written again
    assert again.equals(built)
    assert built.column("first_ip").to_pylist() == sorted(built.column("first_ip").to_pylist())
    kept[0].write_bytes(b"not an arrow file")  # a damaged file is built again
    assert enrich.geoip_ipv4_table.__wrapped__().equals(built)  # type: ignore[attr-defined]


def test_an_uncompressed_file_is_chunked_as_the_general_reader_does_without_reading_it(tmp_path: Path) -> None:
    from jaga.traffic.ingest import files

    log_path = tmp_path / "access.log"
    log_path.write_bytes(_lines(0, 300).encode() + b"x" * 5000 + b"\n" + _lines(300, 40).encode() + b"half a line")
    log = files.files_discover(str(log_path))[0]

    def read(chunk: files.Chunk) -> bytes:
        target = tmp_path / "copy"
        with target.open("wb") as handle:
            chunk.write_to(handle)
        return target.read_bytes()

    for chunk_bytes in (700, 4096, 100_000):
        fast = list(files.chunks_read(log, offset=0, chunk_bytes=chunk_bytes))
        general = list(files._chunks_read(log, offset=0, chunk_bytes=chunk_bytes))
        assert all(c.source == log_path for c in fast)
        assert [(c.start, c.end) for c in fast] == [(c.start, c.end) for c in general]
        assert [read(c) for c in fast] == [c.data for c in general]
        assert [c.size for c in fast] == [len(c.data) for c in general]
    assert fast[-1].end == log_path.stat().st_size - len(b"half a line")  # the line being written waits


@pytest.mark.django_db
def test_chunks_read_at_once_keep_their_order_and_their_own_bad_lines(site, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import functools
    import itertools

    from jaga.traffic.ingest import files

    log = tmp_path / "access.log"
    with log.open("w") as handle:
        for part in range(6):
            handle.write(_lines(part * 40, 40) + f"bad line {part}\n")
    monkeypatch.setattr(files, "chunks_read", functools.partial(files.chunks_read, chunk_bytes=4096))
    run = _ingest(site, log)
    assert run.lines_stored == 240
    assert run.bad_counts["malformed"] == 6
    assert run.bad_samples["malformed"] == [f"bad line {part}" for part in range(5)]  # the first five, in order
    batches = list(IngestBatch.objects.order_by("start_offset").values_list("state", "start_offset", "end_offset"))
    assert len(batches) > 3
    assert all(state == "committed" for state, _, _ in batches)
    assert all(a[2] == b[1] for a, b in itertools.pairwise(batches))  # one after the other
    assert len(_stored(site.pk)) == 240
