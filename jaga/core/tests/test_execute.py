"""jaga.core.execute: argument tuples, masked secrets, exit codes in one place, deadlines, streamed output."""

from __future__ import annotations

import io
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from jaga.core import execute
from jaga.core.execute import Completed, ExecuteError, ExecuteTimeout

PY = sys.executable


def _py(code: str) -> tuple[str, ...]:
    return (PY, "-c", code)


def test_it_runs_a_command_and_returns_its_output() -> None:
    done = execute.run(_py("import sys; print('hello'); print('err', file=sys.stderr)"), timeout=30)
    assert isinstance(done, Completed)
    assert done.returncode == 0
    assert done.stdout == "hello\n"
    assert done.stderr == "err\n"
    assert done.warned is False
    assert done.duration > 0


def test_it_refuses_a_shell_string() -> None:
    with pytest.raises(TypeError):
        execute.run("echo hi; rm -rf /", timeout=5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        execute.run((), timeout=5)
    with pytest.raises(TypeError):
        execute.run(("echo", 3), timeout=5)  # type: ignore[arg-type]


def test_it_passes_shell_characters_as_plain_arguments(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    done = execute.run(("echo", f"; touch {marker}", "$(id)"), timeout=10)
    assert done.stdout == f"; touch {marker} $(id)\n"
    assert not marker.exists()


def test_a_failing_command_raises_with_its_code_and_stderr_tail() -> None:
    with pytest.raises(ExecuteError) as caught:
        execute.run(_py("import sys; print('access denied for user', file=sys.stderr); sys.exit(2)"), timeout=30)
    error = caught.value
    assert error.returncode == 2
    assert "access denied for user" in error.stderr_tail
    assert "kode 2" in error.message
    assert "exit code 2" in error.message
    assert PY in error.command
    assert "access denied for user" in str(error)


def test_warn_codes_succeed_with_a_warning_and_ok_codes_are_honoured() -> None:
    done = execute.run(_py("import sys; sys.exit(3)"), timeout=30, warn_codes=(3,))
    assert done.returncode == 3
    assert done.warned is True
    done = execute.run(_py("import sys; sys.exit(1)"), timeout=30, ok_codes=(0, 1))
    assert done.returncode == 1
    assert done.warned is False
    with pytest.raises(ExecuteError):
        execute.run(_py("import sys; sys.exit(3)"), timeout=30)


def test_secrets_are_masked_in_the_error_the_output_and_the_log(caplog: pytest.LogCaptureFixture) -> None:
    password = "s3cr3t-Pa55word"
    code = f"import sys; print('pw={password}'); print('bad password {password}', file=sys.stderr); sys.exit(1)"
    with caplog.at_level(logging.DEBUG, logger="jaga.execute"), pytest.raises(ExecuteError) as caught:
        execute.run(_py(code), timeout=30, secrets=[password])
    error = caught.value
    for text in (error.message, error.command, error.stderr_tail, error.stdout_tail, caplog.text):
        assert password not in text
    assert "bad password ***" in error.stderr_tail
    assert "pw=***" in error.stdout_tail


def test_secret_environment_values_reach_the_program_and_are_masked() -> None:
    env = {"RESTIC_PASSWORD": "horse-battery-staple", "PLAIN": "visible-value"}
    done = execute.run(
        _py("import os; print(os.environ['RESTIC_PASSWORD'], os.environ['PLAIN'], 'HOME' in os.environ)"),
        timeout=30,
        env=env,
    )
    assert done.stdout == "*** visible-value True\n"  # the value arrived (it was masked on the way back)


def test_a_missing_program_is_an_error_not_a_crash() -> None:
    with pytest.raises(ExecuteError) as caught:
        execute.run(("/nonexistent/restic", "version"), timeout=5)
    assert caught.value.returncode is None
    assert "/nonexistent/restic" in caught.value.message


def test_a_command_that_overruns_its_deadline_is_killed_with_its_children(tmp_path: Path) -> None:
    pidfile = tmp_path / "grandchild.pid"
    code = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pidfile)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(60)\n"
    )
    started = time.monotonic()
    with pytest.raises(ExecuteTimeout) as caught:
        execute.run(_py(code), timeout=1.5)
    assert time.monotonic() - started < 15
    assert "1.5" in caught.value.message
    grandchild = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(grandchild, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        os.kill(grandchild, signal.SIGKILL)
        raise AssertionError("the grandchild outlived its command")


def test_it_sees_the_program_end_when_it_ends_not_at_its_next_look(monkeypatch: pytest.MonkeyPatch) -> None:
    """``Popen.wait(timeout=...)`` looks in sleeps of up to 50 ms (a backup's five commands each ended up to
    50 ms late); the pidfd wakes the wait at the exit itself, with no sleep."""
    slept: list[float] = []
    real_sleep = time.sleep

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        real_sleep(seconds)

    monkeypatch.setattr(execute.subprocess.time, "sleep", sleep)
    done = execute.run(_py("import time; time.sleep(0.3)"), timeout=30)
    assert done.returncode == 0
    assert slept == []


def test_its_wait_keeps_the_deadline_and_takes_a_program_already_reaped() -> None:
    process = execute.start(_py("import time; time.sleep(30)"))
    try:
        with pytest.raises(execute.TimeoutExpired):
            execute._wait(process, 0.2)
    finally:
        execute.kill_group(process)
    ended = execute.start(_py("pass"))
    while ended.poll() is None:  # reaped here: its pid may already be another program's
        time.sleep(0.01)
    execute._wait(ended, 5.0)
    assert ended.returncode == 0


def test_lines_are_streamed_as_they_come() -> None:
    seen: list[tuple[str, float]] = []
    code = "import time\nfor i in range(3):\n    print(f'line {i}', flush=True); time.sleep(0.3)\n"
    done = execute.run(_py(code), timeout=30, on_line=lambda line: seen.append((line, time.monotonic())))
    assert [line for line, _ in seen] == ["line 0", "line 1", "line 2"]
    assert seen[2][1] - seen[0][1] > 0.4  # each line arrived while the program was still running
    assert done.stdout.splitlines() == ["line 0", "line 1", "line 2"]


def test_lines_reach_the_callback_in_the_calling_thread() -> None:
    # A progress callback writes to the database: it must use the caller's connection (and transaction).
    threads: set[int] = set()
    code = _py("for i in range(50): print(i)")
    execute.run(code, timeout=30, on_line=lambda line: threads.add(threading.get_ident()))
    assert threads == {threading.get_ident()}


def test_a_streamed_command_that_overruns_is_stopped() -> None:
    started = time.monotonic()
    with pytest.raises(execute.ExecuteTimeout):
        execute.run(_py("import time\nprint('x', flush=True)\ntime.sleep(60)"), timeout=1, on_line=lambda line: None)
    assert time.monotonic() - started < 10


def test_streamed_output_keeps_only_its_tail() -> None:
    count = 0

    def on_line(line: str) -> None:
        nonlocal count
        count += 1

    done = execute.run(_py("for i in range(5000): print(i)"), timeout=30, on_line=on_line)
    assert count == 5000
    lines = done.stdout.splitlines()
    assert len(lines) == execute.STREAM_KEEP_LINES
    assert lines[-1] == "4999"


def test_a_failing_callback_stops_the_command_and_is_raised() -> None:
    def on_line(line: str) -> None:
        raise RuntimeError("bad progress line")

    started = time.monotonic()
    with pytest.raises(RuntimeError, match="bad progress line"):
        execute.run(_py("import time\nprint('x', flush=True)\ntime.sleep(60)"), timeout=60, on_line=on_line)
    assert time.monotonic() - started < 15


def test_stdin_is_fed_from_bytes_text_or_a_file(tmp_path: Path) -> None:
    echo = _py("import sys; sys.stdout.write(sys.stdin.read().upper())")
    assert execute.run(echo, timeout=30, stdin=b"abc").stdout == "ABC"
    assert execute.run(echo, timeout=30, stdin="déf").stdout == "DÉF"
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (3 * 1024 * 1024))
    count = _py("import sys; print(len(sys.stdin.buffer.read()))")
    with big.open("rb") as handle:
        assert execute.run(count, timeout=30, stdin=handle).stdout == f"{3 * 1024 * 1024}\n"


def test_a_file_on_stdin_is_the_program_s_own_from_where_it_was_read(tmp_path: Path) -> None:
    data = tmp_path / "dump.sql"
    data.write_bytes(b"header\n" + b"y" * 100_000)
    # The program reads a regular file (not a pipe fed by Jaga), from the reader's position on.
    probe = _py("import os, stat, sys; print(stat.S_ISREG(os.fstat(0).st_mode), len(sys.stdin.buffer.read()))")
    with data.open("rb") as handle:
        assert handle.readline() == b"header\n"  # the buffered reader has read ahead, past this line
        assert execute.run(probe, timeout=30, stdin=handle).stdout == "True 100000\n"
    read_fd, write_fd = os.pipe()
    with os.fdopen(read_fd, "rb") as source:
        os.write(write_fd, b"piped")
        os.close(write_fd)
        assert execute.run(_py("import sys; print(sys.stdin.read())"), timeout=30, stdin=source).stdout == "piped\n"


def test_stdout_goes_straight_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "dump.bin"
    done = execute.run(_py("import sys; sys.stdout.buffer.write(b'\\x00\\x01' * 1000)"), timeout=30, stdout_to=target)
    assert target.read_bytes() == b"\x00\x01" * 1000
    assert done.stdout == ""
    buffer = io.BytesIO()
    execute.run(("echo", "to a handle"), timeout=30, stdout_to=buffer)
    assert buffer.getvalue() == b"to a handle\n"


def test_it_runs_in_the_given_folder(tmp_path: Path) -> None:
    assert execute.run(_py("import os; print(os.getcwd())"), timeout=30, cwd=tmp_path).stdout.strip() == str(tmp_path)


def test_a_signal_death_is_named() -> None:
    with pytest.raises(ExecuteError) as caught:
        execute.run(_py("import os, signal; os.kill(os.getpid(), signal.SIGKILL)"), timeout=30)
    assert caught.value.returncode == -signal.SIGKILL
    assert "signal 9" in caught.value.message


def test_command_text_is_what_a_person_would_type_with_secrets_masked() -> None:
    text = execute.command_text(
        ("restic", "-r", "sftp:u@h:/r", "--password", "pw with space"), secrets=["pw with space"]
    )
    assert text == "restic -r sftp:u@h:/r --password '***'"


def test_start_and_stop_a_supervised_program() -> None:
    process = execute.start(_py("import time; print('up', flush=True); time.sleep(60)"))
    assert process.stdout is not None
    assert process.stdout.readline() == b"up\n"
    assert execute.stop(process, timeout=5) == -signal.SIGTERM
    with pytest.raises(ExecuteError):
        execute.start(("/nonexistent/sshd",))


def test_no_module_of_jaga_imports_subprocess_but_execute() -> None:
    jaga = Path(execute.__file__).resolve().parents[1]
    offenders = [
        str(path.relative_to(jaga))
        for path in jaga.rglob("*.py")
        if "tests" not in path.parts
        and path.name != "execute.py"
        and ("import subprocess" in path.read_text() or "from subprocess" in path.read_text())
    ]
    assert offenders == []


def _alive(pid: int) -> bool:
    """A process that still runs (a zombie waiting for its parent to reap it counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_SET_PDEATHSIG) is Linux's")
def test_a_program_dies_with_the_process_that_ran_it_even_after_sigkill(tmp_path: Path) -> None:
    # A worker (here a Python process) runs a long program through execute.run and is killed with SIGKILL:
    # the program, in its own process group where no group kill reaches it, must not run on as an orphan.
    pid_file = tmp_path / "program.pid"
    worker_code = (
        f"from jaga.core import execute; execute.run(('sh', '-c', 'echo $$ > {pid_file}; exec sleep 300'), timeout=600)"
    )
    worker = execute.start(_py(worker_code), env=dict(os.environ), capture=False)
    deadline = time.monotonic() + 30
    while not (pid_file.exists() and pid_file.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.05)
    program = int(pid_file.read_text())
    assert _alive(program)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    deadline = time.monotonic() + 10
    while _alive(program) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(program):
        os.kill(program, signal.SIGKILL)
        pytest.fail("the program outlived the worker that ran it")


def test_a_program_whose_caller_is_alive_is_not_signalled() -> None:
    done = execute.run(_py("import time; time.sleep(1.5); print('done')"), timeout=30)
    assert done.stdout == "done\n"
