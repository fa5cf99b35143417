# ruff: noqa: S608 - SQL over DuckDB built from the format registry, paths and ints, never from a request
"""One chunk of a log, from raw text to normalised lines, in DuckDB: no Python loop over lines.

``batch_parse`` returns two Arrow tables: ``lines`` (the normalised lines, see :data:`LINE_COLUMNS`, the
repeated texts dictionary-encoded) and ``bad`` (reason, sample, one row per bad line). The caller writes
``lines`` to the store and counts ``bad``. It is two steps, :func:`batch_read` (DuckDB, the text to the
lines) and :func:`batch_enrich` (Arrow and Python, per distinct value), which the ingestion runs for two
chunks at once, on both cores.
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
_STATIC = re.compile(rf"\.({STATIC_EXTENSIONS})\Z")
OUT_OF_ORDER_SECONDS = 600  # a line this much older than one before it is "out of order" (kept, counted)
SAMPLE_CHARS = 500
# The texts that repeat from line to line, kept dictionary-encoded (each distinct value once per chunk).
_DICTIONARY = ("client", "user", "method", "path", "query", "protocol", "referrer", "agent", "vhost")

_REJECT_REASONS = {
    "LINE SIZE OVER MAXIMUM": "too_long",
    "INVALID ENCODING": "invalid_utf8",
    "INVALID UNICODE": "invalid_utf8",
}


def connection_open(*, memory_mb: int, temp_dir: Path, threads: int = 2, geo: bool = True) -> Any:
    """A DuckDB connection for the store. (``geo`` is no longer used: countries are found in Arrow, per
    distinct address, see :func:`enrich.countries`.)"""
    import duckdb

    return duckdb.connect(
        config={
            "memory_limit": f"{memory_mb}MB",
            "threads": threads,
            "temp_directory": str(temp_dir),
            "preserve_insertion_order": True,
        }
    )


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
    """One row per line read: every field as text, ``matched`` (the line has the format's shape), and the line
    itself as :func:`_line_sql` gives it."""
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
    columns = ", ".join(f"c{i}" for i in range(fmt.columns))
    return f"SELECT {columns}, true AS matched, {selected} FROM {source}"


def _line_sql(fmt: LogFormat) -> str:
    """The line's text, for the sample of a bad one: a CSV line is rebuilt from its columns, which is only done
    inside the CASE of a bad line (rebuilding every line took 0.9 CPU s a million lines)."""
    if fmt.reader != "csv":
        return "line"
    return " || ' ' || ".join(f"coalesce(c{i}, '')" for i in range(fmt.columns))


def batch_parse(
    con: Any, *, fmt: LogFormat, chunk: Path, tz: str, source_id: int, trusted_proxies: tuple[str, ...] = ()
) -> tuple[Any, Any]:
    """The chunk's normalised lines (an Arrow table of :data:`LINE_COLUMNS` plus ``day``) and its bad lines
    (an Arrow table of ``reason``, ``sample``): :func:`batch_read`, then :func:`batch_enrich`."""
    lines, bad = batch_read(con, fmt=fmt, chunk=chunk, tz=tz, source_id=source_id, trusted_proxies=trusted_proxies)
    return batch_enrich(lines), bad


def batch_read(
    con: Any, *, fmt: LogFormat, chunk: Path, tz: str, source_id: int, trusted_proxies: tuple[str, ...] = ()
) -> tuple[Any, Any]:
    """The chunk's lines as the text gives them (without browser, OS, crawler and country) and its bad lines.
    With ``trusted_proxies`` (networks), a line whose client is one of them gets its client from the format's
    forwarded-for field (see :func:`forwarded_client`).

    One query reads the text and normalises every line, straight into Arrow (the fields are never held as a
    table of their own: copying a million lines' texts is what costs). Only ``con`` is used, and DuckDB lets go
    of Python's lock while it works: the ingestion reads the next chunk here, in a thread, while it enriches
    and writes the one before.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    con.execute("DROP TABLE IF EXISTS rejects; DROP TABLE IF EXISTS reject_scans")
    forwarded = bool(trusted_proxies) and "xff" in fmt.fields
    parsed = con.sql(_parse_sql(fmt, chunk, tz=tz, source_id=source_id, xff=forwarded)).to_arrow_table()
    parsed = parsed.append_column("n", _numbers(parsed.column(0)))
    if parsed.column("reason").null_count == parsed.num_rows:  # no bad line: nothing to filter out here
        # (:func:`batch_enrich` copies every column out of DuckDB's result, in the thread that has time for it)
        bad = _rejects(con)
        lines = parsed.drop_columns(["reason", "sample"])
    else:
        bad_mask = pc.is_valid(parsed.column("reason"))
        bad = pa.concat_tables([parsed.filter(bad_mask).select(["reason", "sample"]), _rejects(con)])
        lines = parsed.filter(pc.invert(bad_mask)).drop_columns(["reason", "sample"])
    if forwarded:
        lines = _forwarded(con, lines, trusted_proxies).drop_columns(["xff"])
    return lines, bad


def _numbers(column: Any) -> Any:
    """1, 2, 3... for each row, in the same chunks as ``column`` (every column of a batch has one layout)."""
    import pyarrow as pa

    chunks, start = [], 1
    for chunk in column.chunks:
        chunks.append(arange(len(chunk), start=start))
        start += len(chunk)
    return pa.chunked_array(chunks, pa.int32())


def arange(count: int, *, start: int = 0) -> Any:
    """``start``, ``start`` + 1, ... (``count`` of them, int32) in Arrow: the positions of ``count`` trues, shifted
    (``pa.array(range(...))`` goes through Python objects: 0.08 s per million, a running sum 0.03-0.05)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    positions = pc.indices_nonzero(pa.repeat(True, count))
    return (pc.add(positions, start) if start else positions).cast(pa.int32())


def _parse_sql(fmt: LogFormat, chunk: Path, *, tz: str, source_id: int, xff: bool) -> str:
    """The query from the chunk's text to one row per line: ``reason`` and ``sample`` for a bad line, else the
    normalised columns (without browser, OS, crawler and country: see :func:`batch_enrich`)."""
    fields = _fields_sql(fmt, chunk)
    time_sql = _time_sql(fmt, tz)
    line = _line_sql(fmt)
    zone = sql_quote(tz)
    bad = "NOT matched OR t IS NULL OR status_n IS NULL OR status_n NOT BETWEEN 100 AND 999"
    return f"""
        WITH f AS ({fields}), s AS (
            SELECT *, {time_sql} AS t, try_cast(f_status AS SMALLINT) AS status_n FROM f
        ), g AS (
            SELECT *, CASE WHEN f_request IS NOT NULL THEN string_split(f_request, ' ') END AS req,
                   {bad} AS is_bad
            FROM s
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
        SELECT
            CASE WHEN NOT matched THEN
                     CASE WHEN regexp_matches({line}, '[\\x00-\\x08\\x0e-\\x1f]') THEN 'binary' ELSE 'malformed' END
                 WHEN t IS NULL THEN 'bad_time'
                 WHEN is_bad THEN 'malformed'
            END AS reason,
            CASE WHEN is_bad THEN left({line}, {SAMPLE_CHARS}) END AS sample,
            t AS ts,
            hour(local_t)::TINYINT AS hour,
            CAST(local_t AS DATE) AS day,
            coalesce(f_client, '') AS client,
            CASE WHEN f_user IN ('-', '') OR f_user IS NULL THEN '' ELSE f_user END AS user,
            method,
            split_part(target, '?', 1) AS path,
            CASE WHEN contains(target, '?') THEN substr(target, strpos(target, '?') + 1) ELSE '' END AS query,
            protocol,
            status_n AS status,
            coalesce(try_cast(f_bytes AS BIGINT), 0) AS bytes,
            CASE WHEN f_referrer IN ('-', '') OR f_referrer IS NULL THEN '' ELSE f_referrer END AS referrer,
            CASE WHEN f_agent = '-' OR f_agent IS NULL THEN '' ELSE f_agent END AS agent,
            coalesce(f_vhost, '') AS vhost,
            try_cast(f_duration AS DOUBLE) AS duration,
            {int(source_id)}::INTEGER AS source_id
            {", f_xff AS xff" if xff else ""}
        FROM r
    """


def _dictionary(column: Any) -> Any:
    """The column dictionary-encoded, with one dictionary for all its chunks."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not pa.types.is_dictionary(column.type):
        column = pc.dictionary_encode(column)
    return column.unify_dictionaries() if isinstance(column, pa.ChunkedArray) else column


def _copied(column: Any) -> Any:
    """The column in buffers of its own. The arrays DuckDB hands over share one allocation with the rest of
    its result (the texts too), which a kept column would keep alive: 915 MB at the peak of a million lines
    instead of 636."""
    import pyarrow as pa

    # Chunk by chunk: the columns keep one layout (the texts' dictionaries are per chunk too).
    return pa.chunked_array([pa.concat_arrays([chunk]) for chunk in column.chunks], column.type)


def _mapped(column: Any, values: Any) -> Any:
    """A dictionary column of what each line's value maps to (``values``: one per entry of the column's
    dictionary), found without looking at the lines. Its dictionary holds each distinct value once (a chunk's
    25,000 addresses have a few dozen countries): its files are smaller and quicker to write and read."""
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(values)
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    return pa.chunked_array(
        [pa.DictionaryArray.from_arrays(encoded.indices.take(c.indices), encoded.dictionary) for c in chunks],
        pa.dictionary(pa.int32(), values.type),
    )


def batch_enrich(lines: Any) -> Any:
    """``lines`` (from :func:`batch_read`) with browser, OS and crawler (per distinct user agent) and country
    (per distinct address), in the order of :data:`LINE_COLUMNS` plus ``day``, the repeated texts
    dictionary-encoded: each is found on the columns' dictionaries and mapped back through the indices."""
    import pyarrow as pa

    columns = {name: lines.column(name) for name in lines.column_names}
    for name in _DICTIONARY:
        columns[name] = _dictionary(columns[name])
    for name in set(columns) - set(_DICTIONARY):
        columns[name] = _copied(columns[name])
    agents = columns["agent"].chunk(0).dictionary if columns["agent"].num_chunks else pa.array([], pa.string())
    described = enrich.agents_table(agents.to_pylist())  # one row per distinct agent, in the dictionary's order
    for name in ("browser", "os", "crawler"):
        columns[name] = _mapped(columns["agent"], described.column(name).combine_chunks())
    paths = columns["path"].chunk(0).dictionary.to_pylist() if columns["path"].num_chunks else []
    columns["is_static"] = _mapped(columns["path"], pa.array([bool(_STATIC.search(p.lower())) for p in paths]))
    clients = columns["client"].chunk(0).dictionary if columns["client"].num_chunks else pa.array([], pa.string())
    columns["country"] = _mapped(columns["client"], enrich.countries(clients))
    columns["is_static"] = columns["is_static"].cast(pa.bool_())
    return pa.table({name: columns[name] for name in (*LINE_COLUMNS, "day")})


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


def _forwarded(con: Any, lines: Any, trusted_proxies: tuple[str, ...]) -> Any:
    """``lines`` (with the forwarded-for field as ``xff``) with each line from a trusted proxy given its real
    client (worked out once per distinct pair)."""
    import ipaddress

    import pyarrow as pa

    trusted = [ipaddress.ip_network(n, strict=False) for n in trusted_proxies]
    con.register("parsed_raw", lines)
    pairs = con.sql(
        "SELECT DISTINCT client, xff FROM parsed_raw WHERE xff IS NOT NULL AND xff NOT IN ('', '-')"
    ).fetchall()
    resolved = [(c, x, forwarded_client(c, x, trusted)) for c, x in pairs if c is not None]
    changed = [row for row in resolved if row[2] != row[0]]
    if not changed:
        con.unregister("parsed_raw")
        return lines
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
        SELECT p.* REPLACE (coalesce(f.real, p.client) AS client)
        FROM parsed_raw p LEFT JOIN forwarded_arrow f ON f.client = p.client AND f.xff = p.xff
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


def out_of_order_count(con: Any, lines: Any) -> int:
    """How many of ``lines`` (in their order in the log) are older by OUT_OF_ORDER_SECONDS than a line before."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if lines.num_rows < 2:
        return 0
    ts = lines.column("ts")
    micros = pc.cast(pc.cast(ts, pa.timestamp("us", tz=ts.type.tz)), pa.int64())
    before = pc.cumulative_max(micros).slice(0, lines.num_rows - 1)
    late = pc.less(micros.slice(1), pc.subtract(before, OUT_OF_ORDER_SECONDS * 1_000_000))
    return int(pc.sum(late).as_py() or 0)
