"""A child of ``jaga up`` dies with its supervisor, even when the supervisor is killed with SIGKILL.

The supervisor names itself in the child's environment (``SUPERVISOR_ENV``). At start the child
(``jaga/cli.py``) calls :func:`lifeline_hold`, which

- asks Linux for SIGTERM when its parent dies (``prctl(PR_SET_PDEATHSIG)`` through ctypes), and checks that
  the parent is still the supervisor (it may have died between the fork and the prctl);
- watches the parent in a thread, once a second, for systems without prctl and as a second line: when the
  parent is gone it sends itself SIGTERM (only without prctl: a second SIGTERM would cut the worker's task
  off) and, if it is still there after ``grace`` seconds, ends at once. The process stops as it would under
  Ctrl-C: the worker finishes its task, the web its requests. A job cut off by the end of the grace is
  queued again by the next worker, as after any kill.

The variable is removed from the environment at once, so the programs this process starts (restic,
pg_dump, another ``jaga``) are not tied to a supervisor that is not their parent.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time

from jaga.core.execute import parent_death_signal

logger = logging.getLogger("jaga.up")

SUPERVISOR_ENV = "JAGA_SUPERVISOR_PID"


def _say_orphaned(pid: int) -> None:
    logger.warning(
        "supervisor jaga up (pid %d) sudah tidak ada; proses ini berhenti / jaga up (pid %d) is gone; stopping",
        pid,
        pid,
    )


def _watch(supervisor: int, grace: float, interval: float, signalled: bool) -> None:
    while os.getppid() == supervisor:
        time.sleep(interval)
    _say_orphaned(supervisor)
    if not signalled:  # Linux sent the SIGTERM already when prctl took
        with contextlib.suppress(OSError):
            os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(grace)
    os._exit(1)  # still here: nothing else would ever stop it


def lifeline_hold(*, grace: float = 10.0, interval: float = 1.0) -> bool:
    """Tie this process's life to the supervisor named in the environment; False when there is none."""
    raw = os.environ.pop(SUPERVISOR_ENV, "")
    if not raw.isdigit():
        return False
    supervisor = int(raw)
    signalled = parent_death_signal(signal.SIGTERM)
    if os.getppid() != supervisor:  # it died before the prctl took effect
        _say_orphaned(supervisor)
        raise SystemExit(1)
    threading.Thread(target=_watch, args=(supervisor, grace, interval, signalled), daemon=True, name="lifeline").start()
    return True
