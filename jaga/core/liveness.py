"""Whose work is this, and is that process still alive? So that work of a process that died is never lost.

Every worker registers itself (:func:`process_register`, a :class:`~jaga.core.models.ProcessBeat` row) and
renews a heartbeat every ``JAGA_HEARTBEAT_SECONDS`` (10) from a thread, even while a one-hour backup keeps its
main thread busy. Work records its owner: django-tasks-db keeps the worker id of a running task, and a
ledger entry opened with ``ledger_open`` keeps :func:`process_identity`. The owner is dead
(:func:`process_verdict`) when

- it stopped (the row says so), or it ran on this machine and its PID is gone (seen at once), or
- its heartbeat is older than :data:`STALE_AFTER` (another machine, a hung process, a reused PID), or
- it never registered (a command, a test) and either ran on this machine with its PID gone, or started on
  another machine more than :data:`UNKNOWN_OWNER_AFTER` ago.

The sweeps (:func:`sweeps_run`) run when a worker starts and every minute on the quick queue: they re-queue
a dead worker's running task (:func:`tasks_requeue_lost`; after :data:`TASK_ATTEMPTS` workers died on it,
it is marked failed instead), and run each app's registered sweep (:func:`sweep_register`; the sop app
marks a dead owner's open ledger entries as interrupted).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.utils import DatabaseError
from django.utils.module_loading import import_string
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from jaga.core import clock
from jaga.core.models import ProcessBeat

logger = logging.getLogger("jaga.liveness")

STALE_AFTER = timedelta(seconds=60)  # six missed heartbeats
UNKNOWN_OWNER_AFTER = timedelta(hours=24)
TASK_ATTEMPTS = 3  # workers that may die on one task before it is marked failed rather than run again
FORGET_STOPPED_AFTER = timedelta(days=7)
SWEEP_EVERY_SECONDS = 60


@dataclass(frozen=True)
class ProcessIdentity:
    """Who runs this code: a registered process (a worker) or, unregistered, this host and PID."""

    process_id: str
    host: str
    pid: int
    registered: bool = False


_current: ProcessIdentity | None = None


def this_host() -> str:
    return socket.gethostname()


def process_identity() -> ProcessIdentity:
    """The current process: the worker's registered identity, else ``host:pid`` (a command, the web, a test)."""
    if _current is not None and _current.pid == os.getpid():
        return _current
    host = this_host()
    return ProcessIdentity(process_id=f"{host[:50]}:{os.getpid()}", host=host, pid=os.getpid())


def process_register(*, role: str, queues: Sequence[str] = ()) -> ProcessIdentity:
    """Register this process (its row and identity); call :class:`Heartbeat` to keep it alive."""
    global _current
    host, pid, now = this_host(), os.getpid(), clock.now()
    # Unique across machines and restarts, and within django-tasks-db's 64 characters for a worker id.
    process_id = f"{role[:10]}:{host[:36]}:{pid}:{secrets.token_hex(3)}"
    ProcessBeat.objects.create(
        process_id=process_id, role=role, host=host, pid=pid, queues=list(queues), started_at=now, beat_at=now
    )
    _current = ProcessIdentity(process_id=process_id, host=host, pid=pid, registered=True)
    return _current


def process_beat(*, identity: ProcessIdentity) -> None:
    ProcessBeat.objects.filter(process_id=identity.process_id).update(beat_at=clock.now())


def process_stopped(*, identity: ProcessIdentity) -> None:
    global _current
    ProcessBeat.objects.filter(process_id=identity.process_id).update(stopped_at=clock.now())
    if _current == identity:
        _current = None


class Heartbeat:
    """A daemon thread that renews the process's heartbeat until :meth:`stop`; a database error is waited out."""

    def __init__(self, identity: ProcessIdentity, *, interval: float | None = None) -> None:
        self.identity = identity
        self.interval = float(settings.JAGA_HEARTBEAT_SECONDS) if interval is None else interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="jaga-heartbeat")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 5)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    close_old_connections()
                    process_beat(identity=self.identity)
                except DatabaseError as exc:
                    logger.warning("tanda hidup tidak tersimpan / heartbeat not stored: %s", exc)
        finally:
            connection.close()


def pid_running(pid: int) -> bool:
    """Whether a process with ``pid`` runs on this machine (a zombie, killed but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: it exists
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in {"Z", "X"}


@dataclass(frozen=True)
class Verdict:
    dead: bool
    last_seen: datetime | None = None  # when the owner was last known to be alive
    reason: str = ""


def process_verdict(
    *, process_id: str, host: str = "", pid: int | None = None, since: datetime | None, now: datetime
) -> Verdict:
    """Whether the owner of work that started at ``since`` is dead; see the module's description."""
    row = ProcessBeat.objects.filter(process_id=process_id).first() if process_id else None
    if row is not None:
        if row.stopped_at is not None:
            return Verdict(True, row.stopped_at, f"proses {process_id} sudah berhenti / process {process_id} stopped")
        if row.host == this_host() and not pid_running(row.pid):
            return Verdict(
                True,
                row.beat_at,
                f"proses {process_id} (PID {row.pid}) tidak lagi berjalan di {row.host} / is no longer running",
            )
        if row.beat_at < now - STALE_AFTER:
            return Verdict(
                True,
                row.beat_at,
                f"proses {process_id} tidak memberi tanda hidup sejak {row.beat_at:%Y-%m-%d %H:%M:%S} UTC / "
                f"no heartbeat since then",
            )
        return Verdict(False, row.beat_at)
    if host and host == this_host() and pid:
        if pid_running(pid):
            return Verdict(False, since)
        return Verdict(True, since, f"PID {pid} tidak lagi berjalan di {host} / PID {pid} is no longer running")
    if since is not None and since < now - UNKNOWN_OWNER_AFTER:
        return Verdict(
            True, since, f"pemilik {process_id or '?'} tidak dikenal dan tidak selesai dalam 24 jam / unknown owner"
        )
    return Verdict(False, since)


# --- tasks left running by a dead worker ------------------------------------------------------------------


class WorkerLost(Exception):
    """Recorded on a task whose workers died on it :data:`TASK_ATTEMPTS` times."""


@dataclass
class TaskSweep:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def tasks_requeue_lost(*, now: datetime | None = None) -> TaskSweep:
    """Give every task that a dead worker left "running" to another worker (or fail it after too many deaths)."""
    now = now or clock.now()
    sweep = TaskSweep()
    for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).order_by("started_at"):
        worker_ids = list(result.worker_ids or [])
        verdict = process_verdict(process_id=worker_ids[-1] if worker_ids else "", since=result.started_at, now=now)
        if not verdict.dead:
            continue
        # Conditional on the claim we saw, so that two sweeping workers act on it once.
        claim = DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at)
        if len(worker_ids) >= TASK_ATTEMPTS:
            done = claim.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=(
                    f"{len(worker_ids)} worker berhenti saat menjalankan tugas ini; tidak dicoba lagi / "
                    f"{len(worker_ids)} workers died running this task; not tried again.\n{verdict.reason}\n"
                ),
            )
            if done:
                sweep.failed.append(str(result.pk))
                logger.error(
                    "tugas %s (%s) gagal: %d worker berhenti saat menjalankannya / task failed: %d workers died on it",
                    result.pk,
                    result.task_path,
                    len(worker_ids),
                    len(worker_ids),
                )
            continue
        if claim.update(status=TaskResultStatus.READY, started_at=None):
            sweep.requeued.append(str(result.pk))
            logger.warning(
                "tugas %s (%s) diantrekan lagi: %s / task re-queued",
                result.pk,
                result.task_path,
                verdict.reason,
            )
    return sweep


# --- the sweeps ------------------------------------------------------------------------------------------

_SWEEPS: list[str] = []


def sweep_register(path: str) -> None:
    """From an app's ``ready()``: ``path`` names ``function(*, now)`` that takes back work of dead processes."""
    if path not in _SWEEPS:
        _SWEEPS.append(path)


def sweeps_registered() -> tuple[str, ...]:
    return tuple(_SWEEPS)


def sweeps_run(*, now: datetime | None = None) -> list[str]:
    """Re-queue dead workers' tasks, then run every app's sweep; returns the sweeps that failed (logged)."""
    now = now or clock.now()
    failed: list[str] = []
    for path in ("jaga.core.liveness.tasks_requeue_lost", *_SWEEPS):
        try:
            import_string(path)(now=now)
        except Exception:
            logger.exception("penyapuan %s gagal / sweep %s failed", path, path)
            failed.append(path)
    with transaction.atomic():
        ProcessBeat.objects.filter(beat_at__lt=now - FORGET_STOPPED_AFTER).delete()
    return failed


def liveness_schedules_ensure() -> None:
    """The sweeps every minute on the quick queue (beside the sweep at each worker's start)."""
    from jaga.core.scheduling import schedule_ensure

    schedule_ensure(
        key="core.sweeps", task_path="jaga.core.tasks_liveness.sweeps_task", interval_seconds=SWEEP_EVERY_SECONDS
    )
