"""``jaga worker``: django-tasks-db's worker on the queues it is given (all of them by default).

``jaga up`` runs one worker for the quick queue (notifications, rollups, diagnostics, the sweeps) beside
one for the long queue (backups, log ingestion, reports, look-ups), so that a one-hour backup never holds
an outage alert back. A worker registers itself and keeps a heartbeat (:mod:`jaga.core.liveness`); at
start it takes back the work of workers that died (their running tasks re-queued, their open ledger
entries marked interrupted).

On the first SIGTERM or Ctrl-C it finishes the task it is running and exits; when idle it exits at once.
A second signal cuts the task off and queues it again (django-tasks' own worker marks it failed, and a
task lost that way was the one loss the crash-safety benchmark found when ``jaga up`` was killed).
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Sequence
from types import FrameType
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from jaga.conf import StartupError
from jaga.core.dbcheck import check_database
from jaga.core.liveness import Heartbeat, process_register, process_stopped, sweeps_run
from jaga.core.processes.actor import process_actor
from jaga.core.storage import disk_full

logger = logging.getLogger("jaga.worker")


class TaskInterrupted(SystemExit):
    """Raised in the running task by a second stop signal: the task is queued again, not failed."""


class JagaWorker(Worker):
    """django-tasks-db's worker, except that a second stop signal re-queues the task it cuts off, and a full
    disk makes it wait (see :func:`_run_through_full_disk`)."""

    current: Any = None  # the task being run, from taking it until its result is stored

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if self.running or not self.running_task:
            super().shutdown(signum, frame)  # the first signal: finish the task; idle: leave at once
            return
        logger.warning(
            "%s lagi: tugas yang berjalan dihentikan dan diantrekan lagi / %s again: the running task is "
            "stopped and queued again",
            signal.strsignal(signum),
            signal.strsignal(signum),
        )
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT):
            signal.signal(number, signal.SIG_IGN)  # a third signal must not cut off the re-queueing itself
        raise TaskInterrupted(1)

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        fail = db_task_result.set_failed

        def set_failed(exc: BaseException) -> None:
            if isinstance(exc, TaskInterrupted):
                task_requeue(db_task_result)
            else:
                fail(exc)

        db_task_result.set_failed = set_failed  # type: ignore[method-assign]
        self.current = db_task_result
        super().run_task(db_task_result)
        self.current = None  # not on an exception: the task's result is not stored


def _requeued(result: Any) -> int:
    """Set a task still running back to ready: how many rows (0 when it is not running any more)."""
    return int(
        DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY, started_at=None
        )
    )


def task_requeue(result: Any) -> bool:
    """Put a task this worker was running back in the queue; False when the database said no (the sweep of
    the next worker re-queues it then: its worker is dead)."""
    try:
        done = _requeued(result)
    except Exception:
        logger.exception("tugas %s tidak dapat diantrekan lagi / task %s could not be re-queued", result.pk, result.pk)
        return False
    logger.warning("tugas %s (%s) diantrekan lagi / task %s re-queued", result.pk, result.task_path, result.pk)
    return bool(done)


def queues_known() -> list[str]:
    return list(settings.TASKS["default"].get("QUEUES") or [])


def worker_queues_check(queues: Sequence[str]) -> list[str]:
    """The queue names to serve (``*`` is every queue); a StartupError names an unknown one."""
    names = [name.strip() for value in queues for name in value.split(",") if name.strip()] or ["*"]
    unknown = [name for name in names if name != "*" and name not in queues_known()]
    if unknown:
        known = ", ".join(queues_known())
        raise StartupError(
            f"antrean tidak dikenal: {', '.join(unknown)}; pilih dari {known} atau * / "
            f"unknown queue {', '.join(unknown)}; choose from {known} or *"
        )
    return names


DISK_FULL_WAIT_INTERVALS = 5  # a worker that cannot take a task on a full disk tries again after 5 intervals


def _run_through_full_disk(worker: JagaWorker, *, wait: float) -> None:
    """``worker.run()``, waiting out a full disk, as its heartbeat does, instead of exiting and failing again at
    each restart: taking a task writes to the database (and SQLite's exclusive transaction to its journal), and
    so does storing a task's result. A task whose result could not be stored (its own writes failed too) is
    queued again once the disk has room, and runs again; then the worker carries on."""
    while True:
        try:
            worker.run()
            return
        except DatabaseError as exc:
            if not disk_full(exc):
                raise
            task, worker.current = worker.current, None
            logger.warning(
                "disk penuh, %s: dicoba lagi dalam %.0f detik / the disk is full, %s: trying again in %.0f s (%s)",
                f"tugas {task.pk} diantrekan lagi begitu ada ruang" if task else "tugas tidak dapat diambil",
                wait,
                f"task {task.pk} is queued again once there is room" if task else "no task can be taken",
                wait,
                exc,
            )
        # Outside the handler: a later error is judged on its own, not on this one (its context).
        close_old_connections()
        time.sleep(wait)
        if task is not None:
            _requeue_when_there_is_room(task, wait=wait)


def _requeue_when_there_is_room(task: Any, *, wait: float) -> None:
    """Put ``task`` (this worker's, still running in the database) back in the queue, waiting out the full disk."""
    while True:
        try:
            _requeued(task)
            return
        except DatabaseError as exc:
            if not disk_full(exc):
                raise
        close_old_connections()
        time.sleep(wait)


def worker_run(
    *, queues: Sequence[str] = ("*",), interval: float = 1.0, batch: bool = False, max_tasks: int | None = None
) -> None:
    check_database()
    names = worker_queues_check(queues)
    shown = ", ".join(names) if names != ["*"] else "semua / all"
    identity = process_register(role="worker", queues=names)
    heartbeat = Heartbeat(identity)
    heartbeat.start()
    worker = JagaWorker(
        queue_names=names,
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=not batch,
        max_tasks=max_tasks,
        worker_id=identity.process_id,
        excluded_queue_names=[],
    )
    worker.configure_signals()
    logger.info("worker %s mulai, antrean %s / worker started, queues %s", identity.process_id, shown, shown)
    try:
        with process_actor("worker"):
            sweeps_run()  # the work of workers that died: their tasks run again, their ledger entries interrupted
            _run_through_full_disk(worker, wait=max(interval, 1.0) * DISK_FULL_WAIT_INTERVALS)
    finally:  # also on the SystemExit with which an idle worker leaves at SIGTERM
        worker.reset_signals()
        heartbeat.stop()
        process_stopped(identity=identity)
        logger.info("worker %s berhenti / worker %s stopped", identity.process_id, identity.process_id)
