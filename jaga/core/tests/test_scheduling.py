from __future__ import annotations

import subprocess
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jaga.core.models import Schedule
from jaga.core.scheduling import (
    ScheduleRun,
    schedule_claim,
    schedule_claim_due,
    schedule_ensure,
    schedule_list_due,
    schedule_next_run,
    schedules_declare_startup,
    startup_declarations,
    startup_register,
)
from jaga.core.tests.processes_helpers import JAGA, jaga_env, shared_database_url

TICK = "jaga.core.tests.tasks_for_tests.tick"


def _due(key: str, *, ago: int = 1, task_path: str = TICK, **kwargs: object) -> Schedule:
    return schedule_ensure(
        key=key,
        task_path=task_path,
        interval_seconds=3600,
        kwargs=dict(kwargs),
        first_run_at=timezone.now() - timedelta(seconds=ago),
    )


@pytest.mark.django_db
def test_it_creates_a_schedule_once_and_keeps_its_due_time_when_declared_again(institution):  # type: ignore[no-untyped-def]
    first = timezone.now() + timedelta(hours=1)
    created = schedule_ensure(key="backup-plan:1", task_path=TICK, interval_seconds=600, first_run_at=first)
    again = schedule_ensure(
        key="backup-plan:1",
        task_path=TICK,
        interval_seconds=600,
        kwargs={"label": "x"},
        institution=institution,
        first_run_at=first + timedelta(days=1),
    )
    assert again.pk == created.pk
    assert Schedule.objects.count() == 1
    again.refresh_from_db()
    assert again.next_run_at == first
    assert again.kwargs == {"label": "x"}
    assert again.institution == institution


@pytest.mark.django_db
def test_it_reschedules_when_the_interval_changes():
    first = timezone.now() + timedelta(hours=5)
    schedule_ensure(key="k", task_path=TICK, interval_seconds=600, first_run_at=first)
    changed = schedule_ensure(key="k", task_path=TICK, interval_seconds=60)
    assert changed.interval_seconds == 60
    assert changed.next_run_at < first


def test_it_skips_missed_runs_instead_of_catching_up():
    start = timezone.now() - timedelta(seconds=1000)
    now = timezone.now()
    nxt = schedule_next_run(previous=start, interval_seconds=300, now=now)
    assert now < nxt <= now + timedelta(seconds=300)
    assert (nxt - start).total_seconds() % 300 == 0


@pytest.mark.django_db
def test_it_enqueues_due_schedules_and_records_the_task_id():
    due = _due("due", label="hello")
    later = schedule_ensure(
        key="later", task_path=TICK, interval_seconds=60, first_run_at=timezone.now() + timedelta(hours=1)
    )
    disabled = _due("disabled")
    Schedule.objects.filter(pk=disabled.pk).update(enabled=False)

    runs = schedule_claim_due(now=timezone.now())

    assert [run.key for run in runs] == ["due"]
    due.refresh_from_db()
    result = DBTaskResult.objects.get(id=due.last_enqueued_id)
    assert result.task_result.kwargs == {"label": "hello"}
    assert result.task_path == TICK
    assert due.last_run_at is not None
    assert due.next_run_at > timezone.now()
    assert DBTaskResult.objects.count() == 1
    later.refresh_from_db()
    assert later.last_enqueued_id == ""


@pytest.mark.django_db
def test_it_does_not_enqueue_a_schedule_another_scheduler_already_claimed():
    _due("shared")
    now = timezone.now()
    [seen_by_a] = schedule_list_due(now=now)
    [seen_by_b] = schedule_list_due(now=now)

    first = schedule_claim(due=seen_by_a, now=now)
    second = schedule_claim(due=seen_by_b, now=now)

    assert first.claimed
    assert first.task_id
    assert second == ScheduleRun(key="shared", claimed=False)
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db
def test_it_logs_a_bad_schedule_pushes_it_back_and_goes_on(caplog):  # type: ignore[no-untyped-def]
    bad = _due("bad", ago=10, task_path="jaga.core.tests.tasks_for_tests.missing_task")
    not_task = _due("not-a-task", ago=5, task_path="jaga.core.tests.tasks_for_tests.not_a_task")
    good = _due("good", ago=1)
    now = timezone.now()

    runs = schedule_claim_due(now=now)

    assert [(run.key, bool(run.task_id), bool(run.error)) for run in runs] == [
        ("bad", False, True),
        ("not-a-task", False, True),
        ("good", True, False),
    ]
    bad.refresh_from_db()
    not_task.refresh_from_db()
    assert bad.next_run_at > now
    assert not_task.next_run_at > now
    assert bad.last_enqueued_id == ""
    good.refresh_from_db()
    assert DBTaskResult.objects.filter(id=good.last_enqueued_id).exists()
    assert "jadwal bad gagal dijalankan" in caplog.text
    assert "missing_task" in caplog.text
    assert schedule_list_due(now=now) == []


def _race(n_schedulers: int) -> list[list[ScheduleRun]]:
    """Each scheduler thread reads the due list, waits for the others, then claims: a real race."""
    now = timezone.now()
    barrier = threading.Barrier(n_schedulers)
    results: list[list[ScheduleRun]] = []
    errors: list[BaseException] = []

    def scheduler(reverse: bool) -> None:
        try:
            due = schedule_list_due(now=now)
            barrier.wait(timeout=10)
            results.append([schedule_claim(due=item, now=now) for item in (reversed(due) if reverse else due)])
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler, args=(i % 2 == 1,)) for i in range(n_schedulers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_enqueues_each_due_schedule_exactly_once_when_schedulers_race_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL run (make test-postgres): threads need a server database")
    keys = [f"race-{n}" for n in range(30)]
    for key in keys:
        _due(key)

    results = _race(3)

    claimed = [run.key for runs in results for run in runs if run.claimed]
    assert sorted(claimed) == sorted(keys)
    assert DBTaskResult.objects.count() == len(keys)
    enqueued_ids = set(Schedule.objects.values_list("last_enqueued_id", flat=True))
    assert enqueued_ids == {str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)}


@pytest.mark.django_db(transaction=True)
def test_it_enqueues_each_due_schedule_exactly_once_with_two_scheduler_processes(tmp_path: Path):
    keys = [f"proc-{n}" for n in range(25)]
    for key in keys:
        _due(key)

    with shared_database_url(tmp_path) as url:
        env = jaga_env(tmp_path, DATABASE_URL=url)
        procs = [
            subprocess.Popen([JAGA, "scheduler", "--once"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            for _ in range(2)
        ]
        outputs = [proc.communicate(timeout=60)[0].decode() for proc in procs]

    assert [proc.returncode for proc in procs] == [0, 0], outputs
    assert "Traceback" not in "".join(outputs)
    # Each scheduler also declared the built-in schedules at start; those that run every so many seconds were
    # due at once and ran once too; one of the calendar (a nightly clean-up) may wait for its hour.
    assert DBTaskResult.objects.filter(task_path=TICK).count() == len(keys)
    enqueued = Schedule.objects.exclude(last_enqueued_id="")
    assert DBTaskResult.objects.count() == enqueued.count()
    assert set(enqueued.values_list("last_enqueued_id", flat=True)) == {
        str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)
    }
    waiting = list(Schedule.objects.filter(last_enqueued_id=""))
    assert [s.key for s in waiting if s.calendar is None or s.next_run_at <= timezone.now()] == []


def declare_tick_schedule() -> None:
    schedule_ensure(key="declared-at-start", task_path=TICK, interval_seconds=60)


def declare_nothing_but_fail() -> None:
    raise RuntimeError("rusak / broken")


@pytest.mark.django_db
def test_it_runs_every_start_up_declaration_even_when_one_fails(caplog):  # type: ignore[no-untyped-def]
    here = "jaga.core.tests.test_scheduling"
    failed = schedules_declare_startup(
        declarations=(f"{here}.declare_nothing_but_fail", f"{here}.declare_tick_schedule", f"{here}.missing")
    )
    assert failed == [f"{here}.declare_nothing_but_fail", f"{here}.missing"]
    assert Schedule.objects.filter(key="declared-at-start").exists()
    assert "deklarasi jadwal jaga.core.tests.test_scheduling.declare_nothing_but_fail gagal" in caplog.text


@pytest.mark.django_db
def test_it_declares_the_schedules_the_apps_registered_without_failures():
    assert "jaga.monitoring.tasks_rollups.rollup_schedules_ensure" in startup_declarations()
    assert "jaga.core.liveness.liveness_schedules_ensure" in startup_declarations()
    assert schedules_declare_startup() == []
    assert {"monitoring.rollups", "monitoring.results_prune", "core.sweeps"} <= set(
        Schedule.objects.values_list("key", flat=True)
    )


def test_an_app_registers_a_start_up_declaration_once(monkeypatch):  # type: ignore[no-untyped-def]
    from jaga.core import scheduling

    monkeypatch.setattr(scheduling, "_STARTUP", list(scheduling._STARTUP))
    here = "jaga.core.tests.test_scheduling.declare_tick_schedule"
    startup_register(here)
    startup_register(here)
    assert startup_declarations().count(here) == 1
