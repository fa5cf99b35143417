# ruff: noqa: S608 - SQL over DuckDB built from validated rule configuration, never from a request
"""What a detection rule is, what it finds, and the line filter that every rule kind shares.

Rules run over the DuckDB table ``ev_f`` that :mod:`jaga.traffic.detection.engine` prepares: one row per
line with numbers in place of its texts (``client_id``, ``subnet_id``, ``req_id``, ``agent_id``, ...; each
number follows its text's order), ``is_new`` (the line was not analysed before) and the stored fields; the
texts (``target_d``: path and query, URL-decoded until stable, lower case; ``path_d``, ``agent_l``, ...) are in
small tables that hold each distinct value once. A kind writes SQL over the numbers and names only the few
keys and lines it keeps (:func:`keys_named`, :func:`samples_shown`); it never loops over lines in Python
except where a bucket must (behaviour).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
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
# The number of ``ev_f`` a finding's key is, by scope; and where its text is.
KEY_NUMBERS = {"client": "client_id", "subnet": "subnet_id", "endpoint": "pathd_id"}
_KEY_TEXTS = {
    "client": ("ev_client", "client_id", "client"),
    "subnet": ("ev_client", "subnet_id", "subnet"),
    "endpoint": ("ev_req", "pathd_id", "path_d"),
}


def keys_named(con: Any, scope: str, numbers: Iterable[int]) -> dict[int, str]:
    """The texts of these numbers of a scope (client, subnet, endpoint)."""
    wanted = sorted({int(n) for n in numbers})
    if not wanted:
        return {}
    table, number, text = _KEY_TEXTS[scope]
    rows = con.execute(
        f"SELECT DISTINCT {number}, {text} FROM {table} WHERE {number} IN (SELECT unnest($wanted))",
        {"wanted": wanted},
    ).fetchall()
    return {int(n): t for n, t in rows}


def lines_shown_sql(where: str, extra: str = "") -> str:
    """SQL: the lines of ``ev_f`` that ``where`` takes, with ``rid``, their texts and ``sample``
    (:data:`SAMPLE_SQL`): the lines are found by number first, then only their own texts are looked up."""
    return f"""
        WITH s AS MATERIALIZED (
            SELECT rid, ts, client_id, req_id, agent_id, method, status{extra} FROM ev_f WHERE {where}
        )
        SELECT s.*, {SAMPLE_SQL} AS sample FROM s
        JOIN (SELECT client_id, client FROM ev_client WHERE client_id IN (SELECT client_id FROM s)) USING (client_id)
        JOIN (SELECT req_id, path, query FROM ev_req WHERE req_id IN (SELECT req_id FROM s)) USING (req_id)
        JOIN (SELECT agent_id, agent FROM ev_agent WHERE agent_id IN (SELECT agent_id FROM s)) USING (agent_id)
    """


def samples_shown(con: Any, rids: Iterable[int]) -> dict[int, str]:
    """Each of these lines (``rid``: the row of ``ev_f``) as a detection shows it."""
    wanted = sorted({int(r) for r in rids})
    if not wanted:
        return {}
    sql = lines_shown_sql("rid IN (SELECT unnest($wanted))")
    return {
        int(rid): text for rid, text in con.execute(f"SELECT rid, sample FROM ({sql})", {"wanted": wanted}).fetchall()
    }


def moments(con: Any, micros: Iterable[int]) -> dict[int, datetime]:
    """Microseconds since the epoch as the times DuckDB gives for ``ts`` (its session's time zone)."""
    wanted = sorted({int(m) for m in micros})
    if not wanted:
        return {}
    rows = con.execute(
        "SELECT x, TIMESTAMPTZ '1970-01-01 00:00:00+00' + to_microseconds(x) FROM unnest($wanted::BIGINT[]) t(x)",
        {"wanted": wanted},
    ).fetchall()
    return {int(x): at for x, at in rows}


@dataclass
class Numbered:
    """A finding in numbers, as a kind makes it over ``ev_f``; :func:`findings_named` gives it its texts."""

    rule: str
    key: int  # the scope's number (KEY_NUMBERS); ignored for a whole-site finding
    scope: Literal["client", "subnet", "endpoint", "site"]
    count: int
    first_seen: int | datetime  # microseconds since the epoch, or the time itself
    last_seen: int | datetime
    samples: list[int | str] = field(default_factory=list)  # rows of ev_f (rid), or the texts themselves
    clients: int = 1
    addresses: list[int] = field(default_factory=list)  # client numbers
    site_key: str = ""


def findings_named(con: Any, found: list[Numbered]) -> list[Finding]:
    """The findings with their texts: each key (its scope's), addresses (the first ADDRESSES in order), samples
    and first and last seen, each looked up in one query for all of them."""
    keys: dict[str, set[int]] = {}
    for item in found:
        keys.setdefault(item.scope, set()).add(item.key)
    named = {scope: keys_named(con, scope, numbers) for scope, numbers in keys.items() if scope != "site"}
    clients = keys_named(con, "client", (a for f in found for a in f.addresses))
    samples = samples_shown(con, (r for f in found for r in f.samples if isinstance(r, int)))
    times = moments(con, (t for f in found for t in (f.first_seen, f.last_seen) if isinstance(t, int)))

    def at(value: int | datetime) -> datetime:
        return times[value] if isinstance(value, int) else value

    return [
        Finding(
            rule=item.rule,
            key=item.site_key if item.scope == "site" else named[item.scope][item.key],
            scope=item.scope,
            count=item.count,
            first_seen=at(item.first_seen),
            last_seen=at(item.last_seen),
            samples=[samples[r] if isinstance(r, int) else r for r in item.samples],
            clients=item.clients,
            addresses=[clients[a] for a in sorted(item.addresses)[:ADDRESSES]],
        )
        for item in found
    ]


class RuleKind(Protocol):
    Config: type[KindConfig]

    def findings(self, con: Any, rule: Rule) -> list[Finding]: ...

    def line_filter(self, rule: Rule) -> str:
        """The SQL predicate a single line must meet to count for the rule."""
        ...
