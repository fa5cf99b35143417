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


@task(queue_name="long")
def report_schedule_run(*, report_schedule_id: int) -> dict[str, Any]:
    from jaga.reports.models import ReportSchedule
    from jaga.reports.scheduled import report_schedule_run as run

    report_schedule = ReportSchedule.objects.select_related("institution", "site").filter(pk=report_schedule_id)
    found = report_schedule.first()
    if found is None:  # deleted since it was queued (its schedule went with it)
        return {"skipped": "schedule gone"}
    report = run(report_schedule=found)
    return {"report_id": report.pk, "number": report.number}


@task(queue_name="long")
def evidence_pack_build(*, evidence_pack_id: int) -> dict[str, Any]:
    from jaga.reports.models import EvidencePack
    from jaga.reports.packs import evidence_pack_build as build

    pack = EvidencePack.objects.select_related("institution").filter(pk=evidence_pack_id).first()
    if pack is None:
        return {"skipped": "pack gone"}
    pack = build(pack=pack)
    return {"state": pack.state, "size": pack.size, "sha256": pack.sha256}
