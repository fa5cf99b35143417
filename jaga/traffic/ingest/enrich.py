"""What a line gains beyond its fields: browser, OS and crawler per distinct user agent; country per address.

Both run per distinct value of a batch, not per line: a day of a court site has a few thousand agents
and addresses among hundreds of thousands of lines. Both are cached for the process. Countries come from
geoip2fast's database (shipped in the package; no network at run time): an IPv4 address is found among the
range starts by binary search; IPv6 addresses are looked up with geoip2fast itself.
"""

from __future__ import annotations

import bisect
import gzip
import ipaddress
import os
import pickle
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa

_AGENT_CACHE: dict[str, tuple[str, str, str]] = {}
_AGENT_CACHE_MAX = 200_000
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _crawler_detect() -> Any:
    from crawlerdetect import CrawlerDetect

    return CrawlerDetect()


def agent_describe(agent: str) -> tuple[str, str, str]:
    """(browser, operating system, crawler name or "") of one user agent."""
    cached = _AGENT_CACHE.get(agent)
    if cached is not None:
        return cached
    from ua_parser import parse

    crawler = ""
    if agent:
        detector = _crawler_detect()
        if detector.isCrawler(agent):
            crawler = (detector.getMatches() or "bot").strip()[:60]
    result = parse(agent) if agent else None
    browser = result.user_agent.family if result and result.user_agent else ""
    system = result.os.family if result and result.os else ""
    described = (browser if browser != "Other" else "", system if system != "Other" else "", crawler)
    with _lock:
        if len(_AGENT_CACHE) >= _AGENT_CACHE_MAX:
            _AGENT_CACHE.clear()
        _AGENT_CACHE[agent] = described
    return described


def agents_table(agents: list[str]) -> pa.Table:
    described = [agent_describe(agent) for agent in agents]
    return pa.table(
        {
            "agent": pa.array(agents, pa.string()),
            "browser": pa.array([d[0] for d in described], pa.string()),
            "os": pa.array([d[1] for d in described], pa.string()),
            "crawler": pa.array([d[2] for d in described], pa.string()),
        }
    )


def _geoip_file(name: str) -> Path:
    import geoip2fast

    return Path(geoip2fast.__file__).parent / name


_COUNTRY_CACHE: dict[str, str] = {}
_COUNTRY_CACHE_MAX = 500_000
# The IPv4 form the store has always looked up (each part up to three digits, as the earlier SQL did).
_IPV4 = re.compile(r"([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})")


def _numbers(column: pa.ChunkedArray) -> memoryview:
    """An int64 column (no nulls) as a sequence of Python ints over its buffer: no copy, and ``bisect`` walks it
    at C speed (``to_pylist`` of the 494,069 range starts cost 0.12 CPU s in every process)."""
    array = column.combine_chunks()
    return memoryview(array.buffers()[1]).cast("q")[array.offset : array.offset + len(array)]


@lru_cache(maxsize=1)
def _ipv4_ranges() -> tuple[memoryview, memoryview, pa.Array]:
    table = geoip_ipv4_table()
    return (
        _numbers(table.column("first_ip")),
        _numbers(table.column("last_ip")),
        table.column("country").combine_chunks(),
    )


def country_ipv4(address: str) -> str:
    """The country code of an IPv4 address in dotted form, "" when unknown or private."""
    found = _IPV4.fullmatch(address)
    if found is None:
        return ""
    a, b, c, d = (int(part) for part in found.groups())
    number = ((a * 256 + b) * 256 + c) * 256 + d
    firsts, lasts, codes = _ipv4_ranges()
    at = bisect.bisect_right(firsts, number) - 1
    if at < 0 or number > lasts[at]:
        return ""
    return str(codes[at].as_py() or "")


def countries(addresses: list[str]) -> list[str]:
    """The country code ("" when unknown) of each address."""
    found: list[str] = []
    for address in addresses:
        code = _COUNTRY_CACHE.get(address)
        if code is None:
            code = country_ipv6(address) if ":" in address else country_ipv4(address)
            with _lock:
                if len(_COUNTRY_CACHE) >= _COUNTRY_CACHE_MAX:
                    _COUNTRY_CACHE.clear()
                _COUNTRY_CACHE[address] = code
        found.append(code)
    return found


_GEO_LAYOUT = 1  # raised when the table's columns or order change, so that an older file is not read


@lru_cache(maxsize=1)
def geoip_ipv4_table() -> pa.Table:
    """IPv4 ranges (first, last, country code), by first address, from geoip2fast's data file; private ranges
    have no country. Unpacking the package's file takes a fifth of a second: the table is kept beside the store
    (an Arrow file, mapped in a few milliseconds) for the next process, named after the package's file."""
    import pyarrow.ipc as ipc

    from jaga.traffic.ingest import store

    source = _geoip_file("geoip2fast.dat.gz")
    stat = source.stat()
    cached = store.store_root() / ".cache" / f"geo-v4-{_GEO_LAYOUT}-{stat.st_size}-{int(stat.st_mtime)}.arrow"
    try:
        return ipc.open_file(pa.memory_map(str(cached))).read_all()  # the table keeps the mapping open
    except (OSError, pa.ArrowInvalid):
        pass
    table = _geoip_ipv4_build()
    cached.parent.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(f".{os.getpid()}.tmp")
    with ipc.new_file(str(partial), table.schema) as writer:
        writer.write_table(table)
    partial.replace(cached)  # whole or not at all: another process may be reading it
    return table


def _geoip_ipv4_build() -> pa.Table:
    with gzip.open(_geoip_file("geoip2fast.dat.gz"), "rb") as handle:
        _version, _info, _total, database = pickle.load(handle)  # noqa: S301 - the package's own data file
    _index, names, first_ips, country_ids, netlengths = database[:5]
    codes = [item.split(":")[0] for item in names]
    firsts: list[int] = []
    lasts: list[int] = []
    countries: list[str] = []
    for chunk_first, chunk_ids, chunk_len in zip(first_ips, country_ids, netlengths, strict=True):
        for first, country_id, netlen in zip(chunk_first, chunk_ids, chunk_len, strict=True):
            if first > 0xFFFFFFFF:
                continue
            firsts.append(first)
            lasts.append(first + (1 << (32 - netlen)) - 1)
            countries.append("" if country_id < 16 else codes[country_id])
    table = pa.table(
        {
            "first_ip": pa.array(firsts, pa.int64()),
            "last_ip": pa.array(lasts, pa.int64()),
            "country": pa.array(countries, pa.string()),
        }
    )
    return table.sort_by("first_ip")


@lru_cache(maxsize=1)
def _geoip_ipv6() -> Any:
    from geoip2fast import GeoIP2Fast

    return GeoIP2Fast(geoip2fast_data_file=str(_geoip_file("geoip2fast-ipv6.dat.gz")))


def country_ipv6(address: str) -> str:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return ""
    if parsed.is_private or parsed.is_loopback or parsed.is_link_local:
        return ""
    code = str(_geoip_ipv6().lookup(address).country_code or "")
    return code if len(code) == 2 and code.isalpha() else ""
