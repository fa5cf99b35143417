"""Each registered log format reads its own kind of line into the same normalised fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from jaga.traffic.ingest import pipeline
from jaga.traffic.logformats import FORMATS, FormatError, format_build

EXPECTED = {
    "client": "198.51.100.7",
    "method": "POST",
    "path": "/administrator/index.php",
    "status": 303,
    "bytes": 1234,
}
CASES = {
    "combined": (
        "",
        '198.51.100.7 - - [01/Nov/2026:08:00:00 +0700] "POST /administrator/index.php HTTP/1.1" 303 '
        '1234 "-" "Mozilla/5.0"',
    ),
    "common": ("", '198.51.100.7 - - [01/Nov/2026:08:00:00 +0700] "POST /administrator/index.php HTTP/1.1" 303 1234'),
    "vhost_combined": (
        "",
        "pn-bangil.go.id:443 198.51.100.7 - - [01/Nov/2026:08:00:00 +0700] "
        '"POST /administrator/index.php HTTP/1.1" 303 1234 "-" "Mozilla/5.0"',
    ),
    "json": (
        "",
        '{"remote_addr":"198.51.100.7","time_iso8601":"2026-11-01T08:00:00+07:00","request_method":"POST",'
        '"request_uri":"/administrator/index.php","status":"303","body_bytes_sent":"1234"}',
    ),
    "nginx": (
        "log_format main '$remote_addr - $remote_user [$time_local] \"$request\" '\n"
        '                \'$status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time\';',
        '198.51.100.7 - - [01/Nov/2026:08:00:00 +0700] "POST /administrator/index.php HTTP/1.1" 303 1234 '
        '"-" "Mozilla/5.0" 0.012',
    ),
    "goaccess": (
        'log-format %h %^[%d:%t %^] "%r" %s %b "%R" "%u"\ndate-format %d/%b/%Y\ntime-format %H:%M:%S',
        '198.51.100.7 - - [01/Nov/2026:08:00:00 +0700] "POST /administrator/index.php HTTP/1.1" 303 1234 '
        '"-" "Mozilla/5.0"',
    ),
}


def test_every_registered_format_has_a_case() -> None:
    assert set(FORMATS.keys()) == set(CASES)


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(CASES))
def test_it_reads_the_format(key: str, tmp_path: Path) -> None:
    spec, line = CASES[key]
    chunk = tmp_path / "chunk.log"
    chunk.write_text(line + "\nnot a line of this format\n")
    con = pipeline.connection_open(memory_mb=256, temp_dir=tmp_path)
    lines, bad = pipeline.batch_parse(con, fmt=format_build(key, spec), chunk=chunk, tz="Asia/Jakarta", source_id=1)
    row = lines.to_pylist()[0]
    assert {k: row[k] for k in EXPECTED} == EXPECTED
    assert (row["day"].isoformat(), row["hour"]) == ("2026-11-01", 8)
    assert bad.num_rows == 1


def test_a_custom_format_without_its_essentials_is_refused() -> None:
    with pytest.raises(FormatError, match="remote_addr"):
        format_build("nginx", "log_format x '$status $body_bytes_sent';")
    with pytest.raises(FormatError, match="%h"):
        format_build("goaccess", "%s %b")
