"""HTTP(S): status code, response time, keyword present or absent, redirects, headers, body size cap.

:func:`fetch` is the one way kinds read a web page: it hands the request to :func:`jaga.core.http.fetch`
(one total deadline, manual redirects so loops are named, the body cap, the address guard in the
session's connector, the probe's body budget) with the limits of the check's :class:`CheckContext`.
Every network failure becomes a :class:`FetchError` (``jaga.core.http.HttpError``) a person can read.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from django.utils.translation import gettext_noop as _
from pydantic import field_validator

from jaga.core import http
from jaga.core.http import HttpError as FetchError
from jaga.core.http import HttpResponse as Fetched
from jaga.core.http import body_decode, describe_error, ssl_for, validate_url
from jaga.core.kindconfig import SecretMap, setting
from jaga.core.sentences import Reasons, Text
from jaga.monitoring.kinds.base import CheckContext, CheckOutcome, KindConfig, Status, ca_file_check

__all__ = ["FetchError", "Fetched", "body_decode", "describe_error", "fetch", "ssl_for", "validate_url"]

REDIRECT_CODES = http.REDIRECT_CODES

REASONS = Reasons(
    "http",
    {
        "up": _("HTTP %(status)s dalam %(ms)s ms"),
        "redirect_not_followed": _("HTTP %(status)s: pengalihan tidak diikuti"),
        "unexpected_status": _("HTTP %(status)s dari %(url)s (diharapkan %(expected)s)"),
        "header_missing": _("Header %(name)s tidak ada"),
        "header_mismatch": _("Header %(name)s tidak cocok dengan %(pattern)s"),
        "keyword_missing": _("Kata kunci %(keyword)s tidak ditemukan"),
        "keyword_missing_cut": _(
            "Kata kunci %(keyword)s tidak ditemukan dalam %(bytes)s byte pertama (halaman dipotong)"
        ),
        "keyword_found": _("Kata kunci terlarang %(keyword)s ditemukan"),
        "keyword_absent_cut": _(
            "Kata kunci %(keyword)s tidak ada dalam %(bytes)s byte pertama (halaman dipotong); "
            "sisa halaman tidak diperiksa"
        ),
        "slow": _("Lambat: %(ms)s ms (batas %(limit)s ms)"),
    },
)


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
    return await http.fetch(
        ctx.session,
        url,
        method=method,
        headers={"User-Agent": ctx.user_agent, **(headers or {})},
        follow_redirects=follow_redirects,
        max_redirects=max_redirects,
        max_bytes=ctx.max_body_bytes if max_bytes is None else max_bytes,
        verify_tls=verify_tls,
        ca_file=ca_file,
        timeout_s=ctx.timeout_s if timeout_s is None else timeout_s,
        hold=ctx.hold,
    )


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


@functools.lru_cache(maxsize=256)
def _status_ranges(items: tuple[str, ...]) -> list[tuple[int, int]]:
    return parse_status_ranges(list(items))


class Config(KindConfig):
    prefill: ClassVar[Mapping[str, str]] = {"url": "site_url"}

    url: str = setting(
        label=_("Alamat halaman"), help=_("Alamat lengkap yang diperiksa, diawali http:// atau https://.")
    )
    method: Literal["GET", "HEAD"] = setting(
        "GET",
        label=_("Cara meminta"),
        choices={"GET": _("GET: ambil seluruh halaman"), "HEAD": _("HEAD: hanya kepala jawaban, tanpa isi")},
    )
    expected_status: list[str] = setting(
        default_factory=lambda: ["200-399"],
        label=_("Kode status yang berarti naik"),
        help=_("Satu kode atau rentang, mis. 200 atau 200-399."),
    )
    max_response_ms: int | None = setting(
        None,
        gt=0,
        label=_("Batas waktu respons (milidetik)"),
        help=_("Lebih lambat dari ini berarti terganggu. Kosongkan bila tidak dibatasi."),
    )
    keyword: str = setting(
        "", label=_("Kata kunci"), help=_("Teks yang dicari di halaman; kosongkan bila tidak perlu.")
    )
    keyword_mode: Literal["present", "absent"] = setting(
        "present",
        label=_("Aturan kata kunci"),
        choices={"present": _("Harus ada di halaman"), "absent": _("Tidak boleh ada di halaman")},
    )
    keyword_case_sensitive: bool = setting(False, label=_("Bedakan huruf besar dan kecil pada kata kunci"))
    follow_redirects: bool = setting(True, label=_("Ikuti pengalihan"))
    max_redirects: int = setting(10, ge=0, le=30, label=_("Pengalihan paling banyak"))
    required_headers: dict[str, str] = setting(
        default_factory=dict,
        label=_("Header jawaban yang wajib ada"),
        help=_("Nama header, lalu pola (regex) yang harus cocok dengan nilainya; tanpa pola: cukup ada."),
    )  # name -> regex searched in the value
    max_body_bytes: int | None = setting(
        None,
        gt=0,
        le=http.MAX_BODY_BYTES,
        label=_("Ukuran halaman yang dibaca paling banyak (byte)"),
        help=_("Kosongkan untuk batas bawaan."),
    )
    request_headers: SecretMap = setting(
        default_factory=dict,
        label=_("Header permintaan"),
        help=_("Dikirim bersama setiap pemeriksaan, mis. Authorization untuk halaman yang memerlukan login."),
    )
    verify_tls: bool = setting(True, label=_("Periksa sertifikat HTTPS"))
    ca_file: str = setting(
        "",
        label=_("Berkas CA tambahan"),
        help=_("Jalur berkas PEM di server Jaga untuk CA internal; kosongkan untuk CA umum."),
    )

    _ca_file = field_validator("ca_file")(ca_file_check)

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
            return CheckOutcome(Status.DOWN, exc.text, details={"error": exc.code, "url": cfg.url})
        return evaluate(cfg, page)


def evaluate(cfg: Config, page: Fetched) -> CheckOutcome:
    # Only what a person reading the result needs: a raw result is written 1,440 times a day per monitor.
    details: dict[str, Any] = {"status_code": page.status, "bytes": len(page.body)}
    if page.redirects:
        details["redirects"] = page.redirects  # the last one is the page that answered
    if page.truncated:
        details["truncated"] = True
    ms = round(page.elapsed_ms, 1)

    def outcome(status: Status, reason: Text) -> CheckOutcome:
        return CheckOutcome(status, reason, response_ms=ms, details=details)

    if not any(low <= page.status <= high for low, high in _status_ranges(tuple(cfg.expected_status))):
        if page.status in REDIRECT_CODES and not cfg.follow_redirects:
            return outcome(Status.DOWN, REASONS("redirect_not_followed", status=page.status))
        expected = ", ".join(cfg.expected_status)
        return outcome(Status.DOWN, REASONS("unexpected_status", status=page.status, url=page.url, expected=expected))

    for name, pattern in cfg.required_headers.items():
        value = page.headers.get(name)
        if value is None:
            return outcome(Status.DOWN, REASONS("header_missing", name=name))
        if pattern and not re.search(pattern, value):
            return outcome(Status.DOWN, REASONS("header_mismatch", name=name, pattern=repr(pattern)))

    if cfg.keyword and cfg.method == "GET":
        text = page.text
        found = cfg.keyword in text if cfg.keyword_case_sensitive else cfg.keyword.casefold() in text.casefold()
        if not (found and cfg.keyword_mode == "present"):  # found as required: the status says it
            details["keyword_found"] = found
        keyword = repr(cfg.keyword)
        if cfg.keyword_mode == "present" and not found:
            if page.truncated:
                return outcome(Status.DOWN, REASONS("keyword_missing_cut", keyword=keyword, bytes=len(page.body)))
            return outcome(Status.DOWN, REASONS("keyword_missing", keyword=keyword))
        if cfg.keyword_mode == "absent" and found:
            return outcome(Status.DOWN, REASONS("keyword_found", keyword=keyword))
        if cfg.keyword_mode == "absent" and page.truncated:
            return outcome(Status.DEGRADED, REASONS("keyword_absent_cut", keyword=keyword, bytes=len(page.body)))

    if cfg.max_response_ms is not None and page.elapsed_ms > cfg.max_response_ms:
        return outcome(Status.DEGRADED, REASONS("slow", ms=round(ms), limit=cfg.max_response_ms))
    return outcome(Status.UP, REASONS("up", status=page.status, ms=round(ms)))


KIND = HttpKind()
