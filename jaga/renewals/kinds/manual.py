"""Hosting, internet connection and other subscriptions: the expiry is entered by hand, from the contract."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from jaga.renewals.kinds.base import ExpiryFinding

if TYPE_CHECKING:
    from jaga.renewals.models import Service


class ManualKind:
    automatic: ClassVar[bool] = False
    identifier_required: ClassVar[bool] = False
    identifier_label: ClassVar[StrOrPromise] = _("Pengenal (opsional)")

    def __init__(self, key: str) -> None:
        self.key = key  # type: ignore[misc]

    def identifier_clean(self, value: str) -> str:
        return value.strip()

    def expiry_find(self, service: Service, *, force: bool = False) -> ExpiryFinding | None:
        return None


HOSTING = ManualKind("hosting")
CONNECTION = ManualKind("connection")
OTHER = ManualKind("other")
