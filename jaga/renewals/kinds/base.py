"""What every service kind provides: how its identifier is checked and how its expiry is found."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Protocol

from django_stubs_ext import StrOrPromise

if TYPE_CHECKING:
    from jaga.renewals.models import Service


@dataclass
class ExpiryFinding:
    """What an automatic look-up found. ``status``: found, unknown (the source gives no date) or failed."""

    source: str
    status: str
    expires_at: dt.datetime | None = None
    registrar: str = ""
    statuses: list[str] = field(default_factory=list)
    nameservers: list[str] = field(default_factory=list)
    url: str = ""
    error: str = ""
    from_cache: bool = False


class ServiceKind(Protocol):
    key: ClassVar[str]
    automatic: ClassVar[bool]  # the expiry is found by Jaga (False: entered by hand)
    identifier_required: ClassVar[bool]
    identifier_label: ClassVar[StrOrPromise]

    def identifier_clean(self, value: str) -> str:
        """The identifier in its stored form; raises ``ValidationError`` with a translated message."""
        ...

    def expiry_find(self, service: Service, *, force: bool = False) -> ExpiryFinding | None:
        """Look the expiry up (``force``: not from a cache). ``None`` for a kind entered by hand."""
        ...
