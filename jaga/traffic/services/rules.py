"""Custom detection rules added without code (the admin, ``jaga traffic rules --add FILE``): checked as a rule
file is, then every one of its test lines run, before anything is saved; the problems said in words."""

from __future__ import annotations

from typing import Any

import yaml

from jaga.traffic.detection.base import Rule
from jaga.traffic.detection.rules import RuleError, rule_parse, rules_forget
from jaga.traffic.models import CustomRule

ORIGIN = "aturan khusus / custom rule"


def _yaml(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"baris {mark.line + 1} / line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise RuleError(f"{ORIGIN}: {where}YAML tidak sah / invalid YAML: {problem}") from None


def custom_rule_check(text: str) -> Rule:
    """The rule ``text`` holds, once it is valid and passes each of its own tests; :class:`RuleError` listing
    every problem otherwise (the field, or the test's number, its line and what was expected)."""
    from jaga.traffic.detection import offline

    rule = rule_parse(_yaml(text), origin=ORIGIN)
    if not rule.tests:
        raise RuleError(f"{ORIGIN}: tests: sedikitnya satu baris uji / at least one test line")
    for index, test in enumerate(rule.tests):
        if test.match is None and test.detect is None:
            raise RuleError(f"{ORIGIN}: tests.{index}: perlu 'match' atau 'detect' / needs 'match' or 'detect'")
    con = offline.connection()
    try:
        results = offline.rule_tests_run(con, rule)
    finally:
        con.close()
    lines = [test.line for test in rule.tests]
    failed = [
        f"{ORIGIN}: tests.{lines.index(result.line)}: diharapkan / expected {result.expected}, "
        f"hasilnya lain / it was not: {result.line[:160]}"
        for result in results
        if not result.passed
    ]
    if failed:
        raise RuleError("\n".join(failed))
    return rule


def custom_rule_save(*, text: str, active: bool = True) -> CustomRule:
    """Check ``text`` (see :func:`custom_rule_check`), then store it under its key (replacing that key's)."""
    rule = custom_rule_check(text)
    saved, _created = CustomRule.objects.update_or_create(key=rule.key, defaults={"text": text, "is_active": active})
    rules_forget()
    return saved
