"""The clock wrapper: tests move time through it, and everything that asks for the time sees the move."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from jaga.core import clock


def test_it_tells_the_time_in_utc() -> None:
    moment = clock.now()
    assert moment.tzinfo is not None
    assert moment.utcoffset() == timedelta(0)


def test_a_frozen_clock_stands_still_and_moves_only_when_told() -> None:
    at = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    with clock.frozen(at):
        assert clock.now() == at
        assert clock.advance(timedelta(hours=1)) == at + timedelta(hours=1)
        assert clock.now() == at + timedelta(hours=1)
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_today_depends_on_the_time_zone() -> None:
    # 30 November 23.30 UTC is already 1 December in Makassar (WITA, UTC+8), still 30 November in UTC.
    with clock.frozen(datetime(2026, 11, 30, 23, 30, tzinfo=UTC)):
        assert clock.today("Asia/Makassar") == date(2026, 12, 1)
        assert clock.today("UTC") == date(2026, 11, 30)
        assert clock.local_now("Asia/Jayapura").hour == 8


def test_travel_shifts_a_running_clock() -> None:
    with clock.travel(timedelta(days=3)):
        assert clock.now() - datetime.now(UTC) > timedelta(days=2, hours=23)
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_it_refuses_a_naive_moment() -> None:
    with pytest.raises(ValueError, match="naive"), clock.frozen(datetime(2026, 1, 1)):
        pass


def test_set_frozen_needs_a_frozen_clock() -> None:
    with pytest.raises(RuntimeError):
        clock.set_frozen(datetime(2026, 1, 1, tzinfo=UTC))


@pytest.mark.django_db
def test_stored_defaults_follow_the_clock(institution) -> None:  # type: ignore[no-untyped-def]
    from jaga.core.models import AuditEvent

    at = datetime(2026, 2, 3, 4, 5, tzinfo=UTC)
    with clock.frozen(at):
        event = AuditEvent.objects.create(action="create", object_repr="x", institution=institution)
    event.refresh_from_db()
    assert event.at == at
