"""The clock: every "what time is it?" in Jaga goes through :func:`now` (STYLE.md habit 3).

Tests move time with :func:`frozen` or :func:`travel` instead of patching ``datetime`` or
``django.utils.timezone``: the whole program, the ORM defaults included, then sees the same moment.

Durations (how long a check or a dump took) are measured with :func:`time.monotonic`, which never jumps;
they are not "the time" and do not go through here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

_lock = threading.Lock()
_frozen_at: datetime | None = None
_offset = timedelta(0)


def _system_now() -> datetime:
    return datetime.now(UTC)  # noqa: TID251 - the one place that reads the system clock


def now() -> datetime:
    """The current moment, timezone-aware, in UTC."""
    if _frozen_at is not None:
        return _frozen_at
    if _offset:
        return _system_now() + _offset
    return _system_now()


def local_now(tz: str | ZoneInfo) -> datetime:
    """The current moment in the time zone ``tz`` (an institution's ``Asia/Jakarta``, ``Asia/Makassar``...)."""
    return now().astimezone(tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz))


def today(tz: str | ZoneInfo) -> date:
    """Today's date in the time zone ``tz``: a court in WITA turns the page an hour before Jakarta."""
    return local_now(tz).date()


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("clock: a naive datetime has no time zone; give an aware one")
    return at.astimezone(UTC)


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Within the block, :func:`now` returns ``at`` (aware) until moved with :func:`set_frozen`."""
    global _frozen_at
    with _lock:
        previous = _frozen_at
        _frozen_at = _aware(at)
    try:
        yield
    finally:
        with _lock:
            _frozen_at = previous


def set_frozen(at: datetime) -> None:
    """Move a frozen clock to ``at`` (inside :func:`frozen`)."""
    global _frozen_at
    if _frozen_at is None:
        raise RuntimeError("clock.set_frozen: the clock is not frozen; use clock.frozen(...) first")
    with _lock:
        _frozen_at = _aware(at)


def advance(delta: timedelta) -> datetime:
    """Move a frozen clock forward by ``delta``; returns the new moment."""
    set_frozen(now() + delta)
    return now()


@contextmanager
def travel(delta: timedelta) -> Iterator[None]:
    """Within the block the clock runs, shifted by ``delta`` (e.g. "three days from now")."""
    global _offset
    with _lock:
        previous = _offset
        _offset = previous + delta
    try:
        yield
    finally:
        with _lock:
            _offset = previous
