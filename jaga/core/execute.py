"""The one subprocess wrapper: every program Jaga runs (restic, the dump tools, ssh) goes through here.

Modelled on borgmatic's ``execute`` module:

- commands are argument tuples, never a shell string, so that no value is ever parsed by a shell;
- secrets (passwords, keys, tokens) are masked in every message and log line this module writes, and in
  the output it gives back through :class:`ExecuteError`; values of environment variables whose name says
  they are secret (``*PASSWORD*``, ``*SECRET*``, ``*TOKEN*``, ``*_KEY``) are masked without being named;
- exit codes are interpreted in one place: ``ok_codes`` succeed, ``warn_codes`` succeed with
  ``warned=True`` (restic's 3: a snapshot was saved but some files could not be read), anything else raises
  :class:`ExecuteError` saying which command, which exit code and the end of its stderr;
- one deadline per command: a command that overruns it is killed with its whole process group and raises
  :class:`ExecuteTimeout`;
- a command dies with Jaga: it runs in its own process group (Ctrl-C and SIGTERM of Jaga take the group
  down), and Linux sends it SIGTERM when the Jaga thread that waits for it dies, even by SIGKILL
  (``prctl(PR_SET_PDEATHSIG)`` between fork and exec), so a killed worker leaves no restic or pg_dump behind;
- long output is streamed: ``on_line`` receives each stdout line as it comes (restic's ``--json`` progress),
  and ``stdout_to`` sends stdout straight to a file (``restic dump``), so memory stays flat.

:func:`start` is the other face, for processes that are supervised rather than waited for (``jaga up``'s
children, a test's sshd): the same argument-tuple rule, its own process group.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import os
import queue
import re
import select
import shlex
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

logger = logging.getLogger("jaga.execute")

MASK = "***"
# Output kept for a command whose stdout is streamed (on_line) or that fails: enough for a summary line
# or the reason of a failure, never the whole of a long run.
STREAM_KEEP_LINES = 200
STDERR_KEEP_BYTES = 64 * 1024
STDERR_TAIL_CHARS = 2000
# A command whose stdout is captured whole may not write more than this (a snapshot list, a JSON summary).
MAX_CAPTURE_BYTES = 64 * 1024 * 1024
_SECRET_ENV = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|(^|_)KEY$|PASSPHRASE", re.IGNORECASE)
_KILL_GRACE = 5.0


PR_SET_PDEATHSIG = 1


def _libc_prctl() -> Callable[..., int] | None:
    if os.uname().sysname != "Linux":
        return None
    # glibc's name first: ctypes.util.find_library runs ``ldconfig -p`` in a child process (3-15 ms of every
    # start); it is asked only where that name is not there (musl).
    for name in ("libc.so.6", None):
        try:
            return ctypes.CDLL(name or ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl  # type: ignore[no-any-return]
        except (OSError, AttributeError):
            continue
    return None


_PRCTL = _libc_prctl()  # looked up once here: the child between fork and exec only calls it


def parent_death_signal(signum: int = signal.SIGTERM) -> bool:
    """Ask Linux to send ``signum`` to this process when the thread that started it dies; False without prctl."""
    return _PRCTL is not None and int(_PRCTL(PR_SET_PDEATHSIG, signum, 0, 0, 0)) == 0


def _die_with_caller() -> Callable[[], None] | None:
    """The ``preexec_fn`` of a command: SIGTERM when its caller dies, and none at all if it already has."""
    if _PRCTL is None:
        return None
    caller = os.getpid()

    def in_child() -> None:
        parent_death_signal(signal.SIGTERM)
        if os.getppid() != caller:  # the caller died between the fork and the prctl
            os._exit(1)

    return in_child


@dataclass(frozen=True)
class Completed:
    """A command that ended with an accepted exit code. ``warned`` when the code was one of ``warn_codes``."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    duration: float
    warned: bool


class ExecuteError(Exception):
    """A command that could not start or ended with an exit code that is not accepted.

    ``message`` is for people (Indonesian / English, secrets masked); ``command`` is the masked command
    line; ``returncode`` is None when the program never ran; ``stderr_tail`` is the masked end of stderr.
    """

    def __init__(
        self,
        message: str,
        *,
        command: str,
        returncode: int | None,
        stderr_tail: str = "",
        stdout_tail: str = "",
        duration: float = 0.0,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.command = command
        self.returncode = returncode
        self.stderr_tail = stderr_tail
        self.stdout_tail = stdout_tail
        self.duration = duration

    def __str__(self) -> str:
        return self.message


class ExecuteTimeout(ExecuteError):
    """A command that overran its deadline; it was killed with its process group."""


class Masker:
    """Replaces every secret in a text with ``***``, longest first so that no part of one is left."""

    def __init__(self, secrets: Iterable[str]) -> None:
        values = {value for value in secrets if value and len(value) >= 3}
        self._values = sorted(values, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for value in self._values:
            text = text.replace(value, MASK)
        return text


def secret_env_values(env: Mapping[str, str] | None) -> list[str]:
    """The values of the variables in ``env`` whose name says that they are secret."""
    return [value for name, value in (env or {}).items() if _SECRET_ENV.search(name)]


def command_text(args: Sequence[str], *, secrets: Iterable[str] = ()) -> str:
    """The command as a person would type it, secrets masked: for logs, errors and the run's log."""
    return Masker(secrets)(shlex.join(args))


def _check_args(args: Sequence[str]) -> tuple[str, ...]:
    if isinstance(args, str | bytes):
        raise TypeError("execute: a command is a tuple of arguments, never a shell string")
    parts = tuple(args)
    if not parts:
        raise ValueError("execute: an empty command")
    for part in parts:
        if not isinstance(part, str):
            raise TypeError(f"execute: every argument is a str, got {type(part).__name__}")
    return parts


def _child_env(env: Mapping[str, str] | None) -> dict[str, str]:
    merged = dict(os.environ)
    merged.update(env or {})
    return merged


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    # The child leads its own session (start_new_session): its group holds everything it started.
    with contextlib.suppress(OSError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=_KILL_GRACE)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(OSError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _wait(process: subprocess.Popen[bytes], timeout: float) -> None:
    """Wait for the program to end, at most ``timeout`` seconds (``subprocess.TimeoutExpired`` after that).

    ``Popen.wait(timeout=...)`` sleeps in steps of up to 50 ms and so sees an exit up to 50 ms late, for
    every command (five of them in a backup run); a pidfd (Linux 5.3) is readable the moment the program
    exits. Where there is none, or the program was already reaped, ``Popen.wait`` does it."""
    try:
        fd = os.pidfd_open(process.pid) if process.returncode is None else -1
    except (AttributeError, OSError):
        fd = -1
    if fd < 0 or process.returncode is not None:  # reaped (by poll or another thread): its pid is not its own
        if fd >= 0:
            os.close(fd)
        process.wait(timeout=timeout)
        return
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        if not poller.poll(max(0.0, timeout) * 1000):
            raise subprocess.TimeoutExpired(process.args, timeout)
    finally:
        os.close(fd)
    process.wait()


def _feed_stdin(pipe: IO[bytes], data: bytes | BinaryIO) -> None:
    try:
        if isinstance(data, bytes):
            pipe.write(data)
        else:
            while chunk := data.read(1024 * 1024):
                pipe.write(chunk)
    except (BrokenPipeError, OSError):
        pass  # the program stopped reading: its exit code says why
    finally:
        with contextlib.suppress(OSError):
            pipe.close()


def _read_stderr(pipe: IO[bytes], sink: bytearray) -> None:
    for chunk in iter(lambda: pipe.read(8192), b""):
        sink.extend(chunk)
        if len(sink) > STDERR_KEEP_BYTES * 2:
            del sink[: len(sink) - STDERR_KEEP_BYTES]
    pipe.close()


def _descriptor_at_position(data: bytes | BinaryIO) -> int | None:
    """The descriptor of a real file or pipe, moved to where its reader stands (a buffered file may have read
    ahead); None for bytes and for a file object without one (BytesIO), which are fed by a thread."""
    if isinstance(data, bytes):
        return None
    try:
        fd = data.fileno()
    except (OSError, ValueError, AttributeError):
        return None
    try:
        seekable = data.seekable()
    except (OSError, ValueError):
        seekable = False
    if seekable:
        os.lseek(fd, data.tell(), os.SEEK_SET)
    return fd


_END = object()


class _Stdout:
    """Reads stdout: whole, line by line for ``on_line``, or copied to a file.

    Streamed lines go through a queue to the calling thread, which runs ``on_line``: a callback that
    writes to the database (a run's progress) uses the caller's connection and transaction, never a
    connection of its own from the reader thread.
    """

    def __init__(self, *, on_line: Callable[[str], None] | None, copy_to: BinaryIO | None) -> None:
        self.on_line = on_line
        self.copy_to = copy_to
        self.whole = bytearray()
        self.lines: deque[str] = deque(maxlen=STREAM_KEEP_LINES)
        self.queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self.error: BaseException | None = None
        self.too_long = False

    def read(self, pipe: IO[bytes], process: subprocess.Popen[bytes]) -> None:
        try:
            if self.copy_to is not None:
                for chunk in iter(lambda: pipe.read(1024 * 1024), b""):
                    self.copy_to.write(chunk)
                return
            if self.on_line is None:
                for chunk in iter(lambda: pipe.read(65536), b""):
                    if len(self.whole) + len(chunk) > MAX_CAPTURE_BYTES:
                        self.too_long = True
                        _kill_group(process)
                        break
                    self.whole.extend(chunk)
                return
            for raw in iter(pipe.readline, b""):
                self.queue.put(raw.decode("utf-8", errors="replace").rstrip("\r\n"))
        except BaseException as exc:
            self.error = exc
            _kill_group(process)
        finally:
            if self.on_line is not None:
                self.queue.put(_END)
            with contextlib.suppress(OSError):
                pipe.close()

    def pump(self, process: subprocess.Popen[bytes], deadline: float) -> bool:
        """In the calling thread: hand each line to ``on_line`` until stdout ends; False past the deadline.

        A failing callback stops the command (its whole group is killed) and its exception is raised by
        :func:`run`, never a hang. A program that has exited while a child of its own still holds stdout
        open gets the usual grace, as when stdout is not streamed.
        """
        assert self.on_line is not None
        exited_at: float | None = None
        while True:
            now = time.monotonic()
            if now >= deadline:
                return False
            if exited_at is None and process.poll() is not None:
                exited_at = now
            if exited_at is not None and now - exited_at > _KILL_GRACE:
                return True
            try:
                item = self.queue.get(timeout=min(deadline - now, 0.25))
            except queue.Empty:
                continue
            if item is _END:
                return True
            line = str(item)
            self.lines.append(line)
            try:
                self.on_line(line)
            except BaseException as exc:
                self.error = exc
                _kill_group(process)
                return True

    def text(self) -> str:
        if self.copy_to is not None:
            return ""
        if self.on_line is None:
            return self.whole.decode("utf-8", errors="replace")
        return "\n".join(self.lines)


def _tail(text: str, limit: int = STDERR_TAIL_CHARS) -> str:
    text = text.strip()
    return text if len(text) <= limit else "…" + text[-limit:]


def run(
    args: Sequence[str],
    *,
    timeout: float,
    env: Mapping[str, str] | None = None,
    secrets: Iterable[str] = (),
    cwd: str | Path | None = None,
    stdin: bytes | str | BinaryIO | None = None,
    on_line: Callable[[str], None] | None = None,
    ok_codes: Iterable[int] = (0,),
    warn_codes: Iterable[int] = (),
    stdout_to: str | Path | BinaryIO | None = None,
) -> Completed:
    """Run one program to its end and interpret its exit code; see the module's documentation.

    ``env`` is added to Jaga's own environment. ``stdin`` is bytes, a str (UTF-8) or a binary file: a file
    with a descriptor is the program's stdin from the reader's position on, another is copied.
    ``stdout_to`` (a path, opened for writing, or a binary file) takes stdout instead of capturing it.
    ``on_line`` gets each stdout line without its newline.
    """
    parts = _check_args(args)
    if on_line is not None and stdout_to is not None:
        raise ValueError("execute: on_line and stdout_to are exclusive")
    mask = Masker([*secrets, *secret_env_values(env)])
    shown = mask(shlex.join(parts))
    ok, warn = frozenset(ok_codes), frozenset(warn_codes)
    stdin_data: bytes | BinaryIO | None = stdin.encode() if isinstance(stdin, str) else stdin
    # A file with a descriptor (a dump to load, the read end of a pipe) is the program's stdin itself: copying
    # it through a thread of this process would cost two copies of every byte (a gigabyte for an export).
    direct_in = _descriptor_at_position(stdin_data) if stdin_data is not None else None
    if direct_in is not None:
        stdin_data = None

    out_file: BinaryIO | None = None
    close_out = False
    if isinstance(stdout_to, str | Path):
        out_file = open(stdout_to, "wb")  # noqa: SIM115 (closed below, after the program ends)
        close_out = True
    elif stdout_to is not None:
        out_file = stdout_to

    # A file with a descriptor (a real file) takes stdout directly; another (BytesIO) is copied to.
    direct_out: BinaryIO | None = None
    if out_file is not None:
        try:
            out_file.fileno()
            direct_out = out_file
        except (OSError, ValueError, AttributeError):
            direct_out = None

    logger.debug("menjalankan / running: %s", shown)
    started = time.monotonic()
    try:
        try:
            process = subprocess.Popen(
                parts,
                stdin=direct_in
                if direct_in is not None
                else subprocess.PIPE
                if stdin_data is not None
                else subprocess.DEVNULL,
                stdout=direct_out if direct_out is not None else subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=_child_env(env),
                cwd=cwd,
                start_new_session=True,
                preexec_fn=_die_with_caller(),  # only prctl and getppid run in the child
            )
        except OSError as exc:
            reason = mask(exc.strerror or str(exc))
            message = (
                f"Perintah {parts[0]} tidak dapat dijalankan ({reason}) / "
                f"command {parts[0]} could not be started ({reason}): {shown}"
            )
            logger.warning("%s", message)
            raise ExecuteError(message, command=shown, returncode=None) from None

        stderr_buf = bytearray()
        reader = _Stdout(on_line=on_line, copy_to=out_file if direct_out is None else None)
        threads = [threading.Thread(target=_read_stderr, args=(process.stderr, stderr_buf), daemon=True)]
        if direct_out is None:
            threads.append(threading.Thread(target=reader.read, args=(process.stdout, process), daemon=True))
        if stdin_data is not None:
            threads.append(threading.Thread(target=_feed_stdin, args=(process.stdin, stdin_data), daemon=True))
        for thread in threads:
            thread.start()

        timed_out = False
        try:
            if on_line is not None and direct_out is None and not reader.pump(process, started + timeout):
                raise subprocess.TimeoutExpired(parts, timeout)
            _wait(process, max(0.0, started + timeout - time.monotonic()))
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(process)
        except BaseException:
            # Ctrl-C, SIGTERM turned into an exception: no program is left running behind Jaga's back.
            _kill_group(process)
            raise
        for thread in threads:
            thread.join(timeout=_KILL_GRACE)
    finally:
        if close_out and out_file is not None:
            out_file.close()

    duration = time.monotonic() - started
    stdout_text = mask(reader.text())
    stderr_text = mask(stderr_buf[-STDERR_KEEP_BYTES:].decode("utf-8", errors="replace"))
    if reader.error is not None:
        raise reader.error
    code = process.returncode

    if timed_out:
        message = (
            f"Perintah melewati batas waktu {timeout:g} d dan dihentikan / "
            f"command exceeded its {timeout:g} s limit and was stopped: {shown}"
        )
        logger.warning("%s", message)
        raise ExecuteTimeout(
            message,
            command=shown,
            returncode=code,
            stderr_tail=_tail(stderr_text),
            stdout_tail=_tail(stdout_text),
            duration=duration,
        )
    if reader.too_long:
        limit = MAX_CAPTURE_BYTES // (1024 * 1024)
        message = (
            f"Keluaran perintah melebihi {limit} MB dan perintah dihentikan / "
            f"command output exceeded {limit} MB and the command was stopped: {shown}"
        )
        raise ExecuteError(message, command=shown, returncode=code, stderr_tail=_tail(stderr_text), duration=duration)
    if code in ok or code in warn:
        if code in warn:
            logger.warning("perintah selesai dengan peringatan / command ended with a warning (%s): %s", code, shown)
        return Completed(
            args=parts, returncode=code, stdout=stdout_text, stderr=stderr_text, duration=duration, warned=code in warn
        )

    tail = _tail(stderr_text) or _tail(stdout_text)
    how = f"sinyal {-code} / signal {-code}" if code < 0 else f"kode {code} / exit code {code}"
    message = f"Perintah gagal ({how}): {shown}" + (f"\n{tail}" if tail else "")
    logger.warning("%s", message)
    raise ExecuteError(
        message,
        command=shown,
        returncode=code,
        stderr_tail=_tail(stderr_text),
        stdout_tail=_tail(stdout_text),
        duration=duration,
    )


def start(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
    merge_stderr: bool = True,
    capture: bool = True,
    secrets: Iterable[str] = (),
    die_with_caller: bool = False,
) -> subprocess.Popen[bytes]:
    """Start a program that is supervised, not waited for: a ``jaga up`` child, a test's sshd, an SSH tunnel.

    It runs in its own session (so a Ctrl-C in the terminal reaches only Jaga, and :func:`stop` takes its
    whole group), with stdin closed and, by default, stdout and stderr in one pipe. ``env`` replaces the
    environment when given. ``die_with_caller``: Linux sends it SIGTERM when the starting thread dies, even
    by SIGKILL (a tunnel must not outlive the backup that opened it). Raises :class:`ExecuteError` when it
    cannot start.
    """
    parts = _check_args(args)
    mask = Masker([*secrets, *secret_env_values(env)])
    shown = mask(shlex.join(parts))
    logger.debug("memulai / starting: %s", shown)
    try:
        return subprocess.Popen(
            parts,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
            stderr=(subprocess.STDOUT if merge_stderr else subprocess.PIPE) if capture else subprocess.DEVNULL,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
            preexec_fn=_die_with_caller() if die_with_caller else None,  # only prctl and getppid run in the child
        )
    except OSError as exc:
        reason = mask(exc.strerror or str(exc))
        message = (
            f"Perintah {parts[0]} tidak dapat dijalankan ({reason}) / "
            f"command {parts[0]} could not be started ({reason}): {shown}"
        )
        raise ExecuteError(message, command=shown, returncode=None) from None


def stop(process: subprocess.Popen[bytes], *, timeout: float = 10.0) -> int:
    """SIGTERM to the process, then SIGKILL to its whole group after ``timeout``; returns its exit code."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(process)
    return process.returncode


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL to the process's group (it leads its own session, so grandchildren go too) and wait."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        with contextlib.suppress(OSError):
            process.kill()
    process.wait()


TimeoutExpired = subprocess.TimeoutExpired
# A started program, for the callers that keep one (the supervisor); they never import subprocess themselves.
Process = subprocess.Popen[bytes]
