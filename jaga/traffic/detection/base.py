# ruff: noqa: S608 - SQL over DuckDB built from validated rule configuration, never from a request
"""What a detection rule is, what it finds, and the line filter that every rule kind shares.

Rules run over the DuckDB table ``ev`` that :mod:`jaga.traffic.detection.engine` prepares: one row per
line with ``target_d`` (path and query, URL-decoded until stable, lower case), ``path_d``, ``agent_l``,
``client``, ``subnet`` (/24 or /64), ``is_new`` (the line was not analysed before) and the stored fields.
A kind writes SQL over it; it never loops over lines in Python except where a bucket must (behaviour).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from django.utils.translation import get_language
from django.utils.translation import gettext_noop as _
from pydantic import field_validator

from jaga.core.kindconfig import KindConfig, setting
from jaga.traffic.logformats.base import sql_quote

FAMILIES = {
    "sqli": ("Injeksi SQL", "SQL injection"),
    "xss": ("Cross-site scripting", "Cross-site scripting"),
    "traversal": ("Path traversal dan inklusi berkas", "Path traversal and file inclusion"),
    "command": ("Injeksi perintah", "Command injection"),
    "exploit": ("Eksploit PHP, Java dan CMS", "PHP, Java and CMS exploits"),
    "sensitive": ("Berkas sensitif", "Sensitive files"),
    "admin": ("Penjajakan panel admin", "Admin-panel probing"),
    "webshell": ("Pencarian webshell", "Webshell probing"),
    "scanner": ("Pemindai dan bot jahat", "Scanners and bad bots"),
    "not_http": ("Permintaan bukan HTTP", "Requests that are not HTTP"),
    "probing": ("Rentetan halaman tidak ditemukan", "Bursts of not-found responses"),
    "crawl": ("Penjelajahan halaman non-statis", "Crawling of non-static pages"),
    "brute_force": ("Tebak kata sandi login", "Login brute force"),
    "flood": ("Banjir permintaan", "Request floods"),
    "anomaly": ("Lonjakan laju permintaan", "Request-rate anomalies"),
}
SEVERITIES = ("rendah", "sedang", "tinggi", "kritis")


def _regexes_check(values: list[str]) -> list[str]:
    for value in values:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"pola tidak sah / invalid pattern {value!r}: {exc}") from None
    return values


# The columns of ``ev`` that patterns read: each one's distinct values are a table of ``events_prepare``
# (``ev_req``, ``ev_agent``, ``ev_ref``), numbered by the column the lines hold.
PATTERN_COLUMNS = {
    "target_d": ("ev_req", "req_id"),
    "path_d": ("ev_req", "req_id"),
    "agent_l": ("ev_agent", "agent_id"),
    "referrer_l": ("ev_ref", "ref_id"),
}


def pattern_test(column: str, pattern: str) -> str:
    """SQL: ``column`` matches ``pattern``. The pattern runs over the column's distinct values (a million lines of
    a court site have a few thousand paths and agents), then each line is looked up by its number among those
    that matched."""
    table, number = PATTERN_COLUMNS[column]
    return f"{number} IN (SELECT {number} FROM {table} WHERE regexp_matches({column}, {sql_quote(pattern)}))"


class Match(KindConfig):
    """Which lines a rule looks at. Lists of patterns are alternatives; different fields must all hold."""

    target: list[str] = setting(
        default_factory=list,
        label=_("Pola alamat"),
        help=_("Ekspresi reguler atas path dan query, didekode berulang, huruf kecil."),
    )
    path: list[str] = setting(default_factory=list, label=_("Pola path"), help=_("Tanpa query."))
    agent: list[str] = setting(default_factory=list, label=_("Pola user agent"), help=_("Huruf kecil."))
    anywhere: list[str] = setting(
        default_factory=list, label=_("Pola di mana saja"), help=_("Alamat, user agent atau perujuk.")
    )
    methods: list[str] = setting(default_factory=list, label=_("Metode HTTP"))
    statuses: list[int] = setting(default_factory=list, label=_("Kode status"))
    not_target: list[str] = setting(default_factory=list, label=_("Kecuali alamat"))
    not_agent: list[str] = setting(default_factory=list, label=_("Kecuali user agent"))
    static: Literal["any", "only", "never"] = setting(
        "any",
        label=_("Berkas statis"),
        choices={"any": _("Semua"), "only": _("Hanya statis"), "never": _("Bukan statis")},
    )
    not_http: bool = setting(False, label=_("Bukan permintaan HTTP yang sah"))

    _check = field_validator("target", "path", "agent", "anywhere", "not_target", "not_agent")(_regexes_check)

    def sql(self) -> str:
        """The predicate over ``ev``; ``true`` for a filter that takes every line."""
        parts: list[str] = []
        for column, patterns, negate in (
            ("target_d", self.target, False),
            ("path_d", self.path, False),
            ("agent_l", self.agent, False),
            ("target_d", self.not_target, True),
            ("agent_l", self.not_agent, True),
        ):
            if patterns:
                test = pattern_test(column, "|".join(f"(?:{p})" for p in patterns))
                parts.append(f"NOT {test}" if negate else test)
        if self.anywhere:
            either = "|".join(f"(?:{p})" for p in self.anywhere)
            parts.append(" OR ".join(pattern_test(c, either) for c in ("target_d", "agent_l", "referrer_l")))
        if self.methods:
            parts.append(f"method IN ({', '.join(sql_quote(m.upper()) for m in self.methods)})")
        if self.statuses:
            parts.append(f"status IN ({', '.join(str(int(s)) for s in self.statuses)})")
        if self.static != "any":
            parts.append("is_static" if self.static == "only" else "NOT is_static")
        if self.not_http:
            parts.append("NOT http_ok")
        return " AND ".join(f"({p})" for p in parts) or "true"


@dataclass(frozen=True)
class Text:
    """A rule's words in Indonesian and English, as its YAML gives them."""

    id: str
    en: str

    def __str__(self) -> str:
        return self.en if (get_language() or "id").startswith("en") else self.id


@dataclass(frozen=True)
class RuleTest:
    line: str
    match: bool | None = None  # the line alone matches the rule's filter
    repeat: int = 1  # a bucket test: the line this many times...
    every_seconds: float = 1.0  # ...this far apart
    detect: bool | None = None  # ...and whether that makes a detection
    baseline: RuleTest | None = None  # lines read before as context (a rate anomaly's usual traffic), never new


@dataclass(frozen=True)
class Rule:
    key: str
    kind: str
    family: str
    severity: str
    label: Text
    explanation: Text
    advice: Text
    config: Any  # the kind's validated Config
    tests: tuple[RuleTest, ...] = ()
    origin: str = ""
    incident: bool = True  # a detection of this rule opens (or adds to) an incident
    institution_id: int | None = None  # a custom rule of one institution's (its sites only); None: every site

    @property
    def family_label(self) -> Text:
        return family_text(self.family)


def family_text(family: str) -> Text:
    words = FAMILIES.get(family, (family, family))
    return Text(id=words[0], en=words[1])


@dataclass
class Finding:
    """What one rule found about one key (a client, a subnet, an endpoint) in the new lines."""

    rule: str
    key: str
    scope: Literal["client", "subnet", "endpoint", "site"]
    count: int
    first_seen: datetime
    last_seen: datetime
    samples: list[str] = field(default_factory=list)
    clients: int = 1  # how many addresses the finding holds
    addresses: list[str] = field(default_factory=list)  # the first ADDRESSES of them (block lists, subnets)


ADDRESSES = 50
# One line as a detection shows it, as SQL over ``ev``: built only for the lines a rule keeps, not for every line.
SAMPLE_SQL = (
    "(client || ' [' || strftime(ts, '%Y-%m-%d %H:%M:%S') || '] ' || method || ' ' "
    "|| left(path || CASE WHEN query <> '' THEN '?' || query ELSE '' END, 300) "
    "|| ' ' || status::VARCHAR || ' \"' || left(agent, 150) || '\"')"
)


class RuleKind(Protocol):
    Config: type[KindConfig]

    def findings(self, con: Any, rule: Rule) -> list[Finding]: ...

    def line_filter(self, rule: Rule) -> str:
        """The SQL predicate a single line must meet to count for the rule."""
        ...
