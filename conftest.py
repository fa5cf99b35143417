"""Shared test set-up: service markers that skip visibly (or fail in CI), the three-user fixtures and the demo."""

from __future__ import annotations

import contextlib
import email
import email.message
import email.policy
import fcntl
import fnmatch
import os
import shutil
import socket
import socketserver
import sqlite3
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

pytest_plugins = ["tests.times"]  # JAGA_TEST_TIMES=FOLDER: each test file's wall and CPU (scripts/test-times.py)

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


# --- which tests the PostgreSQL pass runs again ------------------------------------------------------
#
# `make test` runs every test on SQLite, then (`make test-postgres`: `--database-tests-only`) again on
# PostgreSQL every test whose outcome can depend on the database. A test is run again when
#   - it is marked `postgres`, `mariadb` or `every_database`;
#   - it has transactions of its own (`transactional_db`, `django_db(transaction=True)`, `live_server`, the
#     `demo`): commits, rollbacks, locking, claims, other processes on the same database;
#   - it uses the database in any module but the page modules below: services, selectors, models,
#     migrations, engines, tasks and commands, where queries, aggregates, JSON fields, text lengths and
#     ordering are tested.
# It is left out when it never touches the database, or when it is a test of a page module that uses the
# database only through `db`: it renders a page, a form or an API answer through the ORM the same on every
# database, and the queries behind it are tested in the modules of its selectors and services, which this
# pass keeps. A page test whose outcome does depend on the database is marked `every_database`. A module of
# tests of the outside tools and transports (restic's back ends, SSH keys and tunnels, dumps of the sites'
# databases, disk exports, SFTP pulls), where Jaga's own database only records what the tool did, is marked
# `same_on_every_database` and left out, except its tests marked `postgres` (the server dumped): the SQLite
# pass leaves every `postgres` test out, so this pass is the only one that runs them.
TRANSACTIONAL_FIXTURES = {
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}
PAGE_MODULES = (
    "jaga/*/tests/test_views.py",
    "jaga/*/tests/test_api.py",
    "jaga/*/tests/test_admin.py",
    "jaga/core/tests/test_api_bad_input.py",
    "jaga/core/tests/test_auth.py",
    "jaga/core/tests/test_errors.py",
    "jaga/core/tests/test_forms.py",
    "jaga/core/tests/test_language.py",
    "jaga/core/tests/test_proxies.py",
    "jaga/core/tests/test_twofactor.py",
    "jaga/monitoring/tests/test_status_page.py",
    "jaga/monitoring/tests/test_tiles.py",
    "tests/test_csp.py",
    "tests/test_i18n.py",
    "tests/test_interface.py",
    "tests/test_untranslated.py",
    "tests/test_view_protection.py",
)


def differs_per_database(item: pytest.Item) -> bool:
    """Whether the PostgreSQL pass runs ``item`` again (the rule above)."""
    if item.get_closest_marker("every_database") or item.get_closest_marker("postgres"):
        return True  # the SQLite pass leaves `postgres` tests out (`-m "not postgres"`): this pass is their only one
    if item.get_closest_marker("same_on_every_database"):
        return False
    if item.get_closest_marker("mariadb"):
        return True
    fixtures = set(getattr(item, "fixturenames", ()))
    marker = item.get_closest_marker("django_db")
    if TRANSACTIONAL_FIXTURES & fixtures:
        return True
    if marker is not None:
        options = {**dict(zip(("transaction", "reset_sequences"), marker.args, strict=False)), **marker.kwargs}
        if options.get("transaction") or options.get("reset_sequences") or options.get("serialized_rollback"):
            return True
    if marker is None and "db" not in fixtures:
        return False
    module = item.path.relative_to(item.config.rootpath).as_posix()
    return not any(fnmatch.fnmatch(module, pattern) for pattern in PAGE_MODULES)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests whose outcome can depend on the database (the PostgreSQL run of `make test`; "
        "the rule is in the root conftest.py)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--database-tests-only"):
        return
    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        (keep if differs_per_database(item) else dropped).append(item)
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


def _folder_of_repository(location: str) -> Path | None:
    """Where on this machine a test's restic repository is: a local one, one on the loopback SFTP server
    (jaga/core/testservers/sshd.py, the same machine's files) or on rclone's local remote; else None (S3)."""
    if location.startswith("sftp:"):
        host, _colon, path = location.removeprefix("sftp:").partition(":")
        return Path(path) if host.endswith("@127.0.0.1") and path.startswith("/") else None
    if location.startswith("rclone::local:"):
        return Path(location.removeprefix("rclone::local:"))
    if ":" in location.removeprefix("local:"):
        return None  # another back end's URL
    return Path(location.removeprefix("local:"))


@pytest.fixture(autouse=True, scope="session")
def _light_restic_keys() -> Iterator[None]:
    """A restic repository made by a test on this machine (local, or on the loopback SFTP server or rclone's
    local remote) gets a key with light scrypt parameters, as test users get MD5
    (jaga/backups/tests/restic_keys.py): each later restic command saves about 0.3 CPU seconds."""
    from jaga.backups.restic import Restic
    from jaga.backups.tests.restic_keys import restic_key_lightened

    real_run = Restic.run

    def run(self: Restic, args: Any, **options: Any) -> Any:
        done = real_run(self, args, **options)
        folder = _folder_of_repository(self.target.location)
        if folder is None:
            return done
        keys = folder / "keys"
        if tuple(args) == ("init",) and keys.is_dir():
            restic_key_lightened(keys.parent, self.target.password)
        return done

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Restic, "run", run)
        yield


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


# --- one migration per run, not one per worker ---------------------------------------------------------
#
# Migrating a test database from nothing costs about 15 CPU seconds (Django re-renders the model states of
# some ninety migrations), and each worker of each pass did it, all four at once at the start of `make test`.
# Now the first worker of a pass migrates as before and keeps a copy (SQLite: the file of the in-memory
# database; PostgreSQL: a database made with CREATE DATABASE ... TEMPLATE); the other workers of the pass
# start from that copy. The copy lives in the pass's temporary folder (`--basetemp`), so each run migrates
# once for real: the migrations are still run by every `make test`, and no copy outlives its run.


def _run_folder(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The temporary folder of this run that all its workers share (xdist gives each ``<basetemp>/popen-gwN``)."""
    basetemp = tmp_path_factory.getbasetemp()
    return basetemp.parent if worker_id != "master" else basetemp


def _migrated_or_copied(connection: Any, folder: Path, template_name: str, migrate: Callable[[], None]) -> None:
    """Migrate the test database of ``connection`` (and keep a copy) or start it from the copy another worker kept."""
    vendor = connection.vendor
    with (folder / f"migrated-{vendor}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the first worker migrates; the others wait for its copy
        done = folder / f"migrated-{vendor}.done"
        if vendor == "sqlite":
            template = folder / "migrated.sqlite3"
            if done.exists():
                connection.ensure_connection()
                with contextlib.closing(sqlite3.connect(template)) as source:
                    source.backup(connection.connection)
            else:
                migrate()
                connection.ensure_connection()
                with contextlib.closing(sqlite3.connect(template)) as copy:
                    connection.connection.backup(copy)
                done.touch()
            from jaga.core.tests import processes_helpers

            processes_helpers.MIGRATED_SQLITE = template  # jaga_bootstrapped starts its data folders from it
            return
        if vendor != "postgresql":
            migrate()
            return
        quote = connection.ops.quote_name
        test_database = quote(connection.settings_dict["NAME"])
        if not done.exists():
            migrate()
        connection.close()  # a database is copied, and dropped, with nobody connected to it
        with connection._nodb_cursor() as cursor:
            if done.exists():
                cursor.execute(f"DROP DATABASE {test_database}")
                cursor.execute(f"CREATE DATABASE {test_database} TEMPLATE {quote(template_name)}")
            else:
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(template_name)}")  # an earlier run's
                cursor.execute(f"CREATE DATABASE {quote(template_name)} TEMPLATE {test_database}")
                done.touch()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, tmp_path_factory: pytest.TempPathFactory, worker_id: str
) -> None:
    """pytest-django's hook before the test databases are made: their ``migrate`` runs once per run (above)."""
    from django.core import management
    from django.db import connections

    folder = _run_folder(tmp_path_factory, worker_id)
    for alias in connections:
        connection = connections[alias]
        template_name = f"test_{connection.settings_dict['NAME']}_migrated"[:63]
        create_test_db = connection.creation.create_test_db

        def create_once(*args: Any, _connection: Any = connection, _template: str = template_name,
                        _create: Any = create_test_db, **kwargs: Any) -> Any:  # fmt: skip
            real_call_command = management.call_command

            def call_command(name: str, *c_args: Any, **options: Any) -> Any:
                if name == "migrate" and options.get("run_syncdb"):  # the one create_test_db runs
                    management.call_command = real_call_command
                    _migrated_or_copied(
                        _connection, folder, _template, lambda: real_call_command(name, *c_args, **options)
                    )
                    return None
                return real_call_command(name, *c_args, **options)

            management.call_command = call_command
            try:
                return _create(*args, **kwargs)
            finally:
                management.call_command = real_call_command

        connection.creation.create_test_db = create_once


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
# repository, rendered reports: about 7 CPU seconds), so each test after the first gets the database as the first
# build left it (SQLite: a copy of the file; PostgreSQL: every table's rows, copied out and back in) and the files
# of that build (its media folder and its visitor-log store; the data folder is the session's).
_DEMO_BUILT: dict[tuple[int, tuple[str, int]], tuple[Any, Any, Any]] = {}


def _database_saved(folder: Path) -> Any:
    from django.db import connection

    connection.ensure_connection()
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(folder / "demo.sqlite3")
        connection.connection.backup(copy)
        copy.close()
        return folder / "demo.sqlite3"
    from psycopg import sql

    tables: dict[str, bytes] = {}
    with connection.connection.cursor() as cursor:
        for table in connection.introspection.django_table_names(only_existing=True, include_views=False):
            query = sql.SQL("COPY {} TO STDOUT (FORMAT BINARY)").format(sql.Identifier(table))
            with cursor.copy(query) as copy:
                tables[table] = b"".join(bytes(block) for block in copy)
        cursor.execute("SELECT schemaname, sequencename, last_value FROM pg_sequences WHERE last_value IS NOT NULL")
        sequences = cursor.fetchall()
    return tables, sequences


def _database_restored(saved: Any) -> None:
    """The database as :func:`_database_saved` found it."""
    from django.db import connection, transaction

    connection.ensure_connection()
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(saved)
        copy.backup(connection.connection)
        copy.close()
        return
    from psycopg import sql

    tables, sequences = saved
    with transaction.atomic(), connection.connection.cursor() as cursor:  # foreign keys are checked at commit
        # Emptied first: the flush after the test before made the content types and permissions again.
        cursor.execute(sql.SQL("TRUNCATE {}").format(sql.SQL(", ").join(map(sql.Identifier, tables))))
        for table, rows in tables.items():
            with cursor.copy(sql.SQL("COPY {} FROM STDIN (FORMAT BINARY)").format(sql.Identifier(table))) as copy:
                copy.write(rows)
        for schema, name, value in sequences:  # never behind the rows put back (the flush leaves them as they are)
            cursor.execute(
                "SELECT setval(%s, GREATEST(%s, (SELECT coalesce(last_value, 1) FROM pg_sequences"
                " WHERE schemaname = %s AND sequencename = %s)))",
                [f"{schema}.{name}", value, schema, name],
            )


def _demo_built_or_restored(settings: Any, tmp_path_factory: pytest.TempPathFactory, days: int) -> Any:
    """The demo with ``days`` of history at this Jaga's listen address: built the first time, else as built."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import caches

    from jaga.demo.services import demo_create

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.JAGA_REQUIRE_2FA = True  # the shared test set-up turns it off; the browser sees the real site
    key = (days, tuple(settings.JAGA_LISTEN))  # the demo site's address is in its monitors and deliveries
    if key not in _DEMO_BUILT:
        folder = tmp_path_factory.mktemp(f"demo-{days}-days")
        settings.MEDIA_ROOT, settings.JAGA_TRAFFIC_DIR = folder / "media", folder / "traffic"
        summary = demo_create(days=days)
        _DEMO_BUILT[key] = (folder, summary, _database_saved(folder))
        return summary
    folder, summary, saved = _DEMO_BUILT[key]
    settings.MEDIA_ROOT, settings.JAGA_TRAFFIC_DIR = folder / "media", folder / "traffic"
    _database_restored(saved)
    ContentType.objects.clear_cache()  # the flush between tests made new content-type rows
    for cache in caches.all():
        cache.clear()
    return summary


@pytest.fixture
def demo(transactional_db: None, settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The demo institution as `jaga demo` makes it: two days of history, or the full 30 days for screenshots.

    Used by the browser tests and by the demo's own tests; returns the first build's ``DemoSummary``."""
    return _demo_built_or_restored(settings, tmp_path_factory, 30 if os.environ.get("JAGA_SCREENSHOTS") == "1" else 2)


@pytest.fixture
def demo_live(transactional_db: None, live_server: Any, settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The demo with one day of history whose demo site is the live server's (``settings.JAGA_LISTEN`` is its
    address): its monitors check it and its notifications go to its inbox. Built once per test worker too."""
    address = urlsplit(live_server.url)
    settings.JAGA_LISTEN = (address.hostname, address.port)
    return _demo_built_or_restored(settings, tmp_path_factory, 1)


# --- outside systems on loopback that tests of several apps need -----------------------------------


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Enough SMTP for Django's e-mail back end and apprise: EHLO, MAIL, RCPT (each address kept), DATA (each
    message kept whole), QUIT; no TLS, no AUTH."""

    server: SmtpServer

    def handle(self) -> None:
        self._reply("220 127.0.0.1 ESMTP uji")
        lines: list[bytes] | None = None
        while line := self.rfile.readline():
            if lines is not None:
                if line.rstrip(b"\r\n") == b".":
                    self.server.messages.append(b"".join(lines))
                    lines = None
                    self._reply("250 diterima")
                else:
                    lines.append(line[1:] if line.startswith(b"..") else line)  # RFC 5321 4.5.2
                continue
            command = line[:4].upper()
            if command == b"RCPT":
                address = line.decode("utf-8", "replace").split(":", 1)[1].strip().strip("<>").lower()
                self.server.recipients.append(address)
            if command == b"DATA":
                lines = []
                self._reply("354 akhiri dengan titik")
            elif command == b"QUIT":
                self._reply("221 sampai jumpa")
                return
            else:
                self._reply("250 OK")

    def _reply(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")


class SmtpServer(socketserver.ThreadingTCPServer):
    """What the loopback SMTP server received: every RCPT TO address, every message as sent and as parsed."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.recipients: list[str] = []
        self.messages: list[bytes] = []

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def mails(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(raw, policy=email.policy.default) for raw in self.messages]  # type: ignore[misc]


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A mail server on a free loopback port (``smtp://127.0.0.1:{smtp_server.port}``), stopped after the test."""
    server = SmtpServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def tmpfs() -> Iterator[Callable[..., Path]]:
    """``tmpfs(folder, size="4m")`` mounts a tmpfs of that size (a real disk that fills up) on a new ``folder``;
    all are unmounted after the test. Mounting needs root: without, the test skips (under
    JAGA_REQUIRE_SERVICES=1 it fails)."""
    mounted: list[Path] = []

    def mount(folder: Path, *, size: str) -> Path:
        folder.mkdir(parents=True)
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "jaga-test", str(folder)], capture_output=True, text=True
        )
        if done.returncode != 0:
            reason = f"mounting a tmpfs failed (it needs root): {done.stderr.strip()}"
            if REQUIRE_SERVICES:
                pytest.fail(f"JAGA_REQUIRE_SERVICES=1 and {reason}", pytrace=False)
            pytest.skip(reason)
        mounted.append(folder)
        return folder

    yield mount
    for folder in reversed(mounted):
        subprocess.run(["umount", "-l", str(folder)], check=True)
