"""Background jobs of the backups app (django-tasks, queue ``long``): a plan's backup, check, drill, restore
and export. The schedules start the first three; the pages queue any of them with the person who asked."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django_tasks import task

from jaga.backups.models import Plan


def _plan(plan_id: int) -> Plan | None:
    return Plan.objects.filter(pk=plan_id, is_active=True).select_related("site__institution", "repository").first()


def _user(user_id: int | None) -> Any:
    return get_user_model().objects.filter(pk=user_id).first() if user_id else None


@task(queue_name="long")
def backup_run(*, plan_id: int, user_id: int | None = None, trigger: str = "schedule") -> dict[str, object]:
    from jaga.backups.services import backup_run as run_backup

    plan = _plan(plan_id)
    if plan is None:
        return {"skipped": "plan gone or inactive"}
    run = run_backup(plan=plan, trigger=trigger, user=_user(user_id))
    return {"run": run.pk, "state": run.state}


@task(queue_name="long")
def backup_check(*, plan_id: int, user_id: int | None = None, trigger: str = "schedule") -> dict[str, object]:
    from jaga.backups.services import check_run

    plan = _plan(plan_id)
    if plan is None:
        return {"skipped": "plan gone or inactive"}
    run = check_run(plan=plan, trigger=trigger, user=_user(user_id))
    return {"run": run.pk, "state": run.state}


@task(queue_name="long")
def backup_drill(*, plan_id: int, user_id: int | None = None, trigger: str = "schedule") -> dict[str, object]:
    from jaga.backups.services import drill_run

    plan = _plan(plan_id)
    if plan is None:
        return {"skipped": "plan gone or inactive"}
    run = drill_run(plan=plan, trigger=trigger, user=_user(user_id))
    return {"run": run.pk, "state": run.state}


@task(queue_name="long")
def backup_restore(
    *, plan_id: int, snapshot: str, target: str = "", confirmation: str = "", user_id: int | None = None
) -> dict[str, object]:
    """Into the new folder ``target``; or, without a target, over the live site (``confirmation`` checked again)."""
    from pathlib import Path

    from jaga.backups.services import RunFailed, restore_live_run, restore_run

    plan = _plan(plan_id)
    if plan is None:
        return {"skipped": "plan gone or inactive"}
    user = _user(user_id)
    if target:
        run = restore_run(plan=plan, target=Path(target), snapshot=snapshot, user=user, trigger="web")
    else:
        try:
            run = restore_live_run(plan=plan, confirmation=confirmation, snapshot=snapshot, user=user, trigger="web")
        except RunFailed as exc:
            return {"refused": exc.message}
    return {"run": run.pk, "state": run.state}


@task(queue_name="long")
def backup_export(
    *,
    plan_id: int,
    to: str,
    medium: str,
    label: str = "",
    kept_at: str = "",
    passphrase: str = "",
    snapshot: str = "latest",
    user_id: int | None = None,
) -> dict[str, object]:
    """Write the plan's snapshot onto offline media and register it (ADK). ``passphrase`` arrives encrypted
    (core's field key): the queue's table keeps a task's arguments, and must not keep the phrase readable."""
    from pathlib import Path

    from jaga.backups.services import export_run
    from jaga.core.fields import decrypt

    plan = _plan(plan_id)
    if plan is None:
        return {"skipped": "plan gone or inactive"}
    run = export_run(
        plan=plan, to=Path(to), medium=medium, label=label, kept_at=kept_at,
        passphrase=decrypt(passphrase) if passphrase else "", snapshot=snapshot, user=_user(user_id), trigger="web",
    )  # fmt: skip
    return {"run": run.pk, "state": run.state}


@task(queue_name="quick")
def backup_sheet_remind() -> dict[str, object]:
    """Daily: remind of every recovery sheet nobody has confirmed printing."""
    from jaga.backups.services import repository_sheets_remind

    return {"reminded": repository_sheets_remind()}
