# ruff: noqa: S608 - SQL over DuckDB built from validated rule configuration, never from a request
"""Request-rate anomalies against the site's own baseline: a window with far more requests than the site's usual.

The lines a rule's ``match`` takes are counted per window of ``window_seconds`` and per key: the whole site
(``group_by: site``: a flood spread over many addresses, which no per-address bucket sees), a client or a
subnet. The baseline is the site's own history: the ``quantile`` of those counts over the windows of the same
hour on the same weekday in the previous ``history_weeks`` weeks (Monday 10.00 against the last four Mondays at
10.00, so a court site's busy mornings and quiet nights each have their own usual), read from the site's
Parquet store by :func:`history_load` before the round. An hour whose history holds fewer than ``min_windows``
windows (a new site, a new log) falls back to the lines at hand: the round's new lines and the hours before
them that it reads as context. A window that holds new lines is anomalous when it has at least
``min_requests`` and more than ``factor`` times its baseline; with no baseline at all, nothing is judged.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from django.utils.translation import gettext_noop as _

from jaga.core.kindconfig import KindConfig, setting
from jaga.traffic.detection.base import ADDRESSES, Finding, Match, Numbered, Rule, findings_named
from jaga.traffic.logformats.base import sql_quote

SAMPLES = 3
SITE_KEY = "*"  # the key of a whole-site finding


class Config(KindConfig):
    match: Match = setting(label=_("Baris yang dihitung"))
    group_by: Literal["site", "client", "subnet"] = setting(
        "site",
        label=_("Dihitung per"),
        choices={"site": _("Seluruh situs"), "client": _("Klien"), "subnet": _("Subnet /24 atau /64")},
    )
    window_seconds: int = setting(60, label=_("Lebar jendela (detik)"), ge=1)
    quantile: float = setting(
        0.5, label=_("Kuantil dasar"), help=_("0,5: median jendela biasa; 0,99 untuk per klien."), gt=0, le=1
    )
    factor: float = setting(8.0, label=_("Kelipatan dasar"), gt=1)
    min_requests: int = setting(300, label=_("Permintaan paling sedikit per jendela"), ge=1)
    min_windows: int = setting(30, label=_("Jendela paling sedikit untuk dasar"), ge=2)
    history_weeks: int = setting(
        4,
        label=_("Minggu riwayat"),
        help=_("Dasar dari jam yang sama pada hari yang sama di minggu-minggu sebelumnya; 0: hanya baris ronde ini."),
        ge=0,
        le=52,
    )


_KEY = {"site": "0", "client": "client_id", "subnet": "subnet_id"}


class AnomalyKind:
    Config = Config

    def line_filter(self, rule: Rule) -> str:
        config: Config = rule.config
        return config.match.sql()

    def findings(self, con: Any, rule: Rule) -> list[Finding]:
        config: Config = rule.config
        key, width = _KEY[config.group_by], int(config.window_seconds)
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE anomaly_w AS
            SELECT {key} AS k, floor(epoch(ts) / {width})::BIGINT AS win, count(*) AS n,
                   count(*) FILTER (is_new) AS fresh
            FROM ev_f WHERE {self.line_filter(rule)} GROUP BY ALL
        """)
        baseline, windows = con.execute(
            f"SELECT quantile_cont(n, {float(config.quantile)}), count(DISTINCT win) FROM anomaly_w"
        ).fetchall()[0]
        # The round's own baseline, for the hours whose history is too short (NULL: none either).
        own = float(baseline) if baseline is not None and int(windows) >= int(config.min_windows) else None
        history = _history_table(con, rule)
        factor, floor_n = float(config.factor), float(config.min_requests) - 0.5
        if history is None and own is None:
            con.execute("DROP TABLE anomaly_w")
            return []
        own_sql = f"{own}::DOUBLE" if own is not None else "NULL::DOUBLE"
        if history is None:
            con.execute(f"CREATE OR REPLACE TEMP TABLE anomaly_u AS SELECT *, {own_sql} AS usual FROM anomaly_w")
        else:
            how = _HOUR_OF_WEEK.format(win="w.win", width=width)
            con.execute(f"""
                CREATE OR REPLACE TEMP TABLE anomaly_u AS
                SELECT w.*, coalesce(h.baseline, {own_sql}) AS usual FROM anomaly_w w
                LEFT JOIN (SELECT how, baseline FROM {history} WHERE windows >= {int(config.min_windows)}) h
                  ON h.how = {how}
            """)
        threshold = f"greatest({floor_n}, {factor} * usual)"
        rows = con.execute(f"""
            SELECT k, list(win), sum(fresh), max(n) FROM anomaly_u
            WHERE fresh > 0 AND usual IS NOT NULL AND n > {threshold} GROUP BY k ORDER BY k
        """).fetchall()
        con.execute("DROP TABLE anomaly_w; DROP TABLE anomaly_u")
        found = []
        for k, wins, fresh, _peak in rows:
            listed = ", ".join(str(int(w)) for w in wins)
            first, last, samples, clients, addresses = con.execute(
                f"""
                SELECT min(ts), max(ts), (list(rid ORDER BY ts, rid))[1:{SAMPLES}], count(DISTINCT client_id),
                       list_sort(list(DISTINCT client_id))[1:{ADDRESSES}]
                FROM ev_f WHERE is_new AND ({self.line_filter(rule)}) AND {key} = $key
                  AND floor(epoch(ts) / {width})::BIGINT IN ({listed})
            """,
                {"key": k},
            ).fetchall()[0]
            found.append(
                Numbered(
                    rule=rule.key,
                    key=int(k),
                    scope=config.group_by,
                    count=int(fresh),
                    first_seen=first,
                    last_seen=last,
                    samples=list(samples),
                    clients=int(clients),
                    addresses=list(addresses),
                    site_key=SITE_KEY,
                )
            )
        return findings_named(con, found)


KIND = AnomalyKind()

# The hour of the week (0-167) of a window, in UTC: Indonesia's zones are whole hours without summer time, so
# the same local hour and weekday is the same UTC hour of the week.
_HOUR_OF_WEEK = "((floor({win} * {width} / 3600))::BIGINT % 168)"
HISTORY_TABLE = "anomaly_history"  # (rule, how, baseline, windows): per rule and hour of the week


def _history_table(con: Any, rule: Rule) -> str | None:
    """A view of ``rule``'s history baselines (``how``, ``baseline``, ``windows``) if :func:`history_load` made any."""
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = $t AND temporary", {"t": HISTORY_TABLE}
    ).fetchall()[0][0]
    if not found:
        return None
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW anomaly_h AS SELECT how, baseline, windows FROM {HISTORY_TABLE} "
        f"WHERE rule = {sql_quote(rule.key)}"
    )
    return "anomaly_h"


def history_hours(con: Any, *, weeks: int) -> list[int]:
    """The epoch hours (``epoch // 3600``) of the same hours and weekdays as the new lines of ``ev_f``, in each of the
    ``weeks`` weeks before them."""
    rows = con.execute("SELECT DISTINCT (floor(epoch(ts) / 3600))::BIGINT FROM ev_f WHERE is_new").fetchall()
    return sorted({int(hour) - 168 * week for (hour,) in rows for week in range(1, weeks + 1)})


def _history_files(folder: Path, hours: list[int], batch_ids: list[int]) -> list[str]:
    """The Parquet files of ``folder`` (a site's store) of the days around ``hours``, but the new batches'."""
    days = set()
    for hour in hours:
        day = dt.datetime.fromtimestamp(hour * 3600, tz=dt.UTC).date()
        days |= {(day + dt.timedelta(days=d)).isoformat() for d in (-1, 0, 1)}  # a local day is a UTC day ± 1
    new = tuple(f"b{int(b)}_" for b in batch_ids)
    return [
        str(path)
        for day in sorted(days)
        for path in sorted((folder / f"day={day}").glob("*.parquet"))
        if not path.name.startswith(new)
    ]


def history_load(
    con: Any, *, rules: list[Rule], folder: Path, batch_ids: list[int], allow: list[str], skip_agent: str
) -> int:
    """Count, for each rate-anomaly rule, the windows of the site's earlier lines (its Parquet files in ``folder``
    but those of the round's ``batch_ids``) at the same hours of the week as the round's new lines, over the rule's
    ``history_weeks``, and keep each hour of the week's ``quantile`` in :data:`HISTORY_TABLE` of ``con`` (after
    ``ev_f`` is made). The history goes through the same preparation as the round's lines (decoding, the
    allow-list, Jaga's own probe left out) in a connection of its own. How many history lines were read."""
    import duckdb

    from jaga.traffic.detection import engine

    wanted = [r for r in rules if r.kind == "anomaly" and int(r.config.history_weeks) > 0]
    con.execute(f"DROP TABLE IF EXISTS {HISTORY_TABLE}")
    if not wanted:
        return 0
    hours = {r.key: history_hours(con, weeks=int(r.config.history_weeks)) for r in wanted}
    every = sorted({h for listed in hours.values() for h in listed})
    files = _history_files(folder, every, batch_ids)
    if not files:
        return 0
    listed = "[" + ", ".join(sql_quote(f) for f in files) + "]"
    lines_sql = f"""
        SELECT *, false AS is_new FROM read_parquet({listed}, hive_partitioning=false)
        WHERE (floor(epoch(ts) / 3600))::BIGINT IN ({", ".join(str(h) for h in every)})
          AND agent <> {sql_quote(skip_agent)}
    """
    past = duckdb.connect(config={"memory_limit": "256MB", "threads": 2})
    try:
        lines = engine.events_prepare(past, lines_sql=lines_sql, allow=allow)
        rows: list[tuple[str, int, float, int]] = []
        for rule in wanted:
            config: Config = rule.config
            width = int(config.window_seconds)
            how = _HOUR_OF_WEEK.format(win="win", width=width)
            rows += [
                (rule.key, int(h), float(b), int(n))
                for h, b, n in past.execute(f"""
                    WITH w AS (
                        SELECT {_KEY[config.group_by]} AS k, floor(epoch(ts) / {width})::BIGINT AS win, count(*) AS n
                        FROM ev_f WHERE ({KIND.line_filter(rule)})
                          AND (floor(epoch(ts) / 3600))::BIGINT IN ({", ".join(str(h) for h in hours[rule.key])})
                        GROUP BY ALL
                    )
                    SELECT {how} AS how, quantile_cont(n, {float(config.quantile)}), count(DISTINCT win)
                    FROM w GROUP BY how
                """).fetchall()
            ]
    finally:
        past.close()
    con.execute(f"CREATE TEMP TABLE {HISTORY_TABLE} (rule VARCHAR, how BIGINT, baseline DOUBLE, windows BIGINT)")
    if rows:
        con.executemany(f"INSERT INTO {HISTORY_TABLE} VALUES (?, ?, ?, ?)", rows)
    return lines
