"""Notifications: ``notify()`` finds the channels routed for an event and queues one send per channel.

A route names a role: its holders in the institution are the audience. An e-mail channel gets their
addresses as recipients; a group channel (Telegram chat, ntfy topic, webhook...) is the role's group and
is sent to once. A channel that fails never fails the caller: the error is recorded on the channel and
shown on the channels page and the institution's dashboard. Known event types are listed in
``jaga.core.models.notifications.EVENT_TYPES``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from django.conf import settings
from django.db.models import F, Q
from django.utils import translation

from jaga.core import clock, notify_transport
from jaga.core.models import Institution, Membership, NotificationChannel, NotificationRoute, Role, Site

logger = logging.getLogger(__name__)


def route_matches(pattern: str, event_type: str) -> bool:
    """``*`` matches every event, ``backup.*`` every backup event, anything else only itself."""
    return pattern == event_type or fnmatchcase(event_type, pattern)


# A route without a role: the channel's own audience, as its URL says (e.g. the mailbox in ``to=``).
WHOLE_CHANNEL = ""


@dataclass
class ChannelAudience:
    """One channel an event goes to, with the union of the roles its matching routes name."""

    channel: NotificationChannel
    roles: set[str] = field(default_factory=set)


def notification_audiences_for(*, institution: Institution, event_type: str) -> list[ChannelAudience]:
    """Every enabled channel routed for ``event_type``, once, with the roles of all its matching routes."""
    routes = NotificationRoute.objects.filter(institution=institution, channel__enabled=True).select_related("channel")
    audiences: dict[int, ChannelAudience] = {}
    for route in routes:
        if route_matches(route.event_type, event_type):
            audience = audiences.setdefault(route.channel_id, ChannelAudience(channel=route.channel))
            audience.roles.add(route.role or WHOLE_CHANNEL)
    return list(audiences.values())


def notification_channels_for(*, institution: Institution, event_type: str) -> list[NotificationChannel]:
    return [a.channel for a in notification_audiences_for(institution=institution, event_type=event_type)]


def role_email_addresses(*, institution: Institution, role: str) -> list[str]:
    """The e-mail addresses of the active users holding ``role`` in ``institution`` (sorted, no repeats)."""
    emails = (
        Membership.objects.filter(institution=institution, role=role, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    return sorted({email.strip().lower() for email in emails if email.strip()})


def role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role


def notification_channel_recipients(*, channel: NotificationChannel, roles: Sequence[str]) -> tuple[list[str], str]:
    """The addresses the roles add to an e-mail channel, and the error naming roles nobody can be mailed for."""
    recipients: list[str] = []
    unreachable: list[str] = []
    for role in sorted(set(roles) - {WHOLE_CHANNEL}):
        addresses = role_email_addresses(institution=channel.institution, role=role)
        if not addresses:
            unreachable.append(role)
        recipients += [a for a in addresses if a not in recipients]
    if not unreachable:
        return recipients, ""
    with translation.override(settings.LANGUAGE_CODE):
        labels = ", ".join(role_label(role) for role in unreachable)
    return recipients, f"tidak ada anggota peran {labels} dengan alamat e-mail"


def notification_channels_failing(*, institution: Institution) -> list[NotificationChannel]:
    """Enabled channels whose last attempt failed (the same rule as ``NotificationChannel.is_failing``)."""
    return list(
        NotificationChannel.objects.filter(institution=institution, enabled=True, last_error_at__isnull=False).filter(
            Q(last_success_at__isnull=True) | Q(last_error_at__gte=F("last_success_at"))
        )
    )


def notification_channel_record(*, channel_id: int, error: str | None) -> None:
    """Record a send's outcome on the channel (a plain UPDATE: machine bookkeeping, not audited)."""
    now = clock.now()
    if error is None:
        NotificationChannel.objects.filter(pk=channel_id).update(last_success_at=now)
    else:
        NotificationChannel.objects.filter(pk=channel_id).update(last_error=error[:2000], last_error_at=now)


def notification_channel_send(*, channel_id: int, title: str, body: str, roles: Sequence[str] = ()) -> bool:
    """Send now through one channel to the holders of ``roles``; record and return the outcome. Never raises.

    No roles (a test send) or a route without a role: the channel as its URL says. True only when every
    intended recipient was sent to; a role nobody can be mailed for is recorded as the channel's error.
    """
    unreachable = ""
    try:
        channel = NotificationChannel.objects.select_related("institution").get(pk=channel_id)
        if not channel.enabled:
            return False
        url = channel.url
        if notify_transport.url_addresses_people(url) and set(roles) - {WHOLE_CHANNEL}:
            recipients, unreachable = notification_channel_recipients(channel=channel, roles=roles)
            if not recipients and WHOLE_CHANNEL not in roles:
                logger.warning("notification channel %s: %s", channel_id, unreachable)
                notification_channel_record(channel_id=channel_id, error=unreachable)
                return False
            url = notify_transport.url_with_recipients(url, recipients)
        notify_transport.send(url=url, title=title, body=body)
    except NotificationChannel.DoesNotExist:
        logger.warning("notification channel %s no longer exists", channel_id)
        return False
    except Exception as exc:
        logger.warning("notification channel %s failed: %s", channel_id, exc)
        error = str(exc) or type(exc).__name__
        notification_channel_record(channel_id=channel_id, error=f"{error}; {unreachable}" if unreachable else error)
        return False
    if unreachable:
        # Sent to the others, but a role was left out: a failure is never recorded as a success.
        logger.warning("notification channel %s: %s", channel_id, unreachable)
        notification_channel_record(channel_id=channel_id, error=unreachable)
        return False
    notification_channel_record(channel_id=channel_id, error=None)
    return True


def notify(*, institution: Institution, event_type: str, title: str, body: str, site: Site | None = None) -> None:
    """Queue ``title``/``body`` once to every enabled channel routed for ``event_type``. Never raises."""
    from jaga.core.tasks import notification_send

    if site is not None:
        body = f"{site.name} ({site.base_url})\n\n{body}"
    try:
        audiences = notification_audiences_for(institution=institution, event_type=event_type)
    except Exception:
        logger.exception("could not look up notification routes for %s", event_type)
        return
    for audience in audiences:
        channel_id = audience.channel.pk
        try:
            notification_send.enqueue(channel_id=channel_id, title=title, body=body, roles=sorted(audience.roles))
        except Exception as exc:
            logger.exception("could not queue notification to channel %s", channel_id)
            notification_channel_record(channel_id=channel_id, error=f"gagal mengantre: {exc}")
