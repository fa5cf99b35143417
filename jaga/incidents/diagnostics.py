"""First response: the facts about a site that is down, attached to its incident.

When an incident of a kind that asks for it (``IncidentKind.diagnose``: the outage) opens, the worker runs
four steps against the site and writes them on the timeline as one ``diagnostic`` entry, so that the person
on duty starts from facts: DNS (which resolver, what answer), TCP connect (time or error), the TLS
handshake and certificate (issuer, expiry, host-name match) and the HTTP fetch (status, headers, the first
part of the body, time). Every connection goes through core's HTTP wrapper and its address guard. A person
re-runs them from the incident page; they never run in the web request.

Each step is a dict ``{"step", "ok", "ms", "summary", ...}``; ``ok`` is ``None`` for a step that did not
apply (no DNS look-up for an IP address, no TLS for ``http://``). Summaries are bilingual sentences, as the
monitor kinds write their reasons.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import ssl
import time
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from jaga.core import clock, http
from jaga.core.resolver import DnsLookupError, DnsResolver
from jaga.core.sentences import Text, said_both

logger = logging.getLogger(__name__)

BODY_BYTES = 2048  # the first part of the body kept on the timeline
BODY_CHARS = 1000
MASKED_HEADERS = frozenset({"set-cookie", "authorization", "proxy-authorization", "cookie"})
DEFAULT_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Target:
    """What to diagnose: a URL, and how the monitor that reported it reaches it."""

    url: str
    host: str
    port: int
    scheme: str
    nameserver: str = ""  # an IP address; empty: the system's resolver
    dns_port: int = 53
    verify_tls: bool = True
    ca_file: str = ""
    timeout_s: float = DEFAULT_TIMEOUT_S

    @classmethod
    def for_url(cls, url: str, **options: Any) -> Target:
        parts = urlsplit(url)
        scheme = parts.scheme or "https"
        return cls(
            url=url,
            host=parts.hostname or "",
            port=parts.port or (443 if scheme == "https" else 80),
            scheme=scheme,
            **options,
        )


def target_for(*, site: Any, monitor: Any = None) -> Target:
    """The monitor's own URL and resolver when it has them, else the site's address."""
    config: dict[str, Any] = dict(getattr(monitor, "config", None) or {})
    options: dict[str, Any] = {}
    if monitor is not None:
        options["timeout_s"] = float(monitor.timeout_seconds or DEFAULT_TIMEOUT_S)
        options["verify_tls"] = bool(config.get("verify_tls", True))
        options["ca_file"] = str(config.get("ca_file") or "")
        if config.get("nameserver"):
            options["nameserver"] = str(config["nameserver"])
            options["dns_port"] = int(config.get("port") or 53) if monitor.kind == "dns" else 53
    url = str(config.get("url") or "") or site.base_url
    target = Target.for_url(url, **options)
    if monitor is not None and monitor.kind in {"tcp", "tls"} and config.get("host"):
        # A port monitor watches that port: connect there, and fetch the site's page over it.
        host, port = str(config["host"]), int(config.get("port") or target.port)
        scheme = "https" if monitor.kind == "tls" or port == 443 else "http"
        target = Target(**{**asdict(target), "host": host, "port": port, "scheme": scheme})
    return target


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _words(reason: Text | str) -> str:
    """A failure's words in Indonesian / English: the timeline keeps a diagnostic's summary as text."""
    return said_both(reason) if isinstance(reason, dict) else reason


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


async def step_dns(target: Target, policy: http.AddressPolicy) -> dict[str, Any]:
    step: dict[str, Any] = {"step": "dns", "name": target.host, "addresses": []}
    if _is_ip(target.host):
        return {
            **step,
            "ok": None,
            "ms": None,
            "addresses": [target.host],
            "summary": f"{target.host} adalah alamat IP, tanpa pencarian DNS / an IP address, no look-up",
        }
    resolver = DnsResolver(nameserver=target.nameserver, port=target.dns_port, timeout_s=target.timeout_s)
    step["resolver"] = resolver.describe()
    started = time.monotonic()
    answers: dict[str, list[str]] = {}
    try:
        for record_type in ("A", "AAAA"):
            answers[record_type] = (await resolver.lookup(target.host, record_type, policy=policy)).values
    except DnsLookupError as exc:
        ms = None if exc.code == "address_refused" else _ms(started)
        return {**step, "ok": False, "ms": ms, "answers": answers, "error": exc.code, "summary": exc.message}
    addresses = answers.get("A", []) + answers.get("AAAA", [])
    if not addresses:
        return {
            **step,
            "ok": False,
            "ms": _ms(started),
            "answers": answers,
            "error": "no_answer",
            "summary": f"Tidak ada alamat untuk {target.host} / no A or AAAA record",
        }
    return {
        **step,
        "ok": True,
        "ms": _ms(started),
        "answers": answers,
        "addresses": addresses,
        "summary": f"{target.host} → {', '.join(addresses)} ({step['resolver']})",
    }


async def _addresses(target: Target, policy: http.AddressPolicy, resolved: list[str]) -> list[str]:
    """The addresses to connect to: the DNS step's answer, else the system's (``/etc/hosts`` included)."""
    if resolved:
        allowed = [a for a in resolved if http.address_refusal(a, target.port, policy) is None]
        if not allowed:
            raise http.AddressRefused(http.address_refusal(resolved[0], target.port, policy) or http.NET("no_address"))
        return allowed
    return await http.resolve_checked(target.host, target.port, policy)


async def step_tcp(target: Target, policy: http.AddressPolicy, resolved: list[str]) -> dict[str, Any]:
    from jaga.monitoring.kinds.tcp import describe_socket_error

    step: dict[str, Any] = {"step": "tcp", "port": target.port}
    started = time.monotonic()
    try:
        async with asyncio.timeout(target.timeout_s):
            address = (await _addresses(target, policy, resolved))[0]
            step["address"] = address
            _, writer = await asyncio.open_connection(address, target.port)
    except Exception as exc:
        code, reason = describe_socket_error(exc, target.host, target.port, target.timeout_s)
        return {**step, "ok": False, "ms": _ms(started), "error": code, "summary": _words(reason)}
    ms = _ms(started)
    writer.close()
    return {
        **step,
        "ok": True,
        "ms": ms,
        "summary": f"Tersambung ke {address} port {target.port} dalam {ms:.0f} ms / connected in {ms:.0f} ms",
    }


def hostname_matches(host: str, names: list[str]) -> bool:
    """Does a certificate naming ``names`` (its SANs) cover ``host``? One wildcard label on the left."""
    host = host.lower().rstrip(".")
    for name in (n.lower().rstrip(".") for n in names):
        if name == host:
            return True
        if name.startswith("*.") and "." in host and host.split(".", 1)[1] == name[2:] and not _is_ip(host):
            return True
    return False


async def _handshake(address: str, target: Target, context: ssl.SSLContext) -> tuple[bytes, str, str]:
    async with asyncio.timeout(target.timeout_s):
        _, writer = await asyncio.open_connection(
            address, target.port, ssl=context, server_hostname=target.host, ssl_handshake_timeout=target.timeout_s
        )
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object else None
        version = str(ssl_object.version() or "") if ssl_object else ""
        cipher = str((ssl_object.cipher() or ("",))[0]) if ssl_object else ""
    finally:
        writer.close()
    if not der:
        raise ssl.SSLError("server tidak mengirim sertifikat / no certificate sent")
    return der, version, cipher


async def step_tls(target: Target, policy: http.AddressPolicy, resolved: list[str]) -> dict[str, Any]:
    from jaga.monitoring.kinds.tcp import describe_socket_error
    from jaga.monitoring.kinds.tls import describe_certificate

    step: dict[str, Any] = {"step": "tls", "server_name": target.host}
    if target.scheme != "https":
        return {**step, "ok": None, "ms": None, "summary": "Bukan https, tanpa TLS / not https, no TLS"}
    started = time.monotonic()
    verify_error = ""
    try:
        address = (await _addresses(target, policy, resolved))[0]
        trusted = ssl.create_default_context(cafile=target.ca_file or None)
        try:
            der, version, cipher = await _handshake(address, target, trusted)
        except ssl.SSLCertVerificationError as exc:
            verify_error = exc.verify_message or str(exc)
            loose = ssl.create_default_context()
            loose.check_hostname = False
            loose.verify_mode = ssl.CERT_NONE
            der, version, cipher = await _handshake(address, target, loose)
    except Exception as exc:
        code, reason = describe_socket_error(exc, target.host, target.port, target.timeout_s)
        summary = _words(reason)
        return {
            **step,
            "ok": False,
            "ms": _ms(started),
            "error": code,
            "verify_error": verify_error,
            "summary": summary,
        }
    ms = _ms(started)
    certificate = describe_certificate(der, clock.now())
    names = list(certificate["sans"])
    matches = hostname_matches(target.host, names)
    expired = int(certificate["days_left"]) < 0
    ok = not verify_error and matches and not expired
    summary = (
        f"Penerbit {certificate['issuer']}; berlaku sampai {certificate['not_after'][:10]} "
        f"({certificate['days_left']} hari); nama host {'cocok' if matches else 'TIDAK cocok'} / "
        f"issuer, expiry, host name {'matches' if matches else 'does NOT match'}"
    )
    if verify_error:
        summary = f"Verifikasi gagal / verification failed: {verify_error}. {summary}"
    return {
        **step,
        "ok": ok,
        "ms": ms,
        "version": version,
        "cipher": cipher,
        "verified": not verify_error,
        "verify_error": verify_error,
        "hostname_match": matches,
        **certificate,
        "summary": summary,
    }


async def step_http(target: Target, policy: http.AddressPolicy) -> dict[str, Any]:
    step: dict[str, Any] = {"step": "http", "url": target.url}
    started = time.monotonic()
    unverified = False
    async with http.session_new(policy, force_close=True) as session:
        try:
            try:
                response = await http.fetch(
                    session,
                    target.url,
                    max_bytes=BODY_BYTES,
                    verify_tls=target.verify_tls,
                    ca_file=target.ca_file,
                    timeout_s=target.timeout_s,
                )
            except http.HttpError as exc:
                if exc.code != "tls_certificate":
                    raise
                # The certificate is the TLS step's finding; what the server answers is still a fact.
                step["verify_error"] = exc.message
                unverified = True
                response = await http.fetch(
                    session, target.url, max_bytes=BODY_BYTES, verify_tls=False, timeout_s=target.timeout_s
                )
        except http.HttpError as exc:
            return {**step, "ok": False, "ms": _ms(started), "error": exc.code, "summary": exc.message}
    headers = {
        name: ("***" if name.lower() in MASKED_HEADERS else value)
        for name, value in http.headers_dict(response.headers).items()
    }
    ms = round(response.elapsed_ms, 1)
    ok = 200 <= response.status < 400 and not unverified
    return {
        **step,
        "ok": ok,
        "ms": ms,
        "status": response.status,
        "final_url": response.url,
        "redirects": response.redirects,
        "headers": headers,
        "body": response.text[:BODY_CHARS],
        "truncated": response.truncated,
        "unverified": unverified,
        "summary": f"HTTP {response.status} dalam {ms:.0f} ms / in {ms:.0f} ms"
        + (" (tanpa verifikasi sertifikat / without certificate verification)" if unverified else ""),
    }


async def diagnostics_run(target: Target, *, policy: http.AddressPolicy) -> dict[str, Any]:
    """The four steps in order; each one's failure is a fact, never an exception."""
    started = clock.now()
    dns_step = await step_dns(target, policy)
    resolved = list(dns_step.get("addresses") or [])
    steps = [
        dns_step,
        await step_tcp(target, policy, resolved),
        await step_tls(target, policy, resolved),
        await step_http(target, policy),
    ]
    return {
        "event": "diagnostics",
        "target": target.url,
        "host": target.host,
        "port": target.port,
        "started_at": started.isoformat(),
        "steps": steps,
    }


def diagnostics_text(result: dict[str, Any]) -> str:
    """One line per step, for the timeline's text and the evidence file."""
    marks = {True: "OK", False: "GAGAL", None: "-"}
    return "\n".join(f"{s['step'].upper()} [{marks[s['ok']]}] {s['summary']}" for s in result["steps"])
