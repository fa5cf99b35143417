"""Turn a database connection failure into a message a court's IT staff can act on."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.db.utils import OperationalError


def _where() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite {db['NAME']}"
    user = db.get("USER") or "?"
    return f"{db['ENGINE'].rsplit('.', 1)[-1]} {user}@{db.get('HOST') or 'localhost'}:{db.get('PORT') or '-'}/{db['NAME']}"


def describe_database_error(exc: Exception) -> str:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return (
        f"basis data tidak dapat dihubungi ({_where()}): {reason}. Periksa DATABASE_URL. / "
        f"cannot connect to the database ({_where()}): {reason}. Check DATABASE_URL."
    )


def check_database() -> None:
    """Raise OperationalError with a clear message when the database cannot be reached."""
    try:
        connection.ensure_connection()
    except OperationalError as exc:
        raise OperationalError(describe_database_error(exc)) from exc
