"""Find and read a site's sitemap (following a sitemap index), and judge whether its ``lastmod`` can be trusted."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin

from jaga.core.sentences import Text
from jaga.monitoring.content.fetch import fetch_problem, page_fetch, problem_words
from jaga.monitoring.content.signals import NOTES
from jaga.monitoring.content.xmlfeeds import Sitemap, SitemapEntry, sitemap_parse
from jaga.monitoring.kinds.base import CheckContext

# WordPress core (5.5+), Yoast / Rank Math, then the generic name (Joomla extensions such as JSitemap/OSMap
# use their own URLs: configure ``sitemap_url``).
DEFAULT_SITEMAP_PATHS = ("/wp-sitemap.xml", "/sitemap_index.xml", "/sitemap.xml")
SAME_DATE_SHARE = 0.8  # above this share of entries on one day, lastmod is the regeneration date
MIN_ENTRIES_FOR_JUDGEMENT = 5


@dataclass
class SitemapResult:
    source: str = ""  # the sitemap (or index) URL that answered
    entries: list[SitemapEntry] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    error: str = ""


async def _sitemap_read(ctx: CheckContext, url: str, problems: list[str]) -> Sitemap | None:
    """Fetch and parse one sitemap file; on failure add a readable problem to ``problems`` and return None."""
    fetched = await page_fetch(ctx=ctx, url=url)
    problem = fetch_problem(fetched)
    if problem:
        problems.append(problem_words(problem))
        return None
    if looks_like_html(fetched.body, fetched.headers.get("content-type", "")):
        # A CMS that answers every address with its home page (or a login or error page) is not a broken XML
        # document with a DTD: say what came back.
        problems.append(f"{url}: alamat ini menjawab dengan halaman HTML, bukan sitemap / an HTML page, not a sitemap")
        return None
    try:
        return sitemap_parse(fetched.body)
    except ValueError as exc:
        problems.append(f"{url}: {exc}")
        return None


async def sitemap_collect(
    *, ctx: CheckContext, base_url: str, sitemap_url: str | None = None, max_urls: int = 5000, max_files: int = 10
) -> SitemapResult:
    """Read the configured sitemap, or the first default that answers, following one level of index."""
    candidates = [sitemap_url] if sitemap_url else [urljoin(base_url, path) for path in DEFAULT_SITEMAP_PATHS]
    problems: list[str] = []
    for candidate in candidates:
        parsed = await _sitemap_read(ctx, candidate, problems)
        if parsed is None:
            continue
        result = SitemapResult(source=candidate, entries=parsed.urls[:max_urls], files=[candidate])
        for child in parsed.sitemaps[:max_files]:
            if len(result.entries) >= max_urls:
                break
            child_map = await _sitemap_read(ctx, child.loc, problems)
            if child_map is None:
                continue
            result.files.append(child.loc)
            result.entries += child_map.urls[: max_urls - len(result.entries)]
        result.error = "; ".join(problems) if not result.entries else ""
        return result
    return SitemapResult(error="; ".join(problems) or "tidak ada sitemap / no sitemap")


def looks_like_html(body: bytes, content_type: str) -> bool:
    """An HTML page where XML was expected: by its Content-Type, or by its first tag."""
    if "html" in content_type.lower() and "xml" not in content_type.lower():
        return True
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:300]


@dataclass
class LastmodJudgement:
    trust: str  # "medium", "low", "untrusted"
    reason: Text
    newest: SitemapEntry | None


def sitemap_lastmod_judge(entries: list[SitemapEntry], *, now: datetime) -> LastmodJudgement:
    """Rate the sitemap's lastmod dates. Many generators stamp every URL with the time they rebuilt the file;
    then the newest lastmod says nothing about the content."""
    dated = [entry for entry in entries if entry.lastmod is not None]
    if not dated:
        return LastmodJudgement("untrusted", NOTES("no_lastmod", urls=len(entries)), None)
    newest = max(dated, key=lambda entry: entry.lastmod or now)
    if len(dated) < MIN_ENTRIES_FOR_JUDGEMENT:
        return LastmodJudgement("low", NOTES("few_lastmod", urls=len(dated)), newest)
    days = Counter(entry.lastmod.date() for entry in dated if entry.lastmod)
    day, count = days.most_common(1)[0]
    share = count / len(dated)
    if share > SAME_DATE_SHARE:
        code = "same_lastmod_today" if day == now.date() else "same_lastmod"
        note = NOTES(code, share=f"{share:.0%}", urls=len(dated), date=day.isoformat())
        return LastmodJudgement("untrusted", note, newest)
    return LastmodJudgement("medium", NOTES("varied_lastmod", urls=len(dated), days=len(days)), newest)
