"""Dates and times as Indonesian letters write them, in the institution's time zone."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import timezone, translation
from django.utils.formats import date_format

from jaga.core.templatetags.jaga_format import durasi, jam, tanggal, tanggal_jam, zona

# 07.05 UTC is 14.05 in Jakarta, 15.05 in Makassar, 16.05 in Jayapura.
MOMENT = dt.datetime(2026, 11, 24, 7, 5, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def indonesian():  # type: ignore[no-untyped-def]
    with translation.override("id"):
        yield


def test_it_formats_dates_and_times_as_letters_do() -> None:
    local = MOMENT.astimezone(ZoneInfo("Asia/Jakarta"))
    assert date_format(local, "DATE_FORMAT") == "24 November 2026"
    assert date_format(local, "TIME_FORMAT") == "14.05"


def test_it_writes_the_time_in_each_indonesian_zone_with_its_suffix() -> None:
    assert jam(MOMENT, "Asia/Jakarta") == "14.05 WIB"
    assert jam(MOMENT, "Asia/Makassar") == "15.05 WITA"
    assert jam(MOMENT, "Asia/Jayapura") == "16.05 WIT"


def test_it_moves_the_date_across_midnight_into_the_zone() -> None:
    late = dt.datetime(2026, 11, 24, 20, 30, tzinfo=dt.UTC)
    assert tanggal(late, "Asia/Jakarta") == "25 November 2026"
    assert tanggal(late, "UTC") == "24 November 2026"
    assert tanggal(dt.date(2026, 1, 2)) == "2 Januari 2026"


def test_it_takes_the_zone_from_an_institution() -> None:
    institution = SimpleNamespace(time_zone="Asia/Makassar")
    assert tanggal_jam(MOMENT, institution) == "24 November 2026, 15.05 WITA"
    assert zona(institution) == "WITA"


def test_it_uses_the_active_zone_without_an_argument() -> None:
    with timezone.override(ZoneInfo("Asia/Jayapura")):
        assert tanggal_jam(MOMENT) == "24 November 2026, 16.05 WIT"
    with timezone.override(dt.UTC):
        assert jam(MOMENT) == "07.05 UTC"


def test_it_renders_through_the_template_filters() -> None:
    template = Template("{% load jaga_format %}{{ t|tanggal:tz }} · {{ t|jam:tz }} · {{ none|tanggal_jam }}")
    assert (
        template.render(Context({"t": MOMENT, "tz": "Asia/Jakarta", "none": None})) == "24 November 2026 · 14.05 WIB · "
    )


def test_it_writes_english_times_with_a_colon() -> None:
    with translation.override("en"):
        assert tanggal_jam(MOMENT, "Asia/Jakarta") == "24 November 2026, 14:05 WIB"


def test_it_rejects_an_unknown_zone_by_name() -> None:
    with pytest.raises(TemplateSyntaxError, match="Mars/Olympus"):
        jam(MOMENT, "Mars/Olympus")


def test_it_writes_durations_in_words() -> None:
    assert durasi(dt.timedelta(hours=2, minutes=5)) == "2 jam 5 menit"
    assert durasi(dt.timedelta(days=3, hours=1, minutes=9)) == "3 hari 1 jam"
    assert durasi(dt.timedelta(seconds=45)) == "45 detik"
    assert durasi(dt.timedelta(0)) == "0 detik"
    assert durasi(None) == ""
