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
from functools import lru_cache
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


@lru_cache(maxsize=65536)
def address_private(client: str) -> bool:
    return client_describe(client, []).private


def networks_parse(values: Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip()]


# What Python's ipaddress calls private among IPv4 addresses (loopback included), as ranges for SQL; the test
# suite checks that both agree.
PRIVATE_V4 = (
    "0.0.0.0/8",
    "10.0.0.0/8",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/29",
    "192.0.0.170/31",
    "192.0.2.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "240.0.0.0/4",
    "255.255.255.255/32",
)
_OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_CANONICAL_V4 = f"{_OCTET}(\\.{_OCTET}){{3}}"


def _in_ranges(column: str, networks: Iterable[ipaddress.IPv4Network]) -> str:
    tests = [f"{column} BETWEEN {int(n.network_address)} AND {int(n.broadcast_address)}" for n in networks]
    return "(" + " OR ".join(tests) + ")" if tests else "false"


def clients_table(con: Any, *, source: str, allow: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> None:
    """The table ``clients`` (client, subnet, private, allowed) of every distinct client of ``source``.

    A court site's million lines come from a hundred thousand addresses or more: the IPv4 ones (in their
    usual dotted form) are described in SQL; Python's ``ipaddress`` only sees the rest (IPv6, odd text).
    """
    v4_allow = [n for n in allow if n.version == 4]
    private = _in_ranges("ip", (ipaddress.IPv4Network(n) for n in PRIVATE_V4))
    allowed = _in_ranges("ip", v4_allow)  # type: ignore[arg-type]
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE clients AS
        SELECT client, regexp_replace(client, '\\.[0-9]+$', '.0/24') AS subnet, {private} AS private,
               {allowed} AS allowed
        FROM (SELECT client, list_reduce(string_split(client, '.')::BIGINT[], lambda x, y: x * 256 + y) AS ip
              FROM (SELECT DISTINCT client FROM {source}) WHERE regexp_full_match(client, '{_CANONICAL_V4}'))
    """)
    others = [
        row[0]
        for row in con.execute(
            f"SELECT DISTINCT client FROM {source} WHERE NOT regexp_full_match(client, '{_CANONICAL_V4}')"
        ).fetchall()
    ]
    if not others:
        return
    described = [client_describe(c, allow) for c in others]
    con.register(
        "clients_arrow",
        pa.table(
            {
                "client": pa.array(others, pa.string()),
                "subnet": pa.array([d.subnet for d in described], pa.string()),
                "private": pa.array([d.private for d in described], pa.bool_()),
                "allowed": pa.array([d.allowed for d in described], pa.bool_()),
            }
        ),
    )
    con.execute("INSERT INTO clients SELECT * FROM clients_arrow")
    con.unregister("clients_arrow")


def events_prepare(con: Any, *, lines_sql: str, allow: Iterable[str] = ()) -> int:
    """Make ``ev`` from ``lines_sql`` (stored line columns plus ``is_new``); how many rows it has.

    ``ev`` is a view: the table ``ev_f`` holds a row per line (``rid``, unique in the round) with numbers in
    place of its path and query, user agent and referrer, and ``ev_req``, ``ev_agent`` and ``ev_ref`` hold each
    distinct value once with what the rules read of it (decoded, lower-cased). So the decoding and lower-casing
    run once per distinct value, a pattern runs over the distinct values only (see
    :func:`~jaga.traffic.detection.base.pattern_test`), and the table of lines stays narrow.
    """
    networks = networks_parse(allow)
    con.execute(f"CREATE OR REPLACE TEMP VIEW ev_src AS {lines_sql}")
    clients_table(con, source="ev_src", allow=networks)
    target = "path || CASE WHEN query <> '' THEN '?' || query ELSE '' END"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE ev_req AS
        SELECT (row_number() OVER ())::INTEGER AS req_id, path, query,
               CASE WHEN contains(path, '%') OR contains(query, '%') THEN {_decoded(target)}
                    ELSE replace(lower({target}), '+', ' ') END AS target_d,
               CASE WHEN contains(path, '%') THEN {_decoded("path")} ELSE replace(lower(path), '+', ' ') END AS path_d
        FROM (SELECT DISTINCT path, query FROM ev_src)
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE ev_agent AS
        SELECT (row_number() OVER ())::INTEGER AS agent_id, agent, lower(agent) AS agent_l
        FROM (SELECT DISTINCT agent FROM ev_src)
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE ev_ref AS
        SELECT (row_number() OVER ())::INTEGER AS ref_id, referrer, lower(referrer) AS referrer_l
        FROM (SELECT DISTINCT referrer FROM ev_src)
    """)
    methods = ", ".join(f"'{m}'" for m in HTTP_METHODS)
    con.execute("DROP VIEW IF EXISTS ev")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE ev_f AS
        SELECT e.* EXCLUDE (path, query, agent, referrer), c.subnet, c.private, r.req_id, a.agent_id, f.ref_id,
            (e.method IN ({methods}) AND regexp_full_match(e.protocol, 'HTTP/(0\\.9|1\\.0|1\\.1|2|2\\.0|3|3\\.0)')
             AND (starts_with(e.path, '/') OR (e.method = 'OPTIONS' AND e.path = '*'))) AS http_ok
        FROM ev_src e JOIN clients c USING (client)
        JOIN ev_req r ON r.path IS NOT DISTINCT FROM e.path AND r.query IS NOT DISTINCT FROM e.query
        JOIN ev_agent a ON a.agent IS NOT DISTINCT FROM e.agent
        JOIN ev_ref f ON f.referrer IS NOT DISTINCT FROM e.referrer
        WHERE NOT c.allowed
    """)
    con.execute("DROP TABLE clients; DROP VIEW ev_src")
    con.execute("""
        CREATE TEMP VIEW ev AS
        SELECT ev_f.rowid AS rid, *
        FROM ev_f JOIN ev_req USING (req_id) JOIN ev_agent USING (agent_id) JOIN ev_ref USING (ref_id)
    """)
    return int(con.execute("SELECT count(*) FROM ev_f").fetchall()[0][0])


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
