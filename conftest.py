"""Shared test set-up: service markers that skip visibly (or fail in CI) and the three-user fixtures."""

from __future__ import annotations

import os
import shutil
import socket
from urllib.parse import urlsplit

import pytest

REQUIRE_SERVICES = os.environ.get("JAGA_REQUIRE_SERVICES") == "1"

SERVICE_URLS = {
    "postgres": os.environ.get("JAGA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/jaga"),
    "mariadb": os.environ.get("JAGA_TEST_MARIADB_URL", "mysql://root@127.0.0.1:3306/test"),
}


def _reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), timeout=2):
            return True
    except OSError:
        return False


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test that needs a missing service skips with the reason; under JAGA_REQUIRE_SERVICES=1 it fails."""
    missing: list[str] = []
    for name, url in SERVICE_URLS.items():
        if item.get_closest_marker(name) and not _reachable(url):
            missing.append(f"{name} is not reachable at {url}")
    if item.get_closest_marker("browser") and not _chromium():
        missing.append("chromium is not installed (apt-get install chromium)")
    if missing:
        reason = "; ".join(missing)
        if REQUIRE_SERVICES:
            pytest.fail(f"JAGA_REQUIRE_SERVICES=1 and {reason}", pytrace=False)
        pytest.skip(reason)
