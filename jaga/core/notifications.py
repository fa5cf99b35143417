"""Notifications: ``notify()`` finds the channels routed for an event and queues one send per channel.

A channel that fails never fails the caller: the error is recorded on the channel and shown on the
channels page. Known event types are listed in ``jaga.core.models.notifications.EVENT_TYPES``.
"""

from __future__ import annotations

import logging
from fnmatch import fnmatchcase

from django.utils import timezone

from jaga.core import notify_transport
from jaga.core.models import Institution, NotificationChannel, NotificationRoute, Site

logger = logging.getLogger(__name__)


def route_matches(pattern: str, event_type: str) -> bool:
    """``*`` matches every event, ``backup.*`` every backup event, anything else only itself."""
    return pattern == event_type or fnmatchcase(event_type, pattern)


def notification_channels_for(*, institution: Institution, event_type: str) -> list[NotificationChannel]:
    routes = NotificationRoute.objects.filter(institution=institution, channel__enabled=True).select_related("channel")
    channels: dict[int, NotificationChannel] = {}
    for route in routes:
        if route_matches(route.event_type, event_type):
            channels.setdefault(route.channel_id, route.channel)
    return list(channels.values())


def notification_channel_record(*, channel_id: int, error: str | None) -> None:
    """Record a send's outcome on the channel (a plain UPDATE: machine bookkeeping, not audited)."""
    now = timezone.now()
    if error is None:
        NotificationChannel.objects.filter(pk=channel_id).update(last_success_at=now)
    else:
        NotificationChannel.objects.filter(pk=channel_id).update(last_error=error[:2000], last_error_at=now)


def notification_channel_send(*, channel_id: int, title: str, body: str) -> bool:
    """Send now through one channel; record and return the outcome. Never raises."""
    try:
        channel = NotificationChannel.objects.get(pk=channel_id)
        if not channel.enabled:
            return False
        notify_transport.send(url=channel.url, title=title, body=body)
    except NotificationChannel.DoesNotExist:
        logger.warning("notification channel %s no longer exists", channel_id)
        return False
    except Exception as exc:
        logger.warning("notification channel %s failed: %s", channel_id, exc)
        notification_channel_record(channel_id=channel_id, error=str(exc) or type(exc).__name__)
        return False
    notification_channel_record(channel_id=channel_id, error=None)
    return True


def notify(*, institution: Institution, event_type: str, title: str, body: str, site: Site | None = None) -> None:
    """Queue ``title``/``body`` to every enabled channel routed for ``event_type``. Never raises."""
    from jaga.core.tasks import notification_send

    if site is not None:
        body = f"{site.name} ({site.base_url})\n\n{body}"
    try:
        channels = notification_channels_for(institution=institution, event_type=event_type)
    except Exception:
        logger.exception("could not look up notification routes for %s", event_type)
        return
    for channel in channels:
        try:
            notification_send.enqueue(channel_id=channel.pk, title=title, body=body)
        except Exception as exc:
            logger.exception("could not queue notification to channel %s", channel.pk)
            notification_channel_record(channel_id=channel.pk, error=f"gagal mengantre: {exc}")
