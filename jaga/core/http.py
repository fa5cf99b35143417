"""The one HTTP wrapper: every request Jaga makes to the outside world goes through here.

Two faces over one implementation:

- async, for the probe and the content kinds: :func:`session_new` (a session whose connector checks every
  address it connects to) and :func:`fetch` (one total deadline, redirects followed by hand so that loops
  are named, a body cap, an optional global :class:`BodyBudget`);
- sync, for look-ups and log pulls in tasks: :func:`request` (JSON in, :class:`HttpResponse` out).

Every failure is an :class:`HttpError` whose ``message`` a person can read (Indonesian / English) and
whose ``code`` a program can test. Response header values are never put into a reason: a reason is
shown to people who may not see the response itself.

The address guard. Loopback, link-local, unspecified and Jaga's own listen address are refused unless
the institution is allowed them (``Institution.allow_internal_addresses``, set by a Jaga administrator);
private ranges (a court's intranet) are refused unless ``JAGA_HTTP_ALLOW_PRIVATE``. The check is made on
the resolved address inside the connector, just before it connects, so a name that resolves to 127.0.0.1
is refused as well and there is no gap between checking and connecting.
"""

from __future__ import annotations

import asyncio
import codecs
import concurrent.futures
import contextlib
import functools
import ipaddress
import json as jsonlib
import re
import socket
import ssl
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import ResolveResult
from django.conf import settings
from django.utils.translation import gettext_noop as _
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from jaga.core.sentences import Reasons, Text, said_both
from jaga.core.useragent import user_agent as user_agent  # re-exported: http.user_agent()

REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
# No monitor may read more than this of one response (``max_body_bytes`` is validated against it).
MAX_BODY_BYTES = 20 * 1024 * 1024
DEFAULT_BODY_BYTES = 5 * 1024 * 1024
# The sync face parses whole documents (RDAP JSON, logs are pulled in parts): larger is an error.
DEFAULT_SYNC_MAX_BYTES = 10 * 1024 * 1024
CHUNK = 64 * 1024
_NO_TIMEOUT = aiohttp.ClientTimeout(total=None, connect=None, sock_connect=None, sock_read=None)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_\-.]+)["']""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", re.IGNORECASE)


# Why a request failed, for a reader of either language (a monitor's reason is stored as this sentence).
NET = Reasons(
    "net",
    {
        "timeout": _("Batas waktu %(seconds)s detik terlampaui saat menghubungi %(url)s"),
        "invalid_url": _("URL tidak sah: %(url)s"),
        "tls_certificate": _("Sertifikat TLS %(host)s tidak sah: %(error)s"),
        "dns": _("Nama domain %(host)s tidak dapat ditemukan (DNS)"),
        "tls": _("Galat TLS dengan %(host)s: %(error)s"),
        "refused": _("Koneksi ke %(host)s port %(port)s ditolak"),
        "connect": _("Tidak dapat terhubung ke %(host)s: %(error)s"),
        "too_many_redirects": _("Terlalu banyak pengalihan dari %(url)s"),
        "more_redirects": _("Lebih dari %(count)s pengalihan dari %(url)s"),
        "no_redirects": _("Pengalihan tidak diizinkan dari %(url)s"),
        "redirect_loop": _("Pengalihan berputar: %(chain)s"),
        "invalid_redirect": _("Pengalihan dari %(url)s ke URL tidak sah"),
        "disconnected": _("Server %(host)s memutus koneksi"),
        "payload": _("Isi jawaban dari %(host)s rusak"),
        "protocol": _("Jawaban HTTP tidak sah dari %(host)s"),
        "network": _("Galat jaringan dengan %(host)s: %(error)s"),
        "error": _("Galat tak terduga saat memeriksa %(url)s: %(error)s"),
        # the address guard's refusals (address_refusal): what was refused, why, and who may allow it
        "address_unrecognised": _("Alamat %(address)s tidak dikenali"),
        "address_internal": _(
            "Alamat %(address)s (%(what)s) tidak boleh diperiksa; administrator Jaga dapat mengizinkan alamat "
            "internal untuk instansi ini"
        ),
        "address_reserved": _("Alamat %(address)s tidak dapat diperiksa (alamat khusus atau multicast)"),
        "address_private": _(
            "Alamat %(address)s adalah alamat jaringan privat; izinkan dengan JAGA_HTTP_ALLOW_PRIVATE=true"
        ),
        "no_address": _("Tidak ada alamat yang dapat diperiksa"),
        "own_address": _("alamat Jaga sendiri"),
        "loopback": _("loopback"),
        "link_local": _("link-local"),
        "unspecified": _("alamat tak ditentukan"),
    },
)


class HttpError(Exception):
    """A failure a person can read: ``text`` a sentence for each reader (``NET``), ``message`` its words in
    Indonesian / English (logs, commands). ``code`` is machine-readable."""

    def __init__(self, code: str, message: str | Text) -> None:
        self.text: Text | str = message  # a plain string: words that have no sentence
        if isinstance(message, dict):
            message = said_both(message)
        super().__init__(message)
        self.code = code
        self.message = message


class AddressRefused(OSError):
    """The connector refused every address of a host (raised inside aiohttp, turned into an HttpError):
    ``text`` the guard's sentence (``NET``), ``message`` its words in Indonesian / English."""

    def __init__(self, message: Text | str) -> None:
        self.text: Text | str = message
        if isinstance(message, dict):
            message = said_both(message)
        super().__init__(message)
        self.message = message


@dataclass
class HttpResponse:
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes
    url: str  # the final URL, after redirects
    elapsed_ms: float
    truncated: bool = False  # the body was longer than the cap; only the first ``len(body)`` bytes were read
    redirects: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return body_decode(self.body, self.headers.get("Content-Type", ""))[0]

    def json(self) -> Any:
        try:
            return jsonlib.loads(self.body)
        except ValueError as exc:
            raise HttpError(
                "invalid_json",
                f"Jawaban dari {self.url} bukan JSON yang sah / the answer is not valid JSON "
                f"(pos {getattr(exc, 'pos', '?')})",
            ) from None


# --- the address guard -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses a request may connect to. ``allow_internal``: loopback, link-local, Jaga's own."""

    allow_internal: bool = False
    allow_private: bool = False

    @classmethod
    def for_institution(cls, institution: Any = None, *, allow_internal: bool | None = None) -> AddressPolicy:
        """The policy for an institution's requests (``None``: no institution, e.g. a look-up)."""
        internal = bool(getattr(settings, "JAGA_HTTP_ALLOW_INTERNAL", False))
        if allow_internal is not None:
            internal = internal or allow_internal
        elif institution is not None:
            internal = internal or bool(getattr(institution, "allow_internal_addresses", False))
        return cls(allow_internal=internal, allow_private=bool(getattr(settings, "JAGA_HTTP_ALLOW_PRIVATE", False)))


@functools.lru_cache(maxsize=8)
def _own_addresses(listen: tuple[str, int] | None) -> frozenset[tuple[str, int]]:
    """Where Jaga's own web process answers: its listen address (all of this machine's for 0.0.0.0 / ::)."""
    if not listen:
        return frozenset()
    host, port = listen
    hosts = {host}
    if host in {"0.0.0.0", "::", ""}:  # noqa: S104 - comparing, not binding
        with contextlib.suppress(OSError):
            hosts |= {str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None)}
    return frozenset((str(_normalise(h) or h), port) for h in hosts)


def _normalise(ip: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def address_refusal(ip: str, port: int, policy: AddressPolicy) -> Text | None:
    """Why ``ip:port`` may not be connected to under ``policy`` (a sentence, ``NET``), or ``None``."""
    address = _normalise(ip)
    if address is None:
        return NET("address_unrecognised", address=ip)
    own = _own_addresses(getattr(settings, "JAGA_LISTEN", None))
    internal_kind = ""
    if (str(address), port) in own:
        internal_kind = "own_address"
    elif address.is_loopback:
        internal_kind = "loopback"
    elif address.is_link_local:
        internal_kind = "link_local"
    elif address.is_unspecified:
        internal_kind = "unspecified"
    if internal_kind:
        if policy.allow_internal:
            return None
        return NET("address_internal", address=str(address), what=NET(internal_kind))
    if address.is_multicast or address.is_reserved:
        return NET("address_reserved", address=str(address))
    if address.is_private or not address.is_global:
        if policy.allow_private:
            return None
        return NET("address_private", address=str(address))
    return None


def addresses_filter(hosts: Sequence[ResolveResult], port: int, policy: AddressPolicy) -> list[ResolveResult]:
    """The resolved addresses that may be used; raises :class:`AddressRefused` when none may."""
    allowed: list[ResolveResult] = []
    first_refusal: Text | None = None
    for host in hosts:
        refusal = address_refusal(str(host["host"]), port, policy)
        if refusal is None:
            allowed.append(host)
        elif first_refusal is None:
            first_refusal = refusal
    if not allowed:
        raise AddressRefused(first_refusal or NET("no_address"))
    return allowed


async def resolve_checked(host: str, port: int, policy: AddressPolicy) -> list[str]:
    """Resolve ``host`` and return the addresses the policy allows (for kinds that open sockets themselves)."""
    loop = asyncio.get_running_loop()
    if _normalise(host) is not None:
        infos: list[Any] = [(socket.AF_INET6 if ":" in host else socket.AF_INET, 0, 0, "", (host, port))]
    else:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    hosts: list[ResolveResult] = [
        {"hostname": host, "host": str(info[4][0]), "port": port, "family": info[0], "proto": 0, "flags": 0}
        for info in infos
    ]
    return list(dict.fromkeys(str(h["host"]) for h in addresses_filter(hosts, port, policy)))


class GuardedConnector(aiohttp.TCPConnector):
    """A TCP connector that checks every resolved address (IP literals included) right before connecting."""

    def __init__(
        self, *, policy: AddressPolicy, ports: Mapping[tuple[str, int], int] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.policy = policy
        self.ports = dict(ports or {})

    async def _resolve_host(self, host: str, port: int, traces: Any = None) -> list[ResolveResult]:
        hosts = await super()._resolve_host(host, port, traces=traces)
        allowed = addresses_filter(hosts, port, self.policy)
        moved = self.ports.get((host, port))
        return allowed if moved is None else [{**address, "port": moved} for address in allowed]


def session_new(
    policy: AddressPolicy,
    *,
    limit: int = 100,
    limit_per_host: int = 0,
    keepalive_timeout: float = 15.0,
    force_close: bool = False,
    ports: Mapping[tuple[str, int], int] | None = None,
) -> aiohttp.ClientSession:
    """A session whose every connection passes the address guard; no cookies, no proxy from the environment.

    ``ports``: connections to ``(host, port)`` go to another port of the same address (``jaga demo`` reads the
    demo site at its own address while it serves it for a moment on a free port)."""
    connector = GuardedConnector(
        policy=policy,
        ports=ports,
        limit=limit,
        limit_per_host=limit_per_host,
        ttl_dns_cache=300,
        force_close=force_close,
        **({} if force_close else {"keepalive_timeout": keepalive_timeout}),
    )
    return aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(), trust_env=False)


# --- a bound on the bodies held in memory -------------------------------------------------------------


class BodyBudget:
    """Bytes of response bodies that may be held at once by all the checks of one process.

    A reader takes bytes before it keeps a chunk and gives them back when its check is done. When the
    budget is spent, readers wait (within their own deadline); one reader alone always gets through, so a
    single large page can never wait for ever.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.peak = 0
        self.waits = 0
        self._changed = asyncio.Condition()

    async def take(self, amount: int) -> None:
        if self.used + amount > self.limit and self.used > 0:
            self.waits += 1
            async with self._changed:
                await self._changed.wait_for(lambda: self.used + amount <= self.limit or self.used == 0)
        self.used += amount
        self.peak = max(self.peak, self.used)

    def give(self, amount: int) -> None:
        if amount <= 0:
            return
        self.used = max(0, self.used - amount)
        if self._changed._waiters:  # type: ignore[attr-defined]
            asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()


@dataclass
class BodyHold:
    """What one check holds of a :class:`BodyBudget`; given back once with :meth:`release`."""

    budget: BodyBudget | None = None
    held: int = 0

    async def take(self, amount: int) -> None:
        if self.budget is not None:
            await self.budget.take(amount)
            self.held += amount

    def release(self) -> None:
        if self.budget is not None and self.held:
            self.budget.give(self.held)
            self.held = 0


# --- decoding ---------------------------------------------------------------------------------------------


def body_decode(body: bytes, content_type: str = "") -> tuple[str, str]:
    """Decode with the declared charset (header, then meta/XML declaration), then UTF-8, then cp1252.

    Never raises: an unknown or lying charset falls through to the next candidate and the last one
    replaces undecodable bytes.
    """
    candidates: list[str] = []
    match = _HEADER_CHARSET.search(content_type)
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


# --- errors -------------------------------------------------------------------------------------------------


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


def _short(value: object) -> str:
    text = str(value) or type(value).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def describe_error(exc: BaseException, url: str, timeout_s: float) -> HttpError:
    """Turn any network exception into a readable reason. Order matters: subclasses first."""
    host = urlsplit(url).hostname or url
    if isinstance(exc, HttpError):
        return exc
    if isinstance(exc, aiohttp.ClientConnectorError) and isinstance(exc.os_error, AddressRefused):
        return HttpError("address_refused", exc.os_error.text)
    if isinstance(exc, AddressRefused):
        return HttpError("address_refused", exc.text)
    if isinstance(exc, TimeoutError | asyncio.TimeoutError | aiohttp.ServerTimeoutError):
        return HttpError("timeout", NET("timeout", seconds=f"{timeout_s:g}", url=url))
    if isinstance(exc, aiohttp.InvalidURL):
        return HttpError("invalid_url", NET("invalid_url", url=url))
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return HttpError("tls_certificate", NET("tls_certificate", host=host, error=_short(exc.certificate_error)))
    if isinstance(exc, aiohttp.ClientConnectorDNSError) or (
        isinstance(exc, aiohttp.ClientConnectorError) and isinstance(exc.os_error, socket.gaierror)
    ):
        return HttpError("dns", NET("dns", host=host))
    if isinstance(exc, aiohttp.ClientSSLError | ssl.SSLError):
        return HttpError("tls", NET("tls", host=host, error=_short(exc)))
    if isinstance(exc, aiohttp.ClientConnectorError):
        if isinstance(exc.os_error, ConnectionRefusedError):
            return HttpError("refused", NET("refused", host=host, port=exc.port))
        return HttpError("connect", NET("connect", host=host, error=_short(exc.os_error)))
    if isinstance(exc, aiohttp.TooManyRedirects):
        return HttpError("too_many_redirects", NET("too_many_redirects", url=url))
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return HttpError("disconnected", NET("disconnected", host=host))
    if isinstance(exc, aiohttp.ClientPayloadError):
        return HttpError("payload", NET("payload", host=host))
    if isinstance(exc, aiohttp.ClientResponseError):
        # aiohttp's message may quote the offending header: say what, not what it contained.
        return HttpError("protocol", NET("protocol", host=host))
    if isinstance(exc, aiohttp.ClientError | OSError):
        return HttpError("network", NET("network", host=host, error=type(exc).__name__))
    return HttpError("error", NET("error", url=url, error=type(exc).__name__))


# --- the async face ------------------------------------------------------------------------------------------


def ssl_for(*, verify_tls: bool, ca_file: str = "") -> ssl.SSLContext | bool:
    """What aiohttp's ``ssl=`` wants: the default (True), no verification (False) or a context with a CA."""
    if not verify_tls:
        return False
    if ca_file:
        return _ssl_with_ca(ca_file)
    return True


@functools.lru_cache(maxsize=32)
def _ssl_with_ca(ca_file: str) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=ca_file)


async def fetch(
    session: aiohttp.ClientSession,
    url: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    data: bytes | None = None,
    follow_redirects: bool = True,
    max_redirects: int = 10,
    max_bytes: int = DEFAULT_BODY_BYTES,
    verify_tls: bool = True,
    ca_file: str = "",
    timeout_s: float = 10.0,
    hold: BodyHold | None = None,
) -> HttpResponse:
    """Fetch ``url`` within ONE total deadline. Raises :class:`HttpError` with a readable message.

    ``max_bytes`` is capped at :data:`MAX_BODY_BYTES`; reading stops there and the response is marked
    ``truncated``. With ``hold``, every chunk kept is first taken from the process's body budget.
    """
    cap = max(0, min(max_bytes, MAX_BODY_BYTES))
    request_headers = {"User-Agent": user_agent(), **(headers or {})}
    ssl_arg = ssl_for(verify_tls=verify_tls, ca_file=ca_file)
    started = time.monotonic()
    current = url
    seen: list[str] = [url]
    try:
        validate_url(url)
    except ValueError as exc:
        raise HttpError("invalid_url", str(exc)) from None
    try:
        async with asyncio.timeout(timeout_s):
            while True:
                async with session.request(
                    method,
                    current,
                    headers=request_headers,
                    data=data,
                    allow_redirects=False,
                    ssl=ssl_arg,
                    # The one deadline above covers connect and read: no timers per socket operation.
                    timeout=_NO_TIMEOUT,
                ) as resp:
                    location = resp.headers.get("Location")
                    if follow_redirects and resp.status in REDIRECT_CODES and location:
                        target = urljoin(current, location)
                        if target in seen:
                            chain = " → ".join([*seen, target])
                            raise HttpError("redirect_loop", NET("redirect_loop", chain=_short(chain)))
                        if len(seen) > max_redirects:
                            raise HttpError(
                                "too_many_redirects",
                                NET("more_redirects", count=max_redirects, url=url)
                                if max_redirects
                                else NET("no_redirects", url=url),
                            )
                        try:
                            validate_url(target)
                        except ValueError:
                            raise HttpError("invalid_redirect", NET("invalid_redirect", url=current)) from None
                        seen.append(target)
                        current = target
                        if resp.status == 303:
                            method, data = "GET", None
                        continue
                    body, truncated = await _read_capped(resp, cap, method, hold)
                    return HttpResponse(
                        status=resp.status,
                        headers=resp.headers,
                        body=body,
                        url=current,
                        elapsed_ms=(time.monotonic() - started) * 1000,
                        truncated=truncated,
                        redirects=seen[1:],
                    )
    except HttpError:
        raise
    except (TimeoutError, Exception) as exc:
        raise describe_error(exc, current, timeout_s) from None


async def _read_capped(
    resp: aiohttp.ClientResponse, cap: int, method: str, hold: BodyHold | None
) -> tuple[bytes, bool]:
    if method == "HEAD":
        return b"", False
    content = resp.content
    length = resp.content_length
    if length is not None and length <= cap:
        # The common case, a declared length within the cap: one read to the end, no chunk list.
        if hold is not None:
            await hold.take(length)
        return await content.read(), False
    chunks: list[bytes] = []
    size = 0
    async for chunk in content.iter_chunked(CHUNK):
        room = cap - size
        kept = chunk[:room] if len(chunk) >= room else chunk
        if hold is not None:
            await hold.take(len(kept))
        chunks.append(kept)
        size += len(kept)
        if len(chunk) >= room:
            # Stop reading: the rest of a huge body is never downloaded; the connection is dropped.
            resp.close()
            return b"".join(chunks), len(chunk) > room or not content.at_eof()
    return b"".join(chunks), False


# --- the sync face ---------------------------------------------------------------------------------------------


def request(
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    json: Any = None,
    timeout: float = 10,
    max_bytes: int = DEFAULT_SYNC_MAX_BYTES,
    allow_private: bool = False,
    institution: Any = None,
    follow_redirects: bool = True,
    verify_tls: bool = True,
) -> HttpResponse:
    """One HTTP request from synchronous code (tasks, look-ups). Any status is returned, not raised.

    Raises :class:`HttpError` for network failures, refused addresses, a body over ``max_bytes``
    (``too_large``) and a timeout. ``allow_private`` allows private ranges for this request (an intranet
    log source); loopback and the like follow the institution (``institution.allow_internal_addresses``).
    """
    policy = AddressPolicy.for_institution(institution)
    if allow_private and not policy.allow_private:
        policy = AddressPolicy(allow_internal=policy.allow_internal, allow_private=True)
    send_headers = dict(headers or {})
    data = None
    if json is not None:
        data = jsonlib.dumps(json).encode()
        send_headers.setdefault("Content-Type", "application/json")
    send_headers.setdefault("Accept", "application/json, */*;q=0.5")

    async def go() -> HttpResponse:
        async with session_new(policy, limit=4) as session:
            return await fetch(
                session,
                url,
                method=method.upper(),
                headers=send_headers,
                data=data,
                follow_redirects=follow_redirects,
                max_bytes=max_bytes,
                verify_tls=verify_tls,
                timeout_s=timeout,
            )

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        response = asyncio.run(go())
    else:  # called from a thread that runs a loop: do it in another thread rather than nest loops
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            response = pool.submit(asyncio.run, go()).result()
    if response.truncated:
        raise HttpError(
            "too_large",
            f"Jawaban dari {response.url} lebih dari {max_bytes} byte / the answer is larger than {max_bytes} bytes",
        )
    return response


def headers_dict(headers: CIMultiDictProxy[str] | CIMultiDict[str]) -> dict[str, str]:
    """Header names in lower case, the last value of a repeated header winning."""
    return {name.lower(): value for name, value in headers.items()}
