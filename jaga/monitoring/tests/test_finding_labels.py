"""Every finding a kind can write has a name a person reads, in both languages."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation

from jaga.monitoring.kinds import REGISTRY, finding_label

MONITORING = Path(__file__).resolve().parents[1]
# Finding("code", ...), Finding(\n "code", ...) and words_findings(..., code="code", ...)
_CODE = re.compile(r'Finding\(\s*"([a-z_]+)"|\bcode="([a-z_]+)"')


def codes_written(path: Path) -> set[str]:
    return {a or b for a, b in _CODE.findall(path.read_text())}


def test_it_finds_the_codes_written_in_a_source() -> None:
    assert codes_written(MONITORING / "kinds" / "integrity.py") >= {"new_page", "cloaking", "crawler_blocked"}
    assert "defacement" in codes_written(MONITORING / "content" / "inspect.py")


def test_every_code_a_kind_writes_has_its_own_label() -> None:
    sources = {
        "integrity": ["kinds/integrity.py", "content/inspect.py", "content/structure.py"],
        "required_pages": ["kinds/required_pages.py"],
        "freshness": ["kinds/freshness.py"],
        "tls": ["kinds/tls.py"],
    }
    for kind, files in sources.items():
        declared = set(REGISTRY.entry(kind).extra.get("findings") or {})
        written = set().union(*(codes_written(MONITORING / name) for name in files))
        assert written, kind
        assert written <= declared, (kind, sorted(written - declared))


def test_a_label_is_translated_and_an_unknown_code_never_shows_itself() -> None:
    with translation.override("id"):
        assert finding_label("integrity", "hidden_link") == "Tautan tersembunyi"
        assert finding_label("integrity", "no_such_code") == "Integritas konten"  # the kind's own name
        assert finding_label("no_such_kind", "x") == "Temuan"
    with translation.override("en"):
        assert finding_label("integrity", "hidden_link") == "Hidden link"
        assert finding_label("required_pages", "page_stub") == "Required page is a placeholder"
