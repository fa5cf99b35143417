"""Dates as sites write them: HTTP headers, ISO 8601 (sitemaps, Atom, <time>), RFC 822 (RSS), Indonesian text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from jaga.core.dates import MONTHS

_TEXT_DATE = re.compile(
    r"\b(\d{1,2})\s+(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?,?\s+(\d{4})\b", re.I
)
_ISO_DATE = re.compile(r"\b(20\d{2})-(\d{2})-(\d{2})\b")


@dataclass
class FoundDate:
    when: datetime
    text: str  # as written on the page
    where: str  # header name, meta property, element, "teks halaman"


def date_parse(value: str | None) -> datetime | None:
    """ISO 8601 or RFC 822 to an aware UTC datetime; None if it is not a date. Naive dates are taken as UTC."""
    if not value:
        return None
    value = value.strip()
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def text_dates(text: str, *, where: str = "teks halaman", now: datetime) -> list[FoundDate]:
    """Dates written in the text ("12 Maret 2024", "2024-03-12"); future and pre-2000 dates are left out."""
    found = []
    for match in _TEXT_DATE.finditer(text):
        day, month, year = int(match.group(1)), MONTHS[match.group(2).lower()], int(match.group(3))
        found.append((day, month, year, match.group(0)))
    for match in _ISO_DATE.finditer(text):
        found.append((int(match.group(3)), int(match.group(2)), int(match.group(1)), match.group(0)))
    out = []
    for day, month, year, written in found:
        try:
            when = datetime(year, month, day, tzinfo=UTC)
        except ValueError:
            continue
        if year >= 2000 and when <= now + timedelta(days=1):
            out.append(FoundDate(when, written, where))
    return out


def age_days(when: datetime, now: datetime) -> float:
    return round(max((now - when).total_seconds(), 0.0) / 86400, 1)
