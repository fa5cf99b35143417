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
from jaga.traffic.detection.base import (
    ADDRESSES,
    KEY_NUMBERS,
    Finding,
    Match,
    Numbered,
    Rule,
    findings_named,
    lines_shown_sql,
)

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


# The number of each value ``distinct`` names (see ``engine.events_prepare``): equal numbers, equal values.
_DISTINCT = {
    "path": "pathd_id",
    "query": "query_id",
    "agent": "agent_id",
    "target": "targetd_id",
    "request": "(targetd_id::BIGINT << 32 | method_id)",
}
_SECOND = "epoch(date_trunc('second', ts))"


class BucketKind:
    Config = Config

    def line_filter(self, rule: Rule) -> str:
        config: Config = rule.config
        return config.match.sql()

    def _rows(self, con: Any, rule: Rule) -> list[tuple[Any, ...]]:
        config: Config = rule.config
        key = KEY_NUMBERS[config.group_by]
        where = self.line_filter(rule)
        # A bucket holds at most one token per line poured (per distinct value with ``distinct``) since it was
        # last empty, so a key with no more such lines than the capacity can never overflow: only the others
        # are walked (on a court site's day, a few hundred keys of tens of thousands).
        value = _DISTINCT[config.distinct] if config.distinct else "1"
        tokens = f"count(DISTINCT {value})" if config.distinct else "count(*)"
        where += f""" AND {key} IN (
            SELECT {key} FROM ev_f WHERE {where} GROUP BY {key} HAVING {tokens} > {int(config.capacity)})"""
        if config.distinct:  # each line is a row here
            return list(
                con.execute(f"""
                SELECT {key}, epoch(ts), 1, is_new::INTEGER, {value}, rowid, client_id, epoch_us(ts)
                FROM ev_f WHERE {where} ORDER BY {key}, ts, n
            """).fetchall()
            )
        # A row per key and second; its sample is the least line of that second (named for the few kept).
        return list(
            con.execute(f"""
            SELECT {key}, {_SECOND} AS second, count(*), count(*) FILTER (is_new), NULL, NULL, min(client_id),
                   min(epoch_us(ts))
            FROM ev_f WHERE {where} GROUP BY ALL ORDER BY 1, 2
        """).fetchall()
        )

    def findings(self, con: Any, rule: Rule) -> list[Finding]:
        config: Config = rule.config
        capacity, leak = float(config.capacity), float(config.leak_seconds)
        found: list[Numbered] = []
        for key, events in groupby(self._rows(con, rule), key=lambda row: row[0]):
            level, last = 0.0, None
            seen: set[Any] = set()
            episode: list[tuple[Any, ...]] = []
            overflowing = False
            finding: Numbered | None = None
            clients: set[int] = set()
            for _key, at, weight, new_weight, value, rid, client, ts in events:
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
                episode.append((new_weight, rid if rid is not None else at, client, ts))
                if not overflowing and level > capacity:
                    overflowing = True
                    counted = episode
                elif overflowing:
                    counted = episode[-1:]
                else:
                    continue
                for new, sample, who, when in counted:
                    if not new:
                        continue
                    if finding is None:
                        finding = Numbered(
                            rule=rule.key, key=key, scope=config.group_by, count=0, first_seen=when, last_seen=when
                        )
                    finding.count += new
                    finding.last_seen = max(finding.last_seen, when)  # type: ignore[type-var]
                    finding.first_seen = min(finding.first_seen, when)  # type: ignore[type-var]
                    clients.add(who)
                    if len(finding.samples) < SAMPLES:
                        finding.samples.append(sample)
            if finding is not None:
                finding.clients = len(clients)
                finding.addresses = sorted(clients)[:ADDRESSES]
                found.append(finding)
        if not config.distinct:
            _seconds_shown(con, rule, key=KEY_NUMBERS[config.group_by], found=found)
        return findings_named(con, found)


def _seconds_shown(con: Any, rule: Rule, *, key: str, found: list[Numbered]) -> None:
    """Replace each finding's samples (the seconds walked) with the least line of that key and second, as a
    detection shows it: made for the few seconds kept, not for every second walked."""
    wanted = sorted({(finding.key, float(at)) for finding in found for at in finding.samples})
    if not wanted:
        return
    listed = ", ".join(f"({int(k)}, {float(at)!r}::DOUBLE)" for k, at in wanted)
    shown = lines_shown_sql(
        f"({rule.config.match.sql()}) AND ({key}, {_SECOND}) IN (SELECT (k, sec) FROM (VALUES {listed}) v(k, sec))",
        extra=f", {key} AS k, {_SECOND} AS sec",
    )
    texts = {
        (int(k), float(at)): text
        for k, at, text in con.execute(f"SELECT k, sec, min(sample) FROM ({shown}) GROUP BY ALL").fetchall()
    }
    for finding in found:
        finding.samples = [texts[(finding.key, float(at))] for at in finding.samples]


KIND = BucketKind()
