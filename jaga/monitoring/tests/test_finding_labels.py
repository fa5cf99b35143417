"""Every finding a kind can write has a name a person reads, in both languages."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation

from jaga.monitoring.kinds import REGISTRY, finding_label

MONITORING = Path(__file__).resolve().parents[1]
# Finding("code", ...), Finding.of(\n "code", ...) and words_findings(..., code="code", ...)
_CODE = re.compile(r'Finding(?:\.of)?\(\s*"([a-z_]+)"|\bcode="([a-z_]+)"')


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


def test_real_findings_read_in_each_language_and_the_stored_message_is_indonesian_only() -> None:
    from jaga.monitoring.kinds.base import said
    from jaga.monitoring.tests.fixtures.server import Route, kind_run
    from jaga.monitoring.tests.test_integrity import SPAM_FOOTER, wordpress

    routes = wordpress(Route("wordpress/index.html", values={"footer_extra": SPAM_FOOTER}), footer_extra=SPAM_FOOTER)
    outcome = kind_run(
        REGISTRY.get("integrity"), routes, {"url": "{{base}}/", "max_pages": 20, "check_cloaking": False}
    )

    links = next(f for f in outcome.findings if f.code == "hidden_link" and "dalam satu blok" in f.message)
    assert links.message.startswith("5 tautan tersembunyi dalam satu blok, ke gacor-maxwin88.xyz")
    assert "hidden" not in links.message  # no English suffix on an Indonesian page
    assert links.message.endswith("— pada 5 halaman")
    with translation.override("en"):
        english = said(links.text)
    assert english.startswith("5 hidden links in one block, to gacor-maxwin88.xyz")
    assert "Hidden link to gacor-maxwin88.xyz (positioned off screen (left:-9999px))" in english
    assert english.endswith("— on 5 pages")
    with translation.override("id"):
        assert said(links.text) == links.message
    for finding in outcome.findings:
        with translation.override("en"):
            text = said(finding.text)
        assert "tersembunyi" not in text, text
        assert "halaman" not in text, text
