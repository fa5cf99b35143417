"""Schedules: recurring jobs that ``jaga scheduler`` turns into django-tasks at their due time.

An app declares its recurring jobs with :func:`schedule_ensure` (idempotent): every ``interval_seconds``,
or on a :class:`Calendar` ("every day at 01.00", "every Monday at 07.30", "the first of each month") in the
institution's time zone. Jobs that exist whatever the data are declared by a function the app names with
:func:`startup_register` in its ``AppConfig.ready()``; the scheduler calls those functions when it starts.

The scheduler calls :func:`schedule_claim_due`, which claims each due schedule with a conditional UPDATE
on ``next_run_at`` and enqueues its task in the same transaction, so that any number of schedulers, on
any number of machines, enqueue each due run exactly once.
"""

from __future__ import annotations

import calendar as calendar_module
import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks.base import Task

from jaga.core import clock
from jaga.core.models import Institution, Schedule
from jaga.core.models.schedules import has_schedule_relation

logger = logging.getLogger("jaga.scheduler")

# A schedule whose task cannot be enqueued is retried after this long (or its interval, if shorter),
# so that a bad row neither blocks the loop nor fills the log every few seconds.
RETRY_BAD_SCHEDULE_SECONDS = 300

Every = Literal["daily", "weekly", "monthly"]
# date.weekday(): Monday is 0.
WEEKDAYS = (
    gettext_lazy("Senin"),
    gettext_lazy("Selasa"),
    gettext_lazy("Rabu"),
    gettext_lazy("Kamis"),
    gettext_lazy("Jumat"),
    gettext_lazy("Sabtu"),
    gettext_lazy("Minggu"),
)
_TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


class ScheduleError(Exception):
    """A schedule that cannot be run as declared (unknown task path, not a task, bad arguments)."""


def _time_of_day(value: str | time) -> time:
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    match = _TIME.match(value)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"jam {value!r} tidak sah, tulis mis. 01.00 atau 07:30 / bad time of day, e.g. 01:00")
    return time(int(match[1]), int(match[2]))


@dataclass(frozen=True)
class Calendar:
    """When a calendar schedule runs, as wall-clock time in the institution's time zone.

    ``Calendar.daily("01:00")``, ``Calendar.weekly(0, "07:30")`` (0 is Monday ... 6 Sunday),
    ``Calendar.monthly(1, "06:00")``. A monthly day past a short month's end runs on its last day
    (day 31 runs on 30 April and 28 or 29 February). Across a daylight-saving change a time that does
    not exist runs an hour later, and a time that exists twice runs once, at the first.
    """

    every: Every
    at: time
    weekday: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.every not in ("daily", "weekly", "monthly"):
            raise ValueError(f"kalender {self.every!r} tidak dikenal (daily, weekly, monthly) / unknown calendar")
        if (self.every == "weekly") != (self.weekday is not None) or (
            self.weekday is not None and not 0 <= self.weekday <= 6
        ):
            raise ValueError("hari dalam pekan harus 0 (Senin) sampai 6 (Minggu) / weekday must be 0 (Monday) to 6")
        if (self.every == "monthly") != (self.day is not None) or (self.day is not None and not 1 <= self.day <= 31):
            raise ValueError("tanggal harus 1 sampai 31 / the day of the month must be 1 to 31")

    @classmethod
    def daily(cls, at: str | time) -> Calendar:
        return cls(every="daily", at=_time_of_day(at))

    @classmethod
    def weekly(cls, weekday: int, at: str | time) -> Calendar:
        return cls(every="weekly", at=_time_of_day(at), weekday=weekday)

    @classmethod
    def monthly(cls, day: int, at: str | time) -> Calendar:
        return cls(every="monthly", at=_time_of_day(at), day=day)

    # --- storage ----------------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"every": self.every, "at": self.at.strftime("%H:%M")}
        if self.weekday is not None:
            data["weekday"] = self.weekday
        if self.day is not None:
            data["day"] = self.day
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Calendar:
        try:
            return cls(
                every=data["every"], at=_time_of_day(data["at"]), weekday=data.get("weekday"), day=data.get("day")
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ScheduleError(f"kalender {data!r} tidak sah / bad calendar: {exc}") from None

    # --- time -------------------------------------------------------------------------------------------

    def _matches(self, day: date) -> bool:
        if self.every == "weekly":
            return day.weekday() == self.weekday
        if self.every == "monthly":
            assert self.day is not None
            return day.day == min(self.day, calendar_module.monthrange(day.year, day.month)[1])
        return True

    def next_after(self, moment: datetime, tz: ZoneInfo) -> datetime:
        """The first run strictly after ``moment`` (aware), in UTC."""
        day = moment.astimezone(tz).date() - timedelta(days=1)  # the day before: a gap may push a run past midnight
        for _day in range(64):  # a monthly run is at most 31 days away
            if self._matches(day):
                # fold=0: an ambiguous time is its first occurrence; a time in a gap keeps the offset before
                # the gap, i.e. it lands an hour later on the clock, as cron does.
                run = datetime.combine(day, self.at).replace(tzinfo=tz, fold=0).astimezone(UTC)
                if run > moment:
                    return run
            day += timedelta(days=1)
        raise AssertionError(f"no run of {self} found after {moment}")  # unreachable for a valid calendar

    def describe(self, tz: ZoneInfo | None = None) -> str:
        """In words: "setiap hari pukul 01.00 WIB", "setiap Senin pukul 07.30", "setiap tanggal 1 pukul 06.00"."""
        at = self.at.strftime("%H.%M")
        if tz is not None:
            at = f"{at} {datetime.combine(date(2026, 1, 1), self.at, tzinfo=tz).tzname()}"
        if self.every == "weekly":
            assert self.weekday is not None
            return _("setiap %(weekday)s pukul %(at)s") % {"weekday": WEEKDAYS[self.weekday], "at": at}
        if self.every == "monthly":
            return _("setiap tanggal %(day)s pukul %(at)s") % {"day": self.day, "at": at}
        return _("setiap hari pukul %(at)s") % {"at": at}


def schedule_time_zone(*, institution_id: int | None) -> ZoneInfo:
    """A calendar schedule's zone: its institution's, or JAGA_TIME_ZONE for a schedule of no institution."""
    if institution_id is not None:
        zone = Institution.objects.filter(pk=institution_id).values_list("time_zone", flat=True).first()
        if zone:
            return ZoneInfo(zone)
    return ZoneInfo(settings.TIME_ZONE)


# --- declaring schedules ---------------------------------------------------------------------------------


_STARTUP: list[str] = []


def startup_register(path: str) -> None:
    """From an app's ``ready()``: ``path`` names a function (no arguments) that declares the app's schedules.

    The scheduler calls every registered function when it starts (idempotent ``schedule_ensure`` calls).
    """
    if path not in _STARTUP:
        _STARTUP.append(path)


def startup_declarations() -> tuple[str, ...]:
    return tuple(_STARTUP)


def schedule_ensure(
    *,
    key: str,
    task_path: str,
    interval_seconds: int | None = None,
    calendar: Calendar | None = None,
    kwargs: dict[str, Any] | None = None,
    institution: Institution | None = None,
    owner: models.Model | None = None,
    first_run_at: datetime | None = None,
) -> Schedule:
    """Create or update the schedule ``key``. Calling it again with the same values changes nothing.

    Give ``interval_seconds`` or ``calendar``, not both. ``owner`` (a saved object whose model declares
    ``schedules = ScheduleRelation()``) deletes the schedule when it is deleted. ``first_run_at`` (default:
    now for an interval, the calendar's next time for a calendar) is used only when the schedule is created
    or its timing changes, so that re-declaring a schedule at every start does not postpone it forever.
    """
    if (interval_seconds is None) == (calendar is None):
        raise ValueError(f"schedule {key}: berikan interval_seconds atau calendar / give interval_seconds or calendar")
    if interval_seconds is not None and interval_seconds < 1:
        raise ValueError(f"schedule {key}: interval_seconds harus lebih dari 0 / must be greater than 0")
    owner_type: ContentType | None = None
    if owner is not None:
        if owner.pk is None:
            raise ValueError(f"schedule {key}: pemilik belum disimpan / the owner is not saved")
        if not has_schedule_relation(type(owner)):
            raise ValueError(
                f"schedule {key}: model {type(owner).__name__} tidak punya `schedules = ScheduleRelation()`; "
                f"jadwalnya tidak akan terhapus bersamanya / has no `schedules = ScheduleRelation()`, so deleting "
                f"it would leave its schedule running"
            )
        owner_type = ContentType.objects.get_for_model(owner)
    stored_calendar = calendar.to_json() if calendar is not None else None
    kwargs = dict(kwargs or {})

    def first_run() -> datetime:
        if first_run_at is not None:
            return first_run_at
        if calendar is not None:
            return calendar.next_after(clock.now(), schedule_time_zone(institution_id=institution_id))
        return clock.now()

    institution_id = institution.pk if institution is not None else None
    values: dict[str, Any] = {
        "task_path": task_path,
        "kwargs": kwargs,
        "institution_id": institution_id,
        "owner_content_type_id": owner_type.pk if owner_type is not None else None,
        "owner_object_id": owner.pk if owner is not None else None,
    }
    with transaction.atomic():
        schedule = Schedule.objects.select_for_update().filter(key=key).first()
        if schedule is None:
            # Two processes starting together (two schedulers, a worker and a probe) may both find no row:
            # the one whose insert loses the unique key takes the winner's row and goes on as an update.
            try:
                with transaction.atomic():
                    return Schedule.objects.create(
                        key=key,
                        interval_seconds=interval_seconds,
                        calendar=stored_calendar,
                        next_run_at=first_run(),
                        **values,
                    )
            except IntegrityError:
                schedule = Schedule.objects.select_for_update().get(key=key)
        changed: list[str] = []
        if schedule.interval_seconds != interval_seconds or schedule.calendar != stored_calendar:
            schedule.interval_seconds = interval_seconds
            schedule.calendar = stored_calendar
            schedule.next_run_at = first_run()
            changed += ["interval_seconds", "calendar", "next_run_at"]
        for field, value in values.items():
            if getattr(schedule, field) != value:
                setattr(schedule, field, value)
                changed.append(field)
        if changed:
            schedule.save(update_fields=changed)
        return schedule


def schedules_declare_startup(*, declarations: tuple[str, ...] | None = None) -> list[str]:
    """Call every start-up declaration; one that fails is logged and the others still run. Returns the failures."""
    failed: list[str] = []
    for path in startup_declarations() if declarations is None else declarations:
        try:
            import_string(path)()
        except Exception:
            logger.exception("deklarasi jadwal %s gagal / schedule declaration %s failed", path, path)
            failed.append(path)
    return failed


# --- running them ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueSchedule:
    """What a scheduler read about one due schedule; the claim is valid only if ``next_run_at`` is unchanged."""

    id: int
    key: str
    task_path: str
    kwargs: dict[str, Any]
    interval_seconds: int | None
    calendar: dict[str, Any] | None
    institution_id: int | None
    next_run_at: datetime


@dataclass(frozen=True)
class ScheduleRun:
    """The outcome of one claim attempt. ``claimed`` False means another scheduler owned it."""

    key: str
    claimed: bool
    task_id: str = ""
    error: str = ""


def schedule_next_run(*, previous: datetime, interval_seconds: int, now: datetime) -> datetime:
    """The first run after ``now`` on the schedule's grid; missed runs are skipped, not caught up."""
    interval = timedelta(seconds=interval_seconds)
    nxt = previous + interval
    if nxt <= now:
        missed = (now - previous) // interval
        nxt = previous + interval * (missed + 1)
    return nxt


def schedule_next_run_of(*, due: DueSchedule, now: datetime) -> datetime:
    """The next run of a due schedule, interval or calendar; runs missed while nothing ran are skipped."""
    if due.calendar is not None:
        zone = schedule_time_zone(institution_id=due.institution_id)
        return Calendar.from_json(due.calendar).next_after(max(now, due.next_run_at), zone)
    assert due.interval_seconds is not None
    return schedule_next_run(previous=due.next_run_at, interval_seconds=due.interval_seconds, now=now)


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
            calendar=row.calendar,
            institution_id=row.institution_id,
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
    try:
        next_run_at = schedule_next_run_of(due=due, now=now)
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
        retry_at = now + timedelta(
            seconds=min(due.interval_seconds or RETRY_BAD_SCHEDULE_SECONDS, RETRY_BAD_SCHEDULE_SECONDS)
        )
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
