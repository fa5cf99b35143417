# ruff: noqa: S608 - SQL over DuckDB built from the format registry, paths and ints, never from a request
"""One chunk of a log, from raw text to normalised lines, in DuckDB: no Python loop over lines.

``batch_parse`` leaves two tables in the connection: ``lines`` (the normalised lines, see
:data:`LINE_COLUMNS`) and ``bad`` (reason, sample, one row per bad line). The caller writes ``lines`` to
the store and counts ``bad``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from jaga.traffic.ingest import enrich
from jaga.traffic.logformats.base import FIELDS, LogFormat, sql_quote

# The normalised line, as stored (``day`` is the partition, in the site's time zone).
LINE_COLUMNS = (
    "ts",
    "hour",
    "client",
    "user",
    "method",
    "path",
    "query",
    "protocol",
    "status",
    "bytes",
    "referrer",
    "agent",
    "vhost",
    "browser",
    "os",
    "crawler",
    "is_static",
    "country",
    "duration",
    "source_id",
    "n",
)

# GoAccess's static files, by extension.
STATIC_EXTENSIONS = (
    "css|js|jpg|jpeg|png|gif|ico|svg|webp|avif|bmp|woff|woff2|ttf|otf|eot|map|mp4|webm|ogg|mp3|wav|flv|swf|"
    "pdf|txt|csv|xml|json|zip|gz|rar|7z|tar|doc|docx|xls|xlsx|ppt|pptx|apk|exe|dmg|iso"
)
OUT_OF_ORDER_SECONDS = 600  # a line this much older than one before it is "out of order" (kept, counted)
SAMPLE_CHARS = 500

_REJECT_REASONS = {
    "LINE SIZE OVER MAXIMUM": "too_long",
    "INVALID ENCODING": "invalid_utf8",
    "INVALID UNICODE": "invalid_utf8",
}


def connection_open(*, memory_mb: int, temp_dir: Path, threads: int = 2, geo: bool = True) -> Any:
    """A DuckDB connection for the store; ``geo``: with the IPv4 country table that parsing joins."""
    import duckdb

    con = duckdb.connect(
        config={
            "memory_limit": f"{memory_mb}MB",
            "threads": threads,
            "temp_directory": str(temp_dir),
            "preserve_insertion_order": True,
        }
    )
    if not geo:
        return con
    con.register("geo_v4", enrich.geoip_ipv4_table())  # already in order of first address, not copied
    return con


def _raw_source(fmt: LogFormat, chunk: Path) -> str:
    path = sql_quote(str(chunk))
    common = (
        "header=false, auto_detect=false, ignore_errors=true, store_rejects=true, "
        "rejects_table='rejects', rejects_scan='reject_scans', max_line_size=1048576, parallel=true"
    )
    if fmt.reader == "csv":
        columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(fmt.columns))
        return f"read_csv({path}, columns={{{columns}}}, delim=' ', quote='\"', escape='\\', {common})"
    return f"read_csv({path}, columns={{'line': 'VARCHAR'}}, delim='\\x01', quote='', escape='', {common})"


def _time_sql(fmt: LogFormat, tz: str) -> str:
    if fmt.epoch:
        return "to_timestamp(try_cast(f_time AS DOUBLE))"
    tries = ", ".join(f"try_strptime(f_time, {sql_quote(f)})" for f in fmt.time_formats)
    parsed = f"coalesce({tries})" if len(fmt.time_formats) > 1 else tries
    if not fmt.time_has_zone:
        return f"timezone({sql_quote(tz)}, {parsed})"
    # A JSON time may also be seconds since 1970 (Caddy's "ts").
    return f"coalesce({parsed}, to_timestamp(try_cast(f_time AS DOUBLE)))" if fmt.reader == "json" else parsed


def _fields_sql(fmt: LogFormat, chunk: Path) -> str:
    """One row per line read: every field as text, ``matched`` (the line has the format's shape), ``line``."""
    source = _raw_source(fmt, chunk)
    selected = ", ".join(f"{fmt.fields.get(name, 'NULL')}::VARCHAR AS f_{name}" for name in FIELDS)
    if fmt.reader == "line":
        # DuckDB names the groups in their order in the pattern.
        names = re.findall(r"\(\?P<(\w+)>", fmt.regex)
        struct = "[" + ", ".join(sql_quote(n) for n in names) + "]"
        pattern = sql_quote(fmt.regex)
        return f"""
            SELECT line, regexp_full_match(line, {pattern}) AS matched, {selected}
            FROM (SELECT line, regexp_extract(line, {pattern}, {struct}) AS m FROM {source})
        """
    if fmt.reader == "json":
        selected = selected.replace("json_extract_string(line", "json_extract_string(j")
        return f"""
            SELECT line, j IS NOT NULL AS matched, {selected}
            FROM (SELECT line, CASE WHEN json_valid(line) AND starts_with(ltrim(line), '{{')
                                    THEN line::JSON END AS j FROM {source})
        """
    # The line itself is only rebuilt for the few bad ones (a sample).
    row = " || ' ' || ".join(f"coalesce(c{i}, '')" for i in range(fmt.columns))
    return f"SELECT {row} AS line, true AS matched, {selected} FROM {source}"


def batch_parse(
    con: Any, *, fmt: LogFormat, chunk: Path, tz: str, source_id: int, trusted_proxies: tuple[str, ...] = ()
) -> tuple[Any, Any]:
    """The chunk's normalised lines (an Arrow table of :data:`LINE_COLUMNS` plus ``day``) and its bad lines
    (an Arrow table of ``reason``, ``sample``). With ``trusted_proxies`` (networks), a line whose client is one
    of them gets its client from the format's forwarded-for field (see :func:`forwarded_client`)."""
    import pyarrow as pa

    con.execute("DROP TABLE IF EXISTS rejects; DROP TABLE IF EXISTS reject_scans")
    time_sql = _time_sql(fmt, tz)
    fields = _fields_sql(fmt, chunk)
    parsed = con.sql(f"""
        WITH f AS ({fields}), s AS (
            SELECT *, {time_sql} AS t, try_cast(f_status AS SMALLINT) AS status_n FROM f
        )
        SELECT
            CASE WHEN NOT matched THEN
                     CASE WHEN regexp_matches(line, '[\\x00-\\x08\\x0e-\\x1f]') THEN 'binary' ELSE 'malformed' END
                 WHEN t IS NULL THEN 'bad_time'
                 WHEN status_n IS NULL OR status_n NOT BETWEEN 100 AND 999 THEN 'malformed'
            END AS reason,
            CASE WHEN NOT matched OR t IS NULL OR status_n IS NULL OR status_n NOT BETWEEN 100 AND 999
                 THEN left(line, {SAMPLE_CHARS}) END AS sample,
            t, status_n, f_client, f_user, f_request, f_method, f_target, f_protocol, f_bytes, f_referrer, f_agent,
            f_vhost, f_duration, f_xff
        FROM s
    """).to_arrow_table()
    parsed = parsed.append_column("n", pa.array(range(1, parsed.num_rows + 1), pa.int32()))
    if trusted_proxies and "xff" in fmt.fields:
        parsed = _forwarded(con, parsed, trusted_proxies)
    con.register("parsed", parsed)
    bad = con.sql("SELECT reason, sample FROM parsed WHERE reason IS NOT NULL").to_arrow_table()
    bad = pa.concat_tables([bad, _rejects(con)])
    lines = _normalise(con, tz=tz, source_id=source_id)
    con.unregister("parsed")
    return lines, bad


def forwarded_client(client: str, forwarded: str, trusted: list[Any]) -> str:
    """The real client of a line whose ``client`` is a trusted proxy: the right-most address of the
    forwarded-for header that is not itself a trusted proxy (each proxy appends the address it heard from, and
    only the proxies' own additions can be believed). A value that is not an address stops the walk there: the
    last address believed is kept. A client that is not a trusted proxy keeps its own address whatever the
    header says (anyone can send one)."""
    import ipaddress

    def is_trusted(text: str) -> bool:
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            return False
        return any(address.version == net.version and address in net for net in trusted)

    if not is_trusted(client):
        return client
    real = client
    for item in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        try:
            ipaddress.ip_address(item)
        except ValueError:
            break
        real = item
        if not is_trusted(item):
            break
    return real


def _forwarded(con: Any, parsed: Any, trusted_proxies: tuple[str, ...]) -> Any:
    """``parsed`` with each line from a trusted proxy given its real client (once per distinct pair)."""
    import ipaddress

    import pyarrow as pa

    trusted = [ipaddress.ip_network(n, strict=False) for n in trusted_proxies]
    con.register("parsed_raw", parsed)
    pairs = con.sql(
        "SELECT DISTINCT f_client, f_xff FROM parsed_raw WHERE f_xff IS NOT NULL AND f_xff NOT IN ('', '-')"
    ).fetchall()
    resolved = [(c, x, forwarded_client(c, x, trusted)) for c, x in pairs if c is not None]
    changed = [row for row in resolved if row[2] != row[0]]
    if not changed:
        con.unregister("parsed_raw")
        return parsed
    con.register(
        "forwarded_arrow",
        pa.table(
            {
                "client": pa.array([r[0] for r in changed], pa.string()),
                "xff": pa.array([r[1] for r in changed], pa.string()),
                "real": pa.array([r[2] for r in changed], pa.string()),
            }
        ),
    )
    result = con.sql("""
        SELECT p.* REPLACE (coalesce(f.real, p.f_client) AS f_client)
        FROM parsed_raw p LEFT JOIN forwarded_arrow f ON f.client = p.f_client AND f.xff = p.f_xff
        ORDER BY p.n
    """).to_arrow_table()
    con.unregister("forwarded_arrow")
    con.unregister("parsed_raw")
    return result


def _rejects(con: Any) -> Any:
    """Lines DuckDB's reader refused (too many or too few columns, bad encoding, too long), once each."""
    import pyarrow as pa

    cases = " ".join(f"WHEN error_type = {sql_quote(k)} THEN {sql_quote(v)}" for k, v in _REJECT_REASONS.items())
    try:
        return con.sql(f"""
            SELECT CASE {cases}
                        WHEN regexp_matches(coalesce(csv_line, ''), '[\\x00-\\x08\\x0e-\\x1f]') THEN 'binary'
                        ELSE 'malformed' END AS reason,
                   left(coalesce(csv_line, ''), {SAMPLE_CHARS}) AS sample
            FROM (SELECT DISTINCT ON (line) line, error_type, csv_line FROM rejects ORDER BY line)
        """).to_arrow_table()
    except Exception as exc:  # no rejects table: the reader refused nothing
        if "rejects" not in str(exc).lower():
            raise
        return pa.table({"reason": pa.array([], pa.string()), "sample": pa.array([], pa.string())})


def _normalise(con: Any, *, tz: str, source_id: int) -> Any:
    import pyarrow as pa

    agents = [
        row[0] for row in con.sql("SELECT DISTINCT coalesce(f_agent, '') FROM parsed WHERE reason IS NULL").fetchall()
    ]
    con.register("agents_arrow", enrich.agents_table(agents))
    v6 = [
        row[0]
        for row in con.sql(
            "SELECT DISTINCT f_client FROM parsed WHERE reason IS NULL AND contains(f_client, ':')"
        ).fetchall()
    ]
    con.register(
        "v6_arrow",
        pa.table(
            {
                "client": pa.array(v6, pa.string()),
                "country": pa.array([enrich.country_ipv6(a) for a in v6], pa.string()),
            }
        ),
    )
    # Countries per distinct IPv4 address (an ASOF join over the range starts), then joined back.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE v4 AS
        WITH a AS (
            SELECT DISTINCT f_client AS client FROM parsed
            WHERE reason IS NULL AND regexp_full_match(f_client, '[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}')
        ), n AS (
            SELECT client, list_reduce(string_split(client, '.')::BIGINT[], lambda x, y: x * 256 + y) AS ip_int FROM a
        )
        SELECT n.client, CASE WHEN n.ip_int <= g.last_ip THEN g.country END AS country
        FROM n ASOF LEFT JOIN geo_v4 g ON n.ip_int >= g.first_ip
    """)
    static = sql_quote(f"\\.({STATIC_EXTENSIONS})$")
    zone = sql_quote(tz)
    lines = con.sql(f"""
        WITH g AS (
            SELECT *, CASE WHEN f_request IS NOT NULL THEN string_split(f_request, ' ') END AS req
            FROM parsed WHERE reason IS NULL
        ), r AS (
            SELECT *,
                coalesce(f_method, req[1], '') AS method,
                coalesce(f_protocol, CASE WHEN len(req) >= 3 AND starts_with(req[-1], 'HTTP/') THEN req[-1] END, '')
                    AS protocol,
                coalesce(f_target, CASE WHEN len(req) >= 3 AND starts_with(req[-1], 'HTTP/')
                                       THEN array_to_string(req[2:len(req) - 1], ' ')
                                       ELSE array_to_string(req[2:], ' ') END, '') AS target,
                timezone({zone}, t) AS local_t
            FROM g
        )
        SELECT r.t AS ts,
            hour(r.local_t)::TINYINT AS hour,
            CAST(r.local_t AS DATE) AS day,
            coalesce(r.f_client, '') AS client,
            CASE WHEN r.f_user IN ('-', '') OR r.f_user IS NULL THEN '' ELSE r.f_user END AS user,
            r.method,
            split_part(r.target, '?', 1) AS path,
            CASE WHEN contains(r.target, '?') THEN substr(r.target, strpos(r.target, '?') + 1) ELSE '' END AS query,
            r.protocol,
            r.status_n AS status,
            coalesce(try_cast(r.f_bytes AS BIGINT), 0) AS bytes,
            CASE WHEN r.f_referrer IN ('-', '') OR r.f_referrer IS NULL THEN '' ELSE r.f_referrer END AS referrer,
            CASE WHEN r.f_agent = '-' OR r.f_agent IS NULL THEN '' ELSE r.f_agent END AS agent,
            coalesce(r.f_vhost, '') AS vhost,
            coalesce(a.browser, '') AS browser, coalesce(a.os, '') AS os, coalesce(a.crawler, '') AS crawler,
            regexp_matches(lower(split_part(r.target, '?', 1)), {static}) AS is_static,
            coalesce(v4.country, v6.country, '') AS country,
            try_cast(r.f_duration AS DOUBLE) AS duration,
            {int(source_id)}::INTEGER AS source_id,
            r.n
        FROM r
        LEFT JOIN agents_arrow a ON a.agent = coalesce(r.f_agent, '')
        LEFT JOIN v4 ON v4.client = r.f_client
        LEFT JOIN v6_arrow v6 ON v6.client = r.f_client
    """).to_arrow_table()
    con.unregister("agents_arrow")
    con.unregister("v6_arrow")
    con.execute("DROP TABLE v4")
    return lines


def out_of_order_count(con: Any, lines: Any) -> int:
    con.register("ooo_lines", lines)
    row = con.execute(f"""
        SELECT count(*) FROM (
            SELECT ts, max(ts) OVER (ORDER BY n ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
            FROM ooo_lines)
        WHERE ts < before - INTERVAL {OUT_OF_ORDER_SECONDS} SECOND
    """).fetchone()
    return int(row[0]) if row else 0
