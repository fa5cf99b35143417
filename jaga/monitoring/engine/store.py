"""The probe's statements, in SQL: claims, lease renewals, releases and the result batch's writes.

The probe runs these tens of times a second, so they are plain statements (``executemany`` for a batch)
instead of ORM querysets, whose compilation cost more than the checks themselves (bench/monitoring.py
``--profile``). Everything else reads and writes through the ORM. The statements are the same on SQLite
and PostgreSQL except for ``FOR UPDATE SKIP LOCKED`` and how date-times and JSON travel.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection

from jaga.monitoring.models import Monitor

MONITOR = "monitoring_monitor"
RESULT = "monitoring_checkresult"
ROLLUP = "monitoring_rollup"
PROBE = "monitoring_probe"
CHUNK = 500


def db_time(value: datetime | None) -> Any:
    """A date-time as the database driver wants it (SQLite: Django's text form, UTC, no offset)."""
    if value is None or connection.vendor != "sqlite":
        return value
    return connection.ops.adapt_datetimefield_value(value)


def py_time(value: Any) -> datetime | None:
    """A date-time read by a plain cursor as an aware datetime (SQLite returns Django's text form)."""
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def db_json(value: Any) -> Any:
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        return Jsonb(value)
    return text


def py_json(value: Any) -> Any:
    if value is None:
        return {}
    if isinstance(value, str | bytes):
        return {} if value in ("{}", b"{}") else json.loads(value)
    return value


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for offset in range(0, len(items), size):
        yield items[offset : offset + size]


def _marks(count: int) -> str:
    return ", ".join(["%s"] * count)


# --- claims ------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Claim:
    """A due monitor taken by one probe process: what the engine needs to run it and to write its result."""

    monitor_id: int
    due: datetime | None
    settings_version: int
    state: dict[str, Any]


def claim(
    *, probe_name: str, token: str, now: datetime, due_before: datetime, lease_until: datetime, limit: int
) -> list[Claim]:
    """Take up to ``limit`` monitors due by ``due_before`` whose lease is free or lapsed, oldest due first.

    One statement: PostgreSQL locks the candidates with ``FOR UPDATE SKIP LOCKED`` (two probes never take
    the same row); SQLite runs it under the write lock of its IMMEDIATE transaction (the caller's).
    """
    lock = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    sql = (
        f"UPDATE {MONITOR} SET claimed_by = %s, claim_token = %s, claimed_until = %s "
        f"WHERE id IN (SELECT id FROM {MONITOR} WHERE enabled = %s "
        "AND next_check_at <= %s "  # an index range: never NULL for an enabled monitor (Monitor.save)
        "AND (claimed_until IS NULL OR claimed_until < %s) "
        "AND NOT (confirm_exclude_probe = %s AND confirm_until IS NOT NULL AND confirm_until > %s) "
        f"ORDER BY next_check_at, id LIMIT %s{lock}) "
        "RETURNING id, next_check_at, settings_version, state"
    )
    params = [
        probe_name,
        token,
        db_time(lease_until),
        True,
        db_time(due_before),
        db_time(now),
        probe_name,
        db_time(now),
        limit,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    claims = [Claim(row[0], py_time(row[1]), row[2], py_json(row[3])) for row in rows]
    claims.sort(key=lambda c: (c.due or now, c.monitor_id))
    return claims


def renew(*, token: str, monitor_ids: Sequence[int], until: datetime) -> int:
    """Extend the lease of this process's claims; a claim another probe has taken meanwhile is left alone."""
    renewed = 0
    with connection.cursor() as cursor:
        for part in _chunks(list(monitor_ids)):
            cursor.execute(
                f"UPDATE {MONITOR} SET claimed_until = %s WHERE claim_token = %s AND id IN ({_marks(len(part))})",
                [db_time(until), token, *part],
            )
            renewed += cursor.rowcount
    return renewed


def release(*, monitor_ids: Sequence[int], now: datetime, token: str = "", probe_name: str = "") -> int:
    """Give back claims (due at once for any probe): those of ``token``, or of ``probe_name`` if no token."""
    owner, value = ("claim_token", token) if token else ("claimed_by", probe_name)
    released = 0
    with connection.cursor() as cursor:
        for part in _chunks(list(monitor_ids)):
            cursor.execute(
                f"UPDATE {MONITOR} SET claimed_by = '', claim_token = '', claimed_until = NULL, next_check_at = %s "
                f"WHERE {owner} = %s AND id IN ({_marks(len(part))})",
                [db_time(now), value, *part],
            )
            released += cursor.rowcount
    return released


# --- the result batch ------------------------------------------------------------------------------------

ROW_COLUMNS = (
    "id",
    "site_id",
    "status",
    "status_since",
    "status_reason",
    "consecutive_failures",
    "failures_before_down",
    "required_agreement",
    "enabled",
    "interval_seconds",
    "next_check_at",
    "claimed_by",
    "claim_token",
    "claimed_until",
    "settings_version",
    "confirm_exclude_probe",
    "confirm_until",
    "last_checked_at",
    "last_response_ms",
)
# What a result batch writes: the engine's columns, but ``state``, written on its own, only for the rows whose
# kind changed it.
WRITE_COLUMNS = tuple(name for name in Monitor.ENGINE_FIELDS if name != "state")
_TIME_COLUMNS = frozenset({"status_since", "next_check_at", "claimed_until", "confirm_until", "last_checked_at"})


class MonitorRow:
    """The engine columns of one monitor, read and written by the batch (date-times stay in the driver's form
    unless the status logic sets them, so that unchanged values go back untouched)."""

    __slots__ = (*ROW_COLUMNS, "state_new", "changed")

    id: int
    site_id: int
    status: str
    status_since: Any
    status_reason: str
    consecutive_failures: int
    failures_before_down: int
    required_agreement: int
    enabled: bool
    interval_seconds: int
    next_check_at: Any
    claimed_by: str
    claim_token: str
    claimed_until: Any
    settings_version: int
    confirm_exclude_probe: str
    confirm_until: Any
    last_checked_at: Any
    last_response_ms: float | None
    state_new: dict[str, Any] | None
    changed: bool

    @property
    def pk(self) -> int:
        return self.id


def rows_read(monitor_ids: Sequence[int]) -> dict[int, MonitorRow]:
    """The batch's monitors, locked for the transaction on PostgreSQL (in id order: no deadlock between probes)."""
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    found: dict[int, MonitorRow] = {}
    ids = sorted(set(monitor_ids))
    with connection.cursor() as cursor:
        for part in _chunks(ids):
            cursor.execute(
                f"SELECT {', '.join(ROW_COLUMNS)} FROM {MONITOR} WHERE id IN ({_marks(len(part))}) ORDER BY id{lock}",
                list(part),
            )
            for values in cursor.fetchall():
                row = MonitorRow()
                for name, value in zip(ROW_COLUMNS, values, strict=True):
                    setattr(row, name, value)
                row.enabled = bool(row.enabled)
                row.state_new = None
                row.changed = False
                found[row.id] = row
    return found


def rows_write(rows: Iterable[MonitorRow]) -> None:
    changed = [row for row in rows if row.changed]
    if not changed:
        return
    assignments = ", ".join(f"{name} = %s" for name in WRITE_COLUMNS)
    params = [
        [
            *(db_time(value) if name in _TIME_COLUMNS and isinstance(value, datetime) else value
              for name, value in ((n, getattr(row, n)) for n in WRITE_COLUMNS)),
            row.id,
        ]
        for row in changed
    ]  # fmt: skip
    states = [[db_json(row.state_new), row.id] for row in changed if row.state_new is not None]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {MONITOR} SET {assignments} WHERE id = %s", params)
        if states:
            cursor.executemany(f"UPDATE {MONITOR} SET state = %s WHERE id = %s", states)


RESULT_COLUMNS = ("monitor_id", "probe", "checked_at", "status", "response_ms", "reason", "details", "lag_ms")


def results_insert(rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert raw results: tuples in :data:`RESULT_COLUMNS` order (date-time and JSON adapted here)."""
    if not rows:
        return
    sqlite = connection.vendor == "sqlite"
    params = [
        (
            monitor_id,
            probe,
            connection.ops.adapt_datetimefield_value(checked_at) if sqlite else checked_at,
            status,
            response_ms,
            reason,
            db_json(details),
            lag_ms,
        )
        for monitor_id, probe, checked_at, status, response_ms, reason, details, lag_ms in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {RESULT} ({', '.join(RESULT_COLUMNS)}) VALUES ({_marks(len(RESULT_COLUMNS))})", params
        )


def probe_count(*, probe_name: str, now: datetime, checks: int) -> bool:
    """Heartbeat and check count of a probe in one statement; False if the probe has no row yet."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {PROBE} SET last_seen = %s, checks_total = checks_total + %s WHERE name = %s",
            [db_time(now), checks, probe_name],
        )
        return bool(cursor.rowcount)
