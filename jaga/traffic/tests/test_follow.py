"""Follow mode (``tail -F``): every line once across appends, a logrotate rename, a writer that goes on writing
to the renamed file, copytruncate, and a truncation that keeps the same first line."""

from __future__ import annotations

import io
import os
from pathlib import Path

import duckdb
import pytest
from django.core.management import call_command

from jaga.traffic.ingest import store
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
