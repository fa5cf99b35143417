"""The contract every monitor kind fulfils."""

from __future__ import annotations

import enum
import os
import ssl
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

import aiohttp
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from jaga.core import http
from jaga.core.kindconfig import KindConfig, config_load, messages_joined
from jaga.core.sentences import Text, said, say

__all__ = [
    "CheckContext",
    "CheckOutcome",
    "Finding",
    "KindConfig",
    "MonitorKind",
    "Status",
    "Text",
    "ca_file_check",
    "said",
    "say",
    "validate_config",
]


class Status(enum.StrEnum):
    UP = "up"
    DOWN = "down"
    DEGRADED = "degraded"  # reachable, but something a person should look at (slow, stale, expiring)
    PROBE_OFFLINE = "probe_offline"  # the probe itself could not reach its control target


@dataclass
class Finding:
    """One piece of evidence a person can read: what, where, and the text found."""

    code: str  # machine-readable, e.g. "gambling_spam", "hidden_link", "stale"
    message: str  # human-readable, Indonesian (the stored form of ``text``, or a sentence of an older version)
    location: str = ""  # URL, CSS selector, header name...
    evidence: str = ""  # the text found, trimmed
    severity: str = "warning"  # "info", "warning", "critical"
    # The pages showing the same evidence (one injected footer on 138 pages is one finding, not 138).
    pages: list[str] = field(default_factory=list)
    # Stays open until a person acknowledges it, even once the kind stops reporting it (a page nobody made).
    needs_ack: bool = False
    text: Text = field(default_factory=dict)  # the message for each reader's language (empty: ``message`` only)

    @classmethod
    def of(
        cls,
        code: str,
        text: Text,
        location: str = "",
        evidence: str = "",
        severity: str = "warning",
        pages: list[str] | None = None,
        needs_ack: bool = False,
    ) -> Finding:
        """A finding whose message is ``text`` (Indonesian in ``message``, each reader's language on pages)."""
        return cls(code, said(text, translate=False), location, evidence, severity, pages or [], needs_ack, text)


@dataclass
class CheckOutcome:
    status: Status
    # What happened, as a sentence for each reader (a kind's ``Reasons``: "HTTP 503 dari https://..."); read
    # back as its Indonesian words, the sentence itself is in ``text`` and is what is stored.
    reason: Any  # Text (or str: an Indonesian sentence with no translation, e.g. in a test)
    response_ms: float | None = None
    details: dict[str, Any] = field(default_factory=dict)  # JSON-serialisable
    findings: list[Finding] = field(default_factory=list)
    text: Text = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.reason, dict):
            self.text, self.reason = self.reason, said(self.reason, translate=False)

    @property
    def stored(self) -> Text | str:
        """The reason as it is kept: the sentence when there is one."""
        return self.text or str(self.reason)


@dataclass
class CheckContext:
    """What the probe hands a kind: a shared HTTP session and limits. Tests build their own."""

    session: aiohttp.ClientSession
    # The monitor's persisted state from its previous check (known sitemap URLs, region hashes,
    # outbound links...). A kind reads it and may update it in place; the probe stores it back.
    state: dict[str, Any] = field(default_factory=dict)
    timeout_s: float = 10.0
    max_body_bytes: int = http.DEFAULT_BODY_BYTES
    user_agent: str = field(default_factory=http.user_agent)
    # Which addresses may be connected to (the engine's session enforces it in its connector).
    policy: http.AddressPolicy = field(default_factory=http.AddressPolicy.for_institution)
    # The probe's share of its body budget for this check (None: unbounded, e.g. a test).
    hold: http.BodyHold | None = None


class MonitorKind(Protocol):
    name: ClassVar[str]
    Config: ClassVar[type[KindConfig]]

    async def check(self, ctx: CheckContext, config: Any) -> CheckOutcome: ...


def validate_config(kind: MonitorKind, stored: dict[str, Any]) -> KindConfig:
    """A stored configuration as the kind's model (secrets decrypted), for the probe and tests.

    Raises ``ValueError`` naming each wrong field (a CA file removed since it was saved, for one).
    Saving goes through :func:`jaga.core.kindconfig.config_validate` (the services).
    """
    try:
        return config_load(kind.Config, stored)
    except ValidationError as exc:
        raise ValueError(messages_joined(exc)) from None


def ca_file_check(value: str) -> str:
    """A CA file must exist, be readable by Jaga and hold certificates: checked when saving, not at each check."""
    value = value.strip()
    if not value:
        return value
    if not os.path.isabs(value):
        raise ValueError(gettext("Tulis jalur lengkap berkas, diawali /."))
    if not os.path.isfile(value):
        raise ValueError(gettext("Berkas %(path)s tidak ada di server Jaga.") % {"path": value})
    if not os.access(value, os.R_OK):
        raise ValueError(gettext("Berkas %(path)s tidak dapat dibaca oleh Jaga; periksa izinnya.") % {"path": value})
    try:
        ssl.create_default_context(cafile=value)
    except (ssl.SSLError, ValueError, OSError):
        raise ValueError(gettext("Berkas %(path)s bukan sertifikat CA dalam format PEM.") % {"path": value}) from None
    return value
