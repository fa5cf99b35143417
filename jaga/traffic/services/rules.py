"""Custom detection rules added without code (Jaga's pages, the admin, ``jaga traffic rules --add FILE``): checked
as a rule file is, then every one of its test lines run, before anything is saved; the problems said in words."""

from __future__ import annotations

from typing import Any

import yaml

from jaga.core.models import Institution
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


def custom_rule_key_problem(rule: Rule, *, institution_id: int | None, editing: int | None = None) -> str:
    """Why ``rule`` cannot be stored under its key (another custom rule has it; an institution's rule takes a key
    of Jaga's or of the rules folder), or ""."""
    from django.utils.translation import gettext as _

    from jaga.traffic.detection.rules import rules_files

    others = CustomRule.objects.filter(key=rule.key)
    if editing is not None:
        others = others.exclude(pk=editing)
    if others.exists():
        return _("Sudah ada aturan khusus dengan kunci %(key)s: ubah yang itu, atau beri kunci lain.") % {
            "key": rule.key
        }
    if institution_id is not None and rule.key in {known.key for known in rules_files()}:
        return _(
            "Kunci %(key)s dipakai aturan bawaan Jaga. Aturan khusus institusi memakai kunci sendiri "
            "(mis. %(key)s-khusus); aturan bawaan hanya dapat diganti untuk seluruh instalasi, lewat admin atau "
            "jaga traffic rules --add."
        ) % {"key": rule.key}
    return ""


def custom_rule_save(
    *, text: str, active: bool = True, institution: Institution | None = None, rule_id: int | None = None
) -> CustomRule:
    """Check ``text`` (see :func:`custom_rule_check`), then store it under its key: the custom rule ``rule_id`` (of
    ``institution``), or the one of that key (replacing it), or a new one. :class:`RuleError` when the key is
    another rule's (see :func:`custom_rule_key_problem`)."""
    rule = custom_rule_check(text)
    institution_id = institution.pk if institution is not None else None
    if rule_id is not None:
        problem = custom_rule_key_problem(rule, institution_id=institution_id, editing=rule_id)
        if problem:
            raise RuleError(problem)
        saved = CustomRule.objects.get(pk=rule_id, institution=institution)
        saved.key, saved.text, saved.is_active = rule.key, text, active
        saved.save()
    elif institution_id is not None:
        problem = custom_rule_key_problem(rule, institution_id=institution_id)
        if problem:
            raise RuleError(problem)
        saved = CustomRule.objects.create(key=rule.key, text=text, is_active=active, institution_id=institution_id)
    else:
        saved, _created = CustomRule.objects.update_or_create(
            key=rule.key, defaults={"text": text, "is_active": active, "institution": None}
        )
    rules_forget()
    return saved


def custom_rule_active_set(*, rule: CustomRule, active: bool) -> None:
    rule.is_active = active
    rule.save(update_fields=["is_active", "updated_at"])
    rules_forget()


def custom_rule_delete(*, rule: CustomRule) -> None:
    rule.delete()
    rules_forget()
