"""TLS certificate: days to expiry, chain and host-name validity, issuer, subject and names.

A certificate that fails verification is fetched a second time without verification, so that the
reason (expired, wrong host name, unknown issuer) comes with the expiry date and the names.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from cryptography import x509
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _
from pydantic import field_validator, model_validator

from jaga.core import clock, http
from jaga.core.kindconfig import setting
from jaga.core.sentences import Reasons, Text
from jaga.monitoring.kinds.base import CheckContext, CheckOutcome, Finding, KindConfig, Status, ca_file_check, say
from jaga.monitoring.kinds.tcp import describe_socket_error, validate_host


class Config(KindConfig):
    prefill: ClassVar[Mapping[str, str]] = {"host": "site_host"}

    host: str = setting(label=_("Nama host"), help=_("Nama server tanpa http:// dan tanpa path, mis. pn-bangil.go.id."))
    port: int = setting(443, ge=1, le=65535, label=_("Port"))
    server_name: str = setting(
        "", label=_("Nama pada sertifikat"), help=_("Nama yang harus tercantum di sertifikat; kosongkan bila sama.")
    )  # the name to verify (SNI); default: host
    warn_days: int = setting(
        21, ge=0, label=_("Peringatan bila sisa masa berlaku (hari)"), help=_("Kurang dari ini: status terganggu.")
    )
    critical_days: int = setting(
        7, ge=0, label=_("Kritis bila sisa masa berlaku (hari)"), help=_("Tidak boleh lebih dari batas peringatan.")
    )
    ca_file: str = setting(
        "",
        label=_("Berkas CA tambahan"),
        help=_("Jalur berkas PEM di server Jaga untuk CA internal; kosongkan untuk CA umum."),
    )  # extra trusted CA (PEM), e.g. an internal one

    _ca_file = field_validator("ca_file")(ca_file_check)

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        return validate_host(value)

    @model_validator(mode="after")
    def _days(self) -> Config:
        if self.critical_days > self.warn_days:
            raise ValueError(gettext("Batas kritis tidak boleh lebih besar dari batas peringatan."))
        return self


def _context(*, verify: bool, ca_file: str) -> ssl.SSLContext:
    if not verify:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=ca_file or None)


async def _peer_certificate(
    host: str, port: int, server_name: str, context: ssl.SSLContext, timeout: float, policy: http.AddressPolicy
) -> bytes:
    async with asyncio.timeout(timeout):
        # Connect to the address the guard allowed, not to the name again (no second resolution).
        address = (await http.resolve_checked(host, port, policy))[0]
        _, writer = await asyncio.open_connection(
            address, port, ssl=context, server_hostname=server_name, ssl_handshake_timeout=timeout
        )
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        der: bytes | None = ssl_object.getpeercert(binary_form=True) if ssl_object else None
    finally:
        writer.close()
    if not der:
        raise ssl.SSLError("server tidak mengirim sertifikat / no certificate sent")
    return der


def describe_certificate(der: bytes, now: datetime) -> dict[str, Any]:
    cert = x509.load_der_x509_certificate(der)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = [str(n) for n in san.get_values_for_type(x509.DNSName)] + [
            str(ip) for ip in san.get_values_for_type(x509.IPAddress)
        ]
    except x509.ExtensionNotFound:
        names = []
    expires = cert.not_valid_after_utc
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "sans": names,
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": expires.isoformat(),
        "days_left": (expires - now).days,
        "serial": format(cert.serial_number, "x"),
    }


REASONS = Reasons(
    "tls",
    {
        "up": _("Sertifikat sah, %(expiry)s"),
        "expiry": _("berlaku sampai %(date)s (%(days)s hari lagi)"),
        "hostname_mismatch": _("Sertifikat bukan untuk %(name)s (%(error)s)"),
        "expired": _("Sertifikat sudah kedaluwarsa (%(error)s)"),
        "untrusted_chain": _("Rantai sertifikat tidak dipercaya (%(error)s)"),
        "invalid_certificate": _("Sertifikat tidak sah (%(error)s)"),
        "expired_since": _("Sertifikat sudah kedaluwarsa sejak %(date)s (%(days)s hari lalu)"),
        "not_yet_valid": _("Sertifikat belum berlaku sampai %(date)s"),
        "invalid_with_expiry": _("%(failure)s; %(expiry)s"),
        "expires_soon": _("Sertifikat segera habis: %(expiry)s"),
    },
)


def _verify_reason(exc: ssl.SSLCertVerificationError, server_name: str) -> tuple[str, Text]:
    message = exc.verify_message or str(exc)
    lowered = message.lower()
    if "hostname mismatch" in lowered or "ip address mismatch" in lowered:
        return "hostname_mismatch", REASONS("hostname_mismatch", name=server_name, error=message)
    if "expired" in lowered:
        return "expired", REASONS("expired", error=message)
    if "self-signed" in lowered or "self signed" in lowered or "unable to get local issuer" in lowered:
        return "untrusted_chain", REASONS("untrusted_chain", error=message)
    return "invalid_certificate", REASONS("invalid_certificate", error=message)


class TlsKind:
    name: ClassVar[str] = "tls"
    Config: ClassVar[type[KindConfig]] = Config

    async def check(self, ctx: CheckContext, config: Any) -> CheckOutcome:
        cfg: Config = config
        server_name = cfg.server_name or cfg.host
        started = time.monotonic()
        failure: tuple[str, Text] | None = None
        try:
            der = await _peer_certificate(
                cfg.host, cfg.port, server_name, _context(verify=True, ca_file=cfg.ca_file), ctx.timeout_s, ctx.policy
            )
        except ssl.SSLCertVerificationError as exc:
            failure = _verify_reason(exc, server_name)
            try:
                der = await _peer_certificate(
                    cfg.host, cfg.port, server_name, _context(verify=False, ca_file=""), ctx.timeout_s, ctx.policy
                )
            except Exception:
                return CheckOutcome(Status.DOWN, failure[1], details={"error": failure[0]})
        except Exception as exc:
            code, reason = describe_socket_error(exc, cfg.host, cfg.port, ctx.timeout_s)
            return CheckOutcome(Status.DOWN, reason, details={"error": code})
        ms = round((time.monotonic() - started) * 1000, 1)
        now = clock.now()
        details = describe_certificate(der, now)
        days = int(details["days_left"])
        expiry = REASONS("expiry", date=details["not_after"][:10], days=days)
        if datetime.fromisoformat(details["not_after"]) <= now:
            # Whatever else is wrong (an untrusted chain is checked first by OpenSSL), expired is what matters.
            ago = max(1, -days)
            details["error"] = "expired"
            if failure is not None and failure[0] != "expired":
                details["also"] = failure[0]
            return CheckOutcome(
                Status.DOWN,
                REASONS("expired_since", date=details["not_after"][:10], days=ago),
                response_ms=ms,
                details=details,
            )
        if datetime.fromisoformat(details["not_before"]) > now:
            details["error"] = "not_yet_valid"
            return CheckOutcome(
                Status.DOWN,
                REASONS("not_yet_valid", date=details["not_before"][:10]),
                response_ms=ms,
                details=details,
            )
        if failure is not None:
            details["error"] = failure[0]
            reason = REASONS("invalid_with_expiry", failure=failure[1], expiry=expiry)
            return CheckOutcome(Status.DOWN, reason, response_ms=ms, details=details)
        if days <= cfg.warn_days:
            severity = "critical" if days <= cfg.critical_days else "warning"
            finding = Finding.of(
                "tls_expiring",
                say(_("Sertifikat TLS %(name)s habis dalam %(days)s hari"), name=server_name, days=days),
                location=f"{cfg.host}:{cfg.port}",
                evidence=details["not_after"],
                severity=severity,
            )
            return CheckOutcome(
                Status.DEGRADED,
                REASONS("expires_soon", expiry=expiry),
                response_ms=ms,
                details=details,
                findings=[finding],
            )
        return CheckOutcome(Status.UP, REASONS("up", expiry=expiry), response_ms=ms, details=details)


KIND = TlsKind()
