"""Fetch a page through the shared aiohttp session: capped, timed, decoded, never raising."""

from __future__ import annotations

import asyncio
import codecs
import re
import time
from dataclasses import dataclass, field

import aiohttp

from jaga.monitoring.kinds.base import CheckContext

BROWSER_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
)
GOOGLEBOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_\-.]+)["']""", re.IGNORECASE)


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
    error: str = ""  # a sentence a person can read; empty when the request got an HTTP answer

    @property
    def ok(self) -> bool:
        return not self.error and self.status is not None and 200 <= self.status < 300


def body_decode(body: bytes, content_type: str = "") -> tuple[str, str]:
    """Decode with the declared charset (header, then meta/XML declaration), then UTF-8, then cp1252.

    Never raises: an unknown or lying charset falls through to the next candidate and the last one
    replaces undecodable bytes.
    """
    candidates: list[str] = []
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", content_type, re.IGNORECASE)
    if match:
        candidates.append(match.group(1))
    head = body[:4096]
    for pattern in (_META_CHARSET, _XML_ENCODING):
        found = pattern.search(head)
        if found:
            candidates.append(found.group(1).decode("ascii", "replace"))
    candidates += ["utf-8", "cp1252"]
    for name in candidates:
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            continue
        try:
            return body.decode(codec), codec
        except UnicodeDecodeError:
            continue
    return body.decode("utf-8", errors="replace"), "utf-8"


async def page_fetch(
    *, ctx: CheckContext, url: str, user_agent: str | None = None, max_bytes: int | None = None
) -> Fetched:
    """GET ``url``; the body is cut at ``max_bytes`` (default: the context's cap) and marked truncated."""
    limit = max_bytes if max_bytes is not None else ctx.max_body_bytes
    result = Fetched(url=url, final_url=url)
    started = time.monotonic()
    try:
        async with ctx.session.get(
            url,
            headers={"User-Agent": user_agent or ctx.user_agent, "Accept": "text/html,application/xml;q=0.9,*/*;q=0.8"},
            timeout=aiohttp.ClientTimeout(total=ctx.timeout_s),
            allow_redirects=True,
            max_redirects=10,
        ) as response:
            result.status = response.status
            result.final_url = str(response.url)
            result.headers = {k.lower(): v for k, v in response.headers.items()}
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.content.iter_chunked(65536):
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    result.truncated = True
                    break
            result.body = b"".join(chunks)[:limit]
    except TimeoutError:
        result.error = f"batas waktu {ctx.timeout_s:g} detik terlampaui / timed out: {url}"
    except aiohttp.TooManyRedirects:
        result.error = f"terlalu banyak pengalihan / too many redirects: {url}"
    except aiohttp.InvalidURL:
        result.error = f"URL tidak valid / invalid URL: {url!r}"
    except (aiohttp.ClientError, OSError, ValueError, asyncio.IncompleteReadError) as exc:
        result.error = f"gagal mengambil {url}: {type(exc).__name__}: {exc}"
    result.elapsed_ms = (time.monotonic() - started) * 1000
    if result.body:
        result.text, result.encoding = body_decode(result.body, result.headers.get("content-type", ""))
    return result


def fetch_problem(fetched: Fetched) -> str:
    """Why a fetch did not give a usable page, or "" if it did."""
    if fetched.error:
        return fetched.error
    if not fetched.ok:
        return f"HTTP {fetched.status} dari {fetched.final_url}"
    return ""
