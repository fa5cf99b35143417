"""Rules are data: every rule's own test lines hold, and a broken rule file says where it is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from jaga.traffic.detection import offline
from jaga.traffic.detection.base import FAMILIES
from jaga.traffic.detection.rules import RuleError, rules_files, rules_read

RULES = rules_files()


@pytest.fixture(scope="module")
def con():  # type: ignore[no-untyped-def]
    connection = offline.connection()
    yield connection
    connection.close()


@pytest.mark.parametrize("rule", RULES, ids=[r.key for r in RULES])
def test_each_rule_passes_its_own_test_lines(rule, con) -> None:  # type: ignore[no-untyped-def]
    results = offline.rule_tests_run(con, rule)
    assert [r for r in results if not r.passed] == []


def test_every_family_has_a_rule_and_every_rule_explains_itself_in_both_languages() -> None:
    assert {r.family for r in RULES} == set(FAMILIES)
    for rule in RULES:
        assert all((rule.explanation.id, rule.explanation.en, rule.advice.id, rule.advice.en)), rule.key
    assert [r.key for r in RULES if not r.tests] == []


def test_a_url_encoded_twice_traversal_is_decoded_until_stable(con) -> None:  # type: ignore[no-untyped-def]
    rule = next(r for r in RULES if r.key == "path-traversal")
    line = (
        '203.0.113.5 - - [01/Nov/2026:08:00:00 +0700] "GET /x?f=%25252e%25252e%25252fetc%25252fpasswd HTTP/1.1" '
        '404 1 "-" "c"'
    )
    offline.events_from_text(con, line)
    from jaga.traffic.detection import engine

    assert engine.lines_matching(con, rule)


def test_a_broken_rule_file_names_the_file_and_the_field(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "key: x\nkind: signature\nfamily: sqli\nseverity: tinggi\n"
        "label: {id: a, en: b}\nexplanation: {id: a, en: b}\nadvice: {id: a, en: b}\n"
        "config: {match: {target: ['(unclosed']}}\n"
    )
    with pytest.raises(RuleError) as caught:
        rules_read(tmp_path)
    assert "bad.yaml" in str(caught.value)
    assert "target" in str(caught.value)
    (tmp_path / "bad.yaml").write_text("key: x\nkind: nope\nfamily: sqli\nseverity: tinggi\nconfig: {}\n")
    with pytest.raises(RuleError, match="kind"):
        rules_read(tmp_path)


def test_a_custom_rule_replaces_the_builtin_of_its_key(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "sqli.yaml").write_text(
        "key: sqli-probe\nkind: signature\nfamily: sqli\nseverity: rendah\n"
        "label: {id: Versi kantor, en: Office version}\nexplanation: {id: a, en: b}\nadvice: {id: a, en: b}\n"
        "config: {match: {target: ['union']}, threshold: 3}\n"
    )
    settings.JAGA_TRAFFIC_RULES_DIR = str(tmp_path)
    custom = [r for r in rules_files() if r.key == "sqli-probe"]
    assert len(custom) == 1
    assert custom[0].severity == "rendah"
    assert custom[0].config.threshold == 3
