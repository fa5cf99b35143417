"""A ``jaga up`` killed with SIGKILL leaves no process behind, and the next ``jaga up`` starts."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from jaga.core.processes.lifeline import lifeline_hold
from jaga.core.testing import free_port
from jaga.core.tests.processes_helpers import JAGA, jaga_env, shared_database_url


def _children(pid: int) -> set[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return set()
    return {int(child) for child in text.split()}


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start_up(tmp_path: Path, url: str, port: int) -> subprocess.Popen[str]:
    env = jaga_env(
        tmp_path,
        DATABASE_URL=url,
        JAGA_LISTEN=f"127.0.0.1:{port}",
        JAGA_PROCESSES="web,probe,worker,scheduler",
    )
    return subprocess.Popen([JAGA, "up"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_serving(port: int, process: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/jaga/jaga.css", timeout=5):
                return
        except OSError:
            assert process.poll() is None, process.communicate()[0]
            assert time.monotonic() < deadline, "jaga up never served"
            time.sleep(0.2)


@pytest.mark.django_db(transaction=True)
def test_sigkill_of_jaga_up_leaves_no_orphans_and_the_next_one_starts(tmp_path: Path) -> None:
    port = free_port()
    with shared_database_url(tmp_path) as url:
        first = _start_up(tmp_path, url, port)
        children: set[int] = set()
        try:
            _wait_serving(port, first)
            deadline = time.monotonic() + 30
            while len(children := _children(first.pid)) < 5:  # web, probe, two workers, scheduler
                assert time.monotonic() < deadline, children
                time.sleep(0.1)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=5)
            deadline = time.monotonic() + 20
            while alive := {pid for pid in children if _alive(pid)}:
                assert time.monotonic() < deadline, f"orphans left running: {sorted(alive)}"
                time.sleep(0.1)
        finally:
            if first.poll() is None:
                first.kill()
            first.communicate(timeout=10)
            for pid in children:
                if _alive(pid):  # a failed run must not leave them to the next test
                    os.kill(pid, signal.SIGKILL)
        second = _start_up(tmp_path, url, port)
        try:
            _wait_serving(port, second)
        finally:
            second.send_signal(signal.SIGTERM)
            output = second.communicate(timeout=30)[0]
        assert second.returncode == 0, output
        assert "sudah dipakai" not in output


def test_a_second_jaga_up_for_the_same_data_folder_is_refused(tmp_path: Path) -> None:
    from jaga.conf import StartupError
    from jaga.core.processes.up import up_lock

    # flock is per open file: a second open in the same process conflicts like another process would.
    with (
        up_lock(tmp_path),
        pytest.raises(StartupError, match=rf"sudah berjalan.*pid {os.getpid()}"),
        up_lock(tmp_path),
    ):
        pass


def test_a_child_whose_supervisor_is_already_gone_stops_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAGA_SUPERVISOR_PID", str(os.getppid() + 999_999))
    with pytest.raises(SystemExit):
        lifeline_hold()
    assert "JAGA_SUPERVISOR_PID" not in os.environ  # never handed on to the programs it starts
