"""What a line gains beyond its fields: browser, OS and crawler per distinct user agent; country per address.

Both run per distinct value of a batch, not per line: a day of a court site has a few thousand agents
and addresses among hundreds of thousands of lines. The user-agent results are cached for the process and
beside the store (loading the parser's 600 patterns costs more than a command's 10,000 lines).
Countries come from geoip2fast's database (shipped in the package; no network at run time), whose IPv4
ranges are joined in DuckDB (an ASOF join over the range starts); IPv6 addresses are looked up one by one.
"""

from __future__ import annotations

import gzip
import ipaddress
import json
import os
import pickle
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
