"""Turn a database failure into a message a court's IT staff can act on: what is wrong (disk full, read-only,
locked, damaged file, user refused, no such database, server unreachable) and where."""

from __future__ import annotations

import errno

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


# PostgreSQL SQLSTATE classes and codes (https://www.postgresql.org/docs/current/errcodes-appendix.html).
_PG_CAUSES = {
    "53100": "disk_full",
    "53200": "out_of_memory",
    "53300": "too_many_connections",
    "55P03": "locked",
    "40P01": "locked",
    "57014": "locked",  # statement timeout (waiting for a lock, mostly)
    "25006": "read_only",
    "XX001": "damaged",
    "XX002": "damaged",
    "28000": "authentication",
    "28P01": "authentication",
    "3D000": "no_database",
    "57P01": "unreachable",
    "57P02": "unreachable",
    "57P03": "unreachable",
}

# Indonesian / English, what is wrong and what to do.
CAUSES = {
    "disk_full": "disk basis data penuh; kosongkan ruang disk / the database disk is full; free some disk space",
    "out_of_memory": "server basis data kehabisan memori / the database server is out of memory",
    "too_many_connections": "server basis data menolak sambungan baru (terlalu banyak) / too many database connections",
    "locked": "basis data sedang dikunci oleh proses lain / the database is locked by another process",
    "read_only": (
        "basis data hanya bisa dibaca; periksa izin berkas dan disknya / the database is read-only; check the "
        "file's permissions and its disk"
    ),
    "damaged": (
        "berkas basis data rusak; hentikan Jaga dan pulihkan dari cadangan / the database file is damaged; "
        "stop Jaga and restore it from a backup"
    ),
    "io": "galat baca/tulis disk basis data / disk I/O error on the database",
    "authentication": (
        "server basis data menolak pengguna atau kata sandinya; periksa DATABASE_URL / the database server "
        "refused the user or its password; check DATABASE_URL"
    ),
    "no_database": (
        "basis data itu tidak ada di server; buat dulu atau periksa namanya di DATABASE_URL / no such database "
        "on the server; create it or check its name in DATABASE_URL"
    ),
    "unreachable": (
        "basis data tidak dapat dihubungi; periksa servernya dan DATABASE_URL / the database cannot be reached"
    ),
    "error": "galat basis data / database error",
}

_NEEDLES = (
    (("disk is full", "no space left", "disk full"), "disk_full"),
    (("database is locked", "table is locked", "lock timeout", "deadlock"), "locked"),
    (("malformed", "file is not a database", "corrupt"), "damaged"),
    (("readonly database", "read-only"), "read_only"),
    (("disk i/o error",), "io"),
    (("password authentication failed", "no pg_hba.conf entry", "authentication failed"), "authentication"),
    (("does not exist",), "no_database"),  # after authentication: `role "x" does not exist` is one (28000)
    (
        (
            "unable to open database",
            "connection refused",
            "could not connect",
            "connection is closed",
            "server closed the connection",
            "connection failed",
            "name or service not known",
            "terminating connection",
            "the connection is lost",
        ),
        "unreachable",
    ),
)


def database_trouble(exc: BaseException) -> tuple[str, str]:
    """``(cause, sentence)`` for a database exception: disk full, locked, damaged, unreachable, ..."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 5:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for item in chain:
        code = getattr(item, "sqlstate", None) or getattr(getattr(item, "diag", None), "sqlstate", None)
        if code:
            cause = _PG_CAUSES.get(code) or ("unreachable" if code.startswith("08") else "")
            if cause:
                return cause, _sentence(cause, item)
        if isinstance(item, OSError) and item.errno == errno.ENOSPC:
            return "disk_full", _sentence("disk_full", item)
    text = " ".join(str(item) for item in chain).lower()
    if "role" in text and "does not exist" in text:
        return "authentication", _sentence("authentication", exc)
    for needles, cause in _NEEDLES:
        if any(needle in text for needle in needles):
            return cause, _sentence(cause, exc)
    return "error", _sentence("error", exc)


def _detail(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def _sentence(cause: str, exc: BaseException) -> str:
    return f"{CAUSES[cause]} ({type(exc).__name__}: {_detail(exc)})"


class DescribedDatabaseError(OperationalError):
    """An OperationalError whose message already says the cause and where (not described twice)."""


def describe_database_error(exc: Exception) -> str:
    text = str(exc).strip()
    if isinstance(exc, DescribedDatabaseError) or text.startswith(_PREFIX):
        return text
    cause, _ = database_trouble(exc)
    reason = _detail(exc)
    if cause == "unreachable":
        return (
            f"{_PREFIX} ({_where()}): {reason}. Periksa DATABASE_URL. / "
            f"cannot connect to the database ({_where()}): {reason}. Check DATABASE_URL."
        )
    indonesian, english = CAUSES[cause].split(" / ", 1)
    return f"{indonesian} ({_where()}): {reason}. / {english} ({_where()}): {reason}."


def check_database() -> None:
    """Raise OperationalError with a clear message when the database cannot be reached."""
    try:
        connections[DEFAULT_DB_ALIAS].ensure_connection()
    except OperationalError as exc:
        raise DescribedDatabaseError(describe_database_error(exc)) from exc


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
