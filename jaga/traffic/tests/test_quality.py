"""The recall floors in docs/traffic.md hold on the labelled public cases (CrowdSec hub, fail2ban)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from jaga.traffic.detection.evaluate import data_folder, evaluate
from jaga.traffic.detection.rules import rules_files

DOC = Path(__file__).resolve().parents[3] / "docs" / "traffic.md"
SOURCES = {"CrowdSec": "crowdsec", "fail2ban": "fail2ban"}


def _floors() -> dict[tuple[str, str], float]:
    floors = {}
    for row in re.findall(r"^\| (CrowdSec|fail2ban) \| (\w+) \|(.*)\|$", DOC.read_text(), re.MULTILINE):
        cells = [c.strip() for c in row[2].split("|")]
        floors[(SOURCES[row[0]], row[1])] = float(cells[-1])
    return floors


def test_the_documented_table_has_a_floor_for_every_family_it_measures() -> None:
    floors = _floors()
    assert len(floors) >= 12
    assert all(0.0 < floor <= 1.0 for floor in floors.values())


def test_no_family_falls_below_its_documented_recall() -> None:
    folder = data_folder()
    if folder is None:
        if os.environ.get("CI"):
            pytest.fail("shared/data (the labelled public cases) is missing beside the checkout")
        pytest.skip("shared/data (the labelled public cases) is not beside this checkout")
    result = evaluate(rules_files(), folder)
    measured = {("crowdsec", f): t for f, t in result.crowdsec.items()}
    measured |= {("fail2ban", f): t for f, t in result.fail2ban.items()}
    for key, floor in _floors().items():
        assert key in measured, f"{key} is in docs/traffic.md but no longer measured"
        tally = measured[key]
        assert tally.recall >= floor, f"{key}: recall {tally.recall:.2f} < {floor:.2f}; missed {tally.missed}"
    assert result.tests_used >= 60
