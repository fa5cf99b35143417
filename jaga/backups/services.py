"""The backups app's writes: repositories, plans, and the runs (backup, check, drill, restore).

A run is recorded before anything is touched (state ``running``, a ledger entry of activity ``backup``
open) and ends exactly once: success, warning (restic's exit 3: saved, some files unreadable), failed, or
interrupted (its process died; the sweep closes it). A run never ends as a success unless every dump passed
its checks and restic reported the snapshot. A failure opens or updates the plan's incident (kind
``backup_failed``) and notifies ``backup.failed``; the next success clears the incident.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jaga.backups.models import Plan, Repository, Run, RunKind, RunState, Source
from jaga.backups.repositories import MediumMissing, disk_marker_write, medium_check, options_validate, restic_for
from jaga.backups.restic import Progress, ResticError, forget_args
from jaga.backups.sources import REGISTRY
from jaga.backups.sources.base import SourceError, SourceSpec
from jaga.core import clock
from jaga.core.liveness import process_identity, process_verdict
from jaga.core.models import Site
from jaga.core.notifications import notify

logger = logging.getLogger("jaga.backups")

INCIDENT_KIND = "backup_failed"
PROGRESS_EVERY = 1.0  # seconds between progress writes to the run's row


def work_dir(*parts: str) -> Path:
    path = Path(settings.DATA_DIR).joinpath("backups", *parts)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


# --- repositories and plans -----------------------------------------------------------------------------


def repository_create(
    *,
    institution: Any,
    name: str,
    location: str,
    password: str,
    kind: str = "local",
    options: dict[str, Any] | None = None,
    credentials: str = "",
    init: bool = True,
) -> Repository:
    repository = Repository.objects.create(
        institution=institution,
        name=name,
        kind=kind,
        location=location,
        password=password,
        options=options_validate(kind, options),
        credentials=credentials,
    )
    if init:
        repository_init(repository=repository)
    return repository


def repository_init(*, repository: Repository) -> Repository:
    """Create the restic repository (or adopt the one already there) and remember its id."""
    medium_check(repository)  # a local folder's parent is made here, an external disk is checked
    engine = restic_for(repository)
    fingerprint = engine.repository_id() if engine.exists() else engine.init()
    repository.fingerprint = fingerprint
    repository.initialized_at = clock.now()
    repository.save(update_fields=["fingerprint", "initialized_at"])
    disk_marker_write(repository)
    return repository


def plan_create(*, site: Site, name: str, repository: Repository, **fields: Any) -> Plan:
    plan = Plan.objects.create(site=site, name=name, repository=repository, **fields)
    plan_schedules_ensure(plan=plan)
    return plan


def source_add(*, plan: Plan, kind: str, name: str, config: dict[str, Any], secret: str = "") -> Source:
    cleaned = REGISTRY.get(kind).validate(config)
    position = plan.sources.count()
    return Source.objects.create(plan=plan, kind=kind, name=name, config=cleaned, secret=secret, position=position)


def plan_schedules_ensure(*, plan: Plan) -> None:
    """The plan's three schedules: backups every ``interval_hours``, checks and drills every N days."""
    from jaga.core.scheduling import schedule_ensure

    institution = plan.site.institution
    for what, seconds in (
        ("run", plan.interval_hours * 3600),
        ("check", plan.check_interval_days * 86400),
        ("drill", plan.drill_interval_days * 86400),
    ):
        if seconds <= 0:
            continue
        schedule_ensure(
            key=f"backup-plan:{plan.pk}:{what}",
            task_path=f"jaga.backups.tasks.backup_{what}",
            interval_seconds=seconds,
            kwargs={"plan_id": plan.pk},
            institution=institution,
            owner=plan,
        )


def backup_schedules_ensure() -> None:
    """At the scheduler's start: every active plan has its schedules (declared again, idempotent)."""
    for plan in Plan.objects.filter(is_active=True).select_related("site__institution"):
        plan_schedules_ensure(plan=plan)


# --- runs ----------------------------------------------------------------------------------------------


class RunFailed(Exception):
    """Ends a run as failed with a sentence; ``soft`` for a missing medium (alerts, is not a crash)."""

    def __init__(self, message: str, *, soft: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.soft = soft


@dataclass
class RunContext:
    run: Run
    on_progress: Callable[[Run], None] | None = None
    _last_write: float = 0.0

    def log(self, line: str) -> None:
        stamp = clock.now().strftime("%H:%M:%S")
        self.run.log += f"[{stamp}] {line}\n"
        logger.info("run %s: %s", self.run.pk, line)
        self.save_progress(force=True)

    def phase(self, text: str, percent: float | None = None) -> None:
        self.run.phase = text[:200]
        if percent is not None:
            self.run.percent = percent
        self.log(text)

    def progress(self, progress: Progress) -> None:
        self.run.percent = round(progress.percent * 100, 1)
        self.run.files_processed = progress.files_done
        self.run.bytes_processed = progress.bytes_done
        self.save_progress()

    def save_progress(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_write < PROGRESS_EVERY:
            return
        self._last_write = now
        self.run.heartbeat_at = clock.now()
        Run.objects.filter(pk=self.run.pk).update(
            phase=self.run.phase,
            percent=self.run.percent,
            files_processed=self.run.files_processed,
            bytes_processed=self.run.bytes_processed,
            heartbeat_at=self.run.heartbeat_at,
            log=self.run.log,
        )
        if self.on_progress is not None:
            self.on_progress(self.run)


def _run_open(*, plan: Plan, kind: str, trigger: str, user: Any = None) -> tuple[Run, Any]:
    from jaga.sop.services import ledger_open

    owner = process_identity()
    run = Run.objects.create(
        plan=plan,
        kind=kind,
        trigger=trigger,
        started_by=user,
        started_at=clock.now(),
        process_id=owner.process_id,
        host=owner.host,
        pid=owner.pid,
        heartbeat_at=clock.now(),
    )
    entry = None
    if kind in (RunKind.BACKUP, RunKind.DRILL, RunKind.EXPORT):
        entry = ledger_open(
            activity_key="backup", institution=plan.site.institution, site=plan.site, performed_by=user, output=run
        )
        run.ledger_entry_id = entry.pk
        run.save(update_fields=["ledger_entry_id"])
    return run, entry


def _notes(run: Run) -> str:
    if run.state in (RunState.SUCCESS, RunState.WARNING):
        text = f"{run.get_kind_display()} {run.plan.name}: {run.get_state_display()}"
        if run.snapshot_id:
            text += f", snapshot {run.snapshot_id[:8]}"
        if run.bytes_added:
            text += f", +{run.bytes_added} B"
        return text
    return f"{run.get_kind_display()} {run.plan.name}: {run.error[:500]}"


def _run_close(run: Run, entry: Any, *, state: str, error: str = "") -> Run:
    from jaga.sop.services import ledger_close

    run.state = state
    run.error = error
    run.ended_at = clock.now()
    run.percent = 100.0 if state in (RunState.SUCCESS, RunState.WARNING) else run.percent
    run.phase = ""
    run.save()
    if entry is not None:
        outcome = {"success": "success", "warning": "partial"}.get(str(state), "failure")
        ledger_close(entry=entry, outcome=outcome, output=run, notes=_notes(run))
    return run


def _incidents() -> Any | None:
    """The incidents app's services (CONTRACTS.md item 1), when they exist."""
    if find_spec("jaga.incidents.services") is None:
        return None
    module = import_module("jaga.incidents.services")
    return module if hasattr(module, "incident_open_or_update") else None


def _cause_key(plan: Plan) -> str:
    return f"backup-plan:{plan.pk}"


def _announce_failure(run: Run, *, soft: bool) -> None:
    plan = run.plan
    incidents = _incidents()
    if incidents is not None:
        try:
            incidents.incident_open_or_update(
                site=plan.site,
                kind=INCIDENT_KIND,
                cause_key=_cause_key(plan),
                summary=f"{plan.name}: {run.error.splitlines()[0][:200] if run.error else run.get_state_display()}",
                details={"run": run.pk, "kind": run.kind, "soft": soft},
                severity="sedang" if soft else "tinggi",
                source="backups",
            )
        except Exception:  # the incident is the alert's companion; its failure never hides the run's
            logger.exception("incident for backup run %s not recorded", run.pk)
    event = {"check": "backup.check_failed", "drill": "backup.drill_failed"}.get(run.kind, "backup.failed")
    notify(
        institution=plan.site.institution,
        event_type=event,
        title=gettext_lazy("%(kind)s gagal: %(plan)s (%(site)s)"),
        body=gettext_lazy("%(error)s\nMulai: %(started)s"),
        params={
            "kind": run.get_kind_display(),
            "plan": plan.name,
            "site": plan.site.name,
            "error": run.error,
            "started": run.started_at,
        },
        site=plan.site,
        link=run,
        severity="warning" if soft else None,
    )


def _announce_success(run: Run) -> None:
    plan = run.plan
    previous = (
        Run.objects.filter(plan=plan, kind=run.kind, ended_at__isnull=False)
        .exclude(pk=run.pk)
        .order_by("-started_at", "-pk")
        .first()
    )
    incidents = _incidents()
    if incidents is not None and run.kind == RunKind.BACKUP:
        try:
            incidents.incident_cause_cleared(site=plan.site, kind=INCIDENT_KIND, cause_key=_cause_key(plan))
        except Exception:
            logger.exception("incident for backup plan %s not cleared", plan.pk)
    if run.state == RunState.WARNING:
        notify(
            institution=plan.site.institution,
            event_type="backup.warning",
            title=gettext_lazy("Pencadangan %(plan)s: sebagian berkas tidak terbaca"),
            body=gettext_lazy("Snapshot %(snapshot)s tersimpan, tetapi %(count)s berkas tidak terbaca:\n%(files)s"),
            params={
                "plan": plan.name,
                "snapshot": run.snapshot_id[:8],
                "count": len(run.warnings),
                "files": "\n".join(run.warnings[:20]),
            },
            site=plan.site,
            link=run,
        )
    elif previous is not None and previous.state in (RunState.FAILED, RunState.INTERRUPTED):
        notify(
            institution=plan.site.institution,
            event_type="backup.recovered",
            title=gettext_lazy("Pencadangan %(plan)s berhasil lagi"),
            body=gettext_lazy("Snapshot %(snapshot)s tersimpan."),
            params={"plan": plan.name, "snapshot": run.snapshot_id[:8]},
            site=plan.site,
            link=run,
        )


@contextlib.contextmanager
def plan_lock(plan: Plan) -> Iterator[None]:
    """One run of a plan at a time on this machine (restic's own lock covers the repository everywhere)."""
    path = work_dir("locks") / f"plan-{plan.pk}.lock"
    with path.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunFailed(_("Rencana ini sedang dijalankan proses lain.")) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _perform(
    *,
    plan: Plan,
    kind: str,
    trigger: str,
    user: Any,
    on_progress: Callable[[Run], None] | None,
    work: Callable[[RunContext], str],
) -> Run:
    """Open a run, do ``work`` (which returns the final state), close it whatever happens, announce it."""
    run, entry = _run_open(plan=plan, kind=kind, trigger=trigger, user=user)
    ctx = RunContext(run=run, on_progress=on_progress)
    soft = False
    try:
        with plan_lock(plan):
            medium_check(plan.repository)
            state = work(ctx)
        _run_close(run, entry, state=state)
    except MediumMissing as exc:
        soft = True
        ctx.log(exc.message)
        _run_close(run, entry, state=RunState.FAILED, error=exc.message)
    except RunFailed as exc:
        soft = exc.soft
        ctx.log(exc.message)
        _run_close(run, entry, state=RunState.FAILED, error=exc.message)
    except (SourceError, ResticError) as exc:
        ctx.log(str(exc))
        _run_close(run, entry, state=RunState.FAILED, error=str(exc))
    except BaseException as exc:  # a crash or Ctrl-C: never left running, never a success
        message = _("Terhenti: %(e)s") % {"e": exc.__class__.__name__ + (f": {exc}" if str(exc) else "")}
        with contextlib.suppress(Exception):
            ctx.log(message)
            _run_close(
                run, entry, state=RunState.INTERRUPTED if isinstance(exc, KeyboardInterrupt) else RunState.FAILED,
                error=message,
            )  # fmt: skip
        if not isinstance(exc, Exception):
            raise
        logger.exception("backup run %s crashed", run.pk)
    if run.state in (RunState.FAILED, RunState.INTERRUPTED):
        _announce_failure(run, soft=soft)
    else:
        _announce_success(run)
    return run


def _specs(plan: Plan) -> list[tuple[Source, SourceSpec]]:
    return [
        (source, SourceSpec(name=source.name, config=source.config, secret=source.secret))
        for source in plan.sources.all()
    ]


def backup_run(
    *, plan: Plan, trigger: str = "schedule", user: Any = None, on_progress: Callable[[Run], None] | None = None
) -> Run:
    """Dump and check every source, snapshot them in one restic snapshot, then forget --prune by retention."""

    def work(ctx: RunContext) -> str:
        run = ctx.run
        specs = _specs(plan)
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

    return _perform(plan=plan, kind=RunKind.BACKUP, trigger=trigger, user=user, on_progress=on_progress, work=work)


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

    return _perform(plan=plan, kind=RunKind.CHECK, trigger=trigger, user=user, on_progress=on_progress, work=work)


def latest_snapshot_run(plan: Plan) -> Run | None:
    return (
        Run.objects.filter(plan=plan, kind=RunKind.BACKUP, state__in=(RunState.SUCCESS, RunState.WARNING))
        .exclude(snapshot_id="")
        .order_by("-started_at", "-pk")
        .first()
    )


def _snapshot_run(plan: Plan, snapshot: str) -> Run:
    backup = latest_snapshot_run(plan) if snapshot in ("", "latest") else None
    if backup is None and snapshot not in ("", "latest"):
        backup = Run.objects.filter(plan=plan, kind=RunKind.BACKUP, snapshot_id__startswith=snapshot).first()
    if backup is None:
        raise RunFailed(_("Belum ada snapshot yang berhasil untuk rencana ini."))
    return backup


def drill_run(
    *, plan: Plan, trigger: str = "schedule", user: Any = None, on_progress: Callable[[Run], None] | None = None
) -> Run:
    """Restore the latest snapshot into a scratch folder with ``--verify``, then verify every source in it."""

    def work(ctx: RunContext) -> str:
        backup = _snapshot_run(plan, "latest")
        scratch = work_dir("drills") / f"run-{ctx.run.pk}"
        ctx.run.snapshot_id = backup.snapshot_id
        try:
            ctx.phase(_("Memulihkan snapshot %(id)s ke folder sementara") % {"id": backup.snapshot_id[:8]}, 10.0)
            restic_for(plan.repository).restore(backup.snapshot_id, target=scratch, verify=True)
            results: dict[str, Any] = {}
            problems: list[str] = []
            facts_by_source = (backup.details or {}).get("sources", {})
            for source, spec in _specs(plan):
                facts = facts_by_source.get(source.name)
                if facts is None:
                    problems.append(_("%(name)s tidak ada di snapshot") % {"name": source.name})
                    continue
                ctx.phase(_("Memeriksa %(name)s") % {"name": source.name}, 60.0)
                result = REGISTRY.get(source.kind).drill(spec, restored=scratch, facts=facts, log=ctx.log)
                results[source.name] = {"ok": result.ok, **result.figures, "problems": result.problems}
                problems += [f"{source.name}: {problem}" for problem in result.problems]
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        ctx.run.details = {"snapshot": backup.snapshot_id, "backup_run": backup.pk, "sources": results}
        ctx.run.save(update_fields=["details", "snapshot_id"])
        if problems:
            raise RunFailed(_("Latihan pemulihan menemukan masalah: %(p)s") % {"p": "; ".join(problems)})
        ctx.log(_("Latihan pemulihan berhasil"))
        return RunState.SUCCESS

    return _perform(plan=plan, kind=RunKind.DRILL, trigger=trigger, user=user, on_progress=on_progress, work=work)


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
        backup = _snapshot_run(plan, snapshot)
        if target.exists() and any(target.iterdir()):
            raise RunFailed(_("Folder tujuan %(dir)s tidak kosong; pilih folder baru.") % {"dir": target})
        target.mkdir(parents=True, exist_ok=True)
        ctx.run.snapshot_id = backup.snapshot_id
        ctx.phase(_("Memulihkan snapshot %(id)s ke %(dir)s") % {"id": backup.snapshot_id[:8], "dir": target}, 10.0)
        restic_for(plan.repository).restore(backup.snapshot_id, target=target, verify=True)
        ctx.run.details = {"snapshot": backup.snapshot_id, "target": str(target)}
        ctx.run.save(update_fields=["details", "snapshot_id"])
        return RunState.SUCCESS

    return _perform(plan=plan, kind=RunKind.RESTORE, trigger=trigger, user=user, on_progress=on_progress, work=work)


# --- runs of processes that died -----------------------------------------------------------------------


def backup_runs_sweep_interrupted(*, now: Any) -> int:
    """Runs still ``running`` whose process died are closed as interrupted (core's sweep calls this)."""
    closed = 0
    for run in Run.objects.filter(state=RunState.RUNNING):
        verdict = process_verdict(process_id=run.process_id, host=run.host, pid=run.pid, since=run.started_at, now=now)
        if not verdict.dead:
            continue
        with transaction.atomic():
            updated = Run.objects.filter(pk=run.pk, state=RunState.RUNNING).update(
                state=RunState.INTERRUPTED,
                ended_at=now,
                error=_("Proses yang menjalankannya berhenti: %(why)s") % {"why": verdict.reason},
            )
        if updated:
            closed += 1
    return closed


__all__ = [
    "RunFailed",
    "backup_run",
    "backup_runs_sweep_interrupted",
    "check_run",
    "drill_run",
    "plan_create",
    "repository_create",
    "restore_run",
    "source_add",
]
