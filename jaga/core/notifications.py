"""Notifications: the event types the apps declare, and ``notify()``, which every app calls to tell people.

An app declares its event types in its ``AppConfig.ready()`` with :func:`event_type_register`; core itself
declares only ``*`` (every event) and ``test`` (*Kirim uji*). ``notify()`` finds the channels routed for an
event, works out each channel's audience (a route names a role: its holders are the audience), renders the
title and body in each recipient's language, records one :class:`NotificationDelivery` per channel and
language, and queues its send on the worker's ``quick`` queue. A send that fails is retried with back-off
(``jaga.core.notify_deliveries``); a channel that fails never fails the caller: ``notify()`` never raises,
and the error is shown on the channels page and the institution's dashboard.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from jaga.core import clock, notify_render, notify_transport
from jaga.core.models import (
    DeliveryStatus,
    Institution,
    Membership,
    NotificationChannel,
    NotificationDelivery,
    NotificationRoute,
    Role,
    Site,
)
from jaga.core.notify_deliveries import (
    MAX_ATTEMPTS,
    notification_channel_record,
    notification_channels_failing,
    notification_deliveries_retry_ensure,
    notification_delivery_attempt,
)

logger = logging.getLogger(__name__)

__all__ = [
    "EventType",
    "event_type_get",
    "event_type_label",
    "event_type_register",
    "event_types",
    "notification_channels_failing",
    "notify",
]

# --- event types --------------------------------------------------------------------------------------

ALL_EVENTS = "*"
TEST_EVENT = "test"
EVENT_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


@dataclass(frozen=True)
class EventType:
    """One kind of event an app sends: its key (``backup.failed``), what a person reads, and its severity.

    The severity is apprise's notification type (``failure`` for an outage, ``success`` for a recovery,
    ``warning``, ``info``) unless ``notify(severity=...)`` says otherwise for one message.
    """

    key: str
    label: StrOrPromise
    severity: str = "info"
    description: StrOrPromise = ""


_event_types: dict[str, EventType] = {}


def event_type_register(
    key: str, *, label: StrOrPromise, severity: str = "info", description: StrOrPromise = ""
) -> EventType:
    """Declare an event type (call it from the app's ``AppConfig.ready()``). Declaring it again is a no-op.

    ``key`` is ``<area>.<what>`` in lower case (``backup.failed``, ``integrity.spam``); routes may name it,
    its area (``backup.*``) or every event (``*``).
    """
    if key not in (ALL_EVENTS, TEST_EVENT) and not EVENT_KEY_RE.match(key):
        raise ValueError(f"event type {key!r}: use '<area>.<what>' in lower case, e.g. 'backup.failed'")
    if severity not in notify_transport.SEVERITIES:
        raise ValueError(f"event type {key!r}: severity {severity!r} is not one of {notify_transport.SEVERITIES}")
    event = EventType(key=key, label=label, severity=severity, description=description)
    existing = _event_types.get(key)
    if existing is not None and existing.severity != severity:
        raise ValueError(f"event type {key!r} is already declared with severity {existing.severity!r}")
    _event_types.setdefault(key, event)
    return _event_types[key]


def event_types() -> list[EventType]:
    """Every declared event type, in declaration order (``*`` and ``test`` first)."""
    return list(_event_types.values())


def event_type_get(key: str) -> EventType | None:
    return _event_types.get(key)


def event_type_areas() -> list[str]:
    """The areas of the declared types (``monitor``, ``content``, ``backup``...), in declaration order."""
    return list(dict.fromkeys(key.split(".", 1)[0] for key in _event_types if "." in key))


def event_type_label(pattern: str) -> str:
    """What a person reads for a route's event type: the type's label, "every X event", or the key itself."""
    event = _event_types.get(pattern)
    if event is not None:
        return str(event.label)
    if pattern.endswith(".*"):
        return str(_("Semua peristiwa %(area)s") % {"area": pattern[:-2]})
    return pattern


def event_type_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices for a route: every event, each area's pattern (``monitor.*``), each declared type."""
    areas = [(f"{area}.*", f"{area}.* — {event_type_label(f'{area}.*')}") for area in event_type_areas()]
    exact = [(e.key, f"{e.key} — {e.label}") for e in _event_types.values() if e.key != ALL_EVENTS]
    return [
        (str(_("Semua")), [(ALL_EVENTS, f"* — {event_type_label(ALL_EVENTS)}")]),
        (str(_("Satu bidang")), areas),
        (str(_("Satu jenis peristiwa")), exact),
    ]


event_type_register(ALL_EVENTS, label=_("Semua peristiwa"), description=_("Setiap peristiwa yang dikirim Jaga."))
event_type_register(TEST_EVENT, label=_("Uji kirim"), description=_("Pesan uji dari tombol Kirim uji."))


# --- routes and audiences -----------------------------------------------------------------------------


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


def role_recipients(*, institution: Institution, role: str) -> dict[str, str]:
    """``{address: language}`` of the active users holding ``role`` in ``institution`` (addresses lower-cased)."""
    memberships = (
        Membership.objects.filter(institution=institution, role=role, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
    )
    found: dict[str, str] = {}
    for membership in memberships:
        address = membership.user.email.strip().lower()
        if address:
            found.setdefault(address, notify_render.user_language(membership.user))
    return dict(sorted(found.items()))


def role_email_addresses(*, institution: Institution, role: str) -> list[str]:
    """The e-mail addresses of the active users holding ``role`` in ``institution`` (sorted, no repeats)."""
    return list(role_recipients(institution=institution, role=role))


def role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role


@dataclass
class AudienceGroup:
    """The part of a channel's audience that reads one language: one message, one delivery."""

    language: str
    recipients: list[str] = field(default_factory=list)  # e-mail addresses; empty for a group channel


def channel_audience_groups(*, channel: NotificationChannel, roles: Sequence[str]) -> tuple[list[AudienceGroup], str]:
    """The channel's audience for ``roles``, grouped by language, and the shortfall: the roles nobody can be
    mailed for (a sentence, in the default language; "" when everyone was found).

    A group channel (Telegram, ntfy, webhook...) is one group in the default language. An e-mail channel
    sends each person in their own language: the addresses of its own ``to=`` read the default language.
    """
    default = notify_render.language_default()
    url = channel.url
    if not notify_transport.url_addresses_people(url):
        return [AudienceGroup(language=default)], ""
    own = [address.lower() for address in notify_transport.url_recipients(url)]
    by_language: dict[str, list[str]] = {default: list(own)} if own else {}
    unreachable: list[str] = []
    for role in sorted(set(roles) - {WHOLE_CHANNEL}):
        found = role_recipients(institution=channel.institution, role=role)
        if not found:
            unreachable.append(role)
        for address, language in found.items():
            if not any(address in addresses for addresses in by_language.values()):
                by_language.setdefault(language, []).append(address)
    groups = [AudienceGroup(language=lang, recipients=addresses) for lang, addresses in by_language.items()]
    if not groups and WHOLE_CHANNEL in roles:
        groups = [AudienceGroup(language=default)]  # the channel as its URL says (the sending account itself)
    if not unreachable:
        return groups, ""
    with translation.override(default):
        labels = ", ".join(role_label(role) for role in unreachable)
    return groups, f"tidak ada anggota peran {labels} dengan alamat e-mail"


# --- notify ---------------------------------------------------------------------------------------------


def notify(
    *,
    institution: Institution,
    event_type: str,
    title: StrOrPromise,
    body: StrOrPromise,
    params: Mapping[str, Any] | None = None,
    site: Site | None = None,
    link: Any = None,
    attachments: Sequence[Path | str] = (),
    severity: str | None = None,
) -> list[NotificationDelivery]:
    """Tell the people routed for ``event_type``; returns the deliveries recorded. Never raises.

    ``title`` and ``body`` are (lazy) gettext strings with ``%(name)s`` placeholders filled from ``params``
    in each recipient's language; datetimes in ``params`` read in the institution's time zone and format.
    ``link`` is a model instance with ``get_absolute_url()`` (also kept as what the message is about) or a
    path, sent as a full address when ``JAGA_BASE_URL`` is set. ``attachments`` are local files that must
    still exist when the message is sent (retries included). ``severity`` overrides the event type's.
    """
    try:
        audiences = notification_audiences_for(institution=institution, event_type=event_type)
    except Exception:
        logger.exception("could not look up notification routes for %s", event_type)
        return []
    if not audiences:
        return []
    try:
        message = _Message.build(
            institution=institution,
            event_type=event_type,
            title=title,
            body=body,
            params=params,
            site=site,
            link=link,
            attachments=attachments,
            severity=severity,
        )
    except Exception:
        logger.exception("could not prepare the %s notification", event_type)
        return []
    deliveries: list[NotificationDelivery] = []
    for audience in audiences:
        try:
            deliveries += _channel_deliveries(message, audience)
        except Exception:
            logger.exception("could not record the %s notification for channel %s", event_type, audience.channel.pk)
    for delivery in deliveries:
        if delivery.status == DeliveryStatus.PENDING:
            delivery_enqueue(delivery)
    _retries_ensure_once()
    return deliveries


_retries_ensured = False


def _retries_ensure_once() -> None:
    """The retry sweep's schedule exists once anything was ever sent (a worker killed mid-send included)."""
    global _retries_ensured
    if _retries_ensured:
        return
    try:
        notification_deliveries_retry_ensure()
        _retries_ensured = True
    except Exception:
        logger.exception("could not schedule the notification retries")


@dataclass
class _Message:
    """What ``notify()`` was asked to say, before it is put into each recipient's language."""

    institution: Institution
    event_type: str
    title: StrOrPromise
    body: StrOrPromise
    params: Mapping[str, Any]
    site: Site | None
    link: str
    subject: Any
    attachments: list[str]
    severity: str
    _rendered: dict[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def build(cls, *, link: Any, attachments: Sequence[Path | str], severity: str | None, **kwargs: Any) -> _Message:
        event = event_type_get(kwargs["event_type"])
        if event is None:
            logger.warning("notification event type %r is not declared (event_type_register)", kwargs["event_type"])
        if severity not in notify_transport.SEVERITIES:
            severity = event.severity if event is not None else "info"
        path = notify_render.link_path(link)
        return cls(
            link=notify_render.link_absolute(path) or path,
            subject=notify_render.link_subject(link),
            attachments=[str(Path(a).resolve()) for a in attachments],
            severity=severity,
            params=dict(kwargs.pop("params") or {}),
            **kwargs,
        )

    def rendered(self, language: str) -> tuple[str, str]:
        """``(title, body)`` in ``language`` (each language rendered once)."""
        if language not in self._rendered:
            zone = self.institution.time_zone
            title = notify_render.message_render(self.title, self.params, language=language, time_zone=zone)
            body = notify_render.message_render(self.body, self.params, language=language, time_zone=zone)
            site_line = f"{self.site.name} ({self.site.base_url})" if self.site is not None else ""
            url = self.link if self.link.startswith(("http://", "https://")) else ""
            self._rendered[language] = (
                title,
                notify_render.body_compose(body=body, site_line=site_line, url=url, language=language),
            )
        return self._rendered[language]


def _channel_deliveries(message: _Message, audience: ChannelAudience) -> list[NotificationDelivery]:
    """Record one delivery per language of the channel's audience (a failed one when nobody can be reached)."""
    channel = audience.channel
    groups, shortfall = channel_audience_groups(channel=channel, roles=sorted(audience.roles))
    now = clock.now()
    subject = message.subject
    common: dict[str, Any] = {
        "institution": message.institution,
        "channel": channel,
        "channel_name": channel.name,
        "event_type": message.event_type,
        "severity": message.severity,
        "site": message.site,
        "subject_type": ContentType.objects.get_for_model(subject) if subject is not None else None,
        "subject_id": str(subject.pk) if subject is not None else "",
        "link": message.link,
        "roles": sorted(audience.roles),
        "attachments": message.attachments,
        "shortfall": shortfall,
        "created_at": now,
        "max_attempts": MAX_ATTEMPTS,
    }
    if not groups:  # nobody at all can be mailed: on record as failed, nothing to retry
        logger.warning("notification channel %s: %s", channel.pk, shortfall)
        title, body = message.rendered(notify_render.language_default())
        delivery = NotificationDelivery.objects.create(
            **common,
            language=notify_render.language_default(),
            title=title,
            body=body,
            status=DeliveryStatus.FAILED,
            error=shortfall,
        )
        notification_channel_record(channel_id=channel.pk, error=shortfall)
        return [delivery]
    deliveries = []
    for group in groups:
        title, body = message.rendered(group.language)
        deliveries.append(
            NotificationDelivery.objects.create(
                **common,
                language=group.language,
                recipients=group.recipients,
                title=title,
                body=body,
                next_attempt_at=now,
            )
        )
    return deliveries


def delivery_enqueue(delivery: NotificationDelivery) -> None:
    """Queue the delivery's send on the ``quick`` queue; if the queue refuses, the retry sweep sends it."""
    from jaga.core.tasks import notification_delivery_send

    try:
        notification_delivery_send.enqueue(delivery_id=delivery.pk)
    except Exception as exc:
        logger.exception("could not queue notification delivery %s", delivery.pk)
        error = f"gagal mengantre: {exc}"
        NotificationDelivery.objects.filter(pk=delivery.pk).update(error=error[:2000])
        if delivery.channel_id is not None:
            notification_channel_record(channel_id=delivery.channel_id, error=error)
        try:
            notification_deliveries_retry_ensure()
        except Exception:
            logger.exception("could not schedule the notification retries")


def notification_channel_test(*, channel: NotificationChannel, language: str | None = None) -> NotificationDelivery:
    """Send a test message through ``channel`` now, as its URL says, in ``language`` (the person testing).

    Recorded like every send, and not retried: the person who pressed the button sees the outcome at once.
    """
    message = _Message.build(
        institution=channel.institution,
        event_type=TEST_EVENT,
        title=_("Uji notifikasi Jaga"),
        body=_("Pesan uji dari Jaga untuk saluran %(name)s (%(institution)s)."),
        params={"name": channel.name, "institution": channel.institution.name},
        site=None,
        link=None,
        attachments=(),
        severity=None,
    )
    language = language or notify_render.language_default()
    title, body = message.rendered(language)
    now = clock.now()
    own = notify_transport.url_recipients(channel.url) if notify_transport.url_addresses_people(channel.url) else []
    delivery = NotificationDelivery.objects.create(
        institution=channel.institution,
        channel=channel,
        channel_name=channel.name,
        event_type=TEST_EVENT,
        severity=message.severity,
        language=language,
        recipients=[address.lower() for address in own],
        title=title,
        body=body,
        created_at=now,
        next_attempt_at=now,
        max_attempts=1,
    )
    notification_delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    return delivery


def base_url_configured() -> bool:
    """Whether messages can link back to Jaga (``JAGA_BASE_URL``)."""
    return bool(getattr(settings, "JAGA_BASE_URL", ""))
