"""Required pages: a checklist of pages that must exist, carry real text and be fresh enough.

The default checklist follows the court-website content of SK KMA 2-144/KMA/SK/VIII/2022. Each page has
typical paths and keywords: when a court's URLs differ, the page is found through the homepage menu
(a link whose text reads e.g. "Struktur Organisasi").
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import gettext_noop as _
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from jaga.core import clock
from jaga.core.kindconfig import setting
from jaga.core.kindconfig_form import ChecklistAdapter
from jaga.monitoring.content.court_pages import DEFAULT_COURT_PAGES
from jaga.monitoring.content.dates import FoundDate, age_days, date_parse, text_dates
from jaga.monitoring.content.fetch import PAGES, Fetched, fetch_problem, page_fetch
from jaga.monitoring.content.html import Link, Page, domain_of
from jaga.monitoring.kinds.base import CheckContext, CheckOutcome, Finding, KindConfig, Status, Text, say
from jaga.monitoring.kinds.freshness import url_check

MAX_TRIES_PER_PAGE = 4
# What a person reads for a page's status (the freshness page, the reason), never the stored key.
PAGE_STATUS_LABELS = {
    "ok": _l("ada"),
    "missing": _l("tidak ditemukan"),
    "stub": _l("belum diisi"),
    "empty": _l("kosong"),
    "missing_words": _l("tidak lengkap"),
    "undated": _l("tanpa tanggal"),
    "stale": _l("usang"),
}
FOUND_BY_LABELS = {
    "tautan": _l("tautan yang dicari"),
    "konfigurasi": _l("alamat yang ditentukan"),
    "menu": _l("menu situs"),
    "jalur umum": _l("alamat yang lazim"),
}


def page_status_label(status: str) -> str:
    return str(PAGE_STATUS_LABELS.get(status, status))


def _status_said(status: str) -> Text | str:
    """A page's status as a sentence for a stored reason (its label's msgid), read later in each language."""
    with translation.override("id"):
        return say(page_status_label(status)) if status in PAGE_STATUS_LABELS else status


# A page that says it is coming is not content, however long its theme's text around it.
STUB_PATTERN = re.compile(
    r"segera\s+(?:tersedia|hadir|diisi)|(?:sedang\s+)?dalam\s+(?:pengembangan|perbaikan|pembuatan|proses\s+pengisian)"
    r"|halaman\s+(?:ini\s+)?belum\s+(?:tersedia|diisi|ada\s+isinya)|coming\s+soon|under\s+construction"
    r"|lorem\s+ipsum|content\s+(?:will\s+be\s+)?(?:available|added)\s+soon",
    re.IGNORECASE,
)
STUB_MAX_CHARS = 600  # a stub sentence in a text longer than this is a remark, not the whole page
CONCURRENCY = 4

__all__ = ["DEFAULT_COURT_PAGES", "KIND", "PageSpec", "RequiredPagesConfig"]


class PageSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    title: str
    path: str | None = None
    url: str | None = None
    paths: list[str] = Field(default_factory=list)  # typical paths, tried after the homepage menu
    keywords: list[str] = Field(default_factory=list)  # matched against the homepage's link texts
    link_pattern: str | None = None  # a homepage link to this (external) address is enough
    must_contain: list[str] = Field(default_factory=list)
    max_age_days: int | None = Field(default=None, gt=0)
    min_text_chars: int = Field(default=200, ge=0)

    @field_validator("link_pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        if value:
            re.compile(value)
        return value


def default_pages() -> list[PageSpec]:
    return [PageSpec(**spec) for spec in DEFAULT_COURT_PAGES]


class RequiredPagesConfig(KindConfig):
    prefill: ClassVar[Mapping[str, str]] = {"base_url": "site_url"}
    # The pages are ticked from the SK KMA checklist (and any page set through the API), never typed as JSON.
    form_adapters: ClassVar[Mapping[str, Any]] = {
        "pages": functools.partial(ChecklistAdapter, options=default_pages),
    }

    base_url: str = setting(label=_("Alamat beranda"), help=_("Diawali http:// atau https://."))
    pages: list[PageSpec] = setting(
        default_factory=default_pages,
        label=_("Halaman wajib yang diperiksa"),
        help=_("Daftar SK KMA 2-144/2022. Halaman lain dapat ditambahkan melalui API."),
    )
    crawl_menu: bool = setting(
        True, label=_("Cari halaman lewat menu beranda"), help=_("Bila alamat halaman berbeda dari yang lazim.")
    )

    _url = field_validator("base_url")(url_check)

    @model_validator(mode="after")
    def _unique_keys(self) -> RequiredPagesConfig:
        keys = [page.key for page in self.pages]
        doubles = sorted({key for key in keys if keys.count(key) > 1})
        if doubles:
            raise ValueError(gettext("Kunci halaman ganda: %(keys)s") % {"keys": ", ".join(doubles)})
        return self


def menu_links_for(spec: PageSpec, nav: list[Link], links: list[Link], base_url: str) -> list[str]:
    """Same-site links for the spec, best keyword first: menu links whose text or last path segment holds a
    keyword, then other homepage links only when their whole text *is* a keyword (a news item titled
    "Putusan perkara ..." on the homepage is not the judgments directory)."""
    site = domain_of(base_url)
    found: list[str] = []

    def add(href: str) -> None:
        if href not in found:
            found.append(href)

    for keyword in spec.keywords:
        word = keyword.lower()
        pattern = re.compile(r"(?<!\w)" + re.escape(word) + r"(?!\w)")
        slug = word.replace(" ", "-")
        for link in nav:
            if domain_of(link.href) != site or link.hidden:
                continue
            last_segment = urlsplit(link.href).path.rstrip("/").rsplit("/", 1)[-1].lower()
            if pattern.search(link.text.lower()) or slug in last_segment:
                add(link.href)
        for link in links:
            if domain_of(link.href) != site or link.hidden:
                continue
            last_segment = urlsplit(link.href).path.rstrip("/").rsplit("/", 1)[-1].lower()
            if " ".join(link.text.lower().split()) == word or last_segment == slug:
                add(link.href)
    return found


def page_newest_date(page: Page, fetched: Fetched, *, now: datetime) -> FoundDate | None:
    """The newest date the page shows: metadata, <time>, Last-Modified, then dates written in the text."""
    structured: list[FoundDate] = []
    for name in ("article:modified_time", "og:updated_time", "article:published_time"):
        raw = page.meta(name)
        if (when := date_parse(raw)) is not None:
            structured.append(FoundDate(when, raw, f'<meta property="{name}">'))
    for node in page.tree.css("time[datetime]"):
        raw = node.attributes.get("datetime") or ""
        if (when := date_parse(raw)) is not None:
            structured.append(FoundDate(when, raw, "<time datetime>"))
    modified = date_parse(fetched.headers.get("last-modified"))
    served = date_parse(fetched.headers.get("date")) or now
    if modified and abs((served - modified).total_seconds()) > 120:
        structured.append(FoundDate(modified, fetched.headers["last-modified"], "header Last-Modified"))
    candidates = [found for found in structured if found.when <= now] or text_dates(page.main_text(), now=now)
    return max(candidates, key=lambda found: found.when) if candidates else None


class RequiredPagesKind:
    name: ClassVar[str] = "required_pages"
    Config: ClassVar[type[KindConfig]] = RequiredPagesConfig

    async def check(self, ctx: CheckContext, config: Any) -> CheckOutcome:
        assert isinstance(config, RequiredPagesConfig)
        now = clock.now()
        home = await page_fetch(ctx=ctx, url=config.base_url)
        problem = fetch_problem(home)
        if problem:
            return CheckOutcome(Status.DOWN, PAGES("home_unreachable", problem=problem), response_ms=home.elapsed_ms)
        home_page = Page(home.text, home.final_url)
        links, nav = home_page.links(), home_page.nav_links()
        limit = asyncio.Semaphore(CONCURRENCY)

        async def one(spec: PageSpec) -> tuple[dict[str, Any], Finding | None]:
            async with limit:
                return await self._page_check(ctx, spec, config, nav, links, now)

        results = await asyncio.gather(*(one(spec) for spec in config.pages))
        rows = [row for row, _ in results]
        findings = [finding for _, finding in results if finding is not None]
        failing = [row for row in rows if row["status"] not in ("ok", "undated")]
        details = {"pages": rows, "ok": len(rows) - len(failing), "failing": len(failing)}
        if failing:
            names = [PAGES("required_page", title=row["title"], status=_status_said(row["status"])) for row in failing]
            reason = PAGES("required_failing", failing=len(failing), total=len(rows), names=names)
            return CheckOutcome(Status.DEGRADED, reason, home.elapsed_ms, details, findings)
        return CheckOutcome(Status.UP, PAGES("required_ok", total=len(rows)), home.elapsed_ms, details, findings)

    async def _page_check(
        self,
        ctx: CheckContext,
        spec: PageSpec,
        config: RequiredPagesConfig,
        nav: list[Link],
        links: list[Link],
        now: datetime,
    ) -> tuple[dict[str, Any], Finding | None]:
        row: dict[str, Any] = {
            "key": spec.key,
            "title": spec.title,
            "status": "missing",
            "url": None,
            "found_by": None,
            "http_status": None,
            "text_chars": None,
            "min_text_chars": spec.min_text_chars,
            "age_days": None,
            "max_age_days": spec.max_age_days,
            "date_evidence": "",
            "tried": [],
        }
        if spec.link_pattern:
            pattern = re.compile(spec.link_pattern, re.IGNORECASE)
            link = next((link for link in links if pattern.search(link.href) and not link.hidden), None)
            if link is not None:
                row.update(status="ok", url=link.href, found_by="tautan", date_evidence=f"tautan «{link.text}»")
                return row, None
        candidates: list[tuple[str, str]] = []
        if spec.url or spec.path:
            candidates.append((spec.url or urljoin(config.base_url, spec.path or "/"), "konfigurasi"))
        else:
            if config.crawl_menu:
                candidates += [(href, "menu") for href in menu_links_for(spec, nav, links, config.base_url)]
            candidates += [(urljoin(config.base_url, path), "jalur umum") for path in spec.paths]
        fetched: Fetched | None = None
        for url, found_by in list(dict.fromkeys(candidates))[:MAX_TRIES_PER_PAGE]:
            attempt = await page_fetch(ctx=ctx, url=url)
            row["tried"].append(f"{url} → {attempt.error or f'HTTP {attempt.status}'}")
            if attempt.ok:
                fetched = attempt
                row.update(url=attempt.final_url, found_by=found_by, http_status=attempt.status)
                break
        if fetched is None:
            # The evidence is the addresses tried (and what each answered); with none, the message says so.
            tried = "; ".join(row["tried"])
            text = (
                say(_("Halaman wajib «%(title)s» tidak ditemukan"), title=spec.title)
                if tried
                else say(_("Halaman wajib «%(title)s» tidak ditemukan: tidak ada tautan menu atau jalur yang cocok"),
                         title=spec.title)
            )  # fmt: skip
            # One finding per missing page, even when two pages were tried at the same addresses.
            location = f"{config.base_url} [{spec.key}]"
            return row, Finding.of("page_missing", text, location, tried, "warning")
        return self._page_judge(spec, fetched, row, now)

    def _page_judge(
        self, spec: PageSpec, fetched: Fetched, row: dict[str, Any], now: datetime
    ) -> tuple[dict[str, Any], Finding | None]:
        page = Page(fetched.text, fetched.final_url)
        text = page.main_text()
        row["text_chars"] = len(text)
        newest = page_newest_date(page, fetched, now=now)
        if newest is not None:
            row.update(age_days=age_days(newest.when, now), date_evidence=f"«{newest.text}» di {newest.where}")
        url = fetched.final_url
        stub = STUB_PATTERN.search(text)
        if stub and (len(text) <= STUB_MAX_CHARS or stub.group(0).lower().startswith("lorem")):
            row["status"] = "stub"
            evidence = f"«{text[max(stub.start() - 60, 0) : stub.end() + 60]}» ({len(text)} karakter)"
            said_ = say(
                _("Halaman wajib «%(title)s» hanya berisi tanda belum selesai («%(stub)s»)"),
                title=spec.title, stub=stub.group(0),
            )  # fmt: skip
            return row, Finding.of("page_stub", said_, url, evidence)
        if len(text) < spec.min_text_chars:
            row["status"] = "empty"
            evidence = f"teks {len(text)} karakter (minimum {spec.min_text_chars}): «{text[:120]}»"
            said_ = say(_("Halaman wajib «%(title)s» kosong atau terlalu singkat"), title=spec.title)
            return row, Finding.of("page_empty", said_, url, evidence)
        missing = [word for word in spec.must_contain if word.lower() not in text.lower()]
        if missing:
            row["status"] = "missing_words"
            said_ = say(
                _("Halaman wajib «%(title)s» tidak memuat: %(words)s"), title=spec.title, words=", ".join(missing)
            )
            return row, Finding.of("page_missing_words", said_, url, f"«{text[:160]}»")
        if spec.max_age_days is None:
            row["status"] = "ok"
            return row, None
        if newest is None:
            row["status"] = "undated"
            said_ = say(
                _("Tanggal pembaruan halaman «%(title)s» tidak ditemukan; usia tidak dapat dinilai"), title=spec.title
            )
            return row, Finding.of("page_undated", said_, url, "", "info")
        if row["age_days"] > spec.max_age_days:
            row["status"] = "stale"
            said_ = say(
                _("Halaman wajib «%(title)s» tidak diperbarui %(age)s hari (maks. %(max)s)"),
                title=spec.title, age=f"{row['age_days']:g}", max=spec.max_age_days,
            )  # fmt: skip
            return row, Finding.of("page_stale", said_, url, row["date_evidence"])
        row["status"] = "ok"
        return row, None


KIND = RequiredPagesKind()
