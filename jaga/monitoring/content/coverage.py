"""Reading a whole site across checks: which pages one check reads, what each page last showed, and the coverage.

A check reads the fixed pages (the home page and the configured ones) and the sitemap's new pages, then fills
its budget (``max_pages``) with the pages of the sitemap and the menu read longest ago (never-read first). Every
page is thus read once per ``ceil(pages / budget)`` checks. What a page showed stays in the monitor's state until
it is read again, so a finding on a page read three checks ago stays open meanwhile, and the same evidence on
many pages (one injected footer) is one finding that lists its pages.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext_noop as _

from jaga.monitoring.kinds.base import Finding, say

MAX_ROTATION_PAGES = 5000  # pages of the sitemap and the menu taken into the rotation
MAX_STORED_FINDINGS = 3000  # per-page findings kept between checks (the rest of the site is reread)
COVERAGE_WINDOW = timedelta(hours=24)


def _key(url: str) -> str:
    return format(zlib.crc32(url.encode()), "x")  # short: the state holds one entry per page of the site


def _minutes(when: datetime) -> int:
    return int(when.timestamp() // 60)


def pages_plan(
    *, state: dict[str, Any], fixed: list[str], new: list[str], universe: list[str], budget: int
) -> list[str]:
    """The pages to read now: fixed, then new, then the pages read longest ago, ``budget`` in all."""
    chosen = list(dict.fromkeys([*fixed, *new]))[:budget]
    taken = set(chosen)
    reads: dict[str, int] = state.get("page_reads") or {}
    rest = [url for url in dict.fromkeys(universe[:MAX_ROTATION_PAGES]) if url not in taken]
    rest.sort(key=lambda url: (reads.get(_key(url), -1), url))
    return chosen + rest[: max(budget - len(chosen), 0)]


def pages_record(
    *,
    state: dict[str, Any],
    now: datetime,
    read: dict[str, list[Finding]],
    failed: list[str],
    universe: list[str],
) -> tuple[dict[str, list[Finding]], dict[str, Any]]:
    """Store what the pages read now showed; return every known page's findings and the coverage.

    ``read`` maps each page read successfully now to its findings, ``failed`` the pages that did not answer
    (tried too: the rotation moves on, and what they showed before stands); ``universe`` is every page the site
    has (a page gone from it takes its findings along).
    """
    reads: dict[str, int] = state.get("page_reads") or {}
    stored: dict[str, list[dict[str, Any]]] = state.get("page_findings") or {}
    minute = _minutes(now)
    for url in failed:
        reads[_key(url)] = minute
    for url, findings in read.items():
        reads[_key(url)] = minute
        stored[url] = [asdict(finding) for finding in findings]
    alive = set(universe)
    keys = {_key(url) for url in alive}
    state["page_reads"] = {key: at for key, at in reads.items() if key in keys}
    kept: dict[str, list[dict[str, Any]]] = {}
    total = 0
    for url, items in stored.items():
        if url in alive and items and total + len(items) <= MAX_STORED_FINDINGS:
            kept[url] = items
            total += len(items)
    state["page_findings"] = kept
    since = _minutes(now - COVERAGE_WINDOW)
    recent = sum(1 for at in state["page_reads"].values() if at >= since)
    coverage = {"read_24h": recent, "pages": len(alive), "read_now": len(read) + len(failed)}
    per_page = {url: [Finding(**item) for item in items] for url, items in kept.items()}
    return per_page, coverage


def cycle_checks(pages: int, budget: int) -> int:
    """How many checks read every page once."""
    return max(math.ceil(pages / max(budget, 1)), 1)


def _split(location: str) -> tuple[str, str]:
    """``"<page url> <path in the page>"`` → (url, path)."""
    head, _, tail = location.partition(" ")
    return (head, tail) if head.startswith(("http://", "https://")) else ("", location)


def findings_group(per_page: dict[str, list[Finding]]) -> list[Finding]:
    """The same evidence at the same place on several pages is one finding listing those pages."""
    groups: dict[tuple[str, str, str, str], list[tuple[str, Finding]]] = {}
    for url, findings in per_page.items():
        for finding in findings:
            page_url, path = _split(finding.location)
            key = (finding.code, finding.severity, path, finding.evidence)
            groups.setdefault(key, []).append((page_url or url, finding))
    out: list[Finding] = []
    for (code, severity, path, evidence), members in groups.items():
        pages = sorted(dict.fromkeys(page for page, _ in members))
        first = members[0][1]
        if len(pages) == 1:
            single = Finding(code, first.message, first.location, evidence, severity, pages, first.needs_ack)
            single.text = first.text
            out.append(single)
            continue
        text = say(_("%(message)s — pada %(count)s halaman"), message=first.text or first.message, count=len(pages))
        out.append(Finding.of(code, text, path, evidence, severity, pages, first.needs_ack))
    return out
