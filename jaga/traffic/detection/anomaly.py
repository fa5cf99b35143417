# ruff: noqa: S608 - SQL over DuckDB built from validated rule configuration, never from a request
"""Request-rate anomalies against the site's own baseline: a window with far more requests than the site's usual.

The lines a rule's ``match`` takes are counted per window of ``window_seconds`` and per key: the whole site
(``group_by: site``: a flood spread over many addresses, which no per-address bucket sees), a client or a
subnet. The baseline is the site's own: the ``quantile`` of those counts over every window of the lines at
hand (the round's new lines and the hours before them that the round reads as context), so a busy portal and
a small court site each get their own threshold instead of one number for all. A window that holds new lines
is anomalous when it has at least ``min_requests`` and more than ``factor`` times the baseline. With fewer
than ``min_windows`` windows there is no baseline yet, and nothing is judged.
"""

from __future__ import annotations

from typing import Any, Literal

from django.utils.translation import gettext_noop as _

from jaga.core.kindconfig import KindConfig, setting
from jaga.traffic.detection.base import ADDRESSES, SAMPLE_SQL, Finding, Match, Rule

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


_KEY = {"site": f"'{SITE_KEY}'", "client": "client", "subnet": "subnet"}


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
            FROM ev WHERE {self.line_filter(rule)} GROUP BY ALL
        """)
        baseline, windows = con.execute(
            f"SELECT quantile_cont(n, {float(config.quantile)}), count(DISTINCT win) FROM anomaly_w"
        ).fetchall()[0]
        if baseline is None or int(windows) < int(config.min_windows):
            return []
        threshold = max(float(config.min_requests) - 0.5, float(config.factor) * float(baseline))
        rows = con.execute(f"""
            SELECT k, list(win), sum(fresh), max(n) FROM anomaly_w
            WHERE fresh > 0 AND n > {threshold} GROUP BY k ORDER BY k
        """).fetchall()
        found = []
        for k, wins, fresh, _peak in rows:
            listed = ", ".join(str(int(w)) for w in wins)
            first, last, samples, clients, addresses = con.execute(
                f"""
                SELECT min(ts), max(ts), (list({SAMPLE_SQL} ORDER BY ts))[1:{SAMPLES}], count(DISTINCT client),
                       (list(DISTINCT client))[1:{ADDRESSES}]
                FROM ev WHERE is_new AND ({self.line_filter(rule)}) AND {key} = $key
                  AND floor(epoch(ts) / {width})::BIGINT IN ({listed})
            """,
                {"key": k},
            ).fetchall()[0]
            found.append(
                Finding(
                    rule=rule.key,
                    key=str(k),
                    scope=config.group_by,
                    count=int(fresh),
                    first_seen=first,
                    last_seen=last,
                    samples=list(samples),
                    clients=int(clients),
                    addresses=sorted(addresses),
                )
            )
        con.execute("DROP TABLE anomaly_w")
        return found


KIND = AnomalyKind()
