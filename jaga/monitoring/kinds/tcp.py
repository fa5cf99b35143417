"""TCP port: can a connection be opened, and how long does it take?"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Mapping
from typing import Any, ClassVar

from django.utils.translation import gettext_noop as _
from pydantic import field_validator

from jaga.core import http
from jaga.core.kindconfig import setting
from jaga.monitoring.kinds.base import CheckContext, CheckOutcome, KindConfig, Status

# After connecting, listen this long for the server hanging up: a port whose service is gone behind a
# forwarder, or one that a filter resets, accepts the TCP handshake and then drops every connection.
HANGUP_WAIT_S = 0.25


def validate_host(value: str) -> str:
    value = value.strip()
    if not value or (any(c in value for c in " /:?#@") and not _is_ipv6(value)):
        raise ValueError(f"nama host tidak sah / invalid host name: {value!r} (tanpa http:// dan tanpa path)")
    return value


def _is_ipv6(value: str) -> bool:
    try:
        socket.inet_pton(socket.AF_INET6, value)
    except OSError:
        return False
    return True


def describe_socket_error(exc: BaseException, host: str, port: int, timeout_s: float) -> tuple[str, str]:
    """``(code, reason)`` for a failure while connecting to ``host:port``."""
    if isinstance(exc, http.AddressRefused):
        return "address_refused", exc.message
    if isinstance(exc, TimeoutError):
        return "timeout", f"Batas waktu {timeout_s:g} detik terlampaui ke {host}:{port} / timed out"
    if isinstance(exc, socket.gaierror):
        return "dns", f"Nama domain {host} tidak dapat ditemukan (DNS) / DNS lookup failed for {host}"
    if isinstance(exc, ConnectionRefusedError):
        return "refused", f"Koneksi ke {host} port {port} ditolak / connection refused"
    if isinstance(exc, ssl.SSLError):
        return "tls", f"Galat TLS dengan {host}:{port} / TLS error: {getattr(exc, 'reason', None) or exc}"
    if isinstance(exc, ConnectionResetError | BrokenPipeError):
        return "reset", f"Koneksi ke {host}:{port} diputus / connection reset"
    if isinstance(exc, OSError):
        return "network", f"Tidak dapat terhubung ke {host}:{port} / cannot connect: {exc.strerror or exc}"
    return "error", f"Galat tak terduga dengan {host}:{port} / unexpected error: {type(exc).__name__}: {exc}"


class Config(KindConfig):
    prefill: ClassVar[Mapping[str, str]] = {"host": "site_host"}

    host: str = setting(label=_("Nama host"), help=_("Nama server atau alamat IP, tanpa http://."))
    port: int = setting(ge=1, le=65535, label=_("Port"), help=_("Mis. 22 untuk SSH, 3306 untuk MariaDB."))

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        return validate_host(value)


class TcpKind:
    name: ClassVar[str] = "tcp"
    Config: ClassVar[type[KindConfig]] = Config

    async def check(self, ctx: CheckContext, config: Any) -> CheckOutcome:
        cfg: Config = config
        started = time.monotonic()
        try:
            async with asyncio.timeout(ctx.timeout_s):
                address = (await http.resolve_checked(cfg.host, cfg.port, ctx.policy))[0]
                reader, writer = await asyncio.open_connection(address, cfg.port)
        except Exception as exc:
            code, reason = describe_socket_error(exc, cfg.host, cfg.port, ctx.timeout_s)
            return CheckOutcome(Status.DOWN, reason, details={"error": code})
        ms = round((time.monotonic() - started) * 1000, 1)
        hangup = ""
        try:
            # Most services wait for the client (HTTP) or greet it (SSH, SMTP): either is fine. A reset or
            # an end of stream at once means nothing is serving behind the port.
            await asyncio.wait_for(_hangup(reader), HANGUP_WAIT_S)
            hangup = "closed"
        except TimeoutError:
            pass
        except OSError:  # ConnectionResetError, BrokenPipeError
            hangup = "reset"
        finally:
            writer.close()
            try:
                async with asyncio.timeout(1):
                    await writer.wait_closed()
            except (OSError, TimeoutError):
                pass
        if hangup == "reset":
            return CheckOutcome(
                Status.DOWN,
                f"Port {cfg.port} menerima sambungan lalu langsung memutusnya (reset) / "
                "the port accepts the connection and resets it at once",
                response_ms=ms,
                details={"error": "reset"},
            )
        if hangup == "closed":
            return CheckOutcome(
                Status.DOWN,
                f"Port {cfg.port} menerima sambungan lalu langsung menutupnya / "
                "the port accepts the connection and closes it at once",
                response_ms=ms,
                details={"error": "closed"},
            )
        return CheckOutcome(Status.UP, f"Port {cfg.port} terbuka, terhubung dalam {ms:.0f} ms", response_ms=ms)


async def _hangup(reader: asyncio.StreamReader) -> None:
    """Return when the server ends the stream; data it sends (a greeting) is read past."""
    while await reader.read(4096):
        continue


KIND = TcpKind()
