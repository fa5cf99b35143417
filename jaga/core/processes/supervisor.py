"""``jaga up``: start Jaga's processes as children, prefix their output, restart the ones that crash.

A child that exits is restarted after 1 s, then 2 s, 4 s ... up to 60 s; the delay goes back to 1 s once
a child has stayed up for 60 s. Ctrl-C or SIGTERM sends SIGTERM to every child, waits up to 10 s for
them, kills the rest and returns 0. Children run in their own session so that a Ctrl-C in the terminal
reaches only the supervisor, which then stops each child exactly once (the worker finishes its task).
A supervisor killed with SIGKILL leaves no orphans: each child stops when its parent is gone (lifeline.py).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import IO, TextIO

from jaga.core import execute
from jaga.core.processes.lifeline import SUPERVISOR_ENV

logger = logging.getLogger("jaga.up")


@dataclass(frozen=True)
class ChildSpec:
    """One supervised process: its name (shown before each output line) and the command that runs it."""

    name: str
    argv: tuple[str, ...]


def jaga_child(name: str, command: str | None = None) -> ChildSpec:
    """A child that runs ``jaga <command>`` with this very Python."""
    return ChildSpec(name=name, argv=(sys.executable, "-m", "jaga.cli", command or name))


WORKER_QUEUES = ("quick", "long")


def children_from_settings(*, names: Sequence[str], worker_concurrency: int) -> list[ChildSpec]:
    """JAGA_PROCESSES as child specs; ``worker`` is a worker per queue, each JAGA_WORKER_CONCURRENCY times."""
    children: list[ChildSpec] = []
    for name in names:
        if name != "worker":
            children.append(jaga_child(name))
            continue
        for queue in WORKER_QUEUES:  # a long backup never holds a quick alert back
            for n in range(1, worker_concurrency + 1):
                child = f"worker-{queue}" if worker_concurrency == 1 else f"worker-{queue}-{n}"
                children.append(ChildSpec(name=child, argv=(*jaga_child(child, "worker").argv, "--queue", queue)))
    return children


@dataclass
class _Child:
    spec: ChildSpec
    delay: float
    process: execute.Process | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    reader: threading.Thread | None = None
    restarts: int = 0
    exit_codes: list[int] = field(default_factory=list)
    last_lines: deque[str] = field(default_factory=lambda: deque(maxlen=40))


class Supervisor:
    def __init__(
        self,
        children: Sequence[ChildSpec],
        *,
        output: TextIO | None = None,
        backoff_initial: float = 1.0,
        backoff_max: float = 60.0,
        stable_after: float = 60.0,
        stop_timeout: float = 10.0,
        poll_interval: float = 0.2,
        env: dict[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        diagnose: Callable[[Sequence[str]], str | None] | None = None,
    ) -> None:
        names = [spec.name for spec in children]
        if len(set(names)) != len(names):
            raise ValueError(f"nama proses ganda / duplicate process names: {names}")
        self.output = output or sys.stdout
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.stable_after = stable_after
        self.stop_timeout = stop_timeout
        self.poll_interval = poll_interval
        # SUPERVISOR_ENV: each child watches this process and stops when it is gone (lifeline.py).
        self.env = {**(os.environ if env is None else env), "PYTHONUNBUFFERED": "1", SUPERVISOR_ENV: str(os.getpid())}
        self.clock = clock
        # The cause of an exit in words (disk full, database damaged) from the child's last output lines.
        self.diagnose = diagnose
        self.children = [_Child(spec=spec, delay=backoff_initial) for spec in children]
        self._width = max((len(name) for name in names), default=0)
        self._stop = threading.Event()
        self._write_lock = threading.Lock()

    # --- public ---------------------------------------------------------------------------------------

    def request_stop(self) -> None:
        self._stop.set()

    def run(self) -> int:
        """Supervise until asked to stop; then stop every child and return 0."""
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self._on_signal)
            signal.signal(signal.SIGINT, self._on_signal)
        logger.info("memulai proses / starting processes: %s", ", ".join(child.spec.name for child in self.children))
        for child in self.children:
            self._start(child)
        while not self._stop.wait(self.poll_interval):
            self._tick()
        self._stop_all()
        return 0

    def pid_of(self, name: str) -> int | None:
        for child in self.children:
            if child.spec.name == name and child.process is not None:
                return child.process.pid
        return None

    # --- internals ------------------------------------------------------------------------------------

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if not self._stop.is_set():
            logger.info(
                "%s diterima, menghentikan semua proses / received, stopping all processes", signal.Signals(signum).name
            )
        self._stop.set()

    def _start(self, child: _Child) -> None:
        try:
            process = execute.start(child.spec.argv, env=self.env)
        except execute.ExecuteError as exc:
            logger.error(
                "proses %s tidak dapat dimulai / process %s cannot start: %s", child.spec.name, child.spec.name, exc
            )
            child.process = None
            self._schedule_restart(child, code=None)
            return
        child.process = process
        child.started_at = self.clock()
        child.restart_at = None
        assert process.stdout is not None
        child.reader = threading.Thread(
            target=self._copy_output, args=(child, process.stdout), daemon=True, name=f"out-{child.spec.name}"
        )
        child.reader.start()

    def _copy_output(self, child: _Child, stream: IO[bytes]) -> None:
        prefix = f"{child.spec.name:<{self._width}} | "
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            child.last_lines.append(line)
            with self._write_lock:
                self.output.write(prefix + line + "\n")
                self.output.flush()
        stream.close()

    def _tick(self) -> None:
        now = self.clock()
        for child in self.children:
            if child.process is not None:
                code = child.process.poll()
                if code is not None:
                    if child.reader is not None:
                        child.reader.join(timeout=1)
                    if now - child.started_at >= self.stable_after:
                        child.delay = self.backoff_initial
                    child.process = None
                    child.exit_codes.append(code)
                    self._schedule_restart(child, code=code)
            elif child.restart_at is not None and now >= child.restart_at:
                child.restarts += 1
                self._start(child)

    def _schedule_restart(self, child: _Child, *, code: int | None) -> None:
        delay = child.delay
        child.restart_at = self.clock() + delay
        child.delay = min(delay * 2, self.backoff_max)
        name, shown_code = child.spec.name, "?" if code is None else code
        logger.warning(
            "proses %s berhenti (kode %s); mulai ulang dalam %s d / process %s exited (code %s); restarting in %s s",
            name,
            shown_code,
            f"{delay:g}",
            name,
            shown_code,
            f"{delay:g}",
        )
        cause = self.diagnose(list(child.last_lines)) if self.diagnose is not None else None
        if cause:
            logger.error("penyebab / cause (%s): %s", name, cause)

    def _stop_all(self) -> None:
        running = [child for child in self.children if child.process is not None and child.process.poll() is None]
        for child in running:
            assert child.process is not None
            logger.info("menghentikan / stopping %s (pid %d)", child.spec.name, child.process.pid)
            child.process.terminate()
        deadline = time.monotonic() + self.stop_timeout
        for child in running:
            assert child.process is not None
            try:
                child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except execute.TimeoutExpired:
                logger.warning(
                    "proses %s tidak berhenti dalam %g d, dimatikan paksa / process %s did not stop in %g s, killed",
                    child.spec.name,
                    self.stop_timeout,
                    child.spec.name,
                    self.stop_timeout,
                )
                self._kill_group(child.process)
                child.process.wait()
        for child in self.children:
            if child.reader is not None:
                child.reader.join(timeout=1)
        logger.info("semua proses berhenti / all processes stopped")

    @staticmethod
    def _kill_group(process: execute.Process) -> None:
        # The child leads its own session: kill its whole group so that grandchildren go too.
        execute.kill_group(process)
