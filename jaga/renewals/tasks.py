"""Background jobs of the renewals app (django-tasks): the daily run of an institution (look-ups take time)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from jaga.core.models import Institution


@task(queue_name="long")
def renewals_daily(*, institution_id: int) -> dict[str, Any]:
    from jaga.renewals.services.daily import renewals_daily_run

    institution = Institution.objects.filter(pk=institution_id).first()
    if institution is None:  # the institution was deleted: nothing to do (its schedule goes with the next start)
        return {"skipped": "institution gone"}
    report = renewals_daily_run(institution=institution)
    return {
        "checked": report.checked,
        "opened": report.opened,
        "reminded": report.reminded,
        "escalated": report.escalated,
        "expired": report.expired,
        "failed": report.failed,
    }
