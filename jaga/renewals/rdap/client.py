"""One RDAP domain query over ``jaga.core.http``, and the bootstrap refresh. Every failure is a reason.

A registry that answers 404 says the domain is not registered there; 429 and 5xx are the registry refusing
or failing; a body that is not JSON, or JSON that is not a domain object, is named as such. Nothing here
raises for a bad registry: the caller gets :class:`RdapAnswer` with ``error`` set.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from jaga.core import http
from jaga.renewals.rdap.bootstrap import IANA_URL, Bootstrap, bootstrap_store
from jaga.renewals.rdap.parse import NotADomainObject, ParsedDomain, domain_parse

TIMEOUT_SECONDS = 15.0
MAX_BYTES = 2 * 1024 * 1024  # a domain object is a few kB; a registry sending more is wrong
BOOTSTRAP_MAX_BYTES = 5 * 1024 * 1024
ACCEPT = "application/rdap+json, application/json;q=0.9"


@dataclass
class RdapAnswer:
    url: str
    parsed: ParsedDomain | None = None
    error: str = ""
    code: str = ""  # machine-readable: not_found, refused, timeout, invalid_json, not_domain, http_error...
    elapsed_ms: float = 0.0


def domain_url(base_url: str, domain: str) -> str:
    base = base_url if base_url.endswith("/") else f"{base_url}/"
    return f"{base}domain/{quote(domain, safe='.-')}"


def domain_query(*, base_url: str, domain: str, institution: Any = None, timeout: float | None = None) -> RdapAnswer:
    url = domain_url(base_url, domain)
    timeout = TIMEOUT_SECONDS if timeout is None else timeout
    started = time.monotonic()
    try:
        response = http.request(
            "GET", url, headers={"Accept": ACCEPT}, timeout=timeout, max_bytes=MAX_BYTES, institution=institution
        )
    except http.HttpError as exc:
        code = "timeout" if exc.code == "timeout" else exc.code or "http_error"
        return RdapAnswer(url=url, error=exc.message, code=code, elapsed_ms=_ms(started))
    if response.status == 404:
        return RdapAnswer(
            url=url,
            code="not_found",
            error=f"Domain {domain} tidak ditemukan di registri (HTTP 404) / not found at the registry",
            elapsed_ms=_ms(started),
        )
    if response.status == 429 or response.status >= 500 or response.status in (401, 403):
        return RdapAnswer(
            url=url,
            code="refused",
            error=f"Registri menolak atau gagal menjawab (HTTP {response.status}) / the registry refused or failed",
            elapsed_ms=_ms(started),
        )
    if response.status != 200:
        return RdapAnswer(
            url=url,
            code="http_error",
            error=f"Jawaban tak terduga dari registri (HTTP {response.status}) / unexpected answer",
            elapsed_ms=_ms(started),
        )
    try:
        document = json.loads(response.body)
    except ValueError as exc:
        return RdapAnswer(
            url=url,
            code="invalid_json",
            error=f"Jawaban registri bukan JSON yang sah / the registry's answer is not valid JSON ({exc})",
            elapsed_ms=_ms(started),
        )
    try:
        parsed = domain_parse(document)
    except NotADomainObject as exc:
        return RdapAnswer(url=url, code="not_domain", error=str(exc), elapsed_ms=_ms(started))
    return RdapAnswer(url=url, parsed=parsed, elapsed_ms=_ms(started))


def bootstrap_refresh(*, url: str = IANA_URL, timeout: float = 30.0) -> Bootstrap:
    """Fetch IANA's ``dns.json`` and make it the bootstrap in use; raises with a readable reason."""
    response = http.request(
        "GET", url, headers={"Accept": "application/json"}, timeout=timeout, max_bytes=BOOTSTRAP_MAX_BYTES
    )
    if response.status != 200:
        raise http.HttpError("http_error", f"{url}: HTTP {response.status}")
    return bootstrap_store(response.body)


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)
