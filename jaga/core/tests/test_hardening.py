"""What the attack of issue 14 found about redirects, HTTPS, sessions and the data folder, kept fixed."""

from __future__ import annotations

import multiprocessing
import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client, RequestFactory
from django.urls import reverse

from jaga.conf import ConfigError, read
from jaga.core.tests.processes_helpers import JAGA, jaga_env
from jaga.core.views.common import safe_next
from jaga.datadir import ensure_data_dir, ensure_sqlite_file, read_or_create_key

HOSTILE_NEXT = [
    "https://evil.example/",
    "//evil.example/path",
    "/\\evil.example",
    "javascript:alert(1)",
    "http://testserver.evil.example/",
]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- safe next -------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_safe_next_refuses_a_way_out_of_jaga(target: str) -> None:
    request = RequestFactory().post("/x/", {"next": target})
    assert safe_next(request, "/default/") == "/default/"


def test_safe_next_follows_a_path_of_jaga() -> None:
    request = RequestFactory().get("/x/", {"next": "/monitoring/monitors/3/"})
    assert safe_next(request, "/default/") == "/monitoring/monitors/3/"


def test_safe_next_refuses_to_leave_https_for_http_on_the_same_host() -> None:
    request = RequestFactory().get("/x/", {"next": "http://testserver/akun/"}, secure=True)
    assert safe_next(request, "/default/") == "/default/"
    request = RequestFactory().get("/x/", {"next": "https://testserver/akun/"}, secure=True)
    assert safe_next(request, "/default/") == "https://testserver/akun/"


@pytest.mark.parametrize("action", ["monitoring:monitor_pause", "monitoring:monitor_resume"])
@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_pause_and_resume_never_redirect_out_of_jaga(
    client: Client, staff: Any, site: Any, action: str, target: str
) -> None:
    from jaga.monitoring.models import Monitor

    monitor = Monitor.objects.create(site=site, name="Beranda", kind="http", config={"url": "http://127.0.0.1:9/"})
    client.force_login(staff)
    response = client.post(reverse(action, args=[monitor.pk]), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:site_monitors", args=[site.pk])


def test_pause_goes_back_to_the_page_it_came_from(client: Client, staff: Any, site: Any) -> None:
    from jaga.monitoring.models import Monitor

    monitor = Monitor.objects.create(site=site, name="Beranda", kind="http", config={"url": "http://127.0.0.1:9/"})
    client.force_login(staff)
    detail = reverse("monitoring:monitor_detail", args=[monitor.pk])
    response = client.post(reverse("monitoring:monitor_pause", args=[monitor.pk]), {"next": detail})
    assert response["Location"] == detail


def test_the_confirmation_page_does_not_carry_a_hostile_next(client: Client, make_user: Any, site: Any) -> None:
    client.force_login(make_user("administrator", site.institution))
    url = reverse("core:site_delete", kwargs={"slug": site.institution.slug, "site_id": site.pk})
    response = client.get(url, {"next": "https://evil.example/"})
    assert response.status_code == 200
    assert 'name="next" value="https://evil.example/"' not in response.content.decode()
    response = client.get(url, {"next": "/monitoring/"})
    assert '<input type="hidden" name="next" value="/monitoring/">' in response.content.decode()


# --- HTTPS and sessions ----------------------------------------------------------------------------


def _jaga(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [JAGA, *args], env=jaga_env(tmp_path, **env), capture_output=True, text=True, timeout=60, check=False
    )


def test_check_deploy_is_clean_behind_tls_with_the_documented_settings(tmp_path: Path) -> None:
    https = {
        "JAGA_TRUSTED_PROXIES": "127.0.0.1",
        "JAGA_SECURE_COOKIES": "true",
        "JAGA_SSL_REDIRECT": "true",
        "JAGA_HSTS_SECONDS": "31536000",
        "JAGA_HSTS_PRELOAD": "true",
        "JAGA_ALLOWED_HOSTS": "jaga.pn-bangil.go.id",
    }
    result = _jaga(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **https)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    plain = _jaga(tmp_path, "check", "--deploy")
    assert "security.W004" in plain.stderr
    assert "security.W008" in plain.stderr


def test_an_ssl_redirect_without_a_trusted_proxy_stops_jaga_with_a_message(tmp_path: Path) -> None:
    result = _jaga(tmp_path, "check", JAGA_SSL_REDIRECT="true")
    assert result.returncode == 2
    assert "JAGA_SSL_REDIRECT=true memerlukan JAGA_TRUSTED_PROXIES" in result.stderr
    assert "needs JAGA_TRUSTED_PROXIES" in result.stderr


def test_a_negative_hsts_age_is_refused_by_name() -> None:
    with pytest.raises(ConfigError, match="JAGA_HSTS_SECONDS='-1'"):
        read("JAGA_HSTS_SECONDS", {"JAGA_HSTS_SECONDS": "-1"})
    assert read("JAGA_SESSION_HOURS", {}) == 12


def test_behind_tls_http_is_redirected_and_https_carries_hsts(client: Client, settings: Any, db: None) -> None:
    settings.JAGA_TRUSTED_PROXIES = ["127.0.0.1/32"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    plain = client.get("/login/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/login/"
    secure = client.get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=3600; includeSubDomains"
    assert client.get("/metrics").status_code != 301  # Prometheus scrapes it on loopback, past the proxy


def test_a_sign_in_lasts_the_session_hours_and_ends_with_the_browser(client: Client, staff: Any, settings: Any) -> None:
    from django.conf import settings as live

    assert live.SESSION_COOKIE_AGE == 12 * 60 * 60
    assert live.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    response = client.post(reverse("core:login"), {"username": "staff", "password": "rahasia-uji-123"})
    assert response.status_code == 302
    cookie = response.cookies[live.SESSION_COOKIE_NAME]
    assert not cookie["expires"]
    assert not cookie["max-age"]
    assert client.session.get_expiry_age() <= 12 * 60 * 60


# --- the data folder -------------------------------------------------------------------------------


def test_a_new_data_folder_and_its_files_are_for_jagas_user_only(tmp_path: Path) -> None:
    old = os.umask(0o022)  # what a shell usually has
    try:
        result = _jaga(tmp_path, "check")
    finally:
        os.umask(old)
    assert result.returncode == 0, result.stderr
    data = tmp_path / "data"
    assert _mode(data) == 0o700
    for name in ("jaga.sqlite3", "secret_key", "encryption_key"):
        assert _mode(data / name) == 0o600, name
    for path in data.rglob("*"):
        assert _mode(path) & 0o077 == 0, path


def test_an_old_folder_and_database_left_readable_are_tightened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    database = data / "jaga.sqlite3"
    for path in (database, data / "jaga.sqlite3-wal"):
        path.write_bytes(b"")
        os.chmod(path, 0o644)
    ensure_data_dir(data)
    ensure_sqlite_file(database)
    assert _mode(data) == 0o700
    assert _mode(database) == 0o600
    assert _mode(data / "jaga.sqlite3-wal") == 0o600


def _key_at_the_barrier(barrier: Any, path: Path, results: Any) -> None:
    barrier.wait()
    try:
        results.put(read_or_create_key(path))
    except Exception as exc:  # the test reports what the process raised
        results.put(repr(exc))


def test_processes_starting_together_agree_on_one_key_and_leave_no_temporary_file(tmp_path: Path) -> None:
    # CI once saw one of two `jaga scheduler` processes die: both wrote, linked and removed one shared
    # temporary key file. Each process now writes its own; the first link wins.
    context = multiprocessing.get_context("fork")
    for attempt in range(10):
        folder = tmp_path / str(attempt)
        folder.mkdir()
        barrier, results = context.Barrier(6), context.Queue()
        processes = [
            context.Process(target=_key_at_the_barrier, args=(barrier, folder / "secret_key", results))
            for _ in range(6)
        ]
        for process in processes:
            process.start()
        keys = {results.get(timeout=30) for _ in processes}
        for process in processes:
            process.join(timeout=30)
        assert len(keys) == 1, keys
        assert (folder / "secret_key").read_text().strip() == keys.pop()
        assert [path.name for path in folder.iterdir()] == ["secret_key"]
        assert _mode(folder / "secret_key") == 0o600


def test_the_sqlite_file_is_created_private_before_sqlite_opens_it(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        ensure_sqlite_file(tmp_path / "new.sqlite3")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "new.sqlite3") == 0o600


def test_uploaded_evidence_is_private(settings: Any, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        name = default_storage.save("bukti/2026/laporan.pdf", ContentFile(b"%PDF-1.4"))
    finally:
        os.umask(old)
    path = Path(default_storage.path(name))
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
