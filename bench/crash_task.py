"""The task the crash-safety benchmark queues: it takes a while, then writes one row (see bench/crash_safety.py).

Imported by the workers of the benchmark's ``jaga up`` (``PYTHONPATH`` names the checkout) and by the benchmark
after Django is set up: django-tasks checks the queue name when the task is defined.
"""

from __future__ import annotations

from django_tasks import task

MARK = "bench-task-"


@task(queue_name="long")
def bench_write(*, number: int, seconds: float) -> int:
    """Run a program for ``seconds`` (a kill lands in the middle: the program must die with the worker), then
    record ``number`` as done, in one transaction."""
    from django.db import transaction

    from jaga.core import execute
    from jaga.core.models import Institution, Site

    execute.run(("sleep", f"{seconds:g}"), timeout=seconds + 60)
    with transaction.atomic():
        institution = Institution.objects.order_by("pk").first()
        assert institution is not None
        Site.objects.create(institution=institution, name=f"{MARK}{number}", base_url="http://127.0.0.1/")
    return number
