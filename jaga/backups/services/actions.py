"""The runs of a plan: backup (dump, check, snapshot, forget --prune), repository check, drill, restore."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from jaga.backups.models import Plan, Repository, Run, RunKind, RunState
from jaga.backups.repositories import restic_for
from jaga.backups.restic import SKIPPED_SUFFIX, BackupSummary, Restic, ResticError, forget_args
from jaga.backups.selectors import latest_snapshot_run
from jaga.backups.services.runs import RunContext, RunFailed, perform, specs_of
from jaga.backups.services.setup import scratch_remove, work_dir
from jaga.backups.sources import REGISTRY
from jaga.core import clock


def backup_run(
    *, plan: Plan, trigger: str = "schedule", user: Any = None, on_progress: Callable[[Run], None] | None = None
) -> Run:
    """Dump and check every source, snapshot them in one restic snapshot, then forget --prune by retention."""

    def work(ctx: RunContext) -> str:
        run = ctx.run
        specs = specs_of(plan)
        if not specs:
            raise RunFailed(_("Rencana ini belum punya sumber."))
        staging = work_dir("staging", f"plan-{plan.pk}")
        for leftover in staging.iterdir():  # a killed run's dumps are never snapshotted by the next one
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
        paths: list[str] = []
        excludes: list[str] = []
        facts: dict[str, Any] = {}
        try:
            for source, spec in specs:
                kind = REGISTRY.get(source.kind)
                ctx.phase(_("Menyiapkan %(name)s") % {"name": source.name}, 0.0)
                prepared = kind.prepare(spec, staging=staging, log=ctx.log)
                if prepared.config_update:  # a host key pinned on first use is checked from the next run on
                    source.config = {**source.config, **prepared.config_update}
                    source.save(update_fields=["config"])
                paths += [str(path) for path in prepared.paths]
                excludes += prepared.excludes
                facts[source.name] = {"kind": source.kind, **prepared.facts}
            run.details = {"sources": facts}
            run.save(update_fields=["details"])
            ctx.phase(_("Menyimpan snapshot ke %(repo)s") % {"repo": plan.repository.name}, 0.0)
            engine = restic_for(plan.repository)
            summary = engine.backup(
                paths, excludes=excludes, tags=(f"plan:{plan.pk}", f"run:{run.pk}"), on_progress=ctx.progress
            )
            _vanished_check(engine, summary, paths)
        finally:
            for path in staging.iterdir():
                path.unlink(missing_ok=True)
        run.snapshot_id = summary.snapshot_id
        run.files_new = summary.files_new
        run.files_changed = summary.files_changed
        run.files_processed = summary.files_processed
        run.bytes_added = summary.bytes_added
        run.bytes_processed = summary.bytes_processed
        run.warnings = summary.errors[:500]
        run.save()
        ctx.log(
            _("Snapshot %(id)s: %(new)d baru, %(changed)d berubah, %(files)d berkas, +%(added)d bita")
            % {
                "id": summary.snapshot_id[:8],
                "new": summary.files_new,
                "changed": summary.files_changed,
                "files": summary.files_processed,
                "added": summary.bytes_added,
            }
        )
        for line in summary.errors[:50]:
            ctx.log(_("Tidak terbaca: %(line)s") % {"line": line})
        ctx.phase(_("Menerapkan retensi (forget --prune)"))
        engine.forget(
            forget_args(
                keep_last=plan.keep_last,
                keep_daily=plan.keep_daily,
                keep_weekly=plan.keep_weekly,
                keep_monthly=plan.keep_monthly,
                keep_yearly=plan.keep_yearly,
                tag=f"plan:{plan.pk}",
                prune=True,
            )
        )
        return RunState.WARNING if summary.warned else RunState.SUCCESS

    return perform(plan=plan, kind=RunKind.BACKUP, trigger=trigger, user=user, on_progress=on_progress, work=work)


def _vanished_check(engine: Restic, summary: BackupSummary, paths: list[str]) -> None:
    """A source that is gone when restic ends (removed while it read, or before it started: restic then skips
    it and exits 0) fails the run, and its incomplete snapshot is forgotten, so that the latest snapshot in the
    repository (what the recovery sheet's ``restic restore latest`` takes) stays the last complete one."""
    gone = [*summary.skipped, *(path for path in paths if not os.path.lexists(path) and path not in summary.skipped)]
    if not gone:
        return
    removed = True
    try:
        engine.forget_snapshot(summary.snapshot_id)
    except ResticError:
        removed = False
    message = _("Sumber hilang selama pencadangan: %(paths)s.") % {"paths": ", ".join(gone)}
    if removed:
        message += " " + _("Snapshot %(id)s yang tidak lengkap dihapus; snapshot sebelumnya tetap ada.") % {
            "id": summary.snapshot_id[:8]
        }
    said = [f"{path}{SKIPPED_SUFFIX}" for path in summary.skipped] + summary.errors[:20]
    raise RunFailed("\n".join([message, *said]))


def check_subset(plan: Plan) -> str:
    """The next ``--read-data-subset`` of the rotation: n/N so that all data is read over N checks."""
    cycle = max(1, plan.read_cycle_checks)
    return f"{plan.check_counter % cycle + 1}/{cycle}"


def check_run(
    *, plan: Plan, trigger: str = "schedule", user: Any = None, on_progress: Callable[[Run], None] | None = None
) -> Run:
    def work(ctx: RunContext) -> str:
        subset = check_subset(plan)
        ctx.phase(_("restic check, membaca bagian data %(subset)s") % {"subset": subset}, 0.0)
        restic_for(plan.repository).check(subset=subset)
        Plan.objects.filter(pk=plan.pk).update(check_counter=plan.check_counter + 1)
        Repository.objects.filter(pk=plan.repository_id).update(last_checked_at=clock.now())
        ctx.run.details = {"subset": subset}
        ctx.run.save(update_fields=["details"])
        return RunState.SUCCESS

    return perform(plan=plan, kind=RunKind.CHECK, trigger=trigger, user=user, on_progress=on_progress, work=work)


def backup_of_snapshot(plan: Plan, snapshot: str) -> Run:
    backup = latest_snapshot_run(plan) if snapshot in ("", "latest") else None
    if backup is None and snapshot not in ("", "latest"):
        backup = Run.objects.filter(plan=plan, kind=RunKind.BACKUP, snapshot_id__startswith=snapshot).first()
    if backup is None:
        raise RunFailed(_("Belum ada snapshot yang berhasil untuk rencana ini."))
    return backup


def _web_root_share(
    specs: list[tuple[Any, Any]], facts_by_source: dict[str, Any], *, restored: Path, verified: int | None
) -> int | None:
    """How many of the files restic verified are the web root's, when the plan has one web root: the others
    are the database sources' dumps and their facts, in the snapshot's staging folder (one small folder, not
    a walk of the restored site). None when it cannot be told (no count, two web roots, a dump without its
    path): the web root's drill then counts its folder itself."""
    if verified is None:
        return None
    kinds = [(source, REGISTRY.get(source.kind)) for source, _spec in specs]
    if sum(1 for _source, kind in kinds if not kind.is_database) != 1:
        return None
    folders: set[Path] = set()
    for source, kind in kinds:
        if kind.is_database:
            dump = (facts_by_source.get(source.name) or {}).get("file")
            if not dump:
                return None
            folders.add((restored / str(dump).lstrip("/")).parent)
    others = 0
    for folder in folders:
        with os.scandir(folder) as entries:
            others += sum(1 for entry in entries if entry.is_file(follow_symlinks=False))
    return verified - others if verified >= others else None


def drill_run(
    *, plan: Plan, trigger: str = "schedule", user: Any = None, on_progress: Callable[[Run], None] | None = None
) -> Run:
    """Restore the latest snapshot into a scratch folder with ``--verify``, then verify every source in it."""

    def work(ctx: RunContext) -> str:
        backup = backup_of_snapshot(plan, "latest")
        scratch = work_dir("drills") / f"run-{ctx.run.pk}"
        ctx.run.snapshot_id = backup.snapshot_id
        try:
            ctx.phase(_("Memulihkan snapshot %(id)s ke folder sementara") % {"id": backup.snapshot_id[:8]}, 10.0)
            restored = restic_for(plan.repository).restore(backup.snapshot_id, target=scratch, verify=True)
            results: dict[str, Any] = {}
            problems: list[str] = []
            verified = restored.verified_files
            if verified is not None:
                ctx.run.files_processed = verified
                # Every file the snapshot holds was restored and read back: the backup's own count, from restic.
                if backup.state == RunState.SUCCESS and backup.files_processed and verified != backup.files_processed:
                    problems.append(
                        _("restic memeriksa %(found)d berkas, snapshot berisi %(expected)d")
                        % {"found": verified, "expected": backup.files_processed}
                    )
            facts_by_source = (backup.details or {}).get("sources", {})
            specs = specs_of(plan)
            web_root_files = _web_root_share(specs, facts_by_source, restored=scratch, verified=verified)
            for source, spec in specs:
                facts = facts_by_source.get(source.name)
                if facts is None:
                    problems.append(_("%(name)s tidak ada di snapshot") % {"name": source.name})
                    continue
                ctx.phase(_("Memeriksa %(name)s") % {"name": source.name}, 60.0)
                kind = REGISTRY.get(source.kind)
                if web_root_files is not None and not kind.is_database:
                    facts = {**facts, "restored_files": web_root_files}
                result = kind.drill(spec, restored=scratch, facts=facts, log=ctx.log)
                results[source.name] = {"ok": result.ok, **result.figures, "problems": result.problems}
                problems += [f"{source.name}: {problem}" for problem in result.problems]
        finally:
            scratch_remove(scratch)
        ctx.run.details = {
            "snapshot": backup.snapshot_id, "backup_run": backup.pk, "verified_files": verified, "sources": results,
        }  # fmt: skip
        ctx.run.save(update_fields=["details", "snapshot_id", "files_processed"])
        if problems:
            raise RunFailed(_("Latihan pemulihan menemukan masalah: %(p)s") % {"p": "; ".join(problems)})
        ctx.log(_("Latihan pemulihan berhasil"))
        return RunState.SUCCESS

    return perform(plan=plan, kind=RunKind.DRILL, trigger=trigger, user=user, on_progress=on_progress, work=work)
