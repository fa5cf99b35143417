"""Queues: a quick worker never waits behind a long job; every task says which queue it belongs to."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from jaga.conf import StartupError
from jaga.core.processes.worker import worker_queues_check
from jaga.core.tests.processes_helpers import JAGA, jaga_env, shared_database_url
from jaga.core.tests.tasks_for_tests import slow_tick, tick


def test_the_project_has_a_quick_and_a_long_queue() -> None:
    assert settings.TASKS["default"]["QUEUES"] == ["quick", "long"]


def test_a_worker_serves_the_queues_it_is_given() -> None:
    assert worker_queues_check(["quick"]) == ["quick"]
    assert worker_queues_check(["quick", "long"]) == ["quick", "long"]
    assert worker_queues_check(["quick,long"]) == ["quick", "long"]
    assert worker_queues_check([]) == ["*"]


def test_an_unknown_queue_is_named_with_the_known_ones() -> None:
    with pytest.raises(StartupError, match="antrean tidak dikenal: lambat; pilih dari quick, long"):
        worker_queues_check(["lambat"])


def test_every_task_of_jaga_is_on_the_quick_or_the_long_queue() -> None:
    import importlib
    import pkgutil

    import jaga

    tasks: list[Task] = []  # type: ignore[type-arg]
    for module in pkgutil.walk_packages(jaga.__path__, "jaga."):
        if (
            ".tests" in module.name
            or ".migrations" in module.name
            or not module.name.rsplit(".", 1)[-1].startswith("tasks")
        ):
            continue
        loaded = importlib.import_module(module.name)
        tasks += [value for value in vars(loaded).values() if isinstance(value, Task)]
    assert len(tasks) >= 5
    assert {task.queue_name for task in tasks} <= {"quick", "long"}


def _worker_batch(tmp_path: Path, queue: str) -> subprocess.CompletedProcess[str]:
    with shared_database_url(tmp_path) as url:
        return subprocess.run(
            [JAGA, "worker", "--queue", queue, "--batch"],
            env=jaga_env(tmp_path, DATABASE_URL=url),
            capture_output=True,
            text=True,
            timeout=60,
        )


@pytest.mark.django_db(transaction=True)
def test_a_quick_worker_runs_quick_jobs_and_leaves_long_ones_to_the_long_worker(tmp_path: Path) -> None:
    alert = tick.enqueue(label="situs turun")
    backup = slow_tick.enqueue(seconds=0.1, marker=str(tmp_path / "backup"))

    quick = _worker_batch(tmp_path, "quick")

    assert quick.returncode == 0, quick.stderr
    assert "antrean quick" in quick.stderr
    assert DBTaskResult.objects.get(id=alert.id).status == "SUCCESSFUL"
    assert DBTaskResult.objects.get(id=backup.id).status == "READY"

    long = _worker_batch(tmp_path, "long")

    assert long.returncode == 0, long.stderr
    assert DBTaskResult.objects.get(id=backup.id).status == "SUCCESSFUL"
    assert (tmp_path / "backup.finished").exists()


def test_jaga_worker_refuses_an_unknown_queue_in_words(tmp_path: Path) -> None:
    done = subprocess.run(
        [JAGA, "worker", "--queue", "lambat", "--batch"], env=jaga_env(tmp_path), capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "antrean tidak dikenal: lambat" in done.stderr
    assert "Traceback" not in done.stderr


def _worker() -> Any:
    from jaga.core.processes.worker import JagaWorker

    return JagaWorker(
        queue_names=["*"],
        interval=1,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )


@pytest.mark.django_db(transaction=True)
def test_a_worker_waits_out_a_full_disk_while_taking_a_task(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from django.db import OperationalError

    from jaga.core.processes import worker as module

    runs: list[int] = []

    def run(self: Any) -> None:
        runs.append(1)
        if len(runs) == 1:  # taking a task meets the full disk
            raise OperationalError("database or disk is full")

    slept: list[float] = []
    monkeypatch.setattr(module.JagaWorker, "run", run)
    monkeypatch.setattr(module.time, "sleep", slept.append)
    module._run_through_full_disk(_worker(), wait=5)
    assert len(runs) == 2  # it went on taking tasks
    assert slept == [5]
    assert "the disk is full, no task can be taken: trying again in 5 s" in caplog.text


@pytest.mark.django_db(transaction=True)  # the worker closes its connection, as it does outside any transaction
def test_a_task_whose_result_meets_a_full_disk_is_queued_again_and_the_same_worker_carries_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from django.db import OperationalError
    from django.utils import timezone

    from jaga.core.processes import worker as module

    queued = tick.enqueue(label="rollup")
    DBTaskResult.objects.filter(id=queued.id).update(status="RUNNING", started_at=timezone.now())
    worker = _worker()
    runs: list[str] = []

    def run(self: Any) -> None:
        runs.append(DBTaskResult.objects.get(id=queued.id).status)
        if len(runs) == 1:  # the task ran; neither its writes nor its failure could be stored
            self.current = DBTaskResult.objects.get(id=queued.id)
            raise OperationalError("database or disk is full")

    monkeypatch.setattr(module.JagaWorker, "run", run)
    monkeypatch.setattr(module.time, "sleep", lambda _seconds: None)
    module._run_through_full_disk(worker, wait=5)
    assert runs == ["RUNNING", "READY"]  # queued again before the worker went on taking tasks
    assert worker.current is None
    assert f"task {queued.id} is queued again once there is room" in caplog.text


def test_a_worker_still_ends_on_another_database_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import OperationalError

    from jaga.core.processes import worker as module

    def run(self: Any) -> None:
        raise OperationalError("no such table: django_tasks_db")

    monkeypatch.setattr(module.JagaWorker, "run", run)
    monkeypatch.setattr(module.time, "sleep", lambda _seconds: pytest.fail("no wait"))
    with pytest.raises(OperationalError):
        module._run_through_full_disk(_worker(), wait=5)


def test_another_error_while_a_task_is_queued_again_ends_the_worker_instead_of_waiting_for_ever(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The error that follows a full disk is judged on its own (not on the full disk it was raised after)."""
    from django.db import OperationalError

    from jaga.core.processes import worker as module

    class Task:
        pk = "t-1"

    def run(self: Any) -> None:
        self.current = Task()
        raise OperationalError("database or disk is full")

    def requeue_fails(*_args: Any, **_kwargs: Any) -> None:
        raise OperationalError("the connection is closed")

    monkeypatch.setattr(module.JagaWorker, "run", run)
    monkeypatch.setattr(module.DBTaskResult.objects, "filter", requeue_fails)
    monkeypatch.setattr(module.time, "sleep", lambda _seconds: None)
    monkeypatch.setattr(module, "close_old_connections", lambda: None)
    with pytest.raises(OperationalError, match="connection is closed"):
        module._run_through_full_disk(_worker(), wait=5)
