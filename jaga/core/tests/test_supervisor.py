from __future__ import annotations

import io
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from jaga.core.processes.supervisor import ChildSpec, Supervisor, children_from_settings

PY = sys.executable
CRASHES = ChildSpec("crasher", (PY, "-c", "import sys; print('boom', flush=True); sys.exit(1)"))
RUNS_UNTIL_TERM = ChildSpec(
    "sleeper", (PY, "-c", "import os, time; print('up', os.getpid(), flush=True); time.sleep(60)")
)
IGNORES_TERM = ChildSpec(
    "stubborn",
    (
        PY,
        "-c",
        "import os, signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print('up', os.getpid(), flush=True); time.sleep(60)",
    ),
)


def _wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


@contextmanager
def running(supervisor: Supervisor) -> Iterator[list[int]]:
    """Run the supervisor in a thread; on exit ask it to stop and collect its return code."""
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(supervisor.run()))
    thread.start()
    try:
        yield codes
    finally:
        supervisor.request_stop()
        thread.join(timeout=20)
    assert not thread.is_alive()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _restart_delays(caplog: pytest.LogCaptureFixture, name: str) -> list[str]:
    pattern = re.compile(rf"proses {name} berhenti \(kode (\S+)\); mulai ulang dalam ([\d.]+) d / process {name}")
    return [m.group(2) for record in caplog.records if (m := pattern.search(record.getMessage()))]


def test_it_restarts_a_crashing_child_with_doubling_delays_up_to_the_cap(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="jaga.up")
    out = io.StringIO()
    supervisor = Supervisor([CRASHES], output=out, backoff_initial=0.05, backoff_max=0.2, poll_interval=0.01)
    with running(supervisor) as codes:
        _wait_for(lambda: len(_restart_delays(caplog, "crasher")) >= 5)
    assert codes == [0]
    assert _restart_delays(caplog, "crasher")[:5] == ["0.05", "0.1", "0.2", "0.2", "0.2"]
    assert "process crasher exited (code 1); restarting in 0.05 s" in caplog.text
    assert "crasher | boom" in out.getvalue()


def test_it_resets_the_delay_after_a_child_stayed_up_long_enough(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="jaga.up")
    lives_a_while = ChildSpec("short", (PY, "-c", "import sys, time; time.sleep(0.15); sys.exit(3)"))
    supervisor = Supervisor(
        [lives_a_while], output=io.StringIO(), backoff_initial=0.05, stable_after=0.1, poll_interval=0.01
    )
    with running(supervisor):
        _wait_for(lambda: len(_restart_delays(caplog, "short")) >= 3)
    assert set(_restart_delays(caplog, "short")) == {"0.05"}
    assert "proses short berhenti (kode 3)" in caplog.text


def test_it_stops_its_children_with_sigterm_and_prefixes_their_output() -> None:
    out = io.StringIO()
    supervisor = Supervisor([RUNS_UNTIL_TERM, CRASHES], output=out, backoff_initial=5, poll_interval=0.01)
    with running(supervisor) as codes:
        _wait_for(lambda: "sleeper | up" in out.getvalue())
        pid = supervisor.pid_of("sleeper")
        assert pid is not None
        assert _alive(pid)
    assert codes == [0]
    assert not _alive(pid)
    assert supervisor.children[0].exit_codes == []  # it was stopped, not restarted


def test_it_kills_a_child_that_ignores_sigterm_after_the_stop_timeout() -> None:
    out = io.StringIO()
    supervisor = Supervisor([IGNORES_TERM], output=out, stop_timeout=0.3, poll_interval=0.01)
    started = 0.0
    with running(supervisor):
        _wait_for(lambda: "stubborn | up" in out.getvalue())
        pid = supervisor.pid_of("stubborn")
        started = time.monotonic()
    assert pid is not None
    assert not _alive(pid)
    assert time.monotonic() - started < 5


def test_it_keeps_going_when_a_child_command_does_not_exist(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="jaga.up")
    missing = ChildSpec("ghost", ("/nonexistent/jaga-ghost",))
    out = io.StringIO()
    supervisor = Supervisor([missing, RUNS_UNTIL_TERM], output=out, backoff_initial=0.05, poll_interval=0.01)
    with running(supervisor):
        _wait_for(lambda: len(_restart_delays(caplog, "ghost")) >= 2 and "sleeper | up" in out.getvalue())
    assert "proses ghost tidak dapat dimulai" in caplog.text


def test_it_starts_a_quick_and_a_long_worker() -> None:
    specs = children_from_settings(names=["web", "worker", "scheduler"], worker_concurrency=1)
    assert [spec.name for spec in specs] == ["web", "worker-quick", "worker-long", "scheduler"]
    assert specs[1].argv == (sys.executable, "-m", "jaga.cli", "worker", "--queue", "quick")
    assert specs[2].argv == (sys.executable, "-m", "jaga.cli", "worker", "--queue", "long")
    assert specs[0].argv[-1] == "web"


def test_it_starts_concurrency_workers_for_each_queue() -> None:
    specs = children_from_settings(names=["worker"], worker_concurrency=2)
    assert [spec.name for spec in specs] == ["worker-quick-1", "worker-quick-2", "worker-long-1", "worker-long-2"]


def test_it_refuses_two_children_with_the_same_name() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        Supervisor([CRASHES, CRASHES])


SUPERVISOR_PROGRAM = """
import logging, sys
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
from jaga.core.processes.supervisor import ChildSpec, Supervisor
code = "import os, time; print('up', os.getpid(), flush=True); time.sleep(60)"
child = ChildSpec("sleeper", (sys.executable, "-c", code))
sys.exit(Supervisor([child], poll_interval=0.02).run())
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_it_exits_zero_after_stopping_its_children_when_it_receives_a_signal(signum: int) -> None:
    proc = subprocess.Popen([PY, "-c", SUPERVISOR_PROGRAM], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.fullmatch(r"sleeper \| up (\d+)\n", line)
    assert match, line
    child_pid = int(match.group(1))
    proc.send_signal(signum)
    _out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert not _alive(child_pid)
    assert "menghentikan semua proses" in err
    assert "semua proses berhenti / all processes stopped" in err
    assert "Traceback" not in err
