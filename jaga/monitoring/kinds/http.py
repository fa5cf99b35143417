"""HTTP(S): status code, response time, keyword present or absent, redirects, headers, body size cap.

:func:`fetch` is the one way kinds read a web page: a total deadline (a server that trickles bytes
cannot hold the probe), manual redirects (loops are named), a body cap and tolerant decoding. Every
network failure becomes a :class:`FetchError` whose message a person can read.
"""

from __future__ import annotations

import asyncio
import codecs
import re
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal
from urllib.parse import urljoin, urlsplit

import aiohttp
from multidict import CIMultiDictProxy
from pydantic import Field, field_validator
from yarl import URL

from jaga.monitoring.kinds.base import CheckContext, CheckOutcome, KindConfig, Status

REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_\-.]+)["']""", re.IGNORECASE)


class FetchError(Exception):
    """A failure a person can read (Indonesian / English). ``code`` is machine-readable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Fetched:
    url: str  # the final URL, after redirects
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes
    truncated: bool  # the body was longer than the cap; only the first ``len(body)`` bytes were read
    elapsed_ms: float
    redirects: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return body_decode(self.body, self.headers.get("Content-Type", ""))[0]


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


def validate_url(value: str) -> str:
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"}:
        raise ValueError(
            f"URL harus diawali http:// atau https:// / URL must start with http:// or https://: {value!r}"
        )
    if not parts.hostname:
        raise ValueError(f"URL tanpa nama host / URL without a host name: {value!r}")
    try:
        URL(value)
        _ = parts.port
    except ValueError as exc:
        raise ValueError(f"URL tidak sah / invalid URL: {value!r} ({exc})") from None
    return value


def ssl_for(*, verify_tls: bool, ca_file: str = "") -> ssl.SSLContext | bool:
    """What aiohttp's ``ssl=`` wants: the default (True), no verification (False) or a context with a CA."""
    if not verify_tls:
        return False
    if ca_file:
        return ssl.create_default_context(cafile=ca_file)
    return True


def describe_error(exc: BaseException, url: str, timeout_s: float) -> FetchError:
    """Turn any network exception into a readable reason. Order matters: subclasses first."""
    host = urlsplit(url).hostname or url
    if isinstance(exc, FetchError):
        return exc
    if isinstance(exc, TimeoutError | asyncio.TimeoutError | aiohttp.ServerTimeoutError):
        return FetchError(
            "timeout",
            f"Batas waktu {timeout_s:g} detik terlampaui saat menghubungi {url} / timed out after {timeout_s:g} s",
        )
    if isinstance(exc, aiohttp.InvalidURL):
        return FetchError("invalid_url", f"URL tidak sah / invalid URL: {url}")
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return FetchError(
            "tls_certificate",
            f"Sertifikat TLS {host} tidak sah / invalid TLS certificate: {_short(exc.certificate_error)}",
        )
    if isinstance(exc, aiohttp.ClientConnectorDNSError) or (
        isinstance(exc, aiohttp.ClientConnectorError) and isinstance(exc.os_error, socket.gaierror)
    ):
        return FetchError("dns", f"Nama domain {host} tidak dapat ditemukan (DNS) / DNS lookup failed for {host}")
    if isinstance(exc, aiohttp.ClientSSLError | ssl.SSLError):
        return FetchError("tls", f"Galat TLS dengan {host} / TLS error: {_short(exc)}")
    if isinstance(exc, aiohttp.ClientConnectorError):
        if isinstance(exc.os_error, ConnectionRefusedError):
            return FetchError(
                "refused", f"Koneksi ke {host} port {exc.port} ditolak / connection refused (port {exc.port})"
            )
        return FetchError("connect", f"Tidak dapat terhubung ke {host} / cannot connect: {_short(exc.os_error)}")
    if isinstance(exc, aiohttp.TooManyRedirects):
        return FetchError("too_many_redirects", f"Terlalu banyak pengalihan dari {url} / too many redirects")
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return FetchError("disconnected", f"Server {host} memutus koneksi / server disconnected")
    if isinstance(exc, aiohttp.ClientPayloadError):
        return FetchError("payload", f"Isi jawaban dari {host} rusak / broken response body: {_short(exc)}")
    if isinstance(exc, aiohttp.ClientResponseError):
        return FetchError("protocol", f"Jawaban HTTP tidak sah dari {host} / invalid HTTP response: {exc.message}")
    if isinstance(exc, aiohttp.ClientError | OSError):
        return FetchError("network", f"Galat jaringan dengan {host} / network error: {_short(exc)}")
    return FetchError("error", f"Galat tak terduga saat memeriksa {url} / unexpected error: {_short(exc)}")


def _short(value: object) -> str:
    text = str(value) or type(value).__name__
    return text if len(text) <= 300 else text[:297] + "..."


async def fetch(
    ctx: CheckContext,
    url: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    follow_redirects: bool = True,
    max_redirects: int = 10,
    max_bytes: int | None = None,
    verify_tls: bool = True,
    ca_file: str = "",
    timeout_s: float | None = None,
) -> Fetched:
    """Fetch ``url`` within ONE total deadline. Raises :class:`FetchError` with a readable message."""
    deadline = ctx.timeout_s if timeout_s is None else timeout_s
    cap = ctx.max_body_bytes if max_bytes is None else max_bytes
    request_headers = {"User-Agent": ctx.user_agent, **(headers or {})}
    ssl_arg = ssl_for(verify_tls=verify_tls, ca_file=ca_file)
    started = time.monotonic()
    current = url
    seen: list[str] = [url]
    try:
        validate_url(url)
    except ValueError as exc:
        raise FetchError("invalid_url", str(exc)) from None
    try:
        async with asyncio.timeout(deadline):
            while True:
                async with ctx.session.request(
                    method,
                    current,
                    headers=request_headers,
                    allow_redirects=False,
                    ssl=ssl_arg,
                    timeout=aiohttp.ClientTimeout(total=None, sock_connect=deadline, sock_read=deadline),
                ) as resp:
                    location = resp.headers.get("Location")
                    if follow_redirects and resp.status in REDIRECT_CODES and location:
                        target = urljoin(current, location)
                        if target in seen:
                            chain = " → ".join([*seen, target])
                            raise FetchError("redirect_loop", f"Pengalihan berputar / redirect loop: {_short(chain)}")
                        if len(seen) > max_redirects:
                            raise FetchError(
                                "too_many_redirects",
                                f"Lebih dari {max_redirects} pengalihan dari {url} / too many redirects"
                                if max_redirects
                                else f"Pengalihan tidak diizinkan dari {url} / redirects not allowed",
                            )
                        try:
                            validate_url(target)
                        except ValueError as exc:
                            raise FetchError("invalid_redirect", f"Pengalihan ke URL tidak sah / {exc}") from None
                        seen.append(target)
                        current = target
                        if resp.status == 303:
                            method = "GET"
                        continue
                    body, truncated = await _read_capped(resp, cap, method)
                    return Fetched(
                        url=current,
                        status=resp.status,
                        headers=resp.headers,
                        body=body,
                        truncated=truncated,
                        elapsed_ms=(time.monotonic() - started) * 1000,
                        redirects=seen[1:],
                    )
    except FetchError:
        raise
    except (TimeoutError, Exception) as exc:
        raise describe_error(exc, current, deadline) from None


async def _read_capped(resp: aiohttp.ClientResponse, cap: int, method: str) -> tuple[bytes, bool]:
    if method == "HEAD":
        return b"", False
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(64 * 1024):
        room = cap - size
        if len(chunk) >= room:
            chunks.append(chunk[:room])
            # Stop reading: the rest of a huge body is never downloaded; the connection is dropped.
            resp.close()
            return b"".join(chunks), len(chunk) > room or not resp.content.at_eof()
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks), False


def parse_status_ranges(items: list[str]) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    for item in items:
        text = str(item).strip()
        low_text, _, high_text = text.partition("-")
        try:
            low = int(low_text)
            high = int(high_text) if high_text else low
        except ValueError:
            raise ValueError(
                f"kode status tidak sah / invalid status code: {text!r} (contoh: 200 atau 200-399)"
            ) from None
        if not (100 <= low <= high <= 599):
            raise ValueError(f"kode status di luar 100-599 / status out of range: {text!r}")
        ranges.append((low, high))
    return ranges


class Config(KindConfig):
    url: str
    method: Literal["GET", "HEAD"] = "GET"
    expected_status: list[str] = Field(default_factory=lambda: ["200-399"])
    max_response_ms: int | None = Field(default=None, gt=0)
    keyword: str = ""
    keyword_mode: Literal["present", "absent"] = "present"
    keyword_case_sensitive: bool = False
    follow_redirects: bool = True
    max_redirects: int = Field(default=10, ge=0, le=30)
    required_headers: dict[str, str] = Field(default_factory=dict)  # name -> regex searched in the value
    max_body_bytes: int | None = Field(default=None, gt=0)
    request_headers: dict[str, str] = Field(default_factory=dict)
    verify_tls: bool = True
    ca_file: str = ""

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return validate_url(value)

    @field_validator("expected_status", mode="before")
    @classmethod
    def _statuses(cls, value: Any) -> list[str]:
        items = [str(v) for v in (value if isinstance(value, list | tuple) else [value])]
        parse_status_ranges(items)
        return items

    @field_validator("required_headers")
    @classmethod
    def _header_patterns(cls, value: dict[str, str]) -> dict[str, str]:
        for name, pattern in value.items():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pola header {name!r} tidak sah / invalid header pattern: {exc}") from None
        return value


class HttpKind:
    name: ClassVar[str] = "http"
    Config: ClassVar[type[KindConfig]] = Config

    async def check(self, ctx: CheckContext, config: Any) -> CheckOutcome:
        cfg: Config = config
        try:
            page = await fetch(
                ctx,
                cfg.url,
                method=cfg.method,
                headers=cfg.request_headers,
                follow_redirects=cfg.follow_redirects,
                max_redirects=cfg.max_redirects,
                max_bytes=cfg.max_body_bytes,
                verify_tls=cfg.verify_tls,
                ca_file=cfg.ca_file,
            )
        except FetchError as exc:
            return CheckOutcome(Status.DOWN, exc.message, details={"error": exc.code, "url": cfg.url})
        return evaluate(cfg, page)


def evaluate(cfg: Config, page: Fetched) -> CheckOutcome:
    details: dict[str, Any] = {
        "url": page.url,
        "status_code": page.status,
        "bytes": len(page.body),
        "truncated": page.truncated,
    }
    if page.redirects:
        details["redirects"] = page.redirects
    ms = round(page.elapsed_ms, 1)

    def outcome(status: Status, reason: str) -> CheckOutcome:
        return CheckOutcome(status, reason, response_ms=ms, details=details)

    if not any(low <= page.status <= high for low, high in parse_status_ranges(cfg.expected_status)):
        if page.status in REDIRECT_CODES and not cfg.follow_redirects:
            return outcome(Status.DOWN, f"HTTP {page.status} (pengalihan ke {page.headers.get('Location', '?')})")
        return outcome(Status.DOWN, f"HTTP {page.status} dari {page.url} (diharapkan {', '.join(cfg.expected_status)})")

    for name, pattern in cfg.required_headers.items():
        value = page.headers.get(name)
        if value is None:
            return outcome(Status.DOWN, f"Header {name} tidak ada / header missing")
        if pattern and not re.search(pattern, value):
            return outcome(Status.DOWN, f"Header {name}: {_short(value)!r} tidak cocok dengan {pattern!r}")

    if cfg.keyword and cfg.method == "GET":
        text = page.text
        found = cfg.keyword in text if cfg.keyword_case_sensitive else cfg.keyword.casefold() in text.casefold()
        details["keyword_found"] = found
        cap_note = f" dalam {len(page.body)} byte pertama (halaman dipotong)" if page.truncated else ""
        if cfg.keyword_mode == "present" and not found:
            return outcome(Status.DOWN, f"Kata kunci {cfg.keyword!r} tidak ditemukan{cap_note} / keyword not found")
        if cfg.keyword_mode == "absent" and found:
            return outcome(Status.DOWN, f"Kata kunci terlarang {cfg.keyword!r} ditemukan / forbidden keyword found")
        if cfg.keyword_mode == "absent" and page.truncated:
            return outcome(
                Status.DEGRADED,
                f"Kata kunci {cfg.keyword!r} tidak ada{cap_note}; sisa halaman tidak diperiksa / "
                "rest of page unchecked",
            )

    if cfg.max_response_ms is not None and page.elapsed_ms > cfg.max_response_ms:
        return outcome(Status.DEGRADED, f"Lambat: {ms:.0f} ms (batas {cfg.max_response_ms} ms) / slow response")
    return outcome(Status.UP, f"HTTP {page.status} dalam {ms:.0f} ms")


KIND = HttpKind()
