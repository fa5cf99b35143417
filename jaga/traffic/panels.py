# ruff: noqa: S608 - SQL over DuckDB built from the panel registry, paths, dates and ints, never from a request
"""The analytics panels (reads of the Parquet store): GoAccess's, plus 403 and 5xx, the latest lines and a
comparison with the previous period of the same length.

Each panel is one SQL aggregate over the site's lines in a date range (the day partitions outside the range
are never opened). Days whose lines retention deleted count through their :class:`TrafficDay` in the summary
figures and the per-day panel; the other panels show only the days that still have lines.
``panels_read`` answers every panel at once from one DuckDB connection; the web page, the CSV download and
the API all read it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from jaga.core.models import Site
from jaga.traffic import crawlers, s3store
from jaga.traffic.ingest import store
from jaga.traffic.logformats.base import sql_quote
from jaga.traffic.models import TrafficDay

TOP = 20
LATEST = 30
# A unique visitor, as GoAccess counts one: the same address, day and user agent.
VISITOR = "client || '|' || CAST(day AS VARCHAR) || '|' || agent"
# The columns the panels read, loaded once per range (not once per panel): the partition's ``day`` and the stored
# line's columns (:data:`jaga.traffic.ingest.pipeline.LINE_COLUMNS`) but these. ``visitor`` is a 64-bit hash of
# :data:`VISITOR`'s three parts, counted instead of the joined text (a collision among a million visitors has a
# chance of about one in ten million).
_UNREAD = ("user", "protocol", "duration", "source_id", "n")


def _names() -> list[str]:
    from jaga.traffic.ingest.pipeline import LINE_COLUMNS  # with pyarrow: only where the lines are read

    return ["day", *(name for name in LINE_COLUMNS if name not in _UNREAD)]


@dataclass(frozen=True)
class PanelSpec:
    key: str
    title: StrOrPromise
    columns: tuple[StrOrPromise, ...]
    sql: str  # over the relation ``l``; selects the columns in order
    chart: bool = False  # the first numeric column is drawn as bars


PANELS: tuple[PanelSpec, ...] = (
    PanelSpec(
        "daily",
        _("Pengunjung dan permintaan per hari"),
        (_("Tanggal"), _("Permintaan"), _("Pengunjung unik"), _("Data (MB)")),
        "SELECT CAST(day AS VARCHAR), count(*), count(DISTINCT visitor), round(sum(bytes) / 1048576.0, 1) "
        "FROM l GROUP BY day ORDER BY day",
        chart=True,
    ),
    PanelSpec(
        "hourly",
        _("Sebaran per jam"),
        (_("Jam"), _("Permintaan"), _("Pengunjung unik")),
        "SELECT lpad(CAST(hour AS VARCHAR), 2, '0') || '.00', count(*), count(DISTINCT visitor) "
        "FROM l GROUP BY hour ORDER BY hour",
        chart=True,
    ),
    PanelSpec(
        "pages",
        _("Halaman yang diminta"),
        (_("Halaman"), _("Permintaan"), _("Pengunjung unik")),
        f"SELECT path, count(*) AS c, count(DISTINCT visitor) FROM l WHERE NOT is_static AND status < 400 "
        f"GROUP BY path ORDER BY c DESC, path LIMIT {TOP}",
    ),
    PanelSpec(
        "static",
        _("Berkas statis"),
        (_("Berkas"), _("Permintaan"), _("Data (MB)")),
        "SELECT path, count(*) AS c, round(sum(bytes) / 1048576.0, 2) FROM l WHERE is_static AND status < 400 "
        f"GROUP BY path ORDER BY c DESC, path LIMIT {TOP}",
    ),
    PanelSpec(
        "not_found",
        _("Alamat tidak ditemukan (404)"),
        (_("Alamat"), _("Permintaan"), _("Alamat klien")),
        "SELECT path, count(*) AS c, count(DISTINCT client) FROM l WHERE status = 404 "
        f"GROUP BY path ORDER BY c DESC, path LIMIT {TOP}",
    ),
    PanelSpec(
        "forbidden",
        _("Ditolak (403)"),
        (_("Alamat"), _("Permintaan"), _("Alamat klien")),
        "SELECT path, count(*) AS c, count(DISTINCT client) FROM l WHERE status = 403 "
        f"GROUP BY path ORDER BY c DESC, path LIMIT {TOP}",
    ),
    PanelSpec(
        "errors",
        _("Galat server (5xx)"),
        (_("Alamat"), _("Status"), _("Permintaan")),
        "SELECT path, status, count(*) AS c FROM l WHERE status >= 500 "
        f"GROUP BY path, status ORDER BY c DESC, path LIMIT {TOP}",
    ),
    PanelSpec(
        "hosts",
        _("Alamat pengunjung"),
        (_("Alamat"), _("Negara"), _("Permintaan"), _("Data (MB)")),
        "SELECT client, any_value(country), count(*) AS c, round(sum(bytes) / 1048576.0, 2) FROM l "
        f"GROUP BY client ORDER BY c DESC, client LIMIT {TOP}",
    ),
    PanelSpec(
        "os",
        _("Sistem operasi"),
        (_("Sistem operasi"), _("Pengunjung unik"), _("Permintaan")),
        f"SELECT CASE WHEN os = '' THEN '?' ELSE os END AS o, count(DISTINCT visitor) AS v, count(*) FROM l "
        f"WHERE crawler = '' GROUP BY o ORDER BY v DESC, o LIMIT {TOP}",
    ),
    PanelSpec(
        "browsers",
        _("Peramban"),
        (_("Peramban"), _("Pengunjung unik"), _("Permintaan")),
        f"SELECT CASE WHEN browser = '' THEN '?' ELSE browser END AS b, count(DISTINCT visitor) AS v, count(*) "
        f"FROM l WHERE crawler = '' GROUP BY b ORDER BY v DESC, b LIMIT {TOP}",
    ),
    PanelSpec(
        "referrers",
        _("Situs perujuk"),
        (_("Situs"), _("Permintaan"), _("Pengunjung unik")),
        "SELECT referrer_host AS r, count(*) AS c, count(DISTINCT visitor) FROM l "
        f"WHERE referrer_host NOT IN ('', vhost) GROUP BY r ORDER BY c DESC, r LIMIT {TOP}",
    ),
    PanelSpec(
        "status",
        _("Kode status"),
        (_("Status"), _("Permintaan")),
        "SELECT CAST(status AS VARCHAR), count(*) FROM l GROUP BY status ORDER BY status",
    ),
    PanelSpec(
        "countries",
        _("Negara"),
        (_("Negara"), _("Pengunjung unik"), _("Permintaan")),
        f"SELECT CASE WHEN country = '' THEN '?' ELSE country END AS k, count(DISTINCT visitor) AS v, count(*) "
        f"FROM l GROUP BY k ORDER BY v DESC, k LIMIT {TOP}",
    ),
    PanelSpec(
        "crawlers",
        _("Bot dan perayap"),
        (_("Bot"), _("Golongan"), _("Permintaan"), _("Alamat klien")),
        crawlers.PANEL_SQL.format(top=TOP),  # good, grey and fake (trafficfeat: jaga/traffic/crawlers.py)
    ),
    PanelSpec(
        "latest",
        _("Baris terbaru"),
        (_("Waktu"), _("Alamat"), _("Permintaan"), _("Status"), _("User agent")),
        # The times first (one narrow column), then the texts of those lines only.
        "SELECT strftime(ts, '%Y-%m-%d %H:%M:%S'), client, method || ' ' || path || "
        "CASE WHEN query <> '' THEN '?' || query ELSE '' END, status, agent FROM l "
        f"WHERE ts >= (SELECT min(ts) FROM (SELECT ts FROM l ORDER BY ts DESC LIMIT {LATEST})) "
        f"ORDER BY ts DESC, client, path, query LIMIT {LATEST}",
    ),
)
PANEL_KEYS = tuple(p.key for p in PANELS)


@dataclass
class Summary:
    hits: int = 0
    visitors: int = 0
    megabytes: float = 0.0
    not_found: int = 0
    errors: int = 0
    crawler_hits: int = 0


@dataclass
class Panel:
    spec: PanelSpec
    rows: list[tuple[Any, ...]]

    @property
    def peak(self) -> float:
        values = [float(r[1]) for r in self.rows if isinstance(r[1], (int, float))]
        return max(values, default=0.0)


@dataclass
class Report:
    site: Site
    start: dt.date
    end: dt.date
    summary: Summary
    previous: Summary
    panels: list[Panel] = field(default_factory=list)
    retired: list[dt.date] = field(default_factory=list)  # days in the range whose lines retention deleted

    def panel(self, key: str) -> Panel:
        return next(p for p in self.panels if p.spec.key == key)


def _files(site: Site, start: dt.date, end: dt.date) -> list[str]:
    if s3store.querying():  # hook (trafficfeat): the panels read the bucket's copy of the store
        return s3store.day_files(site=site, start=start, end=end)
    folder = store.site_dir(site.pk)
    days = [
        d
        for d in sorted(folder.glob("day=*"))
        if start.isoformat() <= d.name.removeprefix("day=") <= end.isoformat() and any(d.glob("*.parquet"))
    ]
    return [str(d / "*.parquet") for d in days]


def _schema() -> Any:
    """The Arrow schema of the panels' relation: the texts dictionary-encoded, as the files hold them."""
    import pyarrow as pa

    text = pa.dictionary(pa.int32(), pa.string())
    types = {"ts": pa.timestamp("us", tz="UTC"), "hour": pa.int8(), "day": pa.date32(), "status": pa.int16()}
    types |= {"bytes": pa.int64(), "is_static": pa.bool_()}
    return pa.schema([(name, types.get(name, text)) for name in _names()])


def _lines(con: Any, files: list[str]) -> Any:
    """The range's lines as one Arrow table of :func:`_names`. Local files are read by pyarrow with their
    texts left dictionary-encoded (a million lines' texts copied into a DuckDB table cost 2.2 CPU s, reading
    them this way a third of that); the bucket's through DuckDB."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _schema()
    if s3store.querying():  # hook (trafficfeat): the bucket's files, through DuckDB's filesystem
        if not files:
            return schema.empty_table()
        listed = "[" + ", ".join(sql_quote(f) for f in files) + "]"
        columns = ", ".join(schema.names)
        read = con.sql(f"SELECT {columns} FROM read_parquet({listed}, hive_partitioning=true)").to_arrow_table()
        return read.cast(schema)
    texts = [f.name for f in schema if pa.types.is_dictionary(f.type)]
    stored = [name for name in schema.names if name != "day"]
    tables = []
    for pattern in files:
        folder = Path(pattern).parent
        day = dt.date.fromisoformat(folder.name.removeprefix("day="))
        for path in sorted(folder.glob("*.parquet")):
            table = pq.read_table(path, columns=stored, read_dictionary=texts)
            table = table.append_column("day", pa.repeat(pa.scalar(day, pa.date32()), table.num_rows))
            tables.append(table.select(schema.names).cast(schema))
    return pa.concat_tables(tables) if tables else schema.empty_table()


def _relation(con: Any, name: str, files: list[str]) -> None:
    """Register ``name``: the lines of ``files`` with their ``visitor`` (see :func:`_names`) and
    ``referrer_host``."""
    lines = _lines(con, files)
    con.register(f"{name}_lines", lines)
    visitor = con.sql(f"SELECT hash(client, day, agent) AS visitor FROM {name}_lines").to_arrow_table()
    con.unregister(f"{name}_lines")
    lines = lines.append_column("visitor", visitor.column("visitor"))
    con.register(name, lines.append_column("referrer_host", _hosts(lines.column("referrer"))))


REFERRER_HOST = "^[a-z]+://(?P<host>[^/:?#]+)"  # "" for a referrer without one


def _hosts(referrers: Any) -> Any:
    """The host of each referrer, found once per distinct value: on each chunk's dictionary, mapped back
    through its indices (the lines' referrers are dictionary-encoded, as the files hold them)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.dictionary(pa.int32(), pa.string())
    chunks = []
    for chunk in referrers.chunks:
        found = pc.struct_field(pc.extract_regex(chunk.dictionary, REFERRER_HOST), [0])
        hosts = pc.fill_null(found, "")
        chunks.append(pa.DictionaryArray.from_arrays(chunk.indices, hosts))
    return pa.chunked_array(chunks, text)


def _summary(con: Any, name: str, kept: list[TrafficDay]) -> Summary:
    """The figures of the lines in ``name`` plus those of the days whose lines retention deleted."""
    row = con.execute(f"""
        SELECT count(*), count(DISTINCT visitor), coalesce(sum(bytes), 0) / 1048576.0,
               count(*) FILTER (status = 404), count(*) FILTER (status >= 500), count(*) FILTER (crawler <> '')
        FROM {name}
    """).fetchall()[0]
    return Summary(
        int(row[0]) + sum(k.hits for k in kept),
        int(row[1]) + sum(k.visitors for k in kept),  # a visitor is per day: the days' counts add up
        round(float(row[2]) + sum(k.megabytes for k in kept), 1),
        int(row[3]) + sum(k.not_found for k in kept),
        int(row[4]) + sum(k.errors for k in kept),
        int(row[5]) + sum(k.crawler_hits for k in kept),
    )


def _kept(site: Site, start: dt.date, end: dt.date) -> list[TrafficDay]:
    return list(TrafficDay.objects.filter(site=site, day__gte=start, day__lte=end).order_by("day"))


def _daily_merged(rows: list[tuple[Any, ...]], kept: list[TrafficDay]) -> list[tuple[Any, ...]]:
    """The per-day panel with the summed days in it (a day may have both: lines that came late)."""
    by_day: dict[str, list[float]] = {str(r[0]): [r[1], r[2], r[3]] for r in rows}
    for k in kept:
        figures = by_day.setdefault(k.day.isoformat(), [0, 0, 0.0])
        figures[0] += k.hits
        figures[1] += k.visitors
        figures[2] += k.megabytes
    return [(d, int(f[0]), int(f[1]), round(f[2], 1)) for d, f in sorted(by_day.items())]


def panels_read(*, site: Site, start: dt.date, end: dt.date, keys: tuple[str, ...] = PANEL_KEYS) -> Report:
    """Every panel (or those in ``keys``) for the days ``start`` to ``end`` inclusive, with the summary of this
    period and of the previous one of the same length."""
    import duckdb

    span = (end - start).days + 1
    con = duckdb.connect(config={"memory_limit": "512MB", "threads": 2})
    if s3store.querying():  # hook (trafficfeat)
        s3store.register(con)
    try:
        previous_start, previous_end = start - dt.timedelta(days=span), start - dt.timedelta(days=1)
        _relation(con, "l", _files(site, start, end))
        _relation(con, "p", _files(site, previous_start, previous_end))
        kept = _kept(site, start, end)
        report = Report(
            site=site,
            start=start,
            end=end,
            summary=_summary(con, "l", kept),
            previous=_summary(con, "p", _kept(site, previous_start, previous_end)),
            retired=[k.day for k in kept],
        )
        if "crawlers" in keys:  # hook (trafficfeat): the macros of the crawlers panel
            crawlers.panel_prepare(con, site=site)
        for spec in PANELS:
            if spec.key in keys:
                rows = [tuple(r) for r in con.execute(spec.sql).fetchall()]
                report.panels.append(Panel(spec=spec, rows=_daily_merged(rows, kept) if spec.key == "daily" else rows))
        return report
    finally:
        con.close()


def days_with_lines(site: Site) -> tuple[dt.date, dt.date] | None:
    """The first and last day the store holds for the site (lines, or the sum of a day retention deleted)."""
    days = [d.name.removeprefix("day=") for d in store.site_dir(site.pk).glob("day=*") if any(d.glob("*.parquet"))]
    if s3store.querying():  # hook (trafficfeat)
        days = s3store.days_held(site)
    first = TrafficDay.objects.filter(site=site).order_by("day").values_list("day", flat=True).first()
    if first is not None:
        days.append(first.isoformat())
    if not days:
        return None
    return dt.date.fromisoformat(min(days)), dt.date.fromisoformat(max(days))
