"""Template filters that write dates and times the way Indonesian letters do, in the institution's zone.

``{{ value|tanggal }}``        → "24 November 2026"
``{{ value|jam }}``            → "14.05 WIB"
``{{ value|tanggal_jam }}``    → "24 November 2026, 14.05 WIB"
``{{ value|durasi }}``         → "2 jam 5 menit"
``{{ value|said }}``           → a stored sentence of Jaga's in the reader's language

Each filter takes an optional zone: a time-zone name (``"Asia/Makassar"``) or anything with a ``time_zone``
attribute (an Institution, a Site's institution). Without one, the active time zone is used (Django's
``{% timezone %}`` tag or ``timezone.activate``). Dates and times follow the active language's formats
(``jaga/formats``): "14.05" in Indonesian, "14:05" in English.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import template
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext, ngettext

from jaga.core import clock

register = template.Library()

# The three Indonesian time zones as written in official documents.
ZONE_SUFFIXES: dict[str, str] = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


def zone_resolve(zone: Any = None) -> dt.tzinfo:
    """The tzinfo for a zone name, an object with ``time_zone``, a tzinfo, or None (the active zone)."""
    if zone is None or zone == "":
        return timezone.get_current_timezone()
    if isinstance(zone, dt.tzinfo):
        return zone
    name = getattr(zone, "time_zone", zone)
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise template.TemplateSyntaxError(f"zona waktu tidak dikenal: {name!r} / unknown time zone") from error


def zone_suffix(tz: dt.tzinfo, moment: dt.datetime | None = None) -> str:
    """ "WIB", "WITA" or "WIT" for the Indonesian zones; otherwise the zone's own abbreviation (e.g. "UTC")."""
    key = getattr(tz, "key", None)
    if key in ZONE_SUFFIXES:
        return ZONE_SUFFIXES[key]
    return (moment or clock.now()).astimezone(tz).tzname() or str(tz)


def _localize(value: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return value.astimezone(tz)


@register.filter
def tanggal(value: dt.date | dt.datetime | None, zone: Any = None) -> str:
    """The date as in a letter: "24 November 2026" (a datetime is first moved into ``zone``)."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        value = _localize(value, zone_resolve(zone))
    return date_format(value, "DATE_FORMAT")


@register.filter
def jam(value: dt.datetime | dt.time | None, zone: Any = None) -> str:
    """The time of day with its zone: "14.05 WIB"."""
    if value in (None, ""):
        return ""
    tz = zone_resolve(zone)
    if isinstance(value, dt.time):
        return f"{time_format(value, 'TIME_FORMAT')} {zone_suffix(tz)}"
    local = _localize(value, tz)
    return f"{date_format(local, 'TIME_FORMAT')} {zone_suffix(tz, local)}"


@register.filter
def tanggal_jam(value: dt.datetime | None, zone: Any = None) -> str:
    """Date and time with the zone: "24 November 2026, 14.05 WIB"."""
    if value in (None, ""):
        return ""
    tz = zone_resolve(zone)
    local = _localize(value, tz)
    return f"{date_format(local, 'DATETIME_FORMAT')} {zone_suffix(tz, local)}"


@register.filter
def zona(zone: Any = None) -> str:
    """The suffix alone: ``{{ institution|zona }}`` → "WITA"."""
    return zone_suffix(zone_resolve(zone))


@register.filter
def durasi(value: dt.timedelta | None) -> str:
    """A duration in words: "2 hari 3 jam", "2 jam 5 menit", "45 detik" (at most two units)."""
    if value is None or value == "":
        return ""
    seconds = int(value.total_seconds())
    if seconds < 0:
        return "-" + durasi(-value)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts: list[str] = []
    if days:
        parts.append(ngettext("%(count)d hari", "%(count)d hari", days) % {"count": days})
    if hours:
        parts.append(ngettext("%(count)d jam", "%(count)d jam", hours) % {"count": hours})
    if minutes and not days:
        parts.append(ngettext("%(count)d menit", "%(count)d menit", minutes) % {"count": minutes})
    if secs and not (days or hours):
        parts.append(ngettext("%(count)d detik", "%(count)d detik", secs) % {"count": secs})
    if not parts:
        return gettext("0 detik")
    return " ".join(parts[:2])


@register.filter
def said(value: Any) -> str:
    """A stored sentence (:mod:`jaga.core.sentences`: what Jaga wrote, kept as data) in the reader's language;
    a person's words, or an older version's, as they were stored."""
    from jaga.core.sentences import sentence_read

    return sentence_read(str(value or ""))
