"""DNS look-ups: the one way Jaga asks a resolver (the DNS monitor kind and the first-response diagnostics).

A look-up names its resolver (a given nameserver, checked by the address guard like any other address, or
the system's), bounds its time, and turns every failure into one :class:`DnsLookupError` with a code
(``address_refused``, ``nxdomain``, ``timeout``, ``servfail``, ``dns``) and a bilingual sentence. An answer
without records of the type asked is not an error: its ``values`` are empty.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import dns.asyncresolver
import dns.exception
import dns.resolver
from django.utils.translation import gettext_noop as _

from jaga.core import http
from jaga.core.sentences import Reasons, Text, said_both

# One attempt never waits longer than this for a reply; the whole look-up is bounded by its timeout.
ATTEMPT_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class DnsAnswer:
    values: list[str] = field(default_factory=list)  # the records as text; empty: the name has none of the type
    ttl: int | None = None
    ms: float = 0.0


LOOKUP = Reasons(
    "dns_lookup",
    {
        "nxdomain": _("Nama %(name)s tidak ada (NXDOMAIN)"),
        "timeout": _("Batas waktu %(seconds)s detik terlampaui saat mencari %(where)s"),
        "servfail": _("Server nama gagal menjawab untuk %(where)s: %(error)s"),
        "dns": _("Galat DNS untuk %(where)s: %(error)s"),
    },
)


class DnsLookupError(Exception):
    """``text`` a sentence for each reader (``LOOKUP``, or the address guard's words), ``message`` its words in
    Indonesian / English."""

    def __init__(self, code: str, message: str | Text) -> None:
        self.text: Text | str = message
        if isinstance(message, dict):
            message = said_both(message)
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class DnsResolver:
    """Who is asked: ``nameserver`` (an IP address) on ``port``, or the system's resolvers when empty."""

    nameserver: str = ""
    port: int = 53
    timeout_s: float = 10.0

    def _build(self) -> dns.asyncresolver.Resolver:
        resolver = dns.asyncresolver.Resolver(configure=not self.nameserver)
        if self.nameserver:
            resolver.nameservers = [self.nameserver]
            resolver.port = self.port
        resolver.lifetime = self.timeout_s
        resolver.timeout = min(self.timeout_s, ATTEMPT_TIMEOUT_S)
        return resolver

    def describe(self) -> str:
        """The resolvers asked, as ``address:port`` (for the timeline and the check's details)."""
        resolver = self._build()
        return ", ".join(f"{ns}:{resolver.port}" for ns in resolver.nameservers) or "-"

    def refusal(self, policy: http.AddressPolicy) -> Text | None:
        """Why the address guard refuses the given nameserver, or None (the system's resolvers are trusted)."""
        return http.address_refusal(self.nameserver, self.port, policy) if self.nameserver else None

    async def lookup(self, name: str, record_type: str, *, policy: http.AddressPolicy) -> DnsAnswer:
        """Ask for ``name``'s records of ``record_type``; raises :class:`DnsLookupError` when there is no answer."""
        refusal = self.refusal(policy)
        if refusal:
            raise DnsLookupError("address_refused", refusal)
        where = f"{name} ({record_type})"
        started = time.monotonic()
        try:
            answer = await self._build().resolve(name, record_type, raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN:
            raise DnsLookupError("nxdomain", LOOKUP("nxdomain", name=name)) from None
        except dns.resolver.LifetimeTimeout:
            raise DnsLookupError("timeout", LOOKUP("timeout", seconds=f"{self.timeout_s:g}", where=where)) from None
        except dns.resolver.NoNameservers as exc:
            raise DnsLookupError("servfail", LOOKUP("servfail", where=where, error=str(exc))) from None
        except (dns.exception.DNSException, OSError) as exc:
            raise DnsLookupError("dns", LOOKUP("dns", where=where, error=str(exc))) from None
        ms = round((time.monotonic() - started) * 1000, 1)
        if answer.rrset is None:
            return DnsAnswer(values=[], ttl=None, ms=ms)
        return DnsAnswer(values=[record.to_text() for record in answer], ttl=answer.rrset.ttl, ms=ms)
