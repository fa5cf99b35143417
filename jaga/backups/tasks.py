"""Background jobs of the backups app (django-tasks, queue ``long``): a plan's backup, check, drill, restore
and export. The schedules start the first three; the pages queue any of them with the person who asked."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django_tasks import TaskContext, task

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


PASSPHRASE_USED = "used"  # what the queue keeps of an export's passphrase once the task has read it


def _argument_forget(context: TaskContext, name: str) -> None:
    """Overwrite one of the running task's stored arguments: the queue's table keeps a task's arguments after
    it ran, and a secret among them must not stay there, even encrypted."""
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        row = DBTaskResult.objects.select_for_update().filter(pk=context.task_result.id).first()
        if row is None:  # run by another back end (tests' immediate one): nothing is stored
            return
        arguments = row.args_kwargs
        arguments["kwargs"][name] = PASSPHRASE_USED
        DBTaskResult.objects.filter(pk=row.pk).update(args_kwargs=arguments)


@task(queue_name="long", takes_context=True)
def backup_export(
    context: TaskContext,
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
    (core's field key) and is removed from the queue's table as soon as the task has read it. An export that
    was cut off and queued again finds it gone: it fails in words and is never made again unencrypted."""
    from pathlib import Path

    from jaga.backups.services import export_run
    from jaga.core.fields import decrypt

    if passphrase:
        _argument_forget(context, "passphrase")
    plan = _plan(plan_id)
    if plan is None:
        return {"skipped": "plan gone or inactive"}
    user = _user(user_id)
    if passphrase == PASSPHRASE_USED:
        run = _export_refused(plan=plan, user=user)
        return {"run": run.pk, "state": run.state}
    run = export_run(
        plan=plan, to=Path(to), medium=medium, label=label, kept_at=kept_at,
        passphrase=decrypt(passphrase) if passphrase else "", snapshot=snapshot, user=user, trigger="web",
    )  # fmt: skip
    return {"run": run.pk, "state": run.state}


def _export_refused(*, plan: Plan, user: Any) -> Any:
    from django.utils.translation import gettext as _

    from jaga.backups.models import RunKind
    from jaga.backups.services.runs import RunContext, RunFailed, perform

    def work(ctx: RunContext) -> str:
        raise RunFailed(
            _(
                "Ekspor terenkripsi ini terputus dan diantrekan lagi, tetapi frasa sandinya sudah dihapus dari "
                "antrean setelah dibaca: ekspor tidak diulang tanpa enkripsi. Mulai ekspor lagi dari halaman rencana."
            )
        )

    return perform(plan=plan, kind=RunKind.EXPORT, trigger="web", user=user, on_progress=None, work=work)


@task(queue_name="quick")
def backup_sheet_remind() -> dict[str, object]:
    """Daily: remind of every recovery sheet nobody has confirmed printing."""
    from jaga.backups.services import repository_sheets_remind

    return {"reminded": repository_sheets_remind()}
