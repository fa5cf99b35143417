# ruff: noqa: S608 - SQL over DuckDB built from validated rules, paths and ints, never from a request
"""The detection engine: lines in, findings out, every rule in turn over one prepared table ``ev``.

``events_prepare`` decodes each line's path and query until stable (``%252e%252e`` is ``..``), lower-cases
them and the user agent, gives each client its subnet (/24 for IPv4, /64 for IPv6) and drops the clients on
the allow-list; ``findings_run`` asks each rule's kind for its findings. The caller says which lines are new
(``is_new``): the others are context for the buckets (a slow brute force spans several rounds), never
counted again.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from jaga.traffic.detection import RULE_KINDS
from jaga.traffic.detection.base import Finding, Rule

DECODE_ROUNDS = 4  # %25 nested this deep still decodes; deeper is itself suspicious and stays encoded
HTTP_METHODS = ("GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "PROPFIND", "TRACE")


def _decoded(column: str) -> str:
    """SQL: ``column`` lower-cased, '+' as a space, URL-decoded ``DECODE_ROUNDS`` times.

    Overlong UTF-8 dots and slashes (``%c0%ae``, ``%c0%af``, a classic traversal evasion) become what they
    mean; any other byte sequence that is not UTF-8 is dropped rather than failing the round.
    """
    text = f"regexp_replace(regexp_replace(replace(lower({column}), '+', ' '), '%c0%ae', '.', 'g'), '%c0%af', '/', 'g')"
    for _ in range(DECODE_ROUNDS):
        text = f"coalesce(try(url_decode({text})), url_decode(regexp_replace({text}, '%[89a-f][0-9a-f]', '', 'g')))"
    return text


@dataclass(frozen=True)
class ClientInfo:
    subnet: str
    private: bool
    allowed: bool


def client_describe(client: str, allow: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> ClientInfo:
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return ClientInfo(subnet=client, private=False, allowed=False)
    prefix = 24 if address.version == 4 else 64
    subnet = str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))
    allowed = any(address.version == net.version and address in net for net in allow)
    return ClientInfo(subnet=subnet, private=address.is_private or address.is_loopback, allowed=allowed)


def networks_parse(values: Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip()]


def events_prepare(con: Any, *, lines_sql: str, allow: Iterable[str] = ()) -> int:
    """Make the table ``ev`` from ``lines_sql`` (stored line columns plus ``is_new``); how many rows it has."""
    networks = networks_parse(allow)
    con.execute(f"CREATE OR REPLACE TEMP TABLE ev0 AS {lines_sql}")
    clients = [row[0] for row in con.execute("SELECT DISTINCT client FROM ev0").fetchall()]
    described = [client_describe(c, networks) for c in clients]
    con.register(
        "clients_arrow",
        pa.table(
            {
                "client": pa.array(clients, pa.string()),
                "subnet": pa.array([d.subnet for d in described], pa.string()),
                "private": pa.array([d.private for d in described], pa.bool_()),
                "allowed": pa.array([d.allowed for d in described], pa.bool_()),
            }
        ),
    )
    methods = ", ".join(f"'{m}'" for m in HTTP_METHODS)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE ev AS
        SELECT e.*, c.subnet, c.private,
            {_decoded("e.path || CASE WHEN e.query <> '' THEN '?' || e.query ELSE '' END")} AS target_d,
            {_decoded("e.path")} AS path_d,
            lower(e.agent) AS agent_l,
            lower(e.referrer) AS referrer_l,
            (e.method IN ({methods}) AND regexp_full_match(e.protocol, 'HTTP/(0\\.9|1\\.0|1\\.1|2|2\\.0|3|3\\.0)')
             AND (starts_with(e.path, '/') OR (e.method = 'OPTIONS' AND e.path = '*'))) AS http_ok,
            e.client || ' [' || strftime(e.ts, '%Y-%m-%d %H:%M:%S') || '] ' || e.method || ' '
                || left(e.path || CASE WHEN e.query <> '' THEN '?' || e.query ELSE '' END, 300)
                || ' ' || e.status::VARCHAR || ' "' || left(e.agent, 150) || '"' AS sample
        FROM ev0 e JOIN clients_arrow c USING (client)
        WHERE NOT c.allowed
    """)
    con.unregister("clients_arrow")
    con.execute("DROP TABLE ev0")
    return int(con.execute("SELECT count(*) FROM ev").fetchall()[0][0])


def findings_run(con: Any, rules: Iterable[Rule]) -> list[tuple[Rule, Finding]]:
    """Every rule's findings over ``ev``, in rule order."""
    found: list[tuple[Rule, Finding]] = []
    for rule in rules:
        kind = RULE_KINDS.get(rule.kind)
        found.extend((rule, finding) for finding in kind.findings(con, rule))
    return found


def lines_matching(con: Any, rule: Rule) -> set[int]:
    """The ``n`` of every line of ``ev`` that the rule's filter takes (rule tests, line-labelled cases)."""
    where = RULE_KINDS.get(rule.kind).line_filter(rule)
    return {int(row[0]) for row in con.execute(f"SELECT n FROM ev WHERE {where}").fetchall()}
