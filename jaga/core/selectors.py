"""Reads of the core app."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet

from jaga.core.models import ApiToken, AuditEvent, Institution, Membership


def audit_events_for(
    *,
    institution: Institution,
    actor_id: int | None = None,
    date_from: datetime.datetime | None = None,
    date_to: datetime.datetime | None = None,
) -> QuerySet[AuditEvent]:
    """The institution's trail: its objects' changes, plus its members' log-ins and account events."""
    member_ids = Membership.objects.filter(institution=institution).values("user_id")
    events = AuditEvent.objects.filter(
        Q(institution=institution) | Q(institution__isnull=True, actor_id__in=member_ids)
    ).select_related("content_type")
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
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
