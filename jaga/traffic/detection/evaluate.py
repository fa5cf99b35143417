"""Precision and recall of the rules on labelled public cases, each used as its authors label it.

- The CrowdSec hub's scenario tests (``crowdsec-hub-tests/<test>/``): the test's log and ``scenario.assert``,
  which names, per expected alert, the scenario and the source address. A case is one (test, address) pair
  the authors expect an alert for; Jaga finds it when a rule of a family that answers that scenario makes a
  finding holding the address. A finding of such a family for an address the authors do not name is a false
  positive. Tests whose log is not an access log (error logs, JSON, other products' formats), whose scenario
  is a parser test or has no Jaga family, are listed as skipped with the reason.
- fail2ban's test logs (``fail2ban-test-logs/<jail>``): each line preceded by ``# failJSON: {"match": ...}``.
  A case is one line; Jaga matches it when a rule of the jail's families takes that line.

The folder is found in ``JAGA_LABELLED_DATA`` or as ``shared/data`` beside the checkout or above it.
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from jaga.traffic.detection import engine, offline
from jaga.traffic.detection.base import Rule

SIGNATURE_FAMILIES = frozenset(
    {"sqli", "xss", "traversal", "command", "exploit", "sensitive", "admin", "webshell", "scanner", "not_http"}
)
# CrowdSec scenario -> (the family it is counted under, the Jaga families that answer it)
CROWDSEC: dict[str, tuple[str, frozenset[str]]] = {
    "http-sensitive-files": ("sensitive", frozenset({"sensitive"})),
    "http-wordpress_wpconfig": ("sensitive", frozenset({"sensitive"})),
    "http-sqli-probing": ("sqli", frozenset({"sqli"})),
    "http-xss-probing": ("xss", frozenset({"xss"})),
    "http-path-traversal-probing": ("traversal", frozenset({"traversal"})),
    "http-bad-user-agent": ("scanner", frozenset({"scanner"})),
    "ltsich/http-w00tw00t": ("scanner", frozenset({"scanner"})),
    "http-probing": ("probing", frozenset({"probing"})),
    "http-crawl-non_statics": ("crawl", frozenset({"crawl"})),
    "http-admin-interface-probing": ("admin", frozenset({"admin"})),
    "http-wordpress-scan": ("admin", frozenset({"admin"})),
    "http-technology-probing": ("admin", frozenset({"admin"})),
    "http-sap-interface-probing": ("admin", frozenset({"admin"})),
    "http-wordpress_user-enum": ("admin", frozenset({"admin"})),
    "http-backdoors-attempts": ("webshell", frozenset({"webshell"})),
    "http-bf-wordpress_bf": ("brute_force", frozenset({"brute_force"})),
    "http-generic-bf": ("brute_force", frozenset({"brute_force"})),
    "http-apiscp-bf": ("brute_force", frozenset({"brute_force"})),
    "http-dos-bypass-cache": ("flood", frozenset({"flood"})),
    "http-dos-random-uri": ("flood", frozenset({"flood", "probing"})),
    "http-dos-switching-ua": ("flood", frozenset({"flood"})),
    "http-dos-invalid-http-versions": ("not_http", frozenset({"not_http"})),
    "http-open-proxy": ("not_http", frozenset({"not_http"})),
}
# Exploits of named vulnerabilities: answered by any signature family (a traversal rule catches Grafana's).
CVE_PATTERN = re.compile(
    r"cve|thinkphp|spring4shell|log4j|netgear|vmware|vmsa|f5-big-ip|fortinet|pulse-secure|jira|grafana"
)
# fail2ban jail -> (family counted under, answering families); the other jails read error logs or need DNS.
FAIL2BAN: dict[str, tuple[str, frozenset[str]]] = {
    "apache-badbots": ("scanner", frozenset({"scanner"})),
    "nginx-botsearch": ("admin", SIGNATURE_FAMILIES),
    "nginx-bad-request": ("not_http", frozenset({"not_http"})),
    "php-url-fopen": ("traversal", frozenset({"traversal"})),
}

# An access-log line in any of the shapes these tests use: an optional syslog or vhost prefix, then CLF with
# optional referrer and agent (and anything after them).
_LINE = re.compile(
    r"^(?:\w{3}\s+\d+ [\d:]+ \S+ \S+: )?(?:[^\s\[]+ )?(?P<ip>[0-9a-fA-F.:]+) \S+ (?:- )?\S+ \[(?P<time>[^\]]+)\] "
    r'"(?P<request>(?:[^"\\]|\\.)*)" (?P<status>\d{3}) (?P<bytes>\S+)'
    r'(?: "(?P<referrer>(?:[^"\\]|\\.)*)" "(?P<agent>(?:[^"\\]|\\.)*)")?'
)
_TIME = re.compile(r"^\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2}( [+-]\d{4})?$")


def data_folder() -> Path | None:
    configured = os.environ.get("JAGA_LABELLED_DATA")
    if configured:
        return Path(configured)
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "shared" / "data"
        if (candidate / "crowdsec-hub-tests").is_dir():
            return candidate
    return None


def combined_line(raw: str) -> str | None:
    """``raw`` rewritten as a combined line, or None when it is not an access-log line at all."""
    found = _LINE.match(raw.strip())
    if not found or not _TIME.match(found["time"]):
        return None
    time = found["time"] if " " in found["time"] else found["time"] + " +0000"
    referrer = found["referrer"] if found["referrer"] is not None else "-"
    agent = found["agent"] if found["agent"] is not None else "-"
    return f'{found["ip"]} - - [{time}] "{found["request"]}" {found["status"]} {found["bytes"]} "{referrer}" "{agent}"'


@dataclass
class Tally:
    cases: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    missed: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Evaluation:
    crowdsec: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    fail2ban: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    skipped: list[tuple[str, str]] = field(default_factory=list)
    tests_used: int = 0


def _expected(assert_text: str) -> list[tuple[str, str]]:
    """(scenario, address) per expected alert of a CrowdSec test."""
    scenarios: dict[int, str] = {}
    sources: dict[int, set[str]] = defaultdict(set)
    for index, name in re.findall(r'results\[(\d+)\]\.Overflow\.Alert\.GetScenario\(\) == "([^"]+)"', assert_text):
        scenarios[int(index)] = name
    for address, index in re.findall(r'"([^"]+)" in results\[(\d+)\]\.Overflow\.GetSources\(\)', assert_text):
        sources[int(index)].add(address)
    return [(scenarios.get(i, ""), a) for i in sorted(sources) for a in sorted(sources[i])]


def _scenario_family(name: str) -> tuple[str, frozenset[str]] | None:
    short = name.split("/")[-1].removesuffix(".yaml")
    for key in (name, short, f"crowdsecurity/{short}"):
        if key in CROWDSEC:
            return CROWDSEC[key]
    if short in CROWDSEC:
        return CROWDSEC[short]
    if CVE_PATTERN.search(short.lower()) or short.startswith("zoneminder"):
        return ("exploit", SIGNATURE_FAMILIES)
    return None


def _crowdsec_test(con: Any, folder: Path, rules: list[Rule], result: Evaluation) -> None:
    config = yaml.safe_load((folder / "config.yaml").read_text())
    scenarios = [s for s in (config.get("scenarios") or []) if s and str(s).strip()]
    if not scenarios:
        result.skipped.append((f"crowdsec/{folder.name}", "uji parser, tanpa skenario / parser test, no scenario"))
        return
    log = folder / str(config.get("log_file", ""))
    if not log.is_file():
        result.skipped.append((f"crowdsec/{folder.name}", "tanpa log / no log file"))
        return
    lines = [c for c in (combined_line(r) for r in log.read_text(errors="replace").splitlines()) if c]
    if not lines:
        result.skipped.append((f"crowdsec/{folder.name}", "bukan log akses / not an access log"))
        return
    families = [_scenario_family(str(s)) for s in scenarios]
    if not any(families):
        result.skipped.append((f"crowdsec/{folder.name}", "skenario tanpa keluarga Jaga / no Jaga family"))
        return
    assert_text = (folder / "scenario.assert").read_text() if (folder / "scenario.assert").is_file() else ""
    expected = _expected(assert_text)
    if len(families) == 1:  # a test of one scenario may leave GetScenario() out
        expected = [(str(scenarios[0]), address) for _scenario, address in expected]
    readable = {line.split(" ", 1)[0] for line in lines}
    for _scenario, address in expected:
        if address not in readable:
            result.skipped.append((f"crowdsec/{folder.name}:{address}", "hanya di log galat / only in error-log lines"))
    expected = [(scenario, address) for scenario, address in expected if address in readable]
    result.tests_used += 1
    found = offline.findings_for_text(con, "\n".join(lines), rules)
    by_family: dict[str, set[str]] = defaultdict(set)
    for rule, finding in found:
        by_family[rule.family].update(finding.addresses or [finding.key])
    counted: dict[str, tuple[frozenset[str], set[str]]] = {}
    for scenario, address in expected:
        mapped = _scenario_family(scenario) or next(f for f in families if f)
        label, answering = mapped
        counted.setdefault(label, (answering, set()))[1].add(address)
    for family in families:
        if family and family[0] not in counted:
            counted[family[0]] = (family[1], set())
    for label, (answering, addresses) in counted.items():
        predicted = set().union(*(by_family[f] for f in answering)) if answering else set()
        tally = result.crowdsec[label]
        tally.cases += len(addresses)
        tally.tp += len(addresses & predicted)
        tally.fn += len(addresses - predicted)
        tally.fp += len(predicted - addresses)
        tally.missed.extend(f"{folder.name}:{a}" for a in sorted(addresses - predicted))


def _fail2ban_file(con: Any, path: Path, rules: list[Rule], result: Evaluation) -> None:
    label, answering = FAIL2BAN[path.name]
    labelled: list[tuple[bool, str]] = []
    pending: bool | None = None
    for raw in path.read_text(errors="replace").splitlines():
        if raw.startswith("# failJSON:"):
            try:
                pending = bool(json.loads(raw.split(":", 1)[1]).get("match"))
            except ValueError:
                pending = None
            continue
        if raw.startswith("#") or not raw.strip() or pending is None:
            continue
        line = combined_line(raw)
        if line is not None:
            labelled.append((pending, line))
        pending = None
    if not labelled:
        result.skipped.append((f"fail2ban/{path.name}", "bukan log akses / not an access log"))
        return
    result.tests_used += 1
    offline.events_from_text(con, "\n".join(line for _label, line in labelled))
    matched: set[int] = set()
    for rule in rules:
        if rule.family in answering:
            matched |= engine.lines_matching(con, rule)
    tally = result.fail2ban[label]
    for number, (expected, line) in enumerate(labelled, start=1):
        got = number in matched
        tally.cases += 1
        if expected and got:
            tally.tp += 1
        elif expected:
            tally.fn += 1
            tally.missed.append(f"{path.name}: {line[:120]}")
        elif got:
            tally.fp += 1


def evaluate(rules: list[Rule], folder: Path) -> Evaluation:
    result = Evaluation()
    con = offline.connection()
    try:
        for test in sorted((folder / "crowdsec-hub-tests").iterdir()):
            if (test / "config.yaml").is_file():
                _crowdsec_test(con, test, rules, result)
        for path in sorted((folder / "fail2ban-test-logs").iterdir()):
            if path.name in FAIL2BAN:
                _fail2ban_file(con, path, rules, result)
            else:
                result.skipped.append(
                    (f"fail2ban/{path.name}", "log galat atau perlu DNS / an error log, or needs DNS")
                )
    finally:
        con.close()
    return result


@dataclass
class GeneratedEvaluation:
    lines: int
    families: dict[str, Tally]
    campaigns: dict[str, tuple[int, int]]  # family -> (campaigns found, campaigns)
    other_family: dict[str, int] = field(default_factory=dict)  # family -> flagged lines of other attacks


def evaluate_generated(rules: list[Rule], log: Path, labels: Path) -> GeneratedEvaluation:
    """Precision and recall per family on the labelled lines of a log from :mod:`jaga.traffic.sample`.

    A line is found for a family when it passes the filter of a rule of that family whose detections hold
    the line's client: the line was both suspicious by itself and part of what was detected.
    """
    from jaga.traffic.detection import RULE_KINDS
    from jaga.traffic.sample import labels_read

    truth: dict[str, set[int]] = defaultdict(set)
    campaign_lines: dict[str, tuple[str, set[int]]] = {}
    for number, family, campaign in labels_read(labels):
        truth[family].add(number)
        campaign_lines.setdefault(campaign, (family, set()))[1].add(number)
    con = offline.connection()
    try:
        parsed = offline.lines_parse(con, log.read_text(encoding="utf-8"))
        con.register("all_lines", parsed)
        total = engine.events_prepare(con, lines_sql="SELECT *, true AS is_new FROM all_lines")
        predicted: dict[str, set[int]] = defaultdict(set)
        by_rule: dict[str, tuple[Rule, set[str]]] = {}
        with offline.without_dns():
            findings = engine.findings_run(con, rules)
        for rule, finding in findings:
            by_rule.setdefault(rule.key, (rule, set()))[1].update(finding.addresses or [finding.key])
        for rule, addresses in by_rule.values():
            con.register("found_clients", pa.table({"client": pa.array(sorted(addresses), pa.string())}))
            where = RULE_KINDS.get(rule.kind).line_filter(rule)
            rows = con.execute(
                f"SELECT n FROM ev WHERE ({where}) AND client IN (SELECT client FROM found_clients)"  # noqa: S608
            )
            predicted[rule.family].update(int(r[0]) for r in rows.fetchall())
            con.unregister("found_clients")
    finally:
        con.close()
    attacks = set().union(*truth.values()) if truth else set()
    families: dict[str, Tally] = {}
    others: dict[str, int] = {}
    for family in sorted(set(truth) | set(predicted)):
        real, guessed = truth.get(family, set()), predicted.get(family, set())
        # A flagged line of another family's campaign is an attack found by the wrong family, not a false alarm.
        families[family] = Tally(
            cases=len(real), tp=len(real & guessed), fp=len(guessed - attacks), fn=len(real - guessed)
        )
        others[family] = len((guessed - real) & attacks)
    campaigns: dict[str, tuple[int, int]] = {}
    for family, numbers in campaign_lines.values():
        found, count = campaigns.get(family, (0, 0))
        campaigns[family] = (found + (1 if numbers & predicted.get(family, set()) else 0), count + 1)
    return GeneratedEvaluation(lines=total, families=families, campaigns=campaigns, other_family=others)
