"""``jaga scheduler``: every JAGA_SCHEDULER_INTERVAL seconds, claim the due schedules and enqueue their tasks."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from django.db import close_old_connections
from django.db.utils import DatabaseError

from jaga.core import clock
from jaga.core.dbcheck import check_database, describe_database_error
from jaga.core.processes.actor import process_actor
from jaga.core.scheduling import ScheduleRun, schedule_claim_due, schedules_declare_startup

logger = logging.getLogger("jaga.scheduler")


def scheduler_pass() -> list[ScheduleRun]:
    close_old_connections()
    return schedule_claim_due(now=clock.now())


def scheduler_run(*, interval: float, once: bool = False, stop: threading.Event | None = None) -> None:
    """Loop until SIGTERM/Ctrl-C (or ``stop`` is set). A database outage is logged and waited out."""
    with process_actor("scheduler"):
        _scheduler_loop(interval=interval, once=once, stop=stop or threading.Event())


def _scheduler_loop(*, interval: float, once: bool, stop: threading.Event) -> None:
    check_database()
    schedules_declare_startup()
    if threading.current_thread() is threading.main_thread():

        def request_stop(signum: int, frame: FrameType | None) -> None:
            name = signal.Signals(signum).name
            logger.info("scheduler menerima %s, berhenti / scheduler got %s, stopping", name, name)
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
    if not once:
        logger.info("scheduler mulai, setiap %s d / scheduler started, every %s s", interval, interval)
    while True:
        try:
            runs = scheduler_pass()
        except DatabaseError as exc:
            if once:
                raise
            logger.error("%s", describe_database_error(exc))
        else:
            enqueued = sum(1 for run in runs if run.task_id)
            if enqueued or once:
                logger.info("%d tugas diantrekan / %d tasks enqueued", enqueued, enqueued)
        if once or stop.wait(interval):
            break
    close_old_connections()
