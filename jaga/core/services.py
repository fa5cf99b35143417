"""Writes of the core app: API tokens, memberships."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from jaga.core import clock
from jaga.core.audit import audit_record
from jaga.core.models import ApiToken, AuditAction, Institution, Membership

TOKEN_PREFIX = "jaga_"
PREFIX_LENGTH = len(TOKEN_PREFIX) + 8


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(*, user: Any, institution: Institution, name: str) -> tuple[ApiToken, str]:
    """A new token; the raw value is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, institution=institution, name=name, prefix=raw[:PREFIX_LENGTH], token_hash=_hash(raw)
    )
    return token, raw


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The live token for ``raw`` (not revoked, its user active), marking it used; otherwise None."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "institution")
        .filter(token_hash=_hash(raw.strip()), revoked=False, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = clock.now()
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
    return token


def api_token_revoke(*, token: ApiToken) -> None:
    token.revoked = True
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked", "revoked_at"])


@transaction.atomic
def membership_add(
    *,
    institution: Institution,
    username: str,
    role: str,
    password: str = "",
    full_name: str = "",
    email: str = "",
) -> Membership:
    """Give ``username`` a role in ``institution``, creating the account when it does not exist yet."""
    user_model = get_user_model()
    user = user_model._default_manager.filter(username=username).first()
    if user is None:
        first, _, last = full_name.strip().partition(" ")
        user = user_model.objects.create_user(  # type: ignore[attr-defined]
            username=username, password=password, email=email, first_name=first, last_name=last
        )
    membership, _created = Membership.objects.get_or_create(user=user, institution=institution, role=role)
    return membership


def membership_remove(*, membership: Membership) -> None:
    membership.delete()


def audit_security_event(*, action: AuditAction, user: Any) -> None:
    """Record a security step that is not a model change (2FA enrolment, verification...)."""
    audit_record(action=action, actor=user)
