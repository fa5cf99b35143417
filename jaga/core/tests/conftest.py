from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin_user(make_user, institution):
    return make_user("administrator", institution, "admin")


@pytest.fixture
def immediate_tasks(settings):
    """Run django-tasks jobs at enqueue time, so a test sees the notification's outcome."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["quick", "long"],
        }
    }


class _Receiver(http.server.BaseHTTPRequestHandler):
    received: list[dict[str, Any]]

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.server.received.append(json.loads(self.rfile.read(length) or b"{}"))  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def json_receiver() -> Iterator[http.server.HTTPServer]:
    """A loopback HTTP server that stores what apprise's json:// posts to it (``server.received``)."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _Receiver)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port() -> int:
    """A loopback port where nothing listens (connection refused at once)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def compiled_messages_en() -> None:
    """The English catalogue compiled (the build does it with `make messages`; here too when stale)."""
    import os
    import subprocess
    from pathlib import Path

    from django.utils import translation

    locale = Path(__file__).resolve().parents[2] / "locale"
    for po in locale.glob("*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            partial = mo.with_name(f"django.mo.{os.getpid()}")  # parallel workers: write aside, then swap in
            subprocess.run(["msgfmt", "--check", "-o", str(partial), str(po)], check=True)
            partial.replace(mo)
    translation.trans_real._translations.clear()  # type: ignore[attr-defined]
