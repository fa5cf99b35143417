"""rows_update: many rows of one model written by one statement, each value prepared as save() prepares it."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jaga.core.models import Institution, ProcessBeat, Site
from jaga.core.rows import rows_update

pytestmark = pytest.mark.django_db

STARTED = dt.datetime(2026, 12, 4, 7, 0, tzinfo=dt.UTC)


def _beat(name: str) -> ProcessBeat:
    return ProcessBeat.objects.create(
        process_id=name, role="worker", host="mesin", pid=1, queues=["quick"], started_at=STARTED, beat_at=STARTED
    )


def test_it_writes_the_named_fields_of_each_object_to_its_own_row() -> None:
    beats = [_beat(f"p{i}") for i in range(3)]
    wib = ZoneInfo("Asia/Jakarta")
    for i, beat in enumerate(beats):
        beat.queues = ["long", f"antrean-{i}", {"catatan": "ü"}]
        beat.beat_at = dt.datetime(2026, 12, 4, 15, i, tzinfo=wib)
        beat.host = "not written"  # changed in memory, not named
    assert rows_update(beats, ["queues", "beat_at"]) == 3
    for i, beat in enumerate(beats):
        stored = ProcessBeat.objects.get(pk=beat.pk)
        assert stored.queues == ["long", f"antrean-{i}", {"catatan": "ü"}]
        assert stored.beat_at == dt.datetime(2026, 12, 4, 8, i, tzinfo=dt.UTC)
        assert stored.host == "mesin"


def test_a_foreign_key_is_written_by_its_id(site: Any) -> None:
    other = Institution.objects.create(name="PN Lain", slug="pn-lain", city="Lain")
    site.institution = other
    rows_update([site], ["institution"])
    assert Site.objects.get(pk=site.pk).institution_id == other.pk


def test_it_is_one_statement_for_any_number_of_rows() -> None:
    few, many = [_beat(f"a{i}") for i in range(2)], [_beat(f"b{i}") for i in range(20)]
    with CaptureQueriesContext(connection) as two:
        rows_update(few, ["pid"])
    with CaptureQueriesContext(connection) as twenty:
        rows_update(many, ["pid"])
    # Django logs an executemany as one entry.
    assert len(two.captured_queries) == len(twenty.captured_queries) == 1


def test_it_refuses_an_object_that_is_not_stored_and_writes_nothing() -> None:
    stored = _beat("p1")
    stored.pid = 7
    with pytest.raises(ValueError, match="not a stored"):
        rows_update([stored, ProcessBeat(process_id="new")], ["pid"])
    assert ProcessBeat.objects.get(pk=stored.pk).pid == 1
    assert rows_update([], ["pid"]) == 0
