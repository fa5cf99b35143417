# ruff: noqa: S608 - SQL over DuckDB built from ints and registered tables, never from a request
"""Detection over log text that is not in the store: a rule's own tests, the labelled public cases.

The text goes through the same parser as ingestion (:func:`jaga.traffic.ingest.pipeline.batch_parse`) and the
same engine; nothing is written to the store or the database.
"""

from __future__ import annotations

import tempfile
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jaga.traffic.detection import engine
from jaga.traffic.detection.base import Finding, Rule, RuleTest
from jaga.traffic.ingest import pipeline
from jaga.traffic.logformats import format_build


def without_dns() -> AbstractContextManager[None]:
    """Offline text is not today's traffic: no DNS look-ups about its addresses (a claimed crawler is left
    unverified, never flagged)."""
    from jaga.traffic.detection import crawler

    return crawler.verifier(lambda _address, _domains: None)


def connection() -> Any:
    folder = Path(tempfile.gettempdir()) / "jaga-traffic-offline"
    folder.mkdir(exist_ok=True)
    return pipeline.connection_open(memory_mb=256, temp_dir=folder, threads=1)


def lines_parse(con: Any, text: str, *, format_key: str = "combined", tz: str = "UTC") -> Any:
    """The normalised lines (an Arrow table, ``n`` the line's number among the good ones) of ``text``."""
    fmt = format_build(format_key)
    with tempfile.NamedTemporaryFile("w", suffix=".log", encoding="utf-8", errors="surrogateescape") as raw:
        raw.write(text if text.endswith("\n") else text + "\n")
        raw.flush()
        lines, _bad = pipeline.batch_parse(con, fmt=fmt, chunk=Path(raw.name), tz=tz, source_id=0)
    return lines


def events_from_text(
    con: Any,
    text: str,
    *,
    repeat: int = 1,
    every_seconds: float = 1.0,
    allow: tuple[str, ...] = (),
    baseline: RuleTest | None = None,
) -> int:
    """Prepare ``ev`` from ``text``; with ``repeat``, every line that many times, ``every_seconds`` apart. A
    ``baseline`` (hook, trafficfeat: the rate anomaly's usual traffic) adds its lines as context, not new."""
    lines = lines_parse(con, text)
    con.register("offline_lines", lines)
    repeated = f"""
        SELECT * REPLACE (ts + to_microseconds((r.i * {float(every_seconds)} * 1000000)::BIGINT) AS ts,
                          (r.i * 1000000 + n)::INTEGER AS n),
               true AS is_new
        FROM offline_lines, (SELECT range AS i FROM range({int(repeat)})) r
    """
    if baseline is not None:
        con.register("offline_baseline", lines_parse(con, baseline.line))
        repeated += f"""
            UNION ALL BY NAME
            SELECT * REPLACE (ts + to_microseconds((r.i * {float(baseline.every_seconds)} * 1000000)::BIGINT) AS ts,
                              (-1 - r.i * 1000000 - n)::INTEGER AS n),
                   false AS is_new
            FROM offline_baseline, (SELECT range AS i FROM range({int(baseline.repeat)})) r
        """
    try:
        return engine.events_prepare(con, lines_sql=repeated, allow=allow)
    finally:
        con.unregister("offline_lines")
        if baseline is not None:
            con.unregister("offline_baseline")


@dataclass
class TestResult:
    rule: str
    line: str
    expected: str
    passed: bool


def rule_tests_run(con: Any, rule: Rule) -> list[TestResult]:
    """Each of the rule's own tests: does the line match, does the repetition make a detection."""
    results = []
    for test in rule.tests:
        events_from_text(con, test.line, repeat=test.repeat, every_seconds=test.every_seconds, baseline=test.baseline)
        if test.match is not None:
            matched = bool(engine.lines_matching(con, rule))
            results.append(TestResult(rule.key, test.line, f"match={test.match}", matched == test.match))
        if test.detect is not None:
            with without_dns():
                detected = bool(engine.findings_run(con, [rule]))
            results.append(TestResult(rule.key, test.line, f"detect={test.detect}", detected == test.detect))
    return results


def findings_for_text(
    con: Any, text: str, rules: list[Rule], *, allow: tuple[str, ...] = ()
) -> list[tuple[Rule, Finding]]:
    events_from_text(con, text, allow=allow)
    with without_dns():
        return engine.findings_run(con, rules)
