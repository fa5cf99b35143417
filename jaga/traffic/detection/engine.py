# ruff: noqa: S608 - SQL over DuckDB built from validated rules, paths and ints, never from a request
"""The detection engine: lines in, findings out, every rule over one prepared narrow table ``ev_f``.

``events_prepare`` numbers each line's texts (client, path and query, user agent, referrer) by their distinct
values, decodes each distinct path and query until stable (``%252e%252e`` is ``..``), lower-cases them and the
user agents, gives each client its subnet (/24 for IPv4, /64 for IPv6) and drops the clients on the
allow-list; ``findings_run`` asks each rule's kind for its findings (all of a kind's rules at once where the
kind can). The caller says which lines are new
(``is_new``): the others are context for the buckets (a slow brute force spans several rounds), never
counted again.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from jaga.traffic.detection import RULE_KINDS
from jaga.traffic.detection.base import Finding, Rule
from jaga.traffic.ingest.pipeline import arange

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
        CREATE OR REPLACE TABLE clients AS
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


# The stored columns a round reads (``is_new`` besides): what the rules, the samples and the evaluation use.
SOURCE_COLUMNS = (
    "ts",
    "client",
    "method",
    "path",
    "query",
    "protocol",
    "status",
    "referrer",
    "agent",
    "is_static",
    "n",
)


def _text(chunk: Any) -> Any:
    """``chunk`` as plain text or as a dictionary of plain text (Arrow ``string``)."""
    if pa.types.is_dictionary(chunk.type):
        if chunk.type.value_type != pa.string():
            chunk = chunk.cast(pa.dictionary(chunk.type.index_type, pa.string()))
        return chunk
    return chunk if chunk.type == pa.string() else chunk.cast(pa.string())


def _numbered(chunks: list[Any]) -> tuple[Any, Any]:
    """(each row's number, the distinct values in order) of a text column's ``chunks``: numbers follow the
    values' order (byte order, null last), so ordering or taking the least by number is ordering by the text.

    Every chunk becomes a dictionary (the round's new lines keep their repeated texts so already, one dictionary
    per ingested chunk) and Arrow unifies the dictionaries in one pass: the distinct values once, each chunk's
    indices moved onto them (a million lines in 39 chunks: 0.06 s, where finding each chunk's values among the
    distinct ones took 0.4)."""
    kind = pa.dictionary(pa.int32(), pa.string())
    encoded = [
        (c if pa.types.is_dictionary(c.type) else pc.dictionary_encode(c)).cast(kind)
        for c in (_text(chunk) for chunk in chunks)
    ] or [pa.array([], pa.string()).dictionary_encode().cast(kind)]
    if any(c.dictionary.null_count for c in encoded):  # a null among the values: as a missing value instead
        encoded = [pc.dictionary_encode(c.cast(pa.string())).cast(kind) for c in encoded]
    unified = pa.chunked_array(encoded, kind).unify_dictionaries()
    values = unified.chunk(0).dictionary
    indices = pa.concat_arrays([c.indices for c in unified.chunks])
    if indices.null_count:
        values = pa.concat_arrays([values, pa.nulls(1, pa.string())])
        indices = pc.fill_null(indices, len(values) - 1)
    order = pc.array_sort_indices(values, null_placement="at_end")
    rank = pc.array_sort_indices(order).cast(pa.int32())  # the inverse permutation: a value's place in order
    return rank.take(indices), values.take(order)


def _chunks(parts: list[Any], name: str) -> list[Any]:
    return [chunk for part in parts for chunk in part.column(name).chunks]


def _same(parts: list[Any], name: str) -> Any:
    """One column of every part, as the first part types it."""
    kind = parts[0].schema.field(name).type
    return pa.chunked_array([c if c.type == kind else c.cast(kind) for c in _chunks(parts, name)], kind)


def _table_put(con: Any, name: str, table: Any, select: str = "*", where: str = "true") -> None:
    con.register(f"{name}_arrow", table)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT {select} FROM {name}_arrow WHERE {where}")
    finally:
        con.unregister(f"{name}_arrow")


def _clients_described(con: Any, clients: Any, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> Any:
    """Make ``ev_client`` (see :func:`events_prepare`) of the round's distinct ``clients`` (in order), on a cursor
    of its own; each one's ``subnet_id``, ``private`` and ``allowed``, in that order."""
    cursor = con.cursor()
    try:
        _table_put(cursor, "ev_clients_in", pa.table({"client_id": arange(len(clients)), "client": clients}))
        clients_table(cursor, source="ev_clients_in", allow=networks)
        cursor.execute("""
            CREATE OR REPLACE TABLE ev_client AS
            SELECT i.client_id, i.client, c.subnet,
                   (dense_rank() OVER (ORDER BY c.subnet) - 1)::INTEGER AS subnet_id,
                   coalesce(c.private, false) AS private, coalesce(c.allowed, false) AS allowed
            FROM ev_clients_in i LEFT JOIN clients c ON c.client = i.client
            ORDER BY i.client_id
        """)
        cursor.execute("DROP TABLE clients; DROP TABLE ev_clients_in")
        return cursor.sql("SELECT subnet_id, private, allowed FROM ev_client ORDER BY client_id").to_arrow_table()
    finally:
        cursor.close()


def events_prepare(
    con: Any,
    *,
    lines_sql: str | None = None,
    lines: list[Any] | None = None,
    allow: Iterable[str] = (),
    skip_agents: Iterable[str] = (),
) -> int:
    """Make ``ev_f`` and ``ev`` from ``lines`` (Arrow tables of :data:`SOURCE_COLUMNS` and ``is_new``; a text
    column may be a dictionary) or ``lines_sql`` (the same as SQL); how many lines (allowed clients left out)
    they hold.

    Lines of the allow-list's clients are left out, and with ``skip_agents`` (Jaga's own probe) the lines of
    those agents and those without one.

    ``ev_f`` holds a row per line (``rid``: its place among the lines given, with gaps where lines are left
    out) with numbers in place of its texts: ``client_id`` and ``subnet_id``, ``req_id`` (path and query),
    ``pathd_id``, ``targetd_id``, ``query_id`` (the decoded path, the decoded target, the raw query),
    ``agent_id``, ``ref_id``, ``method_id``, besides ``ts``, ``method``, ``status``, ``is_static``, ``http_ok``,
    ``private``, ``n``, ``is_new``. The tables ``ev_client``, ``ev_req``,
    ``ev_agent`` and ``ev_ref`` hold each distinct value once with what the rules read of it (decoded,
    lower-cased), so the decoding and the patterns run once per distinct value (see
    :func:`~jaga.traffic.detection.base.pattern_test`) and a rule's filter and groups are numbers over the
    narrow table. Each number follows its text's order. ``ev`` is the lines with their texts (a view), for
    the few rows a rule shows and for the evaluation. They are tables of the connection's database (its own, in
    memory), not TEMP ones, so that a kind can read them from cursors of its own (see :mod:`.bucket`).
    """
    if lines is None:
        columns = ", ".join((*SOURCE_COLUMNS, "is_new"))
        lines = [con.sql(f"SELECT {columns} FROM ({lines_sql})").to_arrow_table()]
    parts = [part for part in lines if part.num_rows] or lines[:1]
    networks = networks_parse(allow)
    texts = ("client", "path", "query", "agent", "referrer", "method", "protocol")
    client_id, clients = _numbered(_chunks(parts, "client"))
    # The clients are described by DuckDB, in a thread, while the other texts are numbered here.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="jaga-clients") as pool:
        described = pool.submit(_clients_described, con, clients, networks)
        numbered = {name: _numbered(_chunks(parts, name)) for name in texts if name != "client"}
        (path_id, paths), (query_id, queries) = numbered["path"], numbered["query"]
        pair = pc.dictionary_encode(
            pc.add(pc.multiply(path_id.cast(pa.int64()), len(queries)), query_id.cast(pa.int64()))
        )
        per_client = described.result()
    order = pc.array_sort_indices(pair.dictionary)
    pairs = pair.dictionary.take(order)  # each (path, query) once, in order
    req_id = pc.array_sort_indices(order).cast(pa.int32()).take(pair.indices)
    pair_path = pc.divide(pairs, len(queries))
    pair_query = pc.subtract(pairs, pc.multiply(pair_path, len(queries)))
    target = "path || CASE WHEN query <> '' THEN '?' || query ELSE '' END"
    _table_put(
        con,
        "ev_req_in",
        pa.table(
            {
                "req_id": arange(len(pairs)),
                "path": paths.take(pair_path),
                "query": queries.take(pair_query),
                "query_id": pair_query.cast(pa.int32()),
            }
        ),
    )
    con.execute(f"""
        CREATE OR REPLACE TABLE ev_req AS
        SELECT req_id, path, query, query_id, target_d, path_d,
               (dense_rank() OVER (ORDER BY path_d) - 1)::INTEGER AS pathd_id,
               (dense_rank() OVER (ORDER BY target_d) - 1)::INTEGER AS targetd_id
        FROM (
            SELECT req_id, path, query, query_id,
                   CASE WHEN contains(path, '%') OR contains(query, '%') THEN {_decoded(target)}
                        ELSE replace(lower({target}), '+', ' ') END AS target_d,
                   CASE WHEN contains(path, '%') THEN {_decoded("path")} ELSE replace(lower(path), '+', ' ') END
                       AS path_d
            FROM ev_req_in
        )
        ORDER BY req_id
    """)
    con.execute("DROP TABLE ev_req_in")
    per_req = con.sql(
        "SELECT pathd_id, targetd_id, starts_with(path, '/') AS slash, path = '*' AS star FROM ev_req ORDER BY req_id"
    ).to_arrow_table()
    (agent_id, agents), (ref_id, referrers) = numbered["agent"], numbered["referrer"]
    (method_id, methods), (protocol_id, protocols) = numbered["method"], numbered["protocol"]
    _table_put(
        con, "ev_agent", pa.table({"agent_id": arange(len(agents)), "agent": agents}), "*, lower(agent) AS agent_l"
    )
    _table_put(
        con,
        "ev_ref",
        pa.table({"ref_id": arange(len(referrers)), "referrer": referrers}),
        "*, lower(referrer) AS referrer_l",
    )
    method_ok = pc.is_in(methods, value_set=pa.array(HTTP_METHODS, pa.string()))
    options = pc.equal(methods, "OPTIONS")
    protocol_ok = pc.match_substring_regex(protocols, "^HTTP/(0\\.9|1\\.0|1\\.1|2|2\\.0|3|3\\.0)$")
    slash = per_req.column("slash").combine_chunks().take(req_id)
    star = per_req.column("star").combine_chunks().take(req_id)
    http_ok = pc.and_kleene(
        pc.and_kleene(method_ok.take(method_id), protocol_ok.take(protocol_id)),
        pc.or_kleene(slash, pc.and_kleene(options.take(method_id), star)),
    )
    skip_agents = tuple(skip_agents)
    frame = pa.table(
        {
            "ts": _same(parts, "ts"),
            "client_id": client_id,
            "subnet_id": per_client.column("subnet_id").combine_chunks().take(client_id),
            "private": per_client.column("private").combine_chunks().take(client_id),
            "req_id": req_id,
            "pathd_id": per_req.column("pathd_id").combine_chunks().take(req_id),
            "targetd_id": per_req.column("targetd_id").combine_chunks().take(req_id),
            "query_id": query_id,
            "agent_id": agent_id,
            "ref_id": ref_id,
            "method_id": method_id,
            "method": pa.DictionaryArray.from_arrays(method_id, methods),  # not copied here: DuckDB copies it
            "status": _same(parts, "status"),
            "is_static": _same(parts, "is_static"),
            "http_ok": pc.fill_null(http_ok, False),
            "n": _same(parts, "n"),
            "is_new": _same(parts, "is_new"),
        }
    )
    # Left out: the allow-list's clients, and with ``skip_agents`` (Jaga's own probe) those agents' lines and
    # the lines without an agent (as SQL's ``agent <> probe`` leaves them out).
    drop = per_client.column("allowed").combine_chunks().take(client_id)
    if skip_agents:
        skipped = pc.fill_null(pc.is_in(agents, value_set=pa.array(list(skip_agents), pa.string())), True)
        drop = pc.or_(drop, skipped.take(agent_id))
    frame = frame.add_column(0, "rid", arange(frame.num_rows))
    con.execute("DROP VIEW IF EXISTS ev")
    # A table, not the Arrow registered: the rules read it many times. The lines left out are left out by DuckDB
    # while it copies (filtering the Arrow table first copied every column once more: 0.06 s a million lines), in
    # any order (both cores copy; each rule orders what it reads, ``rid`` last: 0.05 s less a million lines).
    (kept_order,) = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()
    con.execute("SET preserve_insertion_order = false")
    try:
        _table_put(con, "ev_f", frame.append_column("dropped", drop), "* EXCLUDE (dropped)", where="NOT dropped")
    finally:
        con.execute(f"SET preserve_insertion_order = {bool(kept_order)}")
    con.execute("""
        CREATE VIEW ev AS
        SELECT f.*, c.client, c.subnet, r.path, r.query, r.target_d, r.path_d, a.agent, a.agent_l,
               x.referrer, x.referrer_l
        FROM ev_f f JOIN ev_client c USING (client_id) JOIN ev_req r USING (req_id) JOIN ev_agent a USING (agent_id)
        JOIN ev_ref x USING (ref_id)
    """)
    return int(frame.num_rows) - int(pc.sum(drop).as_py() or 0)


def findings_run(con: Any, rules: Iterable[Rule]) -> list[tuple[Rule, Finding]]:
    """Every rule's findings over ``ev_f``, in rule order. A kind that can (``findings_all``) answers for all
    its rules at once."""
    rules = list(rules)
    answers: dict[int, list[Finding]] = {}
    by_kind: dict[str, list[int]] = {}
    for index, rule in enumerate(rules):
        by_kind.setdefault(rule.kind, []).append(index)
    for kind_key, indexes in by_kind.items():
        kind = RULE_KINDS.get(kind_key)
        many = getattr(kind, "findings_all", None)
        if many is not None:
            for index, found in zip(indexes, many(con, [rules[i] for i in indexes]), strict=True):
                answers[index] = found
        else:
            for index in indexes:
                answers[index] = kind.findings(con, rules[index])
    return [(rule, finding) for index, rule in enumerate(rules) for finding in answers[index]]


def lines_matching(con: Any, rule: Rule) -> set[int]:
    """The ``n`` of every line that the rule's filter takes (rule tests, line-labelled cases)."""
    where = RULE_KINDS.get(rule.kind).line_filter(rule)
    return {int(row[0]) for row in con.execute(f"SELECT n FROM ev_f WHERE {where}").fetchall()}
