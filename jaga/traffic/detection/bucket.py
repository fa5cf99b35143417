# ruff: noqa: S608 - SQL over DuckDB built from validated rule configuration, never from a request
"""Behaviour rules: a leaky bucket per key, as CrowdSec defines one.

Each matching line pours one token into its key's bucket (a client, its /24 or /64 subnet, or a login
endpoint for attacks spread over many addresses); the bucket leaks one token every ``leak_seconds``; more
than ``capacity`` tokens is an overflow. With ``distinct``, a line whose value (path, query, user agent) was
already poured into the bucket since it was last empty adds nothing. Every line poured from the start of an
overflowing episode until the bucket drains counts toward the finding; only lines not analysed before are
counted, so that the context read again from earlier rounds never counts twice.

Lines without ``distinct`` are summed per key and second in DuckDB first: a flood of a million lines is a
few thousand rows by the time Python walks the buckets.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any, Literal

from django.utils.translation import gettext_noop as _

from jaga.core.kindconfig import KindConfig, setting
from jaga.traffic.detection.base import ADDRESSES, SAMPLE_SQL, Finding, Match, Rule

SAMPLES = 3


class Config(KindConfig):
    match: Match = setting(label=_("Baris yang dituangkan"))
    capacity: int = setting(label=_("Kapasitas"), ge=1)
    leak_seconds: float = setting(label=_("Bocor satu tiap (detik)"), gt=0)
    group_by: Literal["client", "subnet", "endpoint"] = setting(
        "client",
        label=_("Ember per"),
        choices={"client": _("Klien"), "subnet": _("Subnet /24 atau /64"), "endpoint": _("Alamat yang diminta")},
    )
    distinct: Literal["", "path", "query", "agent", "target", "request"] = setting(
        "",
        label=_("Hanya nilai berbeda dari"),
        choices={
            "": _("Tidak"),
            "path": _("Path"),
            "query": _("Query"),
            "agent": _("User agent"),
            "target": _("Path dan query"),
            "request": _("Baris permintaan (metode, path dan query)"),
        },
    )


_KEY = {"client": "client", "subnet": "subnet", "endpoint": "path_d"}
_DISTINCT = {
    "path": "path_d",
    "query": "query",
    "agent": "agent",
    "target": "target_d",
    "request": "method || ' ' || target_d",
}
# What numbers each value in ``ev`` (see ``engine.events_prepare``): at least one number per distinct value.
_DISTINCT_NUMBER = {
    "path": "req_id",
    "query": "req_id",
    "agent": "agent_id",
    "target": "req_id",
    "request": "(method, req_id)",
}


class BucketKind:
    Config = Config

    def line_filter(self, rule: Rule) -> str:
        config: Config = rule.config
        return config.match.sql()

    def _rows(self, con: Any, rule: Rule) -> list[tuple[Any, ...]]:
        config: Config = rule.config
        key = _KEY[config.group_by]
        where = self.line_filter(rule)
        # A bucket holds at most one token per line poured (per distinct value with ``distinct``) since it was
        # last empty, so a key with no more such lines than the capacity can never overflow: only the others
        # are walked (on a court site's day, a few hundred keys of tens of thousands).
        value = _DISTINCT[config.distinct] if config.distinct else "1"
        # Counted by the values' numbers: as many or more than the values (two raw targets may decode alike),
        # so no key that could overflow is left out, and the walk below decides exactly.
        tokens = f"count(DISTINCT {_DISTINCT_NUMBER[config.distinct]})" if config.distinct else "count(*)"
        where += f""" AND {key} IN (
            SELECT {key} FROM ev WHERE {where} GROUP BY {key} HAVING {tokens} > {int(config.capacity)})"""
        if config.distinct:  # each line is a row here: its sample is made later, only for the few kept
            return list(
                con.execute(f"""
                SELECT {key}, epoch(ts), 1, is_new::INTEGER, {value}, rid, client, ts
                FROM ev WHERE {where} ORDER BY {key}, ts, n
            """).fetchall()
            )
        return list(
            con.execute(f"""
            SELECT {key}, epoch(date_trunc('second', ts)), count(*), count(*) FILTER (is_new), NULL,
                   min({SAMPLE_SQL}), min(client), min(ts)
            FROM ev WHERE {where} GROUP BY ALL ORDER BY 1, 2
        """).fetchall()
        )

    def findings(self, con: Any, rule: Rule) -> list[Finding]:
        config: Config = rule.config
        capacity, leak = float(config.capacity), float(config.leak_seconds)
        found: list[Finding] = []
        for key, events in groupby(self._rows(con, rule), key=lambda row: row[0]):
            level, last = 0.0, None
            seen: set[Any] = set()
            episode: list[tuple[Any, ...]] = []
            overflowing = False
            finding: Finding | None = None
            clients: set[str] = set()
            for _key, at, weight, new_weight, value, sample, client, ts in events:
                if last is not None:
                    level = max(0.0, level - (at - last) / leak)
                last = at
                if level <= 0.0:
                    seen, episode, overflowing = set(), [], False
                if config.distinct:
                    if value in seen:
                        continue
                    seen.add(value)
                level += weight
                episode.append((new_weight, sample, client, ts))
                if not overflowing and level > capacity:
                    overflowing = True
                    counted = episode
                elif overflowing:
                    counted = episode[-1:]
                else:
                    continue
                for new, text, who, when in counted:
                    if not new:
                        continue
                    if finding is None:
                        finding = Finding(
                            rule=rule.key, key=key, scope=config.group_by, count=0, first_seen=when, last_seen=when
                        )
                    finding.count += new
                    finding.last_seen = max(finding.last_seen, when)
                    finding.first_seen = min(finding.first_seen, when)
                    clients.add(who)
                    if len(finding.samples) < SAMPLES:
                        finding.samples.append(text)
            if finding is not None:
                finding.clients = len(clients)
                finding.addresses = sorted(clients)[:ADDRESSES]
                found.append(finding)
        if config.distinct:
            _samples_fill(con, found)
        return found


def _samples_fill(con: Any, found: list[Finding]) -> None:
    """Replace each finding's sample line numbers (``rid``) with the lines as a detection shows them."""
    rids = sorted({int(r) for finding in found for r in finding.samples})
    if not rids:
        return
    texts = dict(con.execute(f"SELECT rid, {SAMPLE_SQL} FROM ev WHERE rid IN ({', '.join(map(str, rids))})").fetchall())
    for finding in found:
        finding.samples = [texts[int(r)] for r in finding.samples]


KIND = BucketKind()
