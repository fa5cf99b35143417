# ruff: noqa: S608 - SQL over DuckDB built from validated rule configuration, never from a request
"""Claimed crawlers, verified: a client whose user agent says Googlebot (Bingbot, ...) is asked about by
forward-confirmed reverse DNS. Its address's PTR name must end in one of the crawler's domains, and that
name must resolve back to the address; a client that fails is a fake crawler (a scraper or scanner hiding
behind the name). A client that cannot be asked (no answer, a timeout) is left alone, never flagged; private
addresses are skipped (a proxy's, most likely).

The look-ups go through ``jaga.core.resolver`` (JAGA_TRAFFIC_CRAWLER_DNS: the system's resolvers by default),
at most ``LOOKUPS`` at a time, each address once per process. ``verifier`` lets the offline runs (rule tests,
the labelled public cases) and the tests put their own answer in place of DNS.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.utils.translation import gettext_noop as _

from jaga.core.kindconfig import KindConfig, setting
from jaga.traffic.detection.base import Finding, Match, Numbered, Rule, findings_named, keys_named

SAMPLES = 3
LOOKUPS = 20  # look-ups in flight at once
LOOKUP_TIMEOUT_S = 3.0
CACHE_MAX = 50_000

# (address, domains) -> True (verified), False (fake), None (could not be asked)
Verifier = Callable[[str, tuple[str, ...]], bool | None]
_verifier: ContextVar[Verifier | None] = ContextVar("crawler_verifier", default=None)
_cache: dict[tuple[str, tuple[str, ...]], bool | None] = {}


class Claim(KindConfig):
    agent: str = setting(label=_("Pola user agent"), help=_("Huruf kecil, mis. googlebot."))
    domains: list[str] = setting(
        label=_("Domain asli"), help=_("Nama balik (PTR) harus berakhir dengan salah satunya.")
    )


class Config(KindConfig):
    crawlers: list[Claim] = setting(label=_("Crawler yang diperiksa"))


@contextmanager
def verifier(answer: Verifier) -> Iterator[None]:
    """Within the block, ``answer`` decides instead of DNS (offline runs, tests)."""
    token = _verifier.set(answer)
    try:
        yield
    finally:
        _verifier.reset(token)


async def _fcrdns(address: str, domains: tuple[str, ...], gate: asyncio.Semaphore) -> bool | None:
    import dns.reversename

    from jaga.core import http
    from jaga.core.resolver import DnsLookupError

    resolver = _resolver()
    if resolver is None:
        return None
    policy = http.AddressPolicy.for_institution(None)
    async with gate:
        try:
            names = await resolver.lookup(dns.reversename.from_address(address).to_text(), "PTR", policy=policy)
        except DnsLookupError as exc:
            return False if exc.code == "nxdomain" else None
        except ValueError:
            return False
        hosts = [value.rstrip(".").lower() for value in names.values]
        host = next((h for h in hosts if any(h == d or h.endswith("." + d) for d in domains)), None)
        if host is None:
            return False
        try:
            back = await resolver.lookup(host, "AAAA" if ":" in address else "A", policy=policy)
        except DnsLookupError as exc:
            return False if exc.code == "nxdomain" else None
    return address in back.values


def _resolver() -> Any:
    """The resolver JAGA_TRAFFIC_CRAWLER_DNS names: the system's, a nameserver IP[:PORT], or None (off)."""
    from django.conf import settings

    choice = str(settings.JAGA_TRAFFIC_CRAWLER_DNS).strip()
    if choice in ("off", ""):
        return None
    from jaga.core.resolver import DnsResolver  # here: with the look-ups off, no resolver nor HTTP client

    if choice == "system":
        return DnsResolver(timeout_s=LOOKUP_TIMEOUT_S)
    host, _sep, port = choice.rpartition(":") if choice.count(":") == 1 else (choice, "", "")
    return DnsResolver(nameserver=host, port=int(port or 53), timeout_s=LOOKUP_TIMEOUT_S)


def _dns_verify(claims: list[tuple[str, tuple[str, ...]]]) -> dict[tuple[str, tuple[str, ...]], bool | None]:
    async def run() -> list[bool | None]:
        gate = asyncio.Semaphore(LOOKUPS)
        return await asyncio.gather(*(_fcrdns(address, domains, gate) for address, domains in claims))

    return dict(zip(claims, asyncio.run(run()), strict=True))


def verify(claims: list[tuple[str, tuple[str, ...]]]) -> dict[tuple[str, tuple[str, ...]], bool | None]:
    """Each (address, domains): verified, fake, or not known."""
    answer = _verifier.get()
    if answer is not None:
        return {claim: answer(*claim) for claim in claims}
    if _resolver() is None:
        return {claim: None for claim in claims}
    unknown = [claim for claim in claims if claim not in _cache]
    fresh = _dns_verify(unknown) if unknown else {}
    if len(_cache) > CACHE_MAX:
        _cache.clear()
    for claim, result in fresh.items():
        if result is not None:  # a look-up that got no answer is asked again next round
            _cache[claim] = result
    return {claim: _cache[claim] if claim in _cache else fresh.get(claim) for claim in claims}


class CrawlerKind:
    Config = Config

    def line_filter(self, rule: Rule) -> str:
        config: Config = rule.config
        return Match(agent=[claim.agent for claim in config.crawlers]).sql()

    def findings(self, con: Any, rule: Rule) -> list[Finding]:
        config: Config = rule.config
        if _verifier.get() is None and _resolver() is None:
            return []  # nothing can tell a real crawler from a fake: none is flagged, so none is looked for
        # Each crawler agent's claim (the first of the config its text matches), then each client's.
        agents = con.execute(f"""
            SELECT agent_id, agent_l FROM ev_agent WHERE agent_id IN (
                SELECT agent_id FROM ev_f WHERE is_new AND NOT private AND ({self.line_filter(rule)}))
        """).fetchall()
        claims = []
        for agent_id, agent in agents:
            index = next((i for i, c in enumerate(config.crawlers) if re.search(c.agent, agent or "")), None)
            if index is not None:
                claims.append(f"({int(agent_id)}, {index})")
        if not claims:
            return []
        rows = con.execute(f"""
            SELECT client_id, min(claim) FROM ev_f JOIN (VALUES {", ".join(claims)}) c(agent_id, claim) USING (agent_id)
            WHERE is_new AND NOT private GROUP BY client_id
        """).fetchall()
        names = keys_named(con, "client", (client for client, _claim in rows))
        claimed = {names[client]: tuple(d.lower() for d in config.crawlers[claim].domains) for client, claim in rows}
        answers = verify(sorted(claimed.items()))
        fake = {client for client, domains in claimed.items() if answers.get((client, domains)) is False}
        numbers = [number for number, name in names.items() if name in fake]
        if not numbers:
            return []
        found = con.execute(
            f"""
            SELECT client_id, count(*), min(ts), max(ts), (list(rid ORDER BY ts, rid))[1:{SAMPLES}]
            FROM ev_f WHERE is_new AND NOT private AND ({self.line_filter(rule)})
              AND client_id IN (SELECT unnest($numbers)) GROUP BY client_id ORDER BY client_id
        """,
            {"numbers": numbers},
        ).fetchall()
        return findings_named(
            con,
            [
                Numbered(
                    rule=rule.key,
                    key=int(client),
                    scope="client",
                    count=int(count),
                    first_seen=first,
                    last_seen=last,
                    samples=list(samples),
                    clients=1,
                    addresses=[int(client)],
                )
                for client, count, first, last, samples in found
            ],
        )


KIND = CrawlerKind()
