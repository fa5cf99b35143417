"""DNS: does a name resolve, and do its records include the expected values?"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from django.utils.translation import gettext_noop as _
from pydantic import field_validator

from jaga.core.kindconfig import setting
from jaga.core.resolver import DnsLookupError, DnsResolver
from jaga.core.sentences import Reasons, Text
from jaga.monitoring.kinds.base import CheckContext, CheckOutcome, KindConfig, Status


class Config(KindConfig):
    prefill: ClassVar[Mapping[str, str]] = {"name": "site_host"}

    name: str = setting(label=_("Nama domain"), help=_("Mis. pn-bangil.go.id."))
    record_type: Literal["A", "AAAA", "NS", "MX", "CNAME", "TXT"] = setting(
        "A",
        label=_("Jenis record"),
        choices={
            "A": _("A: alamat IPv4"),
            "AAAA": _("AAAA: alamat IPv6"),
            "NS": _("NS: server nama"),
            "MX": _("MX: server surel"),
            "CNAME": _("CNAME: nama lain"),
            "TXT": _("TXT: teks"),
        },
    )
    expected: list[str] = setting(
        default_factory=list,
        label=_("Jawaban yang diharapkan"),
        help=_("Setiap nilai harus ada di antara jawaban; kosongkan bila cukup ada jawaban."),
    )  # each must be among the answers (subset match)
    nameserver: str = setting(
        "", label=_("Server nama"), help=_("Alamat IP server DNS yang ditanya; kosongkan untuk server sistem.")
    )  # IP address; empty = the system's resolver
    port: int = setting(53, ge=1, le=65535, label=_("Port server nama"))

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = value.strip().rstrip(".")
        if not value or " " in value or "/" in value:
            raise ValueError(f"nama domain tidak sah / invalid domain name: {value!r}")
        return value

    @field_validator("nameserver")
    @classmethod
    def _nameserver(cls, value: str) -> str:
        value = value.strip()
        if value:
            import ipaddress

            try:
                ipaddress.ip_address(value)
            except ValueError:
                raise ValueError(f"server nama harus alamat IP / nameserver must be an IP address: {value!r}") from None
        return value


def normalise(record_type: str, value: str) -> str:
    """Compare records the way people write them: no trailing dot, lower case, TXT unquoted."""
    text = value.strip()
    if record_type == "TXT":
        return text.replace('" "', "").strip('"')
    return " ".join(part.rstrip(".").lower() for part in text.split())


REASONS = Reasons(
    "dns",
    {
        "up": _("%(where)s: %(got)s"),
        "no_record": _("Tidak ada record %(where)s"),
        "mismatch": _("Record %(where)s tidak sesuai: diharapkan %(expected)s, didapat %(got)s"),
    },
)


class DnsKind:
    name: ClassVar[str] = "dns"
    Config: ClassVar[type[KindConfig]] = Config

    async def check(self, ctx: CheckContext, config: Any) -> CheckOutcome:
        cfg: Config = config
        where = f"{cfg.name} ({cfg.record_type})"
        resolver = DnsResolver(nameserver=cfg.nameserver, port=cfg.port, timeout_s=ctx.timeout_s)
        try:
            answer = await resolver.lookup(cfg.name, cfg.record_type, policy=ctx.policy)
        except DnsLookupError as exc:
            return _down(exc.code, exc.text)
        ms = answer.ms
        values = answer.values
        details: dict[str, Any] = {"values": values, "ttl": answer.ttl}
        if not values:
            return CheckOutcome(
                Status.DOWN,
                REASONS("no_record", where=where),
                response_ms=ms,
                details={**details, "error": "no_answer"},
            )
        got = {normalise(cfg.record_type, v) for v in values}
        if cfg.record_type == "MX":  # "mail.example" matches "10 mail.example."
            got |= {v.split(" ", 1)[-1] for v in got}
        missing = [e for e in cfg.expected if normalise(cfg.record_type, e) not in got]
        if missing:
            return CheckOutcome(
                Status.DOWN,
                REASONS("mismatch", where=where, expected=", ".join(missing), got=", ".join(values)),
                response_ms=ms,
                details={**details, "missing": missing, "error": "mismatch"},
            )
        return CheckOutcome(
            Status.UP, REASONS("up", where=where, got=", ".join(values)), response_ms=ms, details=details
        )


def _down(code: str, reason: Text | str) -> CheckOutcome:
    return CheckOutcome(Status.DOWN, reason, details={"error": code})


KIND = DnsKind()
