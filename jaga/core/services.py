"""Writes of the core app: API tokens, memberships, accounts (profile, passwords)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jaga.core import clock
from jaga.core.audit import audit_record
from jaga.core.models import ApiToken, AuditAction, AuditEvent, Institution, Membership, Role, UserProfile
from jaga.core.permissions import user_can

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
    """The live token for ``raw`` (not revoked, its user active and still a member of its institution),
    marking it used; otherwise None. Every API endpoint and ``/metrics`` authenticate through it."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "institution")
        .filter(token_hash=_hash(raw.strip()), revoked=False, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    if not user_can(token.user, token.institution, "view"):
        return None  # its user is no longer a member of the token's institution
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


def _last_administrator(membership: Membership) -> bool:
    admins = Membership.objects.filter(institution_id=membership.institution_id, role=Role.ADMINISTRATOR)
    return membership.role == Role.ADMINISTRATOR and admins.count() <= 1


def membership_remove(*, membership: Membership) -> None:
    """Remove one role of one member. The last Administrator of an institution stays (ValidationError)."""
    if _last_administrator(membership):
        raise ValidationError(_("Administrator terakhir instansi tidak dapat dihapus."))
    membership.delete()


@transaction.atomic
def membership_role_change(*, membership: Membership, role: str) -> Membership:
    """Give the member ``role`` instead of the one this membership holds.

    The last Administrator cannot be demoted; a role the member already holds is refused (ValidationError).
    """
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if role == membership.role:
        return membership
    if role not in Role.values:
        raise ValidationError(_("Peran tidak dikenal: %(role)s") % {"role": role})
    if _last_administrator(membership):
        raise ValidationError(
            _("Administrator terakhir instansi tidak dapat diberi peran lain: tunjuk administrator lain dulu.")
        )
    if Membership.objects.filter(user_id=membership.user_id, institution_id=membership.institution_id, role=role):
        raise ValidationError(_("Anggota ini sudah memegang peran itu."))
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


# --- accounts -----------------------------------------------------------------------------------------

PASSWORD_RESET_INTERVAL = timedelta(minutes=5)


def _profile(user: Any) -> UserProfile:
    profile, _created = UserProfile.objects.get_or_create(user=user)
    return profile


def profile_language_set(*, user: Any, language: str) -> UserProfile:
    """Keep ``user``'s choice of interface language ("" = Jaga's default)."""
    profile = _profile(user)
    if profile.language != language:
        profile.language = language
        profile.save(update_fields=["language"])
    return profile


@transaction.atomic
def password_set_by_administrator(*, user: Any, password: str) -> None:
    """An administrator gives ``user`` a one-time password (already validated): it works for one log-in, after
    which the user must choose their own. Changing the password ends the user's open sessions."""
    user.set_password(password)
    user.save(update_fields=["password"])
    profile = _profile(user)
    profile.password_change_required = True
    profile.save(update_fields=["password_change_required"])


def password_changed(*, user: Any) -> None:
    """The user chose their own password (change page or reset link): no longer a one-time one."""
    UserProfile.objects.filter(user=user, password_change_required=True).update(password_change_required=False)


def password_reset_request_allow(*, user: Any) -> bool:
    """Whether to e-mail ``user`` a reset link now: at most one every few minutes. Each one is in the trail."""
    since = clock.now() - PASSWORD_RESET_INTERVAL
    recent = AuditEvent.objects.filter(
        action=AuditAction.PASSWORD_RESET_REQUESTED, actor_id=user.pk, at__gte=since
    ).exists()
    if recent:
        return False
    audit_record(action=AuditAction.PASSWORD_RESET_REQUESTED, actor=user)
    return True


def audit_security_event(*, action: AuditAction, user: Any) -> None:
    """Record a security step that is not a model change (2FA enrolment, verification...)."""
    audit_record(action=action, actor=user)
