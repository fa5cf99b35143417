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

from concurrent.futures import ThreadPoolExecutor
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
# The second a line is in, as epoch(date_trunc('second', ts)) but without the time zone's calendar (every zone's
# offset is whole seconds): ten times cheaper over a million lines.
_SECOND = "(epoch_us(ts) // 1000000)::DOUBLE"


class BucketKind:
    Config = Config

    def line_filter(self, rule: Rule) -> str:
        config: Config = rule.config
        return config.match.sql()

    def _rows(self, con: Any, rule: Rule) -> list[tuple[Any, ...]]:
        """The rows the walk needs, (key, at, weight, new weight, value, rid, client, microseconds) in order, of
        the keys whose bucket can overflow.

        A bucket's level after a line is at most the tokens poured since some earlier line less what leaked
        since then; so with C the capacity, a key overflows only if it has more than C tokens in all (one per
        line, or per distinct value), and only if some stretch of ``C * leak_seconds / 2`` seconds (counted
        from the epoch) holds more than C / 2 of them: with at most C / 2 in each such stretch, any span of
        time s holds at most (2 s / (C * leak) + 2) * C / 2 = s / leak + C tokens, which is what leaks in s
        plus the capacity. Only the other keys are walked (a crawler at a steady pace is not)."""
        config: Config = rule.config
        key = KEY_NUMBERS[config.group_by]
        where = self.line_filter(rule)
        capacity = int(config.capacity)
        stretch = float(config.capacity) * float(config.leak_seconds) / 2
        value = _DISTINCT[config.distinct] if config.distinct else "1"
        tokens = "count(DISTINCT v)" if config.distinct else "count(*)"
        where += f""" AND {key} IN (
            WITH m AS MATERIALIZED (
                SELECT {key} AS k, floor(epoch(ts) / {stretch!r})::BIGINT AS part, {value} AS v FROM ev_f WHERE {where}
            )
            SELECT DISTINCT k FROM m WHERE k IN (SELECT k FROM m GROUP BY k HAVING {tokens} > {capacity})
            GROUP BY k, part HAVING {tokens} * 2 > {capacity})"""
        if config.distinct:  # each line is a row here
            return list(
                con.execute(f"""
                SELECT {key}, epoch(ts), 1, is_new::INTEGER, {value}, rid, client_id, epoch_us(ts)
                FROM ev_f WHERE {where} ORDER BY {key}, ts, n, rid
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
        return self.findings_all(con, [rule])[0]

    def findings_all(self, con: Any, rules: list[Rule]) -> list[list[Finding]]:
        """Every rule's findings. The rows of each rule are read by DuckDB in a thread, on a cursor of their own,
        while the rows of the rule before are walked here (the walk is Python's, on one core)."""
        reader = con.cursor()
        try:
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="jaga-buckets") as pool:
                rows = [pool.submit(self._rows, reader, rule) for rule in rules]
                numbered = [self._walk(con, rule, read.result()) for rule, read in zip(rules, rows, strict=True)]
        finally:
            reader.close()
        named = iter(findings_named(con, [item for found in numbered for item in found]))
        return [[next(named) for _item in found] for found in numbered]

    def _walk(self, con: Any, rule: Rule, rows: list[tuple[Any, ...]]) -> list[Numbered]:
        config: Config = rule.config
        capacity, leak = float(config.capacity), float(config.leak_seconds)
        found: list[Numbered] = []
        for key, events in groupby(rows, key=lambda row: row[0]):
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
        return found


def _seconds_shown(con: Any, rule: Rule, *, key: str, found: list[Numbered]) -> None:
    """Replace each finding's samples (the seconds walked) with the least line of that key and second, as a
    detection shows it: made for the few seconds kept, not for every second walked."""
    wanted = {(finding.key, float(at)) for finding in found for at in finding.samples}
    if not wanted:
        return
    keys = ", ".join(str(int(k)) for k in sorted({k for k, _at in wanted}))
    seconds = ", ".join(f"{at!r}" for at in sorted({at for _k, at in wanted}))
    first, last = min(at for _k, at in wanted), max(at for _k, at in wanted)
    during = (
        f"ts >= TIMESTAMPTZ '1970-01-01 00:00:00+00' + to_microseconds({int(first * 1_000_000)}) "
        f"AND ts < TIMESTAMPTZ '1970-01-01 00:00:00+00' + to_microseconds({int(last * 1_000_000) + 1_000_000})"
    )
    shown = lines_shown_sql(
        f"{during} AND {key} IN ({keys}) AND ({rule.config.match.sql()}) AND {_SECOND} IN ({seconds})",
        extra=f", {key} AS k, {_SECOND} AS sec",
    )
    texts = {
        (int(k), float(at)): text
        for k, at, text in con.execute(f"SELECT k, sec, min(sample) FROM ({shown}) GROUP BY ALL").fetchall()
    }
    for finding in found:
        finding.samples = [texts[(finding.key, float(at))] for at in finding.samples]


KIND = BucketKind()
