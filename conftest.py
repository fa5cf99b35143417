"""Shared test set-up: service markers that skip visibly (or fail in CI), the three-user fixtures and the demo."""

from __future__ import annotations

import os
import shutil
import socket
from typing import Any
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


DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that use the database (the PostgreSQL run of `make test`: a test that never "
        "touches the database behaves the same on every database)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--database-tests-only"):
        return
    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        uses_database = bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))
        marked = any(item.get_closest_marker(name) for name in ("django_db", "postgres", "mariadb"))
        (keep if uses_database or marked else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


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


@pytest.fixture(autouse=True)
def _fast_hashing_and_private_media(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Test users need no strong hashing (PBKDF2 costs ~0.25 s a user); each test's files go to its own folder."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests serve their sites on loopback: allow it explicitly (the address guard's own tests turn it off).
    settings.JAGA_HTTP_ALLOW_INTERNAL = True
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JAGA_TRAFFIC_DIR = tmp_path / "traffic"  # the Parquet store of the visitor logs
    settings.JAGA_TRAFFIC_CRAWLER_DNS = "off"  # no test asks the machine's resolver about a log's crawlers
    from jaga.traffic.detection.rules import rules_forget

    rules_forget()  # a custom rule of a test before (rolled back, no signal) is never still in force


@pytest.fixture(autouse=True, scope="session")
def _data_folder_per_worker(worker_id: str) -> None:
    """Each test worker (pytest-xdist) works in a data folder of its own: two workers' demos have the same
    backup plan number in their own databases, and that plan's lock file in a shared folder made the other
    worker's demo backups fail ("Rencana ini sedang dijalankan proses lain")."""
    if worker_id == "master":
        return
    from pathlib import Path

    from django.conf import settings

    folder = Path(settings.DATA_DIR) / worker_id
    folder.mkdir(mode=0o700, exist_ok=True)
    settings.DATA_DIR = folder


@pytest.fixture(autouse=True)
def _default_language():  # type: ignore[no-untyped-def]
    """Each test starts in the default language (Indonesian): a test that switched to English, through a
    request or ``translation.activate``, must not leave the next test of the same worker in English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


# --- real servers on loopback, for any app's tests (jaga/core/testservers) ----------------------------


@pytest.fixture
def sshd(tmp_path):  # type: ignore[no-untyped-def]
    """A real OpenSSH server on a free loopback port: ``.port``, ``.user``, ``.client_key`` (its private key)."""
    from jaga.core.testservers.sshd import Sshd

    with Sshd(tmp_path / "sshd") as server:
        yield server


@pytest.fixture
def s3(tmp_path):  # type: ignore[no-untyped-def]
    """A real S3-compatible server (moto's) on a free loopback port: ``.endpoint``, ``.access_key``..."""
    from jaga.core.testservers.s3server import S3Server, available

    if not available():
        pytest.skip("moto[s3] missing: make setup installs requirements.lock")
    with S3Server() as server:
        yield server


# --- the people and places most tests need ------------------------------------------------------

ROLE_NAMES = ["staff_p2ti", "kasubbag_ptip", "kasubbag_umum", "sekretaris", "administrator", "auditor"]


@pytest.fixture
def institution(db):  # type: ignore[no-untyped-def]
    from jaga.core.models import Institution

    return Institution.objects.create(
        name="Pengadilan Negeri Bangil",
        slug="pn-bangil",
        city="Bangil",
        letter_prefix="W14.U21",
        secretary_name="Drs. Contoh Sekretaris",
        secretary_nip="197001011990031001",
    )


@pytest.fixture
def other_institution(db):  # type: ignore[no-untyped-def]
    from jaga.core.models import Institution

    return Institution.objects.create(name="Pengadilan Negeri Pasuruan", slug="pn-pasuruan")


@pytest.fixture
def site(institution):  # type: ignore[no-untyped-def]
    from jaga.core.models import Site

    return Site.objects.create(institution=institution, name="Situs PN Bangil", base_url="http://127.0.0.1:9/")


@pytest.fixture
def make_user(db):  # type: ignore[no-untyped-def]
    """``make_user("staff_p2ti", institution)`` -> a user with that role in that institution."""
    from django.contrib.auth import get_user_model

    from jaga.core.models import Membership

    def make(role: str | None = None, institution=None, username: str | None = None):  # type: ignore[no-untyped-def]
        name = username or f"{role or 'user'}-{get_user_model().objects.count() + 1}"
        user = get_user_model().objects.create_user(username=name, password="rahasia-uji-123")
        if role and institution is not None:
            Membership.objects.create(user=user, institution=institution, role=role)
        return user

    return make


@pytest.fixture
def staff(make_user, institution):  # type: ignore[no-untyped-def]
    return make_user("staff_p2ti", institution, "staff")


@pytest.fixture
def auditor(make_user, institution):  # type: ignore[no-untyped-def]
    return make_user("auditor", institution, "auditor")


@pytest.fixture
def outsider(make_user, other_institution):  # type: ignore[no-untyped-def]
    return make_user("administrator", other_institution, "outsider")


# --- core: 2FA enforcement (added by the core helper) --------------------------------------------


@pytest.fixture(autouse=True)
def _two_factor_not_enforced(settings):  # type: ignore[no-untyped-def]
    """Administrators and Sekretaris must pass 2FA (jaga.core.middleware.RequireTwoFactorMiddleware);
    that would send every ``force_login``'d administrator in other apps' view tests to enrolment.
    The core tests that test the requirement turn it back on with ``settings.JAGA_REQUIRE_2FA = True``."""
    settings.JAGA_REQUIRE_2FA = False


# One demo per test worker and history length: building it runs the real code of every app (a real restic
# repository, rendered reports: about 10 s), so each test after the first gets a copy of the database as the
# first build left it, and the files of that build (its media folder and its visitor-log store; the data
# folder is the session's).
_DEMO_BUILT: dict[int, tuple[Any, Any]] = {}


@pytest.fixture
def demo(transactional_db: None, settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The demo institution as `jaga demo` makes it: two days of history, or the full 30 days for screenshots.

    Used by the browser tests and by the demo's own tests; returns the first build's ``DemoSummary``."""
    import sqlite3

    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import caches
    from django.db import connection

    from jaga.demo.services import demo_create

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.JAGA_REQUIRE_2FA = True  # the shared test set-up turns it off; the browser sees the real site
    days = 30 if os.environ.get("JAGA_SCREENSHOTS") == "1" else 2
    if connection.vendor != "sqlite":
        return demo_create(days=days)
    if days not in _DEMO_BUILT:
        folder = tmp_path_factory.mktemp(f"demo-{days}-days")
        settings.MEDIA_ROOT, settings.JAGA_TRAFFIC_DIR = folder / "media", folder / "traffic"
        summary = demo_create(days=days)
        connection.ensure_connection()
        copy = sqlite3.connect(folder / "demo.sqlite3")
        connection.connection.backup(copy)
        copy.close()
        _DEMO_BUILT[days] = (folder, summary)
        return summary
    folder, summary = _DEMO_BUILT[days]
    settings.MEDIA_ROOT, settings.JAGA_TRAFFIC_DIR = folder / "media", folder / "traffic"
    connection.ensure_connection()
    copy = sqlite3.connect(folder / "demo.sqlite3")
    copy.backup(connection.connection)
    copy.close()
    ContentType.objects.clear_cache()  # the flush between tests made new content-type rows
    for cache in caches.all():
        cache.clear()
    return summary
