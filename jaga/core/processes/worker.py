"""``jaga worker``: django-tasks-db's worker on the queues it is given (all of them by default).

``jaga up`` runs one worker for the quick queue (notifications, rollups, diagnostics, the sweeps) beside
one for the long queue (backups, log ingestion, reports, look-ups), so that a one-hour backup never holds
an outage alert back. A worker registers itself and keeps a heartbeat (:mod:`jaga.core.liveness`); at
start it takes back the work of workers that died (their running tasks re-queued, their open ledger
entries marked interrupted).

On the first SIGTERM or Ctrl-C it finishes the task it is running and exits; when idle it exits at once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings
from django_tasks_db.management.commands.db_worker import Worker

from jaga.conf import StartupError
from jaga.core.dbcheck import check_database
from jaga.core.liveness import Heartbeat, process_register, process_stopped, sweeps_run
from jaga.core.processes.actor import process_actor

logger = logging.getLogger("jaga.worker")


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


def worker_run(
    *, queues: Sequence[str] = ("*",), interval: float = 1.0, batch: bool = False, max_tasks: int | None = None
) -> None:
    check_database()
    names = worker_queues_check(queues)
    shown = ", ".join(names) if names != ["*"] else "semua / all"
    identity = process_register(role="worker", queues=names)
    heartbeat = Heartbeat(identity)
    heartbeat.start()
    worker = Worker(
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
            worker.run()
    finally:  # also on the SystemExit with which an idle worker leaves at SIGTERM
        worker.reset_signals()
        heartbeat.stop()
        process_stopped(identity=identity)
        logger.info("worker %s berhenti / worker %s stopped", identity.process_id, identity.process_id)
