# ruff: noqa: S608 - SQL over DuckDB built from validated rule configuration, never from a request
"""Signature rules: each line is judged alone; a client (or subnet) with ``threshold`` matching new lines is a
finding."""

from __future__ import annotations

from typing import Any, Literal

from django.utils.translation import gettext_noop as _

from jaga.core.kindconfig import KindConfig, setting
from jaga.traffic.detection.base import ADDRESSES, KEY_NUMBERS, Finding, Match, Numbered, Rule, findings_named

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
        return self.findings_all(con, [rule])[0]

    def findings_all(self, con: Any, rules: list[Rule]) -> list[list[Finding]]:
        """Each rule's findings, in one query for all of them: a scan of ``ev_f`` per rule (numbers only), the
        keys, addresses and samples named afterwards for the findings alone."""
        if not rules:
            return []
        branches, thresholds = [], []
        for index, rule in enumerate(rules):
            config: Config = rule.config
            key = KEY_NUMBERS[config.group_by]
            branches.append(
                f"SELECT {index} AS r, {key} AS k, rid, ts, client_id FROM ev_f "
                f"WHERE is_new AND ({self.line_filter(rule)})"
            )
            thresholds.append(f"WHEN {index} THEN {int(config.threshold)}")
        rows = con.execute(f"""
            SELECT r, k, count(*), min(ts), max(ts), (list(rid ORDER BY ts, rid))[1:{SAMPLES}],
                   count(DISTINCT client_id), list_sort(list(DISTINCT client_id))[1:{ADDRESSES}]
            FROM ({" UNION ALL ".join(branches)})
            GROUP BY r, k HAVING count(*) >= CASE r {" ".join(thresholds)} END
            ORDER BY r, k
        """).fetchall()
        numbered: list[Numbered] = [
            Numbered(
                rule=rules[r].key,
                key=int(k),
                scope=rules[r].config.group_by,
                count=int(count),
                first_seen=first,
                last_seen=last,
                samples=list(samples),
                clients=int(clients),
                addresses=list(addresses),
            )
            for r, k, count, first, last, samples, clients, addresses in rows
        ]
        found: list[list[Finding]] = [[] for _rule in rules]
        for row, finding in zip(rows, findings_named(con, numbered), strict=True):
            found[row[0]].append(finding)
        return found


KIND = SignatureKind()
