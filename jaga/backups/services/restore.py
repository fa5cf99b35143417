"""Restores: a snapshot into a new, empty folder; or over the live site after a typed confirmation.

A restore over the live site first takes a snapshot of the site as it is now (a backup run with trigger
``pre-restore``): if that fails, nothing is touched. Then the chosen snapshot is restored into a scratch
folder with ``--verify`` and each source puts its part back (``restore_live`` of its module): the web root's
files replaced (files that were not in the snapshot are removed, except what the plan never backs up),
each database loaded from its checked dump.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from jaga.backups.models import Plan, Run, RunKind, RunState
from jaga.backups.repositories import restic_for
from jaga.backups.services.actions import backup_of_snapshot, backup_run
from jaga.backups.services.runs import RunContext, RunFailed, perform, specs_of
from jaga.backups.services.setup import scratch_remove, work_dir
from jaga.backups.sources import REGISTRY


def restore_run(
    *,
    plan: Plan,
    target: Path,
    snapshot: str = "latest",
    user: Any = None,
    trigger: str = "command",
    on_progress: Callable[[Run], None] | None = None,
) -> Run:
    """Restore a snapshot's files and dumps into a new folder ``target`` (never over the live site)."""

    def work(ctx: RunContext) -> str:
        backup = backup_of_snapshot(plan, snapshot)
        if target.exists() and any(target.iterdir()):
            raise RunFailed(_("Folder tujuan %(dir)s tidak kosong; pilih folder baru.") % {"dir": target})
        target.mkdir(parents=True, exist_ok=True)
        ctx.run.snapshot_id = backup.snapshot_id
        ctx.phase(_("Memulihkan snapshot %(id)s ke %(dir)s") % {"id": backup.snapshot_id[:8], "dir": target}, 10.0)
        restic_for(plan.repository).restore(backup.snapshot_id, target=target, verify=True)
        ctx.run.details = {"snapshot": backup.snapshot_id, "target": str(target), "mode": "folder"}
        ctx.run.save(update_fields=["details", "snapshot_id"])
        return RunState.SUCCESS

    return perform(plan=plan, kind=RunKind.RESTORE, trigger=trigger, user=user, on_progress=on_progress, work=work)


def live_confirmation_text(plan: Plan) -> str:
    """What a person types to restore over the live site: the site's name, so that it is read, not clicked."""
    return plan.site.name


def restore_live_run(
    *,
    plan: Plan,
    confirmation: str,
    snapshot: str = "latest",
    user: Any = None,
    trigger: str = "command",
    on_progress: Callable[[Run], None] | None = None,
) -> Run:
    """Put a snapshot back over the live site: a safety snapshot first, then every source from the chosen one."""
    if confirmation.strip() != live_confirmation_text(plan):
        raise RunFailed(
            _("Konfirmasi tidak cocok: ketik nama situs %(name)s persis untuk memulihkan di atas situs yang berjalan.")
            % {"name": live_confirmation_text(plan)}
        )
    chosen = backup_of_snapshot(plan, snapshot)  # before the safety snapshot becomes the "latest"
    safety = backup_run(plan=plan, trigger="pre-restore", user=user, on_progress=on_progress)

    def work(ctx: RunContext) -> str:
        ctx.run.snapshot_id = chosen.snapshot_id
        ctx.run.details = {"snapshot": chosen.snapshot_id, "mode": "live", "safety_run": safety.pk}
        if safety.state not in (RunState.SUCCESS, RunState.WARNING):
            raise RunFailed(
                _("Snapshot pengaman keadaan sekarang gagal, jadi situs tidak disentuh: %(e)s") % {"e": safety.error}
            )
        ctx.run.details["safety_snapshot"] = safety.snapshot_id
        ctx.log(_("Snapshot pengaman keadaan sekarang: %(id)s") % {"id": safety.snapshot_id[:8]})
        scratch = work_dir("restores") / f"run-{ctx.run.pk}"
        scratch_remove(scratch)
        facts_by_source = (chosen.details or {}).get("sources", {})
        results: dict[str, Any] = {}
        try:
            ctx.phase(_("Memulihkan snapshot %(id)s ke folder sementara") % {"id": chosen.snapshot_id[:8]}, 10.0)
            restic_for(plan.repository).restore(chosen.snapshot_id, target=scratch, verify=True)
            specs = specs_of(plan)
            for index, (source, spec) in enumerate(specs):
                facts = facts_by_source.get(source.name)
                if facts is None:
                    raise RunFailed(_("%(name)s tidak ada di snapshot itu.") % {"name": source.name})
                ctx.phase(
                    _("Mengembalikan %(name)s ke situs") % {"name": source.name}, 40.0 + 50.0 * index / len(specs)
                )
                results[source.name] = REGISTRY.get(source.kind).restore_live(
                    spec, restored=scratch, facts=facts, log=ctx.log
                )
        finally:
            scratch_remove(scratch)
            ctx.run.details["sources"] = results
            ctx.run.save(update_fields=["details", "snapshot_id"])
        ctx.log(_("Situs dipulihkan dari snapshot %(id)s") % {"id": chosen.snapshot_id[:8]})
        return RunState.SUCCESS

    return perform(plan=plan, kind=RunKind.RESTORE, trigger=trigger, user=user, on_progress=on_progress, work=work)
