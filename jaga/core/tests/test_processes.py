from __future__ import annotations

import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django_tasks_db.models import DBTaskResult

from jaga.conf import StartupError
from jaga.core.processes.up import up_preflight
from jaga.core.processes.web import browser_url, listen_socket_open
from jaga.core.testing import free_port
from jaga.core.tests.processes_helpers import JAGA, jaga_env, shared_database_url
from jaga.core.tests.tasks_for_tests import slow_tick


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield sock.getsockname()[1]


def _wait_for_file(path: Path, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


# --- web ----------------------------------------------------------------------------------------------


def test_it_names_the_address_and_jaga_listen_when_the_port_is_taken(busy_port: int) -> None:
    with pytest.raises(StartupError) as error:
        listen_socket_open(host="127.0.0.1", port=busy_port)
    assert f"127.0.0.1:{busy_port} sudah dipakai" in str(error.value)
    assert "JAGA_LISTEN" in str(error.value)


def test_it_names_jaga_listen_when_the_host_is_unknown() -> None:
    with pytest.raises(StartupError, match="JAGA_LISTEN"):
        listen_socket_open(host="no-such-host.invalid", port=8000)


def test_it_shows_a_wildcard_address_as_localhost() -> None:
    assert browser_url(listen=("0.0.0.0", 8000)) == "http://localhost:8000/"
    assert browser_url(listen=("::1", 8443), path="/login/") == "http://[::1]:8443/login/"


def test_it_serves_the_site_and_its_static_files_then_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [JAGA, "web", "--listen", f"127.0.0.1:{port}", "--threads", "2"],
        env=jaga_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/jaga/jaga.css", timeout=5) as response:
                    assert response.status == 200
                    assert "text/css" in response.headers["Content-Type"]
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline
                time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=15)[0]
    assert proc.returncode == 0, output
    assert f"web serving on http://127.0.0.1:{port}/ (2 threads)" in output
    assert "Traceback" not in output


# --- jaga up's checks ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_lets_jaga_up_start_when_the_database_is_migrated_and_the_port_free() -> None:
    up_preflight(names=["web", "worker"], listen=("127.0.0.1", free_port()))


@pytest.mark.django_db
def test_it_stops_jaga_up_before_starting_anything_when_the_web_port_is_taken(busy_port: int) -> None:
    with pytest.raises(StartupError, match=f"127.0.0.1:{busy_port}"):
        up_preflight(names=["web", "worker"], listen=("127.0.0.1", busy_port), port_wait=0)


@pytest.mark.django_db
def test_it_ignores_the_port_when_jaga_up_runs_no_web_process(busy_port: int) -> None:
    up_preflight(names=["worker", "scheduler"], listen=("127.0.0.1", busy_port))


# --- worker -------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_finishes_the_running_task_when_the_worker_gets_sigterm(tmp_path: Path) -> None:
    marker = tmp_path / "task"
    result = slow_tick.enqueue(seconds=0.5, marker=str(marker))
    with shared_database_url(tmp_path) as url:
        proc = subprocess.Popen(
            [JAGA, "worker", "--interval", "0.1"],
            env=jaga_env(tmp_path, DATABASE_URL=url),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            _wait_for_file(Path(f"{marker}.started"))
        finally:
            proc.send_signal(signal.SIGTERM)
            output = proc.communicate(timeout=20)[0]
    assert proc.returncode == 0, output
    assert Path(f"{marker}.finished").exists()
    assert DBTaskResult.objects.get(id=result.id).status == "SUCCESSFUL"
    assert "Traceback" not in output
