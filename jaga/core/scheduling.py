"""Schedules: recurring jobs that ``jaga scheduler`` turns into django-tasks at their due time.

Other apps call :func:`schedule_ensure` to declare a recurring job (idempotent). The scheduler calls
:func:`schedule_claim_due`, which claims each due schedule with a conditional UPDATE on ``next_run_at``
and enqueues its task in the same transaction, so that any number of schedulers, on any number of
machines, enqueue each due run exactly once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string
from django_tasks.base import Task

from jaga.core import clock
from jaga.core.models import Institution, Schedule

logger = logging.getLogger("jaga.scheduler")

# A schedule whose task cannot be enqueued is retried after this long (or its interval, if shorter),
# so that a bad row neither blocks the loop nor fills the log every few seconds.
RETRY_BAD_SCHEDULE_SECONDS = 300


# Recurring jobs that exist whatever the data: the function of each app that declares its own (idempotent,
# through schedule_ensure). The scheduler calls them all when it starts; add one line per app.
STARTUP_DECLARATIONS: tuple[str, ...] = ("jaga.monitoring.tasks_rollups.rollup_schedules_ensure",)


class ScheduleError(Exception):
    """A schedule that cannot be run as declared (unknown task path, not a task, bad arguments)."""


@dataclass(frozen=True)
class DueSchedule:
    """What a scheduler read about one due schedule; the claim is valid only if ``next_run_at`` is unchanged."""

    id: int
    key: str
    task_path: str
    kwargs: dict[str, Any]
    interval_seconds: int
    next_run_at: datetime


@dataclass(frozen=True)
class ScheduleRun:
    """The outcome of one claim attempt. ``claimed`` False means another scheduler owned it."""

    key: str
    claimed: bool
    task_id: str = ""
    error: str = ""


def schedule_ensure(
    *,
    key: str,
    task_path: str,
    interval_seconds: int,
    kwargs: dict[str, Any] | None = None,
    institution: Institution | None = None,
    first_run_at: datetime | None = None,
) -> Schedule:
    """Create or update the schedule ``key``. Calling it again with the same values changes nothing.

    ``first_run_at`` (default: now) is used only when the schedule is created, or when the interval
    changes, so that re-declaring a schedule at every start does not postpone it forever.
    """
    if interval_seconds < 1:
        raise ValueError(f"schedule {key}: interval_seconds harus lebih dari 0 / must be greater than 0")
    kwargs = dict(kwargs or {})
    with transaction.atomic():
        schedule, created = Schedule.objects.select_for_update().get_or_create(
            key=key,
            defaults={
                "task_path": task_path,
                "interval_seconds": interval_seconds,
                "kwargs": kwargs,
                "institution": institution,
                "next_run_at": first_run_at or clock.now(),
            },
        )
        if created:
            return schedule
        changed: list[str] = []
        if schedule.interval_seconds != interval_seconds:
            schedule.interval_seconds = interval_seconds
            schedule.next_run_at = first_run_at or clock.now()
            changed += ["interval_seconds", "next_run_at"]
        for field, value in (("task_path", task_path), ("kwargs", kwargs)):
            if getattr(schedule, field) != value:
                setattr(schedule, field, value)
                changed.append(field)
        if schedule.institution_id != (institution.pk if institution is not None else None):
            schedule.institution = institution
            changed.append("institution")
        if changed:
            schedule.save(update_fields=changed)
        return schedule


def schedule_next_run(*, previous: datetime, interval_seconds: int, now: datetime) -> datetime:
    """The first run after ``now`` on the schedule's grid; missed runs are skipped, not caught up."""
    interval = timedelta(seconds=interval_seconds)
    nxt = previous + interval
    if nxt <= now:
        missed = (now - previous) // interval
        nxt = previous + interval * (missed + 1)
    return nxt


def schedule_list_due(*, now: datetime, limit: int = 500) -> list[DueSchedule]:
    """Enabled schedules whose ``next_run_at`` has come, oldest first."""
    rows = Schedule.objects.filter(enabled=True, next_run_at__lte=now).order_by("next_run_at")[:limit]
    return [
        DueSchedule(
            id=row.pk,
            key=row.key,
            task_path=row.task_path,
            kwargs=dict(row.kwargs or {}),
            interval_seconds=row.interval_seconds,
            next_run_at=row.next_run_at,
        )
        for row in rows
    ]


def schedule_task_resolve(*, task_path: str) -> Task[Any, Any]:
    try:
        task = import_string(task_path)
    except ImportError as exc:
        raise ScheduleError(f"tugas {task_path!r} tidak ditemukan / task not found: {exc}") from None
    if not isinstance(task, Task):
        raise ScheduleError(f"{task_path!r} bukan tugas django-tasks (@task) / is not a django-tasks task")
    return task


def schedule_claim(*, due: DueSchedule, now: datetime) -> ScheduleRun:
    """Claim one due schedule and enqueue its task, or push it back if it cannot be enqueued."""
    next_run_at = schedule_next_run(previous=due.next_run_at, interval_seconds=due.interval_seconds, now=now)
    try:
        task = schedule_task_resolve(task_path=due.task_path)
        with transaction.atomic():
            # The conditional UPDATE is the claim: only one scheduler sees rowcount 1 for this value.
            claimed = Schedule.objects.filter(pk=due.id, next_run_at=due.next_run_at).update(
                next_run_at=next_run_at, last_run_at=now
            )
            if claimed != 1:
                return ScheduleRun(key=due.key, claimed=False)
            result = task.enqueue(**due.kwargs)
            Schedule.objects.filter(pk=due.id).update(last_enqueued_id=str(result.id))
    except Exception as exc:  # a bad schedule must not stop the loop
        retry_at = now + timedelta(seconds=min(due.interval_seconds, RETRY_BAD_SCHEDULE_SECONDS))
        pushed = Schedule.objects.filter(pk=due.id, next_run_at=due.next_run_at).update(next_run_at=retry_at)
        if not pushed:
            return ScheduleRun(key=due.key, claimed=False)
        message = str(exc) if isinstance(exc, ScheduleError) else f"{type(exc).__name__}: {exc}"
        logger.error(
            "jadwal %s gagal dijalankan, dicoba lagi %s / schedule %s failed, retrying at %s: %s",
            due.key,
            retry_at.isoformat(timespec="seconds"),
            due.key,
            retry_at.isoformat(timespec="seconds"),
            message,
        )
        return ScheduleRun(key=due.key, claimed=True, error=message)
    logger.info(
        "jadwal %s: tugas %s diantrekan / schedule %s: task %s enqueued", due.key, result.id, due.key, result.id
    )
    return ScheduleRun(key=due.key, claimed=True, task_id=str(result.id))


def schedule_claim_due(*, now: datetime) -> list[ScheduleRun]:
    """One scheduler pass: claim and enqueue every due schedule. Returns what this scheduler did."""
    return [schedule_claim(due=due, now=now) for due in schedule_list_due(now=now)]


def schedules_declare_startup(*, declarations: tuple[str, ...] | None = None) -> list[str]:
    """Call every start-up declaration; one that fails is logged and the others still run. Returns the failures."""
    failed: list[str] = []
    for path in STARTUP_DECLARATIONS if declarations is None else declarations:
        try:
            import_string(path)()
        except Exception:
            logger.exception("deklarasi jadwal %s gagal / schedule declaration %s failed", path, path)
            failed.append(path)
    return failed
