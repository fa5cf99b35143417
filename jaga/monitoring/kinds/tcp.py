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
from jaga.core.sentences import Reasons, Text
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


SOCKET = Reasons(
    "tcp",
    {
        "up": _("Port %(port)s terbuka, terhubung dalam %(ms)s ms"),
        "timeout": _("Batas waktu %(seconds)s detik terlampaui ke %(host)s:%(port)s"),
        "dns": _("Nama domain %(host)s tidak dapat ditemukan (DNS)"),
        "refused": _("Koneksi ke %(host)s port %(port)s ditolak"),
        "tls": _("Galat TLS dengan %(host)s:%(port)s: %(error)s"),
        "reset": _("Koneksi ke %(host)s:%(port)s diputus"),
        "network": _("Tidak dapat terhubung ke %(host)s:%(port)s: %(error)s"),
        "error": _("Galat tak terduga dengan %(host)s:%(port)s: %(error)s"),
        "accepts_and_resets": _("Port %(port)s menerima sambungan lalu langsung memutusnya (reset)"),
        "accepts_and_closes": _("Port %(port)s menerima sambungan lalu langsung menutupnya"),
    },
)


def describe_socket_error(exc: BaseException, host: str, port: int, timeout_s: float) -> tuple[str, Text | str]:
    """``(code, reason)`` for a failure while connecting to ``host:port``."""
    where = {"host": host, "port": port}
    if isinstance(exc, http.AddressRefused):
        return "address_refused", exc.text
    if isinstance(exc, TimeoutError):
        return "timeout", SOCKET("timeout", seconds=f"{timeout_s:g}", **where)
    if isinstance(exc, socket.gaierror):
        return "dns", SOCKET("dns", host=host)
    if isinstance(exc, ConnectionRefusedError):
        return "refused", SOCKET("refused", **where)
    if isinstance(exc, ssl.SSLError):
        return "tls", SOCKET("tls", error=str(getattr(exc, "reason", None) or exc), **where)
    if isinstance(exc, ConnectionResetError | BrokenPipeError):
        return "reset", SOCKET("reset", **where)
    if isinstance(exc, OSError):
        return "network", SOCKET("network", error=str(exc.strerror or exc), **where)
    return "error", SOCKET("error", error=f"{type(exc).__name__}: {exc}", **where)


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
                SOCKET("accepts_and_resets", port=cfg.port),
                response_ms=ms,
                details={"error": "reset"},
            )
        if hangup == "closed":
            return CheckOutcome(
                Status.DOWN,
                SOCKET("accepts_and_closes", port=cfg.port),
                response_ms=ms,
                details={"error": "closed"},
            )
        return CheckOutcome(Status.UP, SOCKET("up", port=cfg.port, ms=round(ms)), response_ms=ms)


async def _hangup(reader: asyncio.StreamReader) -> None:
    """Return when the server ends the stream; data it sends (a greeting) is read past."""
    while await reader.read(4096):
        continue


KIND = TcpKind()
