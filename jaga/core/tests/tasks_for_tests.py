"""Tasks the process tests enqueue (module level, so that a worker in another process can import them)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django_tasks import task


@task(queue_name="quick")
def tick(*, label: str = "") -> str:
    return label


@task(queue_name="long")
def slow_tick(*, seconds: float, marker: str) -> str:
    Path(marker + ".started").write_text("started")
    time.sleep(seconds)
    Path(marker + ".finished").write_text("finished")
    return "finished"


@task(queue_name="long")
def hangs_the_first_time(*, marker: str) -> str:
    """The first run writes ``marker.pid`` and hangs (until its worker is killed); a later run finishes."""
    pid_file = Path(marker + ".pid")
    if not pid_file.exists():
        pid_file.write_text(str(os.getpid()))
        time.sleep(120)
    Path(marker + ".finished").write_text(str(os.getpid()))
    return f"finished by {os.getpid()}"


@task(queue_name="long")
def always_hangs(*, marker: str) -> str:
    """Writes the worker's PID to ``marker.pid.N`` (N = attempt) and hangs until killed."""
    attempt = len(list(Path(marker).parent.glob(Path(marker).name + ".pid.*"))) + 1
    Path(f"{marker}.pid.{attempt}").write_text(str(os.getpid()))
    time.sleep(120)
    return "never"


not_a_task = "jaga.core.tests.tasks_for_tests.tick is a task; this string is not"


@task(queue_name="quick")
def rename_site(*, site_id: int, name: str) -> str:
    """Jaga's own change to an audited model, made in the worker (the audit trail names the task)."""
    from jaga.core.models import Site

    site = Site.objects.get(pk=site_id)
    site.name = name
    site.save()
    return name
