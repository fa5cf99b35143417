"""Work of a process that died is taken back: a killed worker's task runs again, never lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jaga.core import clock, liveness
from jaga.core.liveness import (
    STALE_AFTER,
    TASK_ATTEMPTS,
    UNKNOWN_OWNER_AFTER,
    ProcessIdentity,
    pid_running,
    process_register,
    process_stopped,
    process_verdict,
    sweep_register,
    sweeps_run,
    tasks_requeue_lost,
)
from jaga.core.models import ProcessBeat
from jaga.core.tests.processes_helpers import JAGA, jaga_env, shared_database_url
from jaga.core.tests.tasks_for_tests import always_hangs, hangs_the_first_time, tick

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


def _wait_for(path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def _dead_pid() -> int:
    """The PID of a process that has exited and been reaped."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _beat(process_id: str, *, host: str | None = None, pid: int | None = None, beat_at: datetime = NOW) -> None:
    ProcessBeat.objects.create(
        process_id=process_id,
        role="worker",
        host=host or liveness.this_host(),
        pid=pid or os.getpid(),
        started_at=beat_at - timedelta(hours=1),
        beat_at=beat_at,
    )


# --- who is alive -------------------------------------------------------------------------------------


def test_it_knows_a_running_pid_from_a_dead_one() -> None:
    assert pid_running(os.getpid())
    assert not pid_running(_dead_pid())


@pytest.mark.django_db
def test_a_worker_with_a_fresh_heartbeat_is_alive() -> None:
    _beat("w1", beat_at=NOW - timedelta(seconds=5))
    assert not process_verdict(process_id="w1", since=NOW - timedelta(hours=2), now=NOW).dead


@pytest.mark.django_db
def test_a_worker_of_this_machine_whose_pid_is_gone_is_dead_at_once() -> None:
    _beat("w1", pid=_dead_pid(), beat_at=NOW - timedelta(seconds=1))
    verdict = process_verdict(process_id="w1", since=NOW, now=NOW)
    assert verdict.dead
    assert "tidak lagi berjalan" in verdict.reason


@pytest.mark.django_db
def test_a_worker_of_another_machine_is_dead_when_its_heartbeat_is_stale() -> None:
    _beat("far", host="server-lain", pid=1, beat_at=NOW - STALE_AFTER + timedelta(seconds=1))
    assert not process_verdict(process_id="far", since=NOW, now=NOW).dead
    verdict = process_verdict(process_id="far", since=NOW, now=NOW + timedelta(seconds=2))
    assert verdict.dead
    assert verdict.last_seen == NOW - STALE_AFTER + timedelta(seconds=1)


@pytest.mark.django_db
def test_a_worker_that_stopped_is_dead() -> None:
    identity = process_register(role="worker", queues=["quick"])
    assert not process_verdict(process_id=identity.process_id, since=None, now=clock.now()).dead
    process_stopped(identity=identity)
    assert process_verdict(process_id=identity.process_id, since=None, now=clock.now()).dead


@pytest.mark.django_db
def test_an_unregistered_owner_is_judged_by_its_pid_here_and_by_its_age_elsewhere() -> None:
    here = liveness.this_host()
    assert not process_verdict(process_id="x", host=here, pid=os.getpid(), since=NOW, now=NOW).dead
    assert process_verdict(process_id="x", host=here, pid=_dead_pid(), since=NOW, now=NOW).dead
    old = NOW - UNKNOWN_OWNER_AFTER - timedelta(minutes=1)
    assert not process_verdict(process_id="x", host="elsewhere", pid=1, since=NOW, now=NOW).dead
    assert process_verdict(process_id="x", host="elsewhere", pid=1, since=old, now=NOW).dead


def test_a_process_that_did_not_register_is_named_by_its_host_and_pid() -> None:
    identity = liveness.process_identity()
    assert identity == ProcessIdentity(
        process_id=f"{liveness.this_host()[:50]}:{os.getpid()}", host=liveness.this_host(), pid=os.getpid()
    )


# --- tasks of dead workers ------------------------------------------------------------------------------


def _running(result_id: str, *worker_ids: str) -> None:
    DBTaskResult.objects.filter(id=result_id).update(
        status="RUNNING", started_at=timezone.now(), worker_ids=list(worker_ids)
    )


@pytest.mark.django_db
def test_a_task_of_a_dead_worker_is_queued_again_and_one_of_a_live_worker_is_left() -> None:
    _beat("dead", pid=_dead_pid())
    _beat("alive", beat_at=timezone.now())
    lost, busy = tick.enqueue(label="lost"), tick.enqueue(label="busy")
    _running(lost.id, "dead")
    _running(busy.id, "alive")

    sweep = tasks_requeue_lost()

    assert sweep.requeued == [str(lost.id)]
    assert DBTaskResult.objects.get(id=lost.id).status == "READY"
    assert DBTaskResult.objects.get(id=lost.id).worker_ids == ["dead"]  # the attempts are remembered
    assert DBTaskResult.objects.get(id=busy.id).status == "RUNNING"


@pytest.mark.django_db
def test_a_task_its_workers_died_on_too_often_is_marked_failed_not_run_forever() -> None:
    dead = [f"dead-{n}" for n in range(TASK_ATTEMPTS)]
    for worker_id in dead:
        _beat(worker_id, pid=_dead_pid())
    result = tick.enqueue(label="kills its worker")
    _running(result.id, *dead)

    sweep = tasks_requeue_lost()

    assert sweep.failed == [str(result.id)]
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == "FAILED"
    assert row.exception_class_path == "jaga.core.liveness.WorkerLost"
    assert f"{TASK_ATTEMPTS} worker berhenti" in row.traceback


@pytest.mark.django_db
def test_every_registered_sweep_runs_even_when_one_fails(monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(liveness, "_SWEEPS", list(liveness._SWEEPS))
    sweep_register("jaga.core.tests.test_liveness.broken_sweep")
    sweep_register("jaga.core.tests.test_liveness.counting_sweep")
    COUNTED.clear()
    failed = sweeps_run(now=NOW)
    assert failed == ["jaga.core.tests.test_liveness.broken_sweep"]
    assert COUNTED == [NOW]
    assert "penyapuan jaga.core.tests.test_liveness.broken_sweep gagal" in caplog.text


COUNTED: list[datetime] = []


def broken_sweep(*, now: datetime) -> None:
    raise RuntimeError("rusak")


def counting_sweep(*, now: datetime) -> None:
    COUNTED.append(now)


# --- with real processes --------------------------------------------------------------------------------


def _worker(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [JAGA, "worker", "--interval", "0.1", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.django_db(transaction=True)
def test_a_task_left_running_by_a_killed_worker_is_run_again_by_the_next(tmp_path: Path) -> None:
    marker = tmp_path / "task"
    result = hangs_the_first_time.enqueue(marker=str(marker))
    with shared_database_url(tmp_path) as url:
        env = jaga_env(tmp_path, DATABASE_URL=url)
        first = _worker(env, "--queue", "long")
        try:
            _wait_for(Path(f"{marker}.pid"))
        finally:
            first.send_signal(signal.SIGKILL)  # mid-task: no chance to say anything
            first_output = first.communicate(timeout=20)[0]
        second = _worker(env, "--queue", "long", "--batch")
        second_output = second.communicate(timeout=60)[0]

    assert first.returncode == -signal.SIGKILL, first_output
    assert second.returncode == 0, second_output
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == "SUCCESSFUL", second_output
    assert row.return_value == f"finished by {second.pid}"
    assert len(row.worker_ids) == 2  # the killed worker, then the one that finished it
    assert "diantrekan lagi" in second_output
    assert Path(f"{marker}.finished").read_text() == str(second.pid)
    assert "Traceback" not in second_output


@pytest.mark.django_db(transaction=True)
def test_a_task_cut_off_by_a_second_sigterm_is_queued_again_not_failed(tmp_path: Path) -> None:
    # django-tasks' own worker marks such a task failed: the one task lost when `jaga up` was killed.
    marker = tmp_path / "task"
    result = hangs_the_first_time.enqueue(marker=str(marker))
    with shared_database_url(tmp_path) as url:
        env = jaga_env(tmp_path, DATABASE_URL=url)
        first = _worker(env, "--queue", "long")
        try:
            _wait_for(Path(f"{marker}.pid"))
            first.send_signal(signal.SIGTERM)  # finish the task, then stop
            time.sleep(0.5)
            first.send_signal(signal.SIGTERM)  # no: stop now
            first_output = first.communicate(timeout=20)[0]
        finally:
            if first.poll() is None:
                first.kill()
        second = _worker(env, "--queue", "long", "--batch")
        second_output = second.communicate(timeout=60)[0]

    assert "diantrekan lagi" in first_output
    assert "Traceback" not in first_output
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == "SUCCESSFUL", second_output
    assert row.return_value == f"finished by {second.pid}"
    assert len(row.worker_ids) == 2


@pytest.mark.django_db(transaction=True)
def test_a_task_that_kills_every_worker_ends_failed_after_three_tries(tmp_path: Path) -> None:
    marker = tmp_path / "task"
    result = always_hangs.enqueue(marker=str(marker))
    with shared_database_url(tmp_path) as url:
        env = jaga_env(tmp_path, DATABASE_URL=url)
        for attempt in range(1, TASK_ATTEMPTS + 1):
            worker = _worker(env, "--queue", "long")
            try:
                _wait_for(Path(f"{marker}.pid.{attempt}"))
            finally:
                worker.send_signal(signal.SIGKILL)
                worker.communicate(timeout=20)
        last = _worker(env, "--queue", "long", "--batch")
        output = last.communicate(timeout=60)[0]

    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == "FAILED", output
    assert row.exception_class_path == "jaga.core.liveness.WorkerLost"
    assert len(row.worker_ids) == TASK_ATTEMPTS
    assert not Path(f"{marker}.pid.{TASK_ATTEMPTS + 1}").exists()
