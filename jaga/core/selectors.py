"""Reads of the core app."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet

from jaga.core.audit import SYSTEM_NAME
from jaga.core.models import ApiToken, AuditEvent, Institution, Membership, UserProfile


def audit_events_for(
    *,
    institution: Institution,
    actor_id: int | None = None,
    date_from: datetime.datetime | None = None,
    date_to: datetime.datetime | None = None,
    source: str = "",
) -> QuerySet[AuditEvent]:
    """The institution's trail: its objects' changes, plus its members' log-ins and account events.

    ``source``: ``person`` (through the web), ``api`` (through a token), ``system`` (Jaga itself), or all."""
    member_ids = Membership.objects.filter(institution=institution).values("user_id")
    events = AuditEvent.objects.filter(
        Q(institution=institution) | Q(institution__isnull=True, actor_id__in=member_ids)
    ).select_related("content_type")
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if source == "system":
        events = events.filter(actor_id__isnull=True, actor_name=SYSTEM_NAME).exclude(via="")
    elif source == "api":
        events = events.filter(via__startswith="token: ")
    elif source == "person":
        events = events.exclude(via__startswith="token: ").exclude(actor_id__isnull=True, actor_name=SYSTEM_NAME)
    if date_from is not None:
        events = events.filter(at__gte=date_from)
    if date_to is not None:
        events = events.filter(at__lt=date_to)
    return events.order_by("-at", "-id")


def members_of(*, institution: Institution) -> QuerySet[Membership]:
    return Membership.objects.filter(institution=institution).select_related("user").order_by("user__username", "role")


def api_tokens_visible(*, user: Any, institution: Institution, all_tokens: bool) -> QuerySet[ApiToken]:
    tokens = ApiToken.objects.filter(institution=institution).select_related("user")
    return tokens if all_tokens else tokens.filter(user=user)


def profile_language_of(*, user: Any) -> str:
    """The language ``user`` chose ("" when they never chose)."""
    if user is None or not getattr(user, "pk", None):
        return ""
    return str(UserProfile.objects.filter(user_id=user.pk).values_list("language", flat=True).first() or "")


def profile_of(*, user: Any) -> UserProfile:
    """``user``'s profile, or an unsaved one with the defaults."""
    return UserProfile.objects.filter(user_id=user.pk).first() or UserProfile(user=user)


def memberships_of_user(*, user: Any) -> QuerySet[Membership]:
    return Membership.objects.filter(user_id=user.pk).select_related("institution").order_by("institution__name")


def password_settable_by(*, actor: Any, target: Any) -> bool:
    """Whether ``actor`` may give ``target`` a one-time password.

    A superuser may, for anyone else. An Administrator may for a member only when they administer *every*
    institution the member belongs to (so an Administrator of one court cannot take over someone who also
    administers another), and never for a superuser. Nobody does it for themselves: that is the password
    change page.
    """
    from jaga.core.permissions import user_can

    if not getattr(actor, "is_authenticated", False) or actor.pk == target.pk:
        return False
    if getattr(actor, "is_superuser", False):
        return True
    if getattr(target, "is_superuser", False):
        return False
    institution_ids = set(Membership.objects.filter(user_id=target.pk).values_list("institution_id", flat=True))
    return bool(institution_ids) and all(user_can(actor, pk, "admin") for pk in institution_ids)
