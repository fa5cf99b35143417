"""Background jobs of the backups app (django-tasks, queue ``long``): a plan's backup, check and drill."""

from __future__ import annotations

from django_tasks import task

from jaga.backups.models import Plan


def _plan(plan_id: int) -> Plan | None:
    return Plan.objects.filter(pk=plan_id, is_active=True).select_related("site__institution", "repository").first()


@task(queue_name="long")
def backup_run(*, plan_id: int) -> dict[str, object]:
    from jaga.backups.services import backup_run as run_backup

    plan = _plan(plan_id)
    if plan is None:
        return {"skipped": "plan gone or inactive"}
    run = run_backup(plan=plan, trigger="schedule")
    return {"run": run.pk, "state": run.state}


@task(queue_name="long")
def backup_check(*, plan_id: int) -> dict[str, object]:
    from jaga.backups.services import check_run

    plan = _plan(plan_id)
    if plan is None:
        return {"skipped": "plan gone or inactive"}
    run = check_run(plan=plan, trigger="schedule")
    return {"run": run.pk, "state": run.state}


@task(queue_name="long")
def backup_drill(*, plan_id: int) -> dict[str, object]:
    from jaga.backups.services import drill_run

    plan = _plan(plan_id)
    if plan is None:
        return {"skipped": "plan gone or inactive"}
    run = drill_run(plan=plan, trigger="schedule")
    return {"run": run.pk, "state": run.state}
