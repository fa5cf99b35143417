"""Fetch a page for the content kinds: the HTTP kind's reader, decoded, never raising."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.utils.translation import gettext_noop as _

from jaga.core.sentences import Reasons, Text, said_both
from jaga.monitoring.kinds.base import CheckContext
from jaga.monitoring.kinds.http import FetchError, body_decode, fetch

BROWSER_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
)
# The content kinds' reasons (jaga.monitoring.reasons loads this book to read them).
PAGES = Reasons(
    "pages",
    {
        "http_status": _("HTTP %(status)s dari %(url)s"),
        "home_unchecked": _("Beranda tidak dapat diperiksa: %(problem)s"),
        "home_unreachable": _("Beranda tidak dapat diakses: %(problem)s"),
        "unknown_age": _("Usia konten belum diketahui (menunggu perubahan teramati)"),
        "stale": _("Basi: pembaruan terakhir %(age)s hari lalu (maks. %(max)s), %(basis)s"),
        "fresh": _("Segar: pembaruan terakhir %(age)s hari lalu (maks. %(max)s), %(basis)s"),
        "integrity_found": _("%(critical)s temuan kritis, %(warning)s peringatan: %(labels)s; %(read)s"),
        "integrity_clear": _("Tidak ada temuan integritas; %(read)s"),
        "coverage": _("%(read)s dari %(pages)s halaman terbaca dalam 24 jam terakhir (%(now)s sekarang)"),
        "required_failing": _("%(failing)s dari %(total)s halaman wajib bermasalah: %(names)s"),
        "required_page": _("%(title)s (%(status)s)"),
        "required_ok": _("Semua %(total)s halaman wajib ada dan terkini"),
    },
)
GOOGLEBOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@dataclass
class Fetched:
    url: str
    final_url: str = ""
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    text: str = ""
    encoding: str = ""
    truncated: bool = False
    elapsed_ms: float = 0.0
    error: str = ""  # Indonesian / English words; empty when the request got an HTTP answer
    error_text: Text | str = ""  # the same as a sentence for each reader

    @property
    def ok(self) -> bool:
        return not self.error and self.status is not None and 200 <= self.status < 300


async def page_fetch(
    *, ctx: CheckContext, url: str, user_agent: str | None = None, max_bytes: int | None = None
) -> Fetched:
    """GET ``url`` through :func:`~jaga.monitoring.kinds.http.fetch` (the one HTTP reader: one deadline,
    named redirect loops, readable reasons); the body is cut at ``max_bytes`` (default: the context's cap)
    and marked truncated. A failure becomes ``error`` instead of an exception."""
    started = time.monotonic()
    headers = {"User-Agent": user_agent or ctx.user_agent, "Accept": "text/html,application/xml;q=0.9,*/*;q=0.8"}
    try:
        page = await fetch(ctx, url, headers=headers, max_bytes=max_bytes)
    except FetchError as exc:
        elapsed = (time.monotonic() - started) * 1000
        return Fetched(url=url, final_url=url, error=exc.message, error_text=exc.text, elapsed_ms=elapsed)
    result = Fetched(
        url=url,
        final_url=page.url,
        status=page.status,
        headers={k.lower(): v for k, v in page.headers.items()},
        body=page.body,
        truncated=page.truncated,
        elapsed_ms=page.elapsed_ms,
    )
    if result.body:
        result.text, result.encoding = body_decode(result.body, result.headers.get("content-type", ""))
    return result


def fetch_problem(fetched: Fetched) -> Text | str:
    """Why a fetch did not give a usable page (a sentence for each reader), or "" if it did."""
    if fetched.error:
        return fetched.error_text or fetched.error
    if not fetched.ok:
        return PAGES("http_status", status=fetched.status, url=fetched.final_url)
    return ""


def problem_words(problem: Text | str) -> str:
    """A problem as Indonesian / English words, for evidence kept as plain text (a signal's note)."""
    return said_both(problem) if isinstance(problem, dict) else problem
