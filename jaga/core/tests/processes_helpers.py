"""Helpers for tests that run ``jaga`` processes in subprocesses against the test database."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.parse import quote

from django.db import connection

from jaga.core.testing import free_port

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


class WebVisitor:
    """Cookies and the CSRF token of one visitor of a running ``jaga web``; answers are never followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        return self._open(urllib.request.Request(self.base + path))

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, dict[str, str], str]:
        """Open the page at ``path`` and post ``fields`` to it with its CSRF token, as its form would."""
        status, _headers, page = self.get(path)
        assert status == 200, page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None, page
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), **fields}).encode()
        return self._open(urllib.request.Request(self.base + path, data=data, headers={"Referer": self.base}))

    def log_in(self, username: str, password: str) -> tuple[int, dict[str, str], str]:
        return self.post_form("/login/", {"username": username, "password": password})

    def _open(self, request: urllib.request.Request) -> tuple[int, dict[str, str], str]:
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as answer:
            return answer.code, dict(answer.headers), answer.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@contextmanager
def jaga_web(data: Path, output: list[str], **env: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``jaga web`` on a free loopback port with ``data`` as its data folder; stopped with SIGTERM after, its
    output appended to ``output``."""
    port = free_port()
    log = data.parent / f"web-{port}.log"  # a file, not a pipe: a full pipe would stall the server
    with log.open("w") as out:
        proc = subprocess.Popen(
            [JAGA, "web", "--listen", f"127.0.0.1:{port}", "--threads", "2"],
            env=jaga_env(data.parent, JAGA_DATA_DIR=str(data), **env),
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/static/jaga/jaga.css", timeout=5):
                    break
            except OSError:
                assert proc.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "jaga web did not answer"
                time.sleep(0.1)
        yield base, proc
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
        output.append(log.read_text())


# The test database as the migrations left it, kept by the root conftest.py when the test database is SQLite.
MIGRATED_SQLITE: Path | None = None


def jaga_bootstrapped(data: Path) -> str:
    """A new installation in ``data`` (``jaga bootstrap``); the first administrator's password.

    Its database starts as the migrations left the test database, when that is SQLite (the root conftest.py):
    ``jaga bootstrap`` then finds every migration applied and does the rest of its work as on a fresh
    folder (the default SOP, the first administrator, the password file), without 15 CPU seconds of
    migrating again. The migrations themselves run in every test database."""
    if MIGRATED_SQLITE is not None and MIGRATED_SQLITE.exists():
        data.mkdir(mode=0o700, parents=True, exist_ok=True)
        database = data / "jaga.sqlite3"
        shutil.copyfile(MIGRATED_SQLITE, database)
        database.chmod(0o600)
    done = subprocess.run(
        [JAGA, "bootstrap"], env=jaga_env(data.parent, JAGA_DATA_DIR=str(data)), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    username, password = (data / "initial_admin_password").read_text().split()
    assert username == "admin"
    return password
