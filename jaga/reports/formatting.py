"""How a letter writes dates, periods, numbers and the letter number (Permenpan-RB 80/2012: "24 November 2026")."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from django.core.exceptions import ValidationError
from django.utils import dateformat, formats, translation
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from jaga.reports.document import Period

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


@cache
def _month_name(language: str, month: int) -> str:
    with translation.override(language):
        return str(MONTHS[month])


def date_long(value: dt.date | dt.datetime) -> str:
    """ "24 November 2026" in the active language (Django's month names; a report writes thousands of dates)."""
    return f"{value.day} {_month_name(translation.get_language() or 'id', value.month)} {value.year}"


def datetime_long(value: dt.datetime) -> str:
    """ "24 November 2026 14.05" (the time with a dot, as Indonesian writes it) in the value's own zone."""
    return f"{date_long(value)} {value:%H}.{value:%M}"


def month_year(value: dt.date) -> str:
    return dateformat.format(value, "F Y")


def period_label(period: Period) -> str:
    """ "November 2026", "24 November 2026", "1 – 7 Desember 2026" or "28 November – 4 Desember 2026"."""
    if period.is_month:
        return month_year(period.start)
    if period.start == period.end:
        return date_long(period.start)
    if (period.start.year, period.start.month) == (period.end.year, period.end.month):
        return f"{period.start.day} – {date_long(period.end)}"
    if period.start.year == period.end.year:
        return f"{dateformat.format(period.start, 'j F')} – {date_long(period.end)}"
    return f"{date_long(period.start)} – {date_long(period.end)}"


def percent(value: float | None, digits: int = 2) -> str:
    """ "99,95%" in Indonesian, "99.95%" in English; "–" without data."""
    if value is None:
        return "–"
    return f"{formats.number_format(round(value, digits), digits)}%"


def number(value: int | float) -> str:
    return str(formats.number_format(value, 0, force_grouping=True))


def letter_number(*, prefix: str, sequence: int, classification: str, month: int, year: int) -> str:
    """``<prefix>/<sequence>/<classification>/<Roman month>/<year>``, e.g. ``W14.U21/12/OT.01/XI/2026``."""
    parts = [prefix, str(sequence), classification, ROMAN_MONTHS[month - 1], str(year)]
    return "/".join(part for part in parts if part)


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def period_parse(text: str) -> Period:
    """``YYYY-MM`` (a month), ``YYYY-MM-DD`` (a day) or ``YYYY-MM-DD..YYYY-MM-DD`` (any period)."""
    text = text.strip()
    try:
        if match := _MONTH.match(text):
            year, month = int(match.group(1)), int(match.group(2))
            start = dt.date(year, month, 1)
            end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            return Period(start, end)
        if _DAY.match(text):
            day = dt.date.fromisoformat(text)
            return Period(day, day)
        first, sep, last = text.partition("..")
        if sep and _DAY.match(first) and _DAY.match(last):
            start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
            if end < start:
                raise ValidationError(
                    _("Akhir periode %(end)s sebelum awalnya %(start)s."), params={"end": last, "start": first}
                )
            if (end - start).days > 366:
                raise ValidationError(_("Periode laporan paling lama 366 hari."))
            return Period(start, end)
    except ValueError:
        pass
    raise ValidationError(
        _("Periode tidak dikenal: %(text)s. Tulis YYYY-MM (bulan), YYYY-MM-DD (hari) atau YYYY-MM-DD..YYYY-MM-DD."),
        params={"text": text},
    )
