"""Turn a database connection failure into a message a court's IT staff can act on."""

from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import OperationalError

from jaga.conf import StartupError

_PREFIX = "basis data tidak dapat dihubungi"


def _where() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite {db['NAME']}"
    user = db.get("USER") or "?"
    return (
        f"{db['ENGINE'].rsplit('.', 1)[-1]} {user}@{db.get('HOST') or 'localhost'}:{db.get('PORT') or '-'}/{db['NAME']}"
    )


def describe_database_error(exc: Exception) -> str:
    text = str(exc).strip()
    if text.startswith(_PREFIX):
        return text
    reason = text.splitlines()[0] if text else type(exc).__name__
    return (
        f"{_PREFIX} ({_where()}): {reason}. Periksa DATABASE_URL. / "
        f"cannot connect to the database ({_where()}): {reason}. Check DATABASE_URL."
    )


def check_database() -> None:
    """Raise OperationalError with a clear message when the database cannot be reached."""
    try:
        connections[DEFAULT_DB_ALIAS].ensure_connection()
    except OperationalError as exc:
        raise OperationalError(describe_database_error(exc)) from exc


def unapplied_migrations() -> list[str]:
    """``app.migration`` names not yet applied to the database (connects to it)."""
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def check_migrated() -> None:
    """Raise StartupError when the database is reachable but its tables are not up to date."""
    check_database()
    missing = unapplied_migrations()
    if missing:
        raise StartupError(
            f"basis data belum dimigrasi ({len(missing)} migrasi belum dijalankan, mis. {missing[0]}); "
            f"jalankan `make run` atau `jaga migrate`. / the database is not migrated ({len(missing)} "
            f"migrations pending); run `make run` or `jaga migrate`."
        )
