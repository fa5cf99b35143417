"""SQLite's own integrity check, at the start of ``jaga up`` and every day: damage is said, not discovered late.

A damaged page outside the tables Jaga reads all the time (an old ledger month, an index) goes unnoticed until
someone opens it, or until a backup of the damaged file replaces the last good one. ``PRAGMA quick_check``
reads every page and checks its structure (not the contents of every index, which ``integrity_check`` also
compares and which takes far longer); docs/benchmarks.md has its time on a large file.

- ``jaga up`` runs it before starting anything and refuses to start on a damaged file, with what to do;
- the daily schedule ``core:sqlite-quick-check`` (03.30, and once at the first start) runs it on the ``long``
  queue; a damaged file fails the task (the failure is in the task list), is logged as an error and is sent
  to every institution's routes for ``system.database_damaged``.

On PostgreSQL both do nothing: the server checks its own pages (``data_checksums``) and its operators have
their own tools (``pg_amcheck``).
"""

from __future__ import annotations

import logging

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import DatabaseError
from django.utils.translation import gettext_lazy as _

from jaga.conf import StartupError
from jaga.core import clock

logger = logging.getLogger("jaga.integrity")

SCHEDULE_KEY = "core:sqlite-quick-check"
EVENT_DAMAGED = "system.database_damaged"
MAX_PROBLEMS = 10


class DatabaseDamaged(Exception):
    """SQLite's quick_check found damage. The message says where and what to do (Indonesian / English)."""


def sqlite_quick_check(*, alias: str = DEFAULT_DB_ALIAS) -> list[str] | None:
    """The problems SQLite finds in the database file: [] when sound, None when the database is not SQLite.

    A file so damaged that SQLite cannot even read it answers with the error SQLite gave.
    """
    connection = connections[alias]
    if connection.vendor != "sqlite":
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA quick_check({MAX_PROBLEMS})")
            rows = [str(row[0]) for row in cursor.fetchall()]
    except DatabaseError as exc:
        return [str(exc).strip() or type(exc).__name__]
    if rows == ["ok"]:
        return []
    # SQLite may put several problems in one row, under a "*** in database main ***" heading.
    lines = [line.strip() for row in rows for line in row.splitlines()]
    return [line for line in lines if line and not line.startswith("***")][:MAX_PROBLEMS]


def damage_message(problems: list[str], *, alias: str = DEFAULT_DB_ALIAS) -> str:
    path = connections[alias].settings_dict["NAME"]
    found = "; ".join(problems[:3]) + (f" (+{len(problems) - 3})" if len(problems) > 3 else "")
    return (
        f"basis data SQLite {path} rusak (PRAGMA quick_check: {found}). Hentikan Jaga, simpan salinan berkas "
        f"itu, lalu pulihkan folder data dari cadangan terakhir yang baik (docs/operations.md, "
        f"'Memulihkan basis data yang rusak'). / the SQLite database {path} is damaged ({found}). Stop Jaga, keep "
        f"a copy of the file, then restore the data folder from the last good backup (docs/operations.md, "
        f"'Restoring a damaged database')."
    )


def integrity_check_at_start() -> None:
    """Raise StartupError when the SQLite file is damaged (``jaga up`` calls it before starting anything)."""
    problems = sqlite_quick_check()
    if problems:
        raise StartupError(damage_message(problems))


def integrity_check_daily(*, alias: str = DEFAULT_DB_ALIAS) -> str:
    """The daily check: "ok" (or "not SQLite"); on damage log, notify every institution and raise."""
    problems = sqlite_quick_check(alias=alias)
    if problems is None:
        return "not SQLite"
    if not problems:
        return "ok"
    message = damage_message(problems, alias=alias)
    logger.error("%s", message)
    _notify_damage(problems, path=str(connections[alias].settings_dict["NAME"]))
    raise DatabaseDamaged(message)


def _notify_damage(problems: list[str], *, path: str) -> None:
    from jaga.core.models import Institution
    from jaga.core.notifications import notify

    try:
        institutions = list(Institution.objects.all())
    except DatabaseError:
        logger.exception("the institutions to tell about the damaged database cannot be read")
        return
    for institution in institutions:
        notify(
            institution=institution,
            event_type=EVENT_DAMAGED,
            title=_("Basis data Jaga rusak"),
            body=_(
                "Pemeriksaan harian SQLite menemukan kerusakan pada %(path)s: %(problems)s. Hentikan Jaga, simpan "
                "salinan berkas itu, lalu pulihkan folder data dari cadangan terakhir yang baik."
            ),
            params={"path": path, "problems": "; ".join(problems[:3])},
        )


def integrity_schedule_ensure() -> None:
    """Declared at every scheduler start (``startup_register``): the daily quick check, on SQLite only."""
    from jaga.core.models import Schedule
    from jaga.core.scheduling import Calendar, schedule_ensure

    if connections[DEFAULT_DB_ALIAS].vendor != "sqlite":
        Schedule.objects.filter(key=SCHEDULE_KEY).delete()
        return
    # Once at the first start (a new installation, or one upgraded to this version), then every night.
    schedule_ensure(
        key=SCHEDULE_KEY,
        task_path="jaga.core.tasks.database_integrity_check",
        calendar=Calendar.daily("03:30"),
        first_run_at=clock.now(),
    )
