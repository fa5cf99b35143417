"""The recall floors of docs/traffic.md's generated-log table hold: a 40,000-line log of the same generator as the
benchmark's (jaga/traffic/sample.py: every attack family's campaigns among visitors and crawlers), labelled per
line, measured the way ``python -m bench.traffic --quality`` measures the 1,000,000-line one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jaga.traffic.detection.evaluate import evaluate_generated
from jaga.traffic.detection.rules import rules_files
from jaga.traffic.sample import log_generate

DOC = Path(__file__).resolve().parents[3] / "docs" / "traffic.md"
LINES, DAYS = 40_000, 2


def _floors() -> dict[str, float]:
    text = DOC.read_text(encoding="utf-8")
    table = text[text.index("### Detection quality on the CI's generated log") :]
    return {family: float(floor) for family, floor in re.findall(r"^\| (\w+) \|.*\| ([01]\.\d+) \|$", table, re.M)}


def test_the_generated_log_table_has_a_floor_for_every_attack_family() -> None:
    assert set(_floors()) >= {"sqli", "xss", "traversal", "command", "exploit", "sensitive", "admin", "webshell",
                              "scanner", "not_http", "probing", "crawl", "brute_force", "flood"}  # fmt: skip


@pytest.mark.slow
def test_no_family_falls_below_its_documented_recall_on_the_generated_log(tmp_path: Path) -> None:
    generated = log_generate(tmp_path / "access.log", lines=LINES, days=DAYS)
    result = evaluate_generated(rules_files(), generated.log, generated.labels)
    for family, floor in _floors().items():
        tally = result.families[family]
        assert tally.cases > 0, f"{family}: the generated log has no labelled line of it any more"
        assert tally.recall >= floor, f"{family}: recall {tally.recall:.3f} < {floor:.2f} ({tally.fn} lines missed)"
        found, campaigns = result.campaigns[family]
        assert found == campaigns, f"{family}: {campaigns - found} of {campaigns} campaigns not found"
