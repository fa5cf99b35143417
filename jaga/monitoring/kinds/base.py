"""The contract every monitor kind fulfils."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

import aiohttp
from pydantic import BaseModel, ConfigDict, ValidationError

from jaga.core import http


class Status(enum.StrEnum):
    UP = "up"
    DOWN = "down"
    DEGRADED = "degraded"  # reachable, but something a person should look at (slow, stale, expiring)
    PROBE_OFFLINE = "probe_offline"  # the probe itself could not reach its control target


class KindConfig(BaseModel):
    """Base of every kind's configuration: unknown keys are an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass
class Finding:
    """One piece of evidence a person can read: what, where, and the text found."""

    code: str  # machine-readable, e.g. "gambling_spam", "hidden_link", "stale"
    message: str  # human-readable (Indonesian first; may contain English after " / ")
    location: str = ""  # URL, CSS selector, header name...
    evidence: str = ""  # the text found, trimmed
    severity: str = "warning"  # "info", "warning", "critical"


@dataclass
class CheckOutcome:
    status: Status
    reason: str  # a sentence a person can read, e.g. "HTTP 503 dari https://..."
    response_ms: float | None = None
    details: dict[str, Any] = field(default_factory=dict)  # JSON-serialisable
    findings: list[Finding] = field(default_factory=list)


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


def validate_config(kind: MonitorKind, raw: dict[str, Any]) -> KindConfig:
    """Validate ``raw`` against the kind's model; raises ``ValueError`` with field paths on error."""
    try:
        return kind.Config.model_validate(raw)
    except ValidationError as exc:
        parts = [f"{'.'.join(str(p) for p in err['loc']) or '-'}: {err['msg']}" for err in exc.errors()]
        raise ValueError("; ".join(parts)) from None
