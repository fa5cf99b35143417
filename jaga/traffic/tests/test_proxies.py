"""The real client behind a reverse proxy: from the forwarded-for field, only for lines of trusted proxies."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import duckdb
import pytest

from jaga.traffic import services
from jaga.traffic.ingest import store
from jaga.traffic.ingest.pipeline import forwarded_client

NGINX = (
    'log_format main \'$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
    '"$http_referer" "$http_user_agent" "$http_x_forwarded_for"\';'
)
LINES = (
    '10.0.0.2 - - [01/Nov/2026:08:00:00 +0700] "GET /a HTTP/1.1" 200 5 "-" "x" "203.0.113.9, 10.0.0.3"\n'
    '198.51.100.7 - - [01/Nov/2026:08:00:01 +0700] "GET /b HTTP/1.1" 200 5 "-" "x" "203.0.113.50"\n'
    '10.0.0.2 - - [01/Nov/2026:08:00:02 +0700] "GET /c HTTP/1.1" 200 5 "-" "x" "-"\n'
)
TRUSTED = [ipaddress.ip_network("10.0.0.0/8")]


def test_the_right_most_untrusted_address_is_the_client() -> None:
    assert forwarded_client("10.0.0.2", "203.0.113.9, 10.0.0.3", TRUSTED) == "203.0.113.9"
    # A client may send its own header: only what the proxies appended is believed.
    assert forwarded_client("10.0.0.2", "1.1.1.1, 203.0.113.9", TRUSTED) == "203.0.113.9"
    assert forwarded_client("198.51.100.7", "203.0.113.50", TRUSTED) == "198.51.100.7"  # not a proxy of ours
    assert forwarded_client("10.0.0.2", "unknown, 10.0.0.4", TRUSTED) == "10.0.0.4"  # junk stops the walk
    assert forwarded_client("10.0.0.2", "2001:db8::7", TRUSTED) == "2001:db8::7"


def _clients(site_id: int) -> dict[str, str]:
    rows = duckdb.sql(f"SELECT path, client FROM read_parquet('{store.site_glob(site_id)}')").fetchall()
    return dict(rows)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("proxies", "expected"),
    [
        ([], {"/a": "10.0.0.2", "/b": "198.51.100.7", "/c": "10.0.0.2"}),
        (["10.0.0.0/8"], {"/a": "203.0.113.9", "/b": "198.51.100.7", "/c": "10.0.0.2"}),
    ],
)
def test_ingestion_takes_the_header_only_from_trusted_proxies(
    site, tmp_path: Path, settings, proxies, expected
) -> None:  # type: ignore[no-untyped-def]
    settings.JAGA_TRAFFIC_TRUSTED_PROXIES = proxies
    log = tmp_path / "access.log"
    log.write_text(LINES)
    source = services.sources_for(site=site, paths=[str(log)], format_key="nginx")[0]
    source.format_spec = NGINX
    source.save()
    assert services.traffic_ingest(site=site, sources=[source]).lines_stored == 3
    assert _clients(site.pk) == expected
