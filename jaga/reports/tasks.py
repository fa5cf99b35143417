"""Background jobs of the reports app (django-tasks): the daily reminder of reports the Secretary has not
acknowledged."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from jaga.core.models import Institution


@task(queue_name="quick")
def reports_remind(*, institution_id: int) -> dict[str, Any]:
    from jaga.reports.delivery import reports_remind_unacknowledged

    institution = Institution.objects.filter(pk=institution_id).first()
    if institution is None:
        return {"skipped": "institution gone"}
    return {"reminded": reports_remind_unacknowledged(institution=institution)}
