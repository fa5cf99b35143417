"""Tasks the process tests enqueue (module level, so that a worker in another process can import them)."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task


@task()
def tick(*, label: str = "") -> str:
    return label


@task()
def slow_tick(*, seconds: float, marker: str) -> str:
    Path(marker + ".started").write_text("started")
    time.sleep(seconds)
    Path(marker + ".finished").write_text("finished")
    return "finished"


not_a_task = "jaga.core.tests.tasks_for_tests.tick is a task; this string is not"


@task()
def rename_site(*, site_id: int, name: str) -> str:
    """Jaga's own change to an audited model, made in the worker (the audit trail names the task)."""
    from jaga.core.models import Site

    site = Site.objects.get(pk=site_id)
    site.name = name
    site.save()
    return name
