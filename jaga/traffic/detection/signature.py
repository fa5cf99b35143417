# ruff: noqa: S608 - SQL over DuckDB built from validated rule configuration, never from a request
"""Signature rules: each line is judged alone; a client (or subnet) with ``threshold`` matching new lines is a
finding."""

from __future__ import annotations

from typing import Any, Literal

from django.utils.translation import gettext_noop as _

from jaga.core.kindconfig import KindConfig, setting
from jaga.traffic.detection.base import ADDRESSES, SAMPLE_SQL, Finding, Match, Rule

SAMPLES = 3


class Config(KindConfig):
    match: Match = setting(label=_("Baris yang dinilai"))
    threshold: int = setting(1, label=_("Ambang"), help=_("Jumlah baris cocok sebelum menjadi deteksi."), ge=1)
    group_by: Literal["client", "subnet"] = setting(
        "client", label=_("Dikelompokkan per"), choices={"client": _("Klien"), "subnet": _("Subnet /24 atau /64")}
    )


class SignatureKind:
    Config = Config

    def line_filter(self, rule: Rule) -> str:
        config: Config = rule.config
        return config.match.sql()

    def findings(self, con: Any, rule: Rule) -> list[Finding]:
        config: Config = rule.config
        key = "client" if config.group_by == "client" else "subnet"
        rows = con.execute(f"""
            SELECT {key}, count(*), min(ts), max(ts), (list({SAMPLE_SQL} ORDER BY ts))[1:{SAMPLES}],
                   count(DISTINCT client), (list(DISTINCT client))[1:{ADDRESSES}]
            FROM ev WHERE is_new AND ({self.line_filter(rule)})
            GROUP BY {key} HAVING count(*) >= {int(config.threshold)}
        """).fetchall()
        return [
            Finding(
                rule=rule.key,
                key=row[0],
                scope=config.group_by,
                count=int(row[1]),
                first_seen=row[2],
                last_seen=row[3],
                samples=list(row[4]),
                clients=int(row[5]),
                addresses=sorted(row[6]),
            )
            for row in rows
        ]


KIND = SignatureKind()
