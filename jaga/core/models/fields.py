"""Field declarations several apps share word for word."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django_stubs_ext import StrOrPromise

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def person_field(
    verbose_name: StrOrPromise | None = None, *, related_name: str = "+"
) -> models.ForeignKey[User | None, User | None]:
    """Who did something (made, sent, acknowledged or performed it). Optional, and a user deleted later leaves
    the record in place with no one named: what was done stays in the archive and the ledger."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=verbose_name,
    )
