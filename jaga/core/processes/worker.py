"""``jaga worker``: django-tasks-db's worker on every queue.

On the first SIGTERM or Ctrl-C it finishes the task it is running and exits; when idle it exits at once.
"""

from __future__ import annotations

import logging
import os
import socket

from django_tasks_db.management.commands.db_worker import Worker

from jaga.core.dbcheck import check_database

logger = logging.getLogger("jaga.worker")


def worker_run(*, interval: float = 1.0, batch: bool = False, max_tasks: int | None = None) -> None:
    check_database()
    worker_id = f"{socket.gethostname()}-{os.getpid()}"[-64:]
    worker = Worker(
        queue_names=["*"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=not batch,
        max_tasks=max_tasks,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    worker.configure_signals()
    logger.info("worker %s mulai (semua antrean) / worker %s started (all queues)", worker_id, worker_id)
    try:
        worker.run()
    finally:
        worker.reset_signals()
    logger.info("worker %s berhenti / worker %s stopped", worker_id, worker_id)
