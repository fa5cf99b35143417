"""Each person's iCalendar feed of renewal deadlines: a secret address that can be revoked.

The address carries a random token; only its SHA-256 is stored, so the address is shown once, when it is
made (make a new one to see it again: the old one stops working). The feed lists, for the person's roles,
every open case waiting for a step they take (on the case's deadline) and every service's expiry date,
each an all-day event with a reminder a week and a day before. Built with the ``icalendar`` library.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from jaga.core import clock
from jaga.core.models import Institution
from jaga.core.notify_render import link_absolute
from jaga.renewals.kinds import REGISTRY
from jaga.renewals.models import CalendarFeed, RenewalCase, Service

PRODID = "-//Jaga//Perpanjangan//ID"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_create(*, user: Any, institution: Institution) -> tuple[CalendarFeed, str]:
    """A new feed for ``user`` in ``institution``; returns it and the token (shown once). Older ones stay."""
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(
        user=user, institution=institution, token_hash=_hash(token), prefix=token[:8], created_at=clock.now()
    )
    return feed, token


def feed_revoke(*, feed: CalendarFeed) -> CalendarFeed:
    if feed.revoked_at is None:
        feed.revoked_at = clock.now()
        feed.save(update_fields=["revoked_at"])
    return feed


def feed_for_token(token: str) -> CalendarFeed | None:
    """The live feed of ``token`` (None when unknown, revoked, or its person is no longer a member)."""
    if not token or len(token) > 100:
        return None
    feed = CalendarFeed.objects.select_related("user", "institution").filter(token_hash=_hash(token)).first()
    if feed is None or feed.revoked_at is not None or not feed.user.is_active:
        return None
    if not feed.user.memberships.filter(institution=feed.institution).exists() and not feed.user.is_superuser:
        return None
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=clock.now())
    return feed


def _alarms(event: Event, days: tuple[int, ...] = (7, 1)) -> None:
    for before in days:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", event["summary"])
        alarm.add("trigger", dt.timedelta(days=-before))
        event.add_component(alarm)


def _all_day(*, uid: str, day: dt.date, summary: str, description: str, url: str, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    if url:
        event.add("url", url)
    event.add("transp", "TRANSPARENT")
    _alarms(event)
    return event


def feed_render(*, feed: CalendarFeed, language: str = "id") -> bytes:
    from jaga.renewals.selectors import cases_waiting_for

    stamp = clock.now()
    with translation.override(language):
        calendar = Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add(
            "x-wr-calname", _("Tenggat perpanjangan — %(institution)s") % {"institution": feed.institution.name}
        )
        calendar.add("x-wr-timezone", feed.institution.time_zone)
        case: RenewalCase
        for case, step in cases_waiting_for(user=feed.user, institution=feed.institution):
            deadline = case.deadline
            if deadline is None:
                continue
            calendar.add_component(
                _all_day(
                    uid=f"renewal-case-{case.pk}-{case.state}@jaga",
                    day=deadline,
                    summary=_("%(step)s: %(service)s") % {"step": step.label, "service": case.service.name},
                    description=_("Tahap: %(state)s. Tenggat: %(deadline)s.")
                    % {"state": case.get_state_display(), "deadline": deadline.isoformat()},
                    url=link_absolute(case.get_absolute_url()) or "",
                    stamp=stamp,
                )
            )
        for service in Service.objects.filter(institution=feed.institution, is_active=True, expires_on__isnull=False):
            assert service.expires_on is not None
            calendar.add_component(
                _all_day(
                    uid=f"renewal-service-{service.pk}-{service.expires_on:%Y%m%d}@jaga",
                    day=service.expires_on,
                    summary=_("Berakhir: %(service)s") % {"service": service.name},
                    description=_("%(kind)s, penyedia %(provider)s.")
                    % {"kind": REGISTRY.entry(service.kind).label, "provider": service.provider or "-"},
                    url=link_absolute(service.get_absolute_url()) or "",
                    stamp=stamp,
                )
            )
    return bytes(calendar.to_ical())
