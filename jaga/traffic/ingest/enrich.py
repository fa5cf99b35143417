"""What a line gains beyond its fields: browser, OS and crawler per distinct user agent; country per address.

Both run per distinct value of a batch, not per line: a day of a court site has a few thousand agents
and addresses among hundreds of thousands of lines. The user-agent results are cached for the process and
beside the store (loading the parser's 600 patterns costs more than a command's 10,000 lines).
Countries come from geoip2fast's database (shipped in the package; no network at run time): an address is
found among the range starts by binary search over a table kept beside the store (mapped, not copied).
"""

from __future__ import annotations

import bisect
import gzip
import ipaddress
import json
import os
import pickle
import socket
import threading
from collections.abc import Callable
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


def warm(*, agents: bool) -> None:
    """Load what enrichment needs once per process, ahead of the first lines (the ingestion calls it while
    DuckDB reads its first chunk, which leaves Python's lock free): the country tables and, with ``agents``,
    the user-agent parser's and the crawler list's patterns (0.3-0.6 CPU s, wasted when every agent is already
    described in the store's file, so only for a large first chunk)."""
    _ipv4_ranges()
    _ipv6_ranges()
    if agents:
        from ua_parser import parse

        parse(_WARM_AGENT)
        _crawler_detect().isCrawler(_WARM_AGENT)


_WARM_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0"
_AGENTS_LAYOUT = 1  # raised when what is kept per agent changes
AGENTS_KEPT_MAX = 50_000  # on disk; the agents described last are kept
_agents_read: set[Path] = set()


def _agents_file() -> Path:
    """The descriptions kept beside the store, named after the parser's, its patterns' and the crawler list's
    versions: an upgrade describes every agent afresh."""
    from importlib.metadata import PackageNotFoundError, version

    from jaga.traffic.ingest import store

    versions = []
    for name in ("ua-parser", "ua-parser-builtins", "crawlerdetect"):
        try:
            versions.append(version(name))
        except PackageNotFoundError:
            versions.append("0")
    return store.store_root() / ".cache" / f"agents-{_AGENTS_LAYOUT}-{'-'.join(versions)}.json"


def _agents_load(path: Path) -> dict[str, tuple[str, str, str]]:
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(kept, dict):
        return {}
    return {
        agent: (d[0], d[1], d[2])
        for agent, d in kept.items()
        if isinstance(d, list) and len(d) == 3 and all(isinstance(part, str) for part in d)
    }


def _agents_save(path: Path, described: dict[str, tuple[str, str, str]]) -> None:
    """Add ``described`` to the file: whole or not at all, as another process may be reading or writing it (one
    that writes at the same moment may lose the other's new agents, which are described again next time)."""
    kept = _agents_load(path)
    for agent in described:
        kept.pop(agent, None)
    kept.update(described)
    if len(kept) > AGENTS_KEPT_MAX:
        kept = dict(list(kept.items())[-AGENTS_KEPT_MAX:])
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
    partial.replace(path)


def agents_table(agents: list[str]) -> pa.Table:
    """Browser, OS and crawler of each agent: from the process's cache, else the store's file, else described
    (and then added to the file)."""
    unknown = [agent for agent in agents if agent not in _AGENT_CACHE]
    if unknown:
        path = _agents_file()
        if path not in _agents_read:
            _agents_read.add(path)
            with _lock:
                for agent, kept in _agents_load(path).items():
                    _AGENT_CACHE.setdefault(agent, kept)
        new = {agent: agent_describe(agent) for agent in unknown if agent not in _AGENT_CACHE}
        if new:
            _agents_save(path, new)
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
    """A data file of geoip2fast's, found without importing the package (its HTTP client and the rest)."""
    from importlib.util import find_spec

    spec = find_spec("geoip2fast")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("geoip2fast")
    return Path(spec.origin).parent / name


# The IPv4 form the store has always looked up (each part up to three digits, as the earlier SQL did).
_IPV4 = r"^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$"


@lru_cache(maxsize=1)
def _ipv4_ranges() -> tuple[memoryview, Any, Any]:
    table = geoip_ipv4_table()
    return (
        mapped_numbers(table.column("first_ip")),
        table.column("last_ip").combine_chunks(),
        table.column("country").combine_chunks(),
    )


def _ipv4_countries(addresses: pa.Array) -> pa.Array:
    """The country code ("" when unknown or private) of each of ``addresses``, every one an IPv4 address in
    dotted form: the numbers worked out in Arrow, each found among the range starts by binary search."""
    import pyarrow.compute as pc

    parts = pc.split_pattern(addresses, ".")
    number = pc.cast(pc.list_element(parts, 0), pa.int64())
    for index in (1, 2, 3):
        number = pc.add(pc.multiply(number, 256), pc.cast(pc.list_element(parts, index), pa.int64()))
    firsts, lasts, codes = _ipv4_ranges()
    # The range that starts at or before each address (-1: before the first range).
    found = [bisect.bisect_right(firsts, ip) - 1 for ip in number.to_pylist()]
    starts = pa.array(found, pa.int64())
    at = pc.max_element_wise(starts, 0)
    inside = pc.and_(pc.greater_equal(starts, 0), pc.less_equal(number, lasts.take(at)))
    return pc.if_else(inside, codes.take(at), "")


def countries(addresses: pa.Array) -> pa.Array:
    """The country code ("" when unknown) of each of ``addresses`` (text). IPv4 addresses (nearly all of a
    court site's clients) are looked up together; the rest one by one (IPv6, odd text)."""
    import pyarrow.compute as pc

    addresses = addresses.cast(pa.string())
    if len(addresses) == 0:
        return pa.array([], pa.string())
    v4 = pc.fill_null(pc.match_substring_regex(addresses, _IPV4), False)
    result = pc.replace_with_mask(
        pa.repeat(pa.scalar("", pa.string()), len(addresses)), v4, _ipv4_countries(addresses.filter(v4))
    )
    others = pc.invert(v4)
    if not pc.any(others).as_py():
        return result
    return pc.replace_with_mask(
        result,
        others,
        pa.array([country_ipv6(a) if a and ":" in a else "" for a in addresses.filter(others).to_pylist()]),
    )


def tables_prepare() -> None:
    """Unpack geoip2fast's IPv4 and IPv6 files into the tables kept beside the store (see :func:`_kept_table`),
    when the data folder is set up (after ``migrate``: ``make run``, an upgrade), so that the first ingestion
    of a new install, or after geoip2fast is upgraded, maps them instead (0.35-0.45 s that were on the critical
    path of its first chunks). A table already kept is only mapped."""
    geoip_ipv4_table()
    geoip_ipv6_table()


_MAX_IPV4 = 0xFFFFFFFF
_GEO_LAYOUT = 1  # raised when a table's columns or order change, so that an older file is not read
_GEO6_LAYOUT = 2


def _kept_table(kind: str, source: Path, build: Callable[[], pa.Table], layout: int = _GEO_LAYOUT) -> pa.Table:
    """The table ``build`` makes from ``source``, kept beside the store (an Arrow file, mapped in a few
    milliseconds) for the next process, named after the source file (a new package release builds it again)."""
    import pyarrow.ipc as ipc

    from jaga.traffic.ingest import store

    stat = source.stat()
    cached = store.store_root() / ".cache" / f"geo-{kind}-{layout}-{stat.st_size}-{int(stat.st_mtime)}.arrow"
    try:
        return ipc.open_file(pa.memory_map(str(cached))).read_all()  # the table keeps the mapping open
    except (OSError, pa.ArrowInvalid):
        pass
    table = build()
    cached.parent.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(f".{os.getpid()}.tmp")
    with ipc.new_file(str(partial), table.schema) as writer:
        writer.write_table(table)
    partial.replace(cached)  # whole or not at all: another process may be reading it
    return table


def _geoip_database(name: str) -> tuple[list[str], Any, Any, Any]:
    """(country names, first addresses, country ids, prefix lengths) of a geoip2fast data file; the last three
    are lists of chunks, in order of first address."""
    with gzip.open(_geoip_file(name), "rb") as handle:
        _version, _info, _total, database = pickle.load(handle)  # noqa: S301 - the package's own data file
    _index, names, first_ips, country_ids, netlengths = database[:5]
    return names, first_ips, country_ids, netlengths


@lru_cache(maxsize=1)
def geoip_ipv4_table() -> pa.Table:
    """IPv4 ranges (first, last, country code), by first address, from geoip2fast's data file; private ranges
    have no country. Unpacking the package's file takes a fifth of a second: the table is kept beside the store."""
    return _kept_table("v4", _geoip_file("geoip2fast.dat.gz"), _geoip_ipv4_build)


def _geoip_ipv4_build() -> pa.Table:
    import itertools

    import pyarrow.compute as pc

    names, first_ips, country_ids, netlengths = _geoip_database("geoip2fast.dat.gz")
    # Ids below 16 are geoip2fast's reserved and private ranges: no country.
    codes = pa.array(["" if i < 16 else item.split(":")[0] for i, item in enumerate(names)], pa.string())
    firsts = pa.array(itertools.chain.from_iterable(first_ips), pa.int64())
    netlen = pa.array(itertools.chain.from_iterable(netlengths), pa.int64())
    ids = pa.array(itertools.chain.from_iterable(country_ids), pa.int64())
    size = pc.shift_left(pa.scalar(1, pa.int64()), pc.subtract(32, netlen))
    table = pa.table(
        {
            "first_ip": firsts,
            "last_ip": pc.subtract(pc.add(firsts, size), 1),
            "country": codes.take(ids),
        }
    )
    return table.filter(pc.less_equal(firsts, _MAX_IPV4)).sort_by("first_ip")


_IPV6_FILE = "geoip2fast-ipv6.dat.gz"


@lru_cache(maxsize=1)
def geoip_ipv6_table() -> pa.Table:
    """Every range of geoip2fast's IPv6 file (it holds the IPv4 ones too), in its order: the first address as
    two 64-bit halves, the prefix length, the country code ("" for reserved and private ranges). Unpacking the
    package's file costs 0.15 CPU s in each process that meets an IPv6 client: kept beside the store."""
    return _kept_table("v6", _geoip_file(_IPV6_FILE), _geoip_ipv6_build, layout=_GEO6_LAYOUT)


def _geoip_ipv6_build() -> pa.Table:
    names, first_ips, country_ids, netlengths = _geoip_database(_IPV6_FILE)
    codes = [item.split(":")[0] for item in names]
    firsts = [first for chunk in first_ips for first in chunk]
    return pa.table(
        {
            "first_hi": pa.array([first >> 64 for first in firsts], pa.uint64()),
            "first_lo": pa.array([first & 0xFFFFFFFFFFFFFFFF for first in firsts], pa.uint64()),
            "netlen": pa.array([n for chunk in netlengths for n in chunk], pa.uint8()),
            "country": pa.array(["" if i < 16 else codes[i] for chunk in country_ids for i in chunk], pa.string()),
        }
    )


def mapped_numbers(column: Any) -> memoryview:
    """A column of 64-bit numbers as a sequence of ints over its Arrow buffer, not copied: ``bisect`` searches
    it at C speed, without turning hundreds of thousands of values into Python objects first."""
    array = column.combine_chunks() if hasattr(column, "combine_chunks") else column
    if array.type not in (pa.int64(), pa.uint64()) or array.null_count:
        raise TypeError(f"64-bit numbers without nulls expected, not {array.type}")
    data = memoryview(array.buffers()[1])
    numbers = data.cast("q") if array.type == pa.int64() else data.cast("Q")
    return numbers[array.offset : array.offset + len(array)]


@lru_cache(maxsize=1)
def _ipv6_ranges() -> tuple[memoryview, memoryview, Any, Any]:
    table = geoip_ipv6_table()
    return (
        mapped_numbers(table.column("first_hi")),
        mapped_numbers(table.column("first_lo")),
        table.column("netlen").combine_chunks(),
        table.column("country"),
    )


def _ipv6_country_code(address: str) -> str:
    """geoip2fast's answer for an IPv6 address, found as its own ``lookup`` does: the last range that starts at
    or before the address, if the address is within it."""
    import bisect

    try:
        ip = int.from_bytes(socket.inet_pton(socket.AF_INET6, address), "big")
    except OSError:
        return ""
    highs, lows, netlens, countries = _ipv6_ranges()
    high, low = ip >> 64, ip & 0xFFFFFFFFFFFFFFFF
    same_start, same_end = bisect.bisect_left(highs, high), bisect.bisect_right(highs, high)
    row = bisect.bisect_right(lows, low, same_start, same_end) - 1  # among the ranges of the same upper half
    if row < same_start:
        row = same_start - 1  # none of them starts at or before it: the last range of a lower upper half
    if row < 0:
        return ""
    size = 1 << ((32 if ip <= _MAX_IPV4 else 128) - netlens[row].as_py())
    if ip > (highs[row] << 64 | lows[row]) + size - 1:
        return ""
    return str(countries[row].as_py())


def country_ipv6(address: str) -> str:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return ""
    if parsed.is_private or parsed.is_loopback or parsed.is_link_local:
        return ""
    code = _ipv6_country_code(address)
    return code if len(code) == 2 and code.isalpha() else ""
