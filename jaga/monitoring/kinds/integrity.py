"""Content integrity: defacement, injected gambling spam, unexpected and hidden links, pages nobody made,
and cloaking (spam shown to search-engine crawlers only).

Each finding carries the text found, with context, and where: the URL and a CSS-ish path of the element.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

from django.utils import translation
from django.utils.translation import gettext_noop as _
from pydantic import field_validator

from jaga.core import clock
from jaga.core.kindconfig import setting
from jaga.monitoring.content.coverage import cycle_checks, findings_group, pages_plan, pages_record
from jaga.monitoring.content.fetch import (
    BROWSER_UA,
    GOOGLEBOT_UA,
    PAGES,
    Fetched,
    fetch_problem,
    page_fetch,
    problem_words,
)
from jaga.monitoring.content.html import Page, domain_of
from jaga.monitoring.content.inspect import excerpt, page_inspect, text_similarity, url_spam_match
from jaga.monitoring.content.sitemaps import SitemapResult, sitemap_collect
from jaga.monitoring.content.structure import structure_check
from jaga.monitoring.content.words import defacement_terms, gambling_terms, matches_significant, text_match
from jaga.monitoring.kinds import finding_label
from jaga.monitoring.kinds.base import CheckContext, CheckOutcome, Finding, KindConfig, Status, say
from jaga.monitoring.kinds.freshness import url_check

CONCURRENCY = 4
MAX_KNOWN_SITEMAP_URLS = 20_000
MAX_NEW_PAGE_FINDINGS = 30
MAX_SINGLE_NEW_PAGES = 10  # more new pages at once are one finding that lists them


class IntegrityConfig(KindConfig):
    prefill: ClassVar[Mapping[str, str]] = {"url": "site_url"}

    url: str = setting(label=_("Alamat beranda"), help=_("Diawali http:// atau https://."))
    urls: list[str] = setting(
        default_factory=list, label=_("Halaman lain yang diperiksa"), help=_("Alamat lengkap, selain beranda.")
    )  # more pages to inspect besides the homepage
    use_sitemap: bool = setting(True, label=_("Periksa juga halaman dari sitemap"))
    sitemap_url: str | None = setting(
        None, label=_("Alamat sitemap"), help=_("Kosongkan untuk mencarinya sendiri (robots.txt, /sitemap.xml).")
    )
    max_pages: int = setting(
        10,
        ge=1,
        le=200,
        label=_("Halaman dibaca per pemeriksaan"),
        help=_("Pemeriksaan berikutnya membaca halaman lain dari sitemap dan menu, sampai semua terbaca."),
    )
    allowed_outbound_domains: list[str] = setting(
        default_factory=list,
        label=_("Domain luar yang boleh ditautkan"),
        help=_("Selain domain pemerintah dan yang sudah dikenal, mis. mahkamahagung.go.id."),
    )
    allowed_phrases: list[str] = setting(
        default_factory=list,
        label=_("Frasa yang diizinkan"),
        help=_("Teks situs ini yang memuat kata judi dengan wajar, mis. nama hakim atau judul perkara."),
    )
    extra_words: list[str] = setting(
        default_factory=list,
        label=_("Kata mencurigakan tambahan"),
        help=_("Ditambahkan ke daftar kata judi dan deface."),
    )
    check_cloaking: bool = setting(
        True,
        label=_("Periksa cloaking"),
        help=_("Bandingkan halaman yang dilihat mesin pencari dengan yang dilihat pengunjung."),
    )
    crawler_user_agent: str = setting(GOOGLEBOT_UA, label=_("Identitas mesin pencari (User-Agent)"))
    browser_user_agent: str = setting(BROWSER_UA, label=_("Identitas peramban (User-Agent)"))
    cloaking_similarity: float = setting(
        0.5,
        ge=0,
        le=1,
        label=_("Kemiripan minimum untuk cloaking"),
        help=_("0 sampai 1; di bawah ini kedua versi halaman dianggap berbeda."),
    )

    check_structure: bool = setting(
        True,
        label=_("Periksa perubahan struktur"),
        help=_("Menu atau isi utama yang hilang, beranda yang tidak mirip versi sebelumnya."),
    )
    structure_threshold: float = setting(
        0.5,
        ge=0.05,
        le=0.95,
        label=_("Ambang perubahan struktur"),
        help=_("0 sampai 1; menu atau isi yang tersisa kurang dari bagian ini dianggap berubah."),
    )

    _url = field_validator("url")(url_check)

    @field_validator("urls")
    @classmethod
    def _urls(cls, values: list[str]) -> list[str]:
        return [url_check(value) for value in values]

    @field_validator("sitemap_url")
    @classmethod
    def _sitemap(cls, value: str | None) -> str | None:
        return url_check(value) if value else value


def sitemap_new_pages(state: dict[str, Any], result: SitemapResult) -> tuple[list[str], list[Finding], bool]:
    """Compare the sitemap with the URLs seen before; the first reading is the baseline (no findings).

    A new page is a finding that waits for a person to acknowledge it (someone made it, or someone injected
    it); a gambling term in its address makes it critical. Many new pages at once are one finding listing them.
    """
    current = sorted({entry.loc for entry in result.entries})[:MAX_KNOWN_SITEMAP_URLS]
    baseline = "sitemap_urls" not in state
    known = set(state.get("sitemap_urls") or [])
    state["sitemap_urls"] = current
    if baseline:
        return [], [], True
    new = [url for url in current if url not in known]
    findings: list[Finding] = []
    plain: list[str] = []
    for url in new:
        spam = url_spam_match(url)
        if spam and len(findings) < MAX_NEW_PAGE_FINDINGS:
            text = say(_("Halaman baru di sitemap dengan alamat judi online «%(term)s»"), term=spam.term)
            findings.append(Finding.of("spam_page", text, result.source, url, "critical", [url], needs_ack=True))
        elif not spam:
            plain.append(url)
    if 0 < len(plain) <= MAX_SINGLE_NEW_PAGES:
        text = say(_("Halaman baru di sitemap; pastikan memang dibuat oleh pengelola"))
        findings += [Finding.of("new_page", text, result.source, url, "warning", [url], True) for url in plain]
    elif plain:
        text = say(
            _("%(count)s halaman baru di sitemap sekaligus; pastikan memang dibuat oleh pengelola"), count=len(plain)
        )
        evidence = f"{plain[0]} … {plain[-1]}"
        findings.append(Finding.of("new_page", text, result.source, evidence, "warning", plain, True))
    return new, findings, False


def cloaking_findings(browser: Page, crawler: Page, crawler_fetched: Fetched, threshold: float) -> list[Finding]:
    """Spam or a different page served to the crawler only."""
    if domain_of(crawler_fetched.final_url) != domain_of(browser.url):
        text = say(
            _("Mesin pencari dialihkan ke domain lain (%(domain)s)"), domain=domain_of(crawler_fetched.final_url)
        )
        return [Finding.of("cloaking", text, browser.url, crawler_fetched.final_url, "critical")]
    browser_text = f"{browser.title()} {browser.meta('description')} {browser.visible_text()}"
    crawler_text = f"{crawler.title()} {crawler.meta('description')} {crawler.visible_text()}"
    for terms in (gambling_terms(), defacement_terms()):
        browser_terms = {m.term for m in text_match(browser_text, terms)}
        only_crawler = [m for m in text_match(crawler_text, terms) if m.term not in browser_terms]
        if only_crawler and matches_significant(only_crawler):
            strongest = next((m for m in only_crawler if m.strong), only_crawler[0])
            text = say(
                _("Cloaking: «%(term)s» hanya tampil untuk mesin pencari, tidak untuk pengunjung"), term=strongest.term
            )
            evidence = f"crawler: {strongest.context} | browser: {excerpt(browser_text)}"
            return [Finding.of("cloaking", text, browser.url, evidence, "critical")]
    similarity = text_similarity(browser_text, crawler_text)
    if similarity < threshold:
        text = say(
            _("Halaman untuk mesin pencari berbeda dari untuk pengunjung (kemiripan %(similarity)s)"),
            similarity=f"{similarity:.0%}",
        )
        evidence = f"crawler: {excerpt(crawler_text)} | browser: {excerpt(browser_text)}"
        return [Finding.of("cloaking_suspected", text, browser.url, evidence, "warning")]
    return []


class IntegrityKind:
    name: ClassVar[str] = "integrity"
    Config: ClassVar[type[KindConfig]] = IntegrityConfig

    async def check(self, ctx: CheckContext, config: Any) -> CheckOutcome:
        assert isinstance(config, IntegrityConfig)
        started = clock.now()
        home = await page_fetch(ctx=ctx, url=config.url, user_agent=config.browser_user_agent)
        problem = fetch_problem(home)
        if problem:
            return CheckOutcome(Status.DOWN, PAGES("home_unchecked", problem=problem), response_ms=home.elapsed_ms)
        findings: list[Finding] = []
        details: dict[str, Any] = {"pages_checked": [], "pages_failed": [], "sitemap": None}
        fixed = list(dict.fromkeys([config.url, *config.urls]))
        own = domain_of(home.final_url)
        menu = [
            link.href
            for link in Page(home.text, home.final_url).nav_links()
            if domain_of(link.href) == own and not link.hidden and urlsplit(link.href).scheme in ("http", "https")
        ]
        new: list[str] = []
        sitemap_pages: list[str] = []
        if config.use_sitemap:
            result = await sitemap_collect(
                ctx=ctx,
                base_url=urljoin(config.url, "/"),
                sitemap_url=config.sitemap_url,
                max_urls=MAX_KNOWN_SITEMAP_URLS,
            )
            if result.entries:
                new, new_findings, baseline = sitemap_new_pages(ctx.state, result)
                findings += new_findings
                details["sitemap"] = {
                    "source": result.source,
                    "urls": len(result.entries),
                    "new": new[:100],
                    "baseline": baseline,
                }
                sitemap_pages = [entry.loc for entry in result.entries]
            else:
                details["sitemap"] = {"error": result.error}
                sitemap_pages = list(ctx.state.get("sitemap_urls") or [])  # unreadable now: the pages are still there
        universe = list(dict.fromkeys([*fixed, *menu, *sitemap_pages]))
        # New pages first: an injected page is the likeliest place for spam.
        pages = pages_plan(state=ctx.state, fixed=fixed, new=new, universe=universe, budget=config.max_pages)
        titles: dict[str, str] = ctx.state.setdefault("titles", {})
        structure: dict[str, Any] = ctx.state.setdefault("structure", {})
        for url in [url for url in titles if url not in fixed]:
            del titles[url]  # titles are followed on the fixed pages only
        for url in [url for url in structure if url not in fixed and url != home.final_url]:
            del structure[url]
        limit = asyncio.Semaphore(CONCURRENCY)
        read: dict[str, list[Finding]] = {}

        async def one(url: str) -> None:
            async with limit:
                fetched = home if url == config.url else None
                page_findings = await self._page_check(ctx, config, url, fetched, url in fixed, details)
                if page_findings is not None:
                    read[url] = page_findings

        await asyncio.gather(*(one(url) for url in pages))
        per_page, coverage = pages_record(
            state=ctx.state,
            now=clock.now(),
            read=read,
            failed=[failed["url"] for failed in details["pages_failed"]],
            universe=universe,
        )
        coverage["cycle_checks"] = cycle_checks(coverage["pages"], config.max_pages)
        details["coverage"] = coverage
        findings += findings_group(per_page)
        counts = {level: sum(f.severity == level for f in findings) for level in ("critical", "warning", "info")}
        details.update(counts)
        elapsed = (clock.now() - started).total_seconds() * 1000
        read = PAGES("coverage", read=coverage["read_24h"], pages=coverage["pages"], now=coverage["read_now"])
        if counts["critical"] or counts["warning"]:
            codes = sorted({f.code for f in findings if f.severity != "info"})
            with translation.override("id"):  # the labels' sources (their msgids), read later in each language
                labels = [say(finding_label(self.name, code)) for code in codes]
            reason = PAGES(
                "integrity_found", critical=counts["critical"], warning=counts["warning"], labels=labels, read=read
            )
            return CheckOutcome(Status.DEGRADED, reason, elapsed, details, findings)
        return CheckOutcome(Status.UP, PAGES("integrity_clear", read=read), elapsed, details, findings)

    async def _page_check(
        self,
        ctx: CheckContext,
        config: IntegrityConfig,
        url: str,
        fetched: Fetched | None,
        fixed: bool,
        details: dict[str, Any],
    ) -> list[Finding] | None:
        """The page's findings, or None when it could not be read (what it showed before still stands)."""
        fetched = fetched or await page_fetch(ctx=ctx, url=url, user_agent=config.browser_user_agent)
        problem = fetch_problem(fetched)
        if problem:
            details["pages_failed"].append({"url": url, "reason": problem_words(problem)})
            return None
        details["pages_checked"].append(url)
        if fetched.truncated:
            details.setdefault("pages_truncated", []).append(url)  # only the first max_body_bytes were inspected
        page = Page(fetched.text, fetched.final_url)
        findings = page_inspect(
            page,
            allowed_domains=tuple(config.allowed_outbound_domains),
            extra_words=tuple(config.extra_words),
            allowed_phrases=tuple(config.allowed_phrases),
        )
        if fixed:
            titles: dict[str, str] = ctx.state["titles"]
            title = page.title()
            previous = titles.get(url)
            if previous is not None and previous != title:
                text = say(_("Judul halaman berubah"))
                evidence = f"«{previous}» → «{title}»"
                findings.append(Finding.of("title_changed", text, f"{page.url} <title>", evidence))
            titles[url] = title
            if config.check_structure:
                findings += structure_check(
                    ctx.state["structure"],
                    page,
                    now=clock.now(),
                    threshold=config.structure_threshold,
                    home=url == config.url,
                )
        if config.check_cloaking:
            crawler_fetched = await page_fetch(ctx=ctx, url=url, user_agent=config.crawler_user_agent)
            if not fetch_problem(crawler_fetched):
                crawler = Page(crawler_fetched.text, crawler_fetched.final_url)
                findings += cloaking_findings(page, crawler, crawler_fetched, config.cloaking_similarity)
            elif crawler_fetched.status in (403, 404, 410) or crawler_fetched.status is None:
                text = say(
                    _("Halaman ditolak untuk mesin pencari: %(problem)s"), problem=fetch_problem(crawler_fetched)
                )
                findings.append(Finding.of("crawler_blocked", text, url, config.crawler_user_agent, "warning"))
        return findings


KIND = IntegrityKind()
