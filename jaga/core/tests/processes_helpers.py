"""Helpers for tests that run ``jaga`` processes in subprocesses against the test database."""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.parse import quote

from django.db import connection

JAGA = str(Path(sys.executable).with_name("jaga"))


@contextmanager
def shared_database_url(tmp_path: Path) -> Iterator[str]:
    """A DATABASE_URL through which a subprocess sees the test database (needs transactional_db).

    SQLite's test database lives in memory: it is copied to a file for the subprocess and copied back
    afterwards, so that the test's ORM queries see what the subprocess did.
    """
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        path = tmp_path / "shared.sqlite3"
        with closing(sqlite3.connect(path)) as dest:
            connection.connection.backup(dest)
        yield f"sqlite:///{path}"
        with closing(sqlite3.connect(path)) as src:
            src.backup(connection.connection)
    else:
        s = connection.settings_dict
        auth = quote(s["USER"] or "") + (":" + quote(s["PASSWORD"]) if s.get("PASSWORD") else "")
        yield f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def jaga_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a ``jaga`` subprocess: its own data folder, nothing inherited that changes it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JAGA_") and k != "DATABASE_URL"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["JAGA_DATA_DIR"] = str(tmp_path / "data")
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env
