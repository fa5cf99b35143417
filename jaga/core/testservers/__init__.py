"""Real servers on loopback for the tests of every app (OpenSSH, an S3-compatible store): started by a test,
stopped at its end. The fixtures that use them are in the root ``conftest.py``."""

from __future__ import annotations

import socket
import time
from collections.abc import Mapping, Sequence

from jaga.core import execute


def server_started(
    args: Sequence[str], port: int, *, name: str, timeout: float = 30, env: Mapping[str, str] | None = None
) -> execute.Process:
    """``args`` (a server told to listen on 127.0.0.1:``port``) started with :func:`execute.start`, returned
    once it accepts a connection there; when it exits first or never listens, the error holds its output."""
    process = execute.start(args, env=env)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process
        except OSError:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                raise RuntimeError(f"{name} did not start: {output}") from None
            time.sleep(0.05)
    execute.stop(process)
    raise RuntimeError(f"{name} did not listen on port {port} within {timeout:.0f} s")
