"""Content freshness: has this site, page or section been updated within N days?

Several signals are read and each is rated (high / medium / low / untrusted) with its reason; the verdict rests
on the most trusted one that has a date, and says which. Sitemap ``lastmod`` is often the regeneration date of
the sitemap; that is detected and rated untrusted.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urljoin

from django.utils.translation import gettext_noop as _
from pydantic import field_validator

from jaga.core import clock
from jaga.core.kindconfig import setting
from jaga.monitoring.content.dates import age_days, date_parse
from jaga.monitoring.content.fetch import PAGES, fetch_problem, page_fetch
from jaga.monitoring.content.html import Page
from jaga.monitoring.content.inspect import WARNING_SCORE, gambling_findings, segment_score, url_spam_match
from jaga.monitoring.content.signals import (
    NOTES,
    SIGNAL_LABELS,
    TRUST_LABELS,
    Signal,
    change_track,
    signal_choose,
)
from jaga.monitoring.content.sitemaps import sitemap_collect, sitemap_lastmod_judge
from jaga.monitoring.content.words import gambling_terms
from jaga.monitoring.content.xmlfeeds import feed_parse
from jaga.monitoring.kinds.base import CheckContext, CheckOutcome, Finding, KindConfig, Status, say

PRIORITY = ("feed", "region", "last_modified", "etag", "sitemap")
DYNAMIC_LAST_MODIFIED_S = 120  # a Last-Modified this close to the response time is generated per request


def url_check(value: str) -> str:
    if not re.match(r"^https?://[^/\s]+", value):
        raise ValueError(f"harus URL http(s) lengkap / must be a full http(s) URL: {value!r}")
    return value


def patterns_check(values: list[str]) -> list[str]:
    for index, pattern in enumerate(values):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"pola ke-{index + 1} {pattern!r} bukan regex yang sah: {exc}") from None
    return values


class FreshnessConfig(KindConfig):
    prefill: ClassVar[Mapping[str, str]] = {"url": "site_url"}

    url: str = setting(label=_("Alamat situs atau halaman"), help=_("Diawali http:// atau https://."))
    max_age_days: int = setting(
        30, gt=0, le=3650, label=_("Umur konten paling lama (hari)"), help=_("Lebih lama dari ini berarti usang.")
    )
    sitemap_url: str | None = setting(
        None, label=_("Alamat sitemap"), help=_("Kosongkan untuk mencarinya sendiri (robots.txt, /sitemap.xml).")
    )
    use_sitemap: bool = setting(True, label=_("Baca sitemap"))
    feed_url: str | None = setting(
        None, label=_("Alamat RSS atau Atom"), help=_("Kosongkan untuk mencarinya dari halaman.")
    )
    region_selector: str | None = setting(
        None,
        label=_("Bagian halaman yang diamati"),
        help=_("Selector CSS bagian berita, mis. #berita-terbaru; kosongkan untuk isi utama halaman."),
    )
    ignore_selectors: list[str] = setting(
        default_factory=list,
        label=_("Bagian yang diabaikan"),
        help=_("Selector CSS bagian yang berubah sendiri (jam, penghitung pengunjung)."),
    )
    ignore_patterns: list[str] = setting(
        default_factory=list,
        label=_("Teks yang diabaikan"),
        help=_("Pola (regex) teks yang berubah sendiri, mis. tanggal hari ini."),
    )

    _url = field_validator("url")(url_check)

    @field_validator("sitemap_url", "feed_url")
    @classmethod
    def _optional_url(cls, value: str | None) -> str | None:
        return url_check(value) if value else value

    @field_validator("ignore_patterns")
    @classmethod
    def _patterns(cls, values: list[str]) -> list[str]:
        return patterns_check(values)


def region_fingerprint(page: Page, config: FreshnessConfig) -> str | None:
    """sha256 of the region's normalised text after the ignore rules; None if the selector matches nothing."""
    text = page.region_text(config.region_selector, tuple(config.ignore_selectors))
    if text is None:
        return None
    for pattern in config.ignore_patterns:
        text = re.sub(pattern, "", text)
    text = re.sub(r"\s+", " ", text).strip()
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def last_modified_signal(headers: dict[str, str], url: str, *, now: datetime) -> Signal:
    raw = headers.get("last-modified", "")
    when = date_parse(raw)
    if when is None:
        return Signal("last_modified", None, "untrusted", NOTES("no_last_modified"), url)
    served = date_parse(headers.get("date")) or now
    if abs((served - when).total_seconds()) <= DYNAMIC_LAST_MODIFIED_S:
        return Signal(
            "last_modified",
            when,
            "untrusted",
            NOTES("last_modified_dynamic"),
            f"{url} (header Last-Modified)",
            raw,
        )
    return Signal("last_modified", when, "medium", NOTES("last_modified"), f"{url} (header Last-Modified)", raw)


async def feed_signal(ctx: CheckContext, feed_url: str | None, *, now: datetime) -> Signal:
    if not feed_url:
        return Signal("feed", None, "untrusted", NOTES("no_feed"))
    fetched = await page_fetch(ctx=ctx, url=feed_url)
    problem = fetch_problem(fetched)
    if problem:
        return Signal("feed", None, "untrusted", NOTES("feed_unreadable", problem=problem), feed_url)
    try:
        items = feed_parse(fetched.body)
    except ValueError as exc:
        return Signal("feed", None, "untrusted", str(exc), feed_url)
    spam = [item for item in items if item_is_spam(item.title, item.link)]
    items = [item for item in items if item not in spam]
    dated = [item for item in items if item.date is not None and item.date <= now + timedelta(days=1)]
    if not dated:
        note = (
            NOTES("feed_undated_spam", items=len(items), spam=len(spam))
            if spam
            else NOTES("feed_undated", items=len(items))
        )
        return Signal("feed", None, "untrusted", note, feed_url)
    newest = max(dated, key=lambda item: item.date or now)
    where = f"{feed_url} → «{newest.title[:80]}» {newest.link}".strip()
    if len(dated) >= 2 and len({item.date for item in dated}) == 1:
        return Signal("feed", newest.date, "low", NOTES("feed_same_date", items=len(dated)), where, newest.date_text)
    trust = "high" if len(dated) >= 2 else "medium"
    note = (
        NOTES("feed_newest_spam", items=len(dated), spam=len(spam)) if spam else NOTES("feed_newest", items=len(dated))
    )
    return Signal("feed", newest.date, trust, note, where, newest.date_text)


def item_is_spam(title: str, link: str) -> bool:
    """A new item that the integrity rules call gambling spam (its address, or its title scored as a title)
    is an injection, not an update."""
    if url_spam_match(link):
        return True
    scored = segment_score(title, "title", gambling_terms())
    return scored is not None and scored.score >= WARNING_SCORE


def feed_discover(page: Page) -> str | None:
    links = [link for link in page.feed_links() if "comments" not in link and "komentar" not in link]
    return links[0] if links else None


class FreshnessKind:
    name: ClassVar[str] = "freshness"
    Config: ClassVar[type[KindConfig]] = FreshnessConfig

    async def check(self, ctx: CheckContext, config: Any) -> CheckOutcome:
        assert isinstance(config, FreshnessConfig)
        now = clock.now()
        fetched = await page_fetch(ctx=ctx, url=config.url)
        problem = fetch_problem(fetched)
        if problem:
            return CheckOutcome(Status.DOWN, problem, response_ms=fetched.elapsed_ms)
        page = Page(fetched.text, fetched.final_url)
        findings: list[Finding] = []
        signals = [
            await feed_signal(ctx, config.feed_url or feed_discover(page), now=now),
            self._region_signal(ctx, page, config, now, findings),
            last_modified_signal(fetched.headers, fetched.final_url, now=now),
        ]
        if etag := fetched.headers.get("etag"):
            signal = change_track(
                ctx.state, "etag", etag, now=now, trust="medium", max_age_days=config.max_age_days, label="ETag"
            )
            signal.where, signal.evidence = f"{fetched.final_url} (header ETag)", etag
            signals.append(signal)
        if config.use_sitemap:
            signals.append(await self._sitemap_signal(ctx, config, now))
        return self._verdict(config, signals, findings, now, fetched.elapsed_ms)

    def _region_signal(
        self, ctx: CheckContext, page: Page, config: FreshnessConfig, now: datetime, findings: list[Finding]
    ) -> Signal:
        where = f"{page.url} [{config.region_selector or 'body'}]"
        fingerprint = region_fingerprint(page, config)
        if fingerprint is None:
            findings.append(
                Finding.of(
                    "region_missing",
                    say(
                        _("Selektor wilayah %(selector)s tidak cocok dengan apa pun di halaman"),
                        selector=repr(config.region_selector),
                    ),
                    page.url,
                    config.region_selector or "",
                )
            )
            return Signal("region", None, "untrusted", NOTES("region_missing"), where)
        spam = [f for f in gambling_findings(page, gambling_terms()) if f.severity == "critical"]
        signal = change_track(
            ctx.state,
            "region",
            fingerprint,
            now=now,
            trust="high",
            max_age_days=config.max_age_days,
            label=NOTES("fingerprint"),
            counts=not spam,
        )
        if spam:
            findings.append(
                Finding.of(
                    "spam_not_update",
                    say(_("Halaman memuat spam judi online; perubahannya tidak dihitung sebagai pembaruan konten")),
                    spam[0].location,
                    spam[0].evidence,
                )
            )
        signal.where, signal.evidence = where, fingerprint[:16]
        return signal

    async def _sitemap_signal(self, ctx: CheckContext, config: FreshnessConfig, now: datetime) -> Signal:
        result = await sitemap_collect(ctx=ctx, base_url=urljoin(config.url, "/"), sitemap_url=config.sitemap_url)
        if not result.entries:
            return Signal(
                "sitemap", None, "untrusted", NOTES("sitemap_unreadable", problem=result.error), result.source
            )
        entries = [entry for entry in result.entries if not url_spam_match(entry.loc)]
        judgement = sitemap_lastmod_judge(entries, now=now)
        newest = judgement.newest
        if newest is None:
            return Signal("sitemap", None, judgement.trust, judgement.reason, result.source)
        where = f"{result.source} → {newest.loc}"
        return Signal("sitemap", newest.lastmod, judgement.trust, judgement.reason, where, newest.lastmod_text)

    def _verdict(
        self,
        config: FreshnessConfig,
        signals: list[Signal],
        findings: list[Finding],
        now: datetime,
        response_ms: float,
    ) -> CheckOutcome:
        chosen = signal_choose(signals, PRIORITY)
        details: dict[str, Any] = {
            "max_age_days": config.max_age_days,
            "signals": [signal.as_dict() for signal in signals],
            "signal": chosen.name if chosen else None,
            "age_days": None,
            "newest": None,
        }
        if chosen is None or chosen.value is None:
            findings.append(
                Finding.of(
                    "unknown_age",
                    # What each signal said is in the sentence (read in each language), not in the evidence.
                    say(
                        _("Usia konten belum dapat ditentukan: tidak ada sinyal yang dapat dipercaya (%(signals)s)"),
                        signals=[
                            say(_("%(signal)s: %(note)s"), signal=say(SIGNAL_LABELS[s.name]), note=s.reason)
                            if s.name in SIGNAL_LABELS
                            else s.reason
                            for s in signals
                        ],
                    ),
                    config.url,
                    "",
                    "info",
                )
            )
            return CheckOutcome(Status.UP, PAGES("unknown_age"), response_ms, details, findings)
        age = age_days(chosen.value, now)
        details.update(age_days=age, newest=chosen.value.isoformat())
        based_on = say(
            _("sinyal %(signal)s (kepercayaan %(trust)s)"),
            signal=say(SIGNAL_LABELS[chosen.name]) if chosen.name in SIGNAL_LABELS else chosen.name,
            trust=say(TRUST_LABELS[chosen.trust]) if chosen.trust in TRUST_LABELS else chosen.trust,
        )
        if age > config.max_age_days:
            findings.append(
                Finding.of(
                    "stale",
                    say(
                        _("Konten tidak diperbarui %(age)s hari (maksimum %(max)s); berdasarkan %(basis)s"),
                        age=f"{age:g}",
                        max=config.max_age_days,
                        basis=based_on,
                    ),
                    chosen.where,
                    f"{chosen.evidence or chosen.value.isoformat()} — {chosen.where}",
                    "warning",
                )
            )
            reason = PAGES("stale", age=age, max=config.max_age_days, basis=based_on)
            return CheckOutcome(Status.DEGRADED, reason, response_ms, details, findings)
        reason = PAGES("fresh", age=age, max=config.max_age_days, basis=based_on)
        return CheckOutcome(Status.UP, reason, response_ms, details, findings)


KIND = FreshnessKind()
