"""Follow mode (``tail -F``), in-process and as a real ``jaga traffic follow`` process stopped by SIGTERM:
every line once across appends, a logrotate rename, a writer that goes on writing to the renamed file,
copytruncate, and a truncation that keeps the same first line."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from django.core.management import call_command

from jaga.core.tests.processes_helpers import JAGA, jaga_env, shared_database_url
from jaga.traffic.ingest import store
from jaga.traffic.models import IngestRun, LogSource
from jaga.traffic.services import traffic_ingest
from jaga.traffic.services.rounds import traffic_follow

LINE = '203.0.113.{c} - - [01/Nov/2026:08:{m:02d}:{s:02d} +0700] "GET /p/{n} HTTP/1.1" 200 512 "-" "Mozilla/5.0"\n'


def _lines(start: int, count: int) -> str:
    return "".join(LINE.format(c=n % 200 + 1, m=n // 60 % 60, s=n % 60, n=n) for n in range(start, start + count))


def _stored(site_id: int) -> list[str]:
    if not list(store.site_dir(site_id).glob("day=*/*.parquet")):
        return []
    rows = duckdb.sql(f"SELECT path FROM read_parquet('{store.site_glob(site_id)}')").fetchall()
    return sorted(r[0] for r in rows)


def _expected(*ranges: tuple[int, int]) -> list[str]:
    return sorted(f"/p/{n}" for start, count in ranges for n in range(start, start + count))


def _round(site) -> int:  # type: ignore[no-untyped-def]
    lines: list[int] = []
    traffic_follow(sites=[site], rounds=1, on_round=lambda _site, n, _found: lines.append(n))
    return sum(lines)


@pytest.mark.django_db
def test_it_follows_the_log_across_rotation_and_truncation(site, tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    site.access_log_paths = str(log)  # the live file only, not a glob: rotated files are found by their inode
    site.save()
    log.write_text(_lines(0, 10))
    assert _round(site) == 10

    # logrotate (create): the file is renamed, the server goes on writing to it a moment, a new file begins.
    writer = log.open("a")
    writer.write(_lines(10, 5))
    writer.flush()
    os.rename(log, tmp_path / "access.log.1")
    writer.write(_lines(15, 3))
    writer.close()
    log.write_text(_lines(18, 4))
    assert _round(site) == 5 + 3 + 4
    assert _stored(site.pk) == _expected((0, 22))

    # copytruncate: the file is emptied in place and written anew.
    with log.open("r+") as handle:
        handle.truncate(0)
    log.write_text(_lines(22, 6))
    assert _round(site) == 6

    # Truncated again, starting with the very line it started with: its cursor goes back to the start.
    first = _lines(22, 1)
    log.write_text(first + _lines(28, 2))
    assert _round(site) == 3  # the repeated first line is a new line of the new content
    assert _round(site) == 0  # nothing new: nothing read
    assert _stored(site.pk) == sorted([*_expected((0, 28)), "/p/22", "/p/28", "/p/29"])


@pytest.mark.django_db
def test_the_follow_command_runs_rounds_and_reports_new_lines(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "access.log"
    log.write_text(_lines(0, 7))
    site.access_log_paths = str(log)
    site.save()
    out = io.StringIO()
    call_command("traffic", "follow", "--site", site.name, "--interval", "0.2", "--rounds", "2", stdout=out)
    assert "7 baris baru" in out.getvalue()
    assert len(_stored(site.pk)) == 7


START = datetime(2026, 11, 1, 8, 0, 0)


class Writer:
    """Lines with a serial each (``/halaman/<n>``), one second apart, as a web server writes them."""

    def __init__(self) -> None:
        self.serial = 0

    def lines(self, count: int) -> str:
        out = []
        for _ in range(count):
            self.serial += 1
            at = (START + timedelta(seconds=self.serial)).strftime("%d/%b/%Y:%H:%M:%S")
            out.append(
                f'198.51.100.{self.serial % 200 + 1} - - [{at} +0700] "GET /halaman/{self.serial} HTTP/1.1" '
                f'200 512 "-" "Mozilla/5.0 (X11; Linux x86_64) Firefox/131.0"\n'
            )
        return "".join(out)


def _stored_in(store_dir: Path) -> list[str]:
    """The paths of every line in the analytics store (one per stored line)."""
    files = sorted(store_dir.glob("site=*/day=*/*.parquet"))
    if not files:
        return []
    listed = ", ".join(f"'{p}'" for p in files)
    with duckdb.connect() as con:
        return [r[0] for r in con.execute(f"SELECT path FROM read_parquet([{listed}])").fetchall()]


def _wait_for(store_dir: Path, count: int, process: subprocess.Popen[str], timeout: float = 60.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        try:
            stored = _stored_in(store_dir)
        except duckdb.Error:  # a file moved into place while it was listed: look again
            stored = []
        if len(stored) >= count:
            return stored
        time.sleep(0.1)
    raise AssertionError(f"{len(_stored_in(store_dir))} lines stored, {count} expected")


@pytest.mark.django_db(transaction=True)
def test_the_follow_process_stores_every_line_once_and_stops_on_sigterm(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "logs" / "access.log"
    log.parent.mkdir()
    # The exact path, not a glob: after the rotation access.log.1 is not a source of the site.
    LogSource.objects.create(site=site, path=str(log))
    writer = Writer()
    log.write_text(writer.lines(100))
    store_dir = tmp_path / "data" / "traffic"
    with shared_database_url(tmp_path) as url:
        process = subprocess.Popen(
            [JAGA, "traffic", "follow", "--site", str(site.pk), "--interval", "0.2"],
            env=jaga_env(tmp_path, DATABASE_URL=url),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            _wait_for(store_dir, 100, process)

            with log.open("a") as server:  # appended, in two writes, a line split between them
                text = writer.lines(50)
                server.write(text[:-40])
                server.flush()
                time.sleep(0.5)
                server.write(text[-40:])
            _wait_for(store_dir, 150, process)

            server = log.open("a")  # the server's open log: logrotate renames it under the server
            server.write(writer.lines(10))
            server.flush()
            log.rename(log.with_name("access.log.1"))
            server.write(writer.lines(10))  # still written to the old file until the server reopens
            server.flush()
            time.sleep(0.5)
            server.write(writer.lines(5))
            server.close()
            log.write_text(writer.lines(20))  # the reopened log: a new file (a new inode) at the path
            _wait_for(store_dir, 195, process)

            with log.open("r+") as truncated:  # copytruncate
                truncated.truncate(0)
            time.sleep(0.5)
            with log.open("a") as server:
                server.write(writer.lines(30))
            _wait_for(store_dir, 225, process)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                _out, err = process.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                raise
        assert process.returncode == 0, err
    stored = _stored_in(store_dir)
    assert sorted(stored) == sorted(f"/halaman/{n}" for n in range(1, 226))  # each once, none missing

    # The cursors are those of ordinary ingestion: an ingest now finds nothing new.
    again = traffic_ingest(site=site, sources=list(LogSource.objects.filter(site=site)))
    assert again.lines_stored == 0
    assert len(_stored_in(store_dir)) == 225
    assert IngestRun.objects.filter(site=site, outcome=IngestRun.Outcome.SUCCESS).count() >= 4
