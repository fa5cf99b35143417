"""Defacement without words: a page's navigation or main content disappearing or changing beyond a threshold
against its own baseline, and the home page becoming unlike every earlier version of itself.

A defacer may keep the title and write in any language; what he cannot keep is the court's menu, its news and
its footer. Each watched page keeps, in the monitor's state, a small sketch (the 64 lowest CRC-32 hashes of its
words: a bottom-k MinHash) of up to eight earlier versions, the length of its main content and the hashes of
its menu links. A version that raises a finding is not learnt at once: it becomes the baseline only after it
has stood for a day, so a defacement is reported for a day and its finding stays open until a person
acknowledges it.
"""

from __future__ import annotations

import re
import zlib
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.utils.translation import gettext_noop as _

from jaga.monitoring.content.html import Page
from jaga.monitoring.content.inspect import excerpt
from jaga.monitoring.kinds.base import Finding, Text, say

SKETCH_SIZE = 64
MAX_VERSIONS = 8
SAME_VERSION = 0.9  # at least this similar to the latest version: the same version, not a new one
MIN_NAV_LINKS = 3  # fewer menu links than this in the baseline: the menu is not judged
MIN_MAIN_CHARS = 200  # a baseline main content shorter than this is not judged for shrinking
ACCEPT_AFTER = timedelta(hours=24)
_WORD = re.compile(r"[^\W\d_]{3,}")


def sketch(text: str) -> list[int]:
    """Bottom-k MinHash of the text's words (CRC-32: the same in every process, unlike ``hash``)."""
    hashes = {zlib.crc32(word.encode()) for word in _WORD.findall(text.lower())}
    return sorted(hashes)[:SKETCH_SIZE]


def sketch_similarity(a: list[int], b: list[int]) -> float:
    """Estimated Jaccard similarity of the two word sets (1.0 = the same words)."""
    if not a and not b:
        return 1.0
    union = sorted(set(a) | set(b))[:SKETCH_SIZE]
    both = set(a) & set(b)
    return sum(value in both for value in union) / len(union)


def _nav_hashes(page: Page) -> list[int]:
    own = urlsplit(page.url).hostname
    paths = {
        (urlsplit(link.href).path.rstrip("/") or "/") if urlsplit(link.href).hostname == own else link.href
        for link in page.nav_links()
        if not link.hidden
    }
    return sorted(zlib.crc32(path.encode()) for path in paths)


def _jaccard(a: list[int], b: list[int]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 1.0


def structure_check(state: dict[str, Any], page: Page, *, now: datetime, threshold: float, home: bool) -> list[Finding]:
    """Compare the page with its baseline in ``state`` (updated in place); findings say what changed."""
    text = page.visible_text()
    main = page.main_text()
    nav = _nav_hashes(page)
    current: dict[str, Any] = {"sketch": sketch(text), "main_chars": len(main), "nav": nav}
    record = state.get(page.url)
    if not isinstance(record, dict) or not record.get("versions"):
        state[page.url] = {"versions": [current["sketch"]], "main_chars": len(main), "nav": nav}
        return []
    problems: list[tuple[str, Text]] = []  # (severity, what)
    base_nav: list[int] = record.get("nav") or []
    if len(base_nav) >= MIN_NAV_LINKS:
        kept = _jaccard(base_nav, nav)
        if not nav:
            problems.append(("critical", say(_("menu navigasi hilang (acuan %(count)s tautan)"), count=len(base_nav))))
        elif kept < threshold:
            problems.append(
                ("warning", say(_("menu navigasi berubah: %(share)s tautan sama dengan acuan"), share=f"{kept:.0%}"))
            )
    base_main = int(record.get("main_chars") or 0)
    if base_main >= MIN_MAIN_CHARS and len(main) < base_main * threshold:
        problems.append(
            (
                "critical",
                say(_("isi utama menyusut dari %(before)s ke %(now)s karakter"), before=base_main, now=len(main)),
            )
        )
    if home:
        closest = max(sketch_similarity(current["sketch"], version) for version in record["versions"])
        if closest < threshold:
            unlike = say(
                _("beranda tidak mirip versi mana pun sebelumnya (paling mirip %(share)s)"), share=f"{closest:.0%}"
            )
            problems.append(("critical", unlike))
    if not problems:
        _learn(record, current)
        record.pop("changed_since", None)
        return []
    since = record.setdefault("changed_since", now.isoformat())
    if now - datetime.fromisoformat(since) >= ACCEPT_AFTER:
        _learn(record, current)  # stood for a day: the new baseline (its finding waits for a person)
        record.pop("changed_since", None)
    severity = "critical" if any(level == "critical" for level, _what in problems) else "warning"
    text_ = say(_("Struktur halaman berubah tanpa kata mencurigakan: %(what)s"), what=[what for _l, what in problems])
    return [Finding.of("structure_changed", text_, page.url, excerpt(main or text), severity, needs_ack=True)]


def _learn(record: dict[str, Any], current: dict[str, Any]) -> None:
    versions: list[list[int]] = record["versions"]
    if versions and sketch_similarity(versions[-1], current["sketch"]) >= SAME_VERSION:
        versions[-1] = current["sketch"]
    else:
        versions.append(current["sketch"])
    record["versions"] = versions[-MAX_VERSIONS:]
    record["main_chars"] = current["main_chars"]
    record["nav"] = current["nav"]
