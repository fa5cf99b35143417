"""Word lists (gambling spam, defacement) matched with word boundaries, each match with its context."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

WORDLIST_DIR = Path(__file__).with_name("wordlists")
CONTEXT_CHARS = 60
_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Term:
    phrase: str
    pattern: re.Pattern[str]
    strong: bool
    listname: str
    first: str  # the phrase's first word, "" for a regex


@dataclass
class Match:
    term: str
    listname: str
    strong: bool
    context: str  # the matched text with ~60 characters either side


def _compile(phrase: str) -> re.Pattern[str]:
    # "slot gacor" also matches "slot-gacor" and "slot_gacor"; "slotgacor" is left to the "gacor" entry.
    body = phrase[3:] if phrase.startswith("re:") else r"[\s\-_]+".join(re.escape(word) for word in phrase.split())
    return re.compile(r"(?<![^\W_])" + body + r"(?![^\W_])", re.IGNORECASE)


def terms_parse(lines: list[str], listname: str) -> list[Term]:
    terms = []
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        strong = not line.startswith("?")
        phrase = line.lstrip("?").strip().lower()
        first = "" if phrase.startswith("re:") else _TOKEN.findall(phrase)[0]
        terms.append(Term(phrase, _compile(phrase), strong, listname, first))
    return terms


@cache
def wordlist_load(name: str) -> tuple[Term, ...]:
    path = WORDLIST_DIR / f"{name}.txt"
    return tuple(terms_parse(path.read_text(encoding="utf-8").splitlines(), name))


@cache
def gambling_terms(extra_words: tuple[str, ...] = ()) -> tuple[Term, ...]:
    return (*wordlist_load("gambling_id"), *wordlist_load("gambling_en"), *terms_parse(list(extra_words), "extra"))


@cache
def defacement_terms() -> tuple[Term, ...]:
    return wordlist_load("defacement")


def normalise(text: str) -> str:
    """NFKC folds the full-width and styled letters spammers use (ｓｌｏｔ, 𝐬𝐥𝐨𝐭) to plain ones."""
    return unicodedata.normalize("NFKC", text)


def context_of(text: str, start: int, end: int, chars: int = CONTEXT_CHARS) -> str:
    left = max(start - chars, 0)
    right = min(end + chars, len(text))
    return ("…" if left else "") + text[left:right].strip() + ("…" if right < len(text) else "")


def terms_present(text: str, terms: tuple[Term, ...]) -> tuple[Term, ...]:
    """The terms whose first word occurs in ``text`` (plus every regex term): a cheap filter for a whole page.

    One tokenisation of the page replaces thousands of regex searches over its elements.
    """
    tokens = set(_TOKEN.findall(normalise(text).lower()))
    return tuple(term for term in terms if not term.first or term.first in tokens)


def text_match(text: str, terms: tuple[Term, ...]) -> list[Match]:
    """All terms found in ``text`` (one match per term), strong and weak alike."""
    text = normalise(text)
    out = []
    for term in terms:
        found = term.pattern.search(text)
        if found:
            label = found.group(0).lower() if term.phrase.startswith("re:") else term.phrase
            out.append(Match(label, term.listname, term.strong, context_of(text, found.start(), found.end())))
    return out


def matches_significant(matches: list[Match], *, weak_needed: int = 3) -> bool:
    """A page is spam if a strong term appears, or ``weak_needed`` different weak terms do.

    Weak terms alone are everyday words on a court site ("Bandar Lampung", a judge named Toto,
    "slot waktu sidang"), so they count only together.
    """
    if any(m.strong for m in matches):
        return True
    return len({m.term for m in matches}) >= weak_needed
