"""A run's life: opened before anything is touched, ended exactly once, announced (incident, notification).

A run is recorded before anything is touched (state ``running``, a ledger entry of activity ``backup``
open) and ends exactly once: success, warning (restic's exit 3: saved, some files unreadable), failed, or
interrupted (its process died; the sweep closes it). A failure opens or updates the plan's incident (kind
``backup_failed``) and notifies ``backup.failed``; the next success clears the incident.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from jaga.backups.models import Plan, Run, RunKind, RunState, Source
from jaga.backups.repositories import MediumMissing, medium_check
from jaga.backups.restic import Progress, ResticError
from jaga.backups.services.setup import work_dir
from jaga.backups.sources.base import SourceError, SourceSpec
from jaga.core import clock
from jaga.core.liveness import process_identity, process_verdict
from jaga.core.notifications import notify
from jaga.core.sentences import say, say_label, sentence_dump
from jaga.core.ssh import site_server, ssh_scope
from jaga.incidents.services import incident_cause_cleared, incident_open_or_update

logger = logging.getLogger("jaga.backups")

INCIDENT_KIND = "backup_failed"
PROGRESS_EVERY = 1.0  # seconds between progress writes to the run's row


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
    _zone: ZoneInfo | None = field(default=None, repr=False)

    def log(self, line: str) -> None:
        # The institution's local time, written as its pages write times (21.47.05), not the server's UTC.
        if self._zone is None:
            self._zone = ZoneInfo(self.run.plan.site.institution.time_zone)
        stamp = clock.now().astimezone(self._zone).strftime("%H.%M.%S")
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
    """The run's line in the ledger: a sentence each reader reads in his language (jaga.core.sentences)."""
    what = {"kind": say_label(RunKind(run.kind).label), "plan": run.plan.name}
    if run.state not in (RunState.SUCCESS, RunState.WARNING):
        return sentence_dump(say(gettext_noop("%(kind)s %(plan)s: %(error)s"), **what, error=run.error[:500]))
    what["state"] = say_label(RunState(run.state).label)
    if not run.snapshot_id:
        return sentence_dump(say(gettext_noop("%(kind)s %(plan)s: %(state)s"), **what))
    added, unit = _size(run.bytes_added)
    return sentence_dump(
        say(
            gettext_noop("%(kind)s %(plan)s: %(state)s, snapshot %(snapshot)s, %(added)s %(unit)s ditambahkan"),
            **what,
            snapshot=run.snapshot_id[:8],
            added=added,
            unit=unit,
        )
    )


def _size(count: int) -> tuple[float | int, str]:
    """A byte count as a number and its unit, as ``filesizeformat`` shows it (1024 to a KB); the number is put in
    the reader's notation when the sentence is read ("20,5" in Indonesian, "20.5" in English)."""
    for unit, scale in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if count >= scale:
            return round(count / scale, 1), unit
    return count, "B"


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


def _cause_key(plan: Plan) -> str:
    return f"backup-plan:{plan.pk}"


def _announce_failure(run: Run, *, soft: bool) -> None:
    plan = run.plan
    try:
        incident_open_or_update(
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
    if run.kind == RunKind.BACKUP:
        try:
            incident_cause_cleared(site=plan.site, kind=INCIDENT_KIND, cause_key=_cause_key(plan))
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


def perform(
    *,
    plan: Plan,
    kind: str,
    trigger: str,
    user: Any,
    on_progress: Callable[[Run], None] | None,
    work: Callable[[RunContext], str],
) -> Run:
    """Open a run, do ``work`` (which returns the final state), close it whatever happens, announce it.

    A run of the same plan left ``running`` by a process that died (killed, a crash) is closed as interrupted
    first, with its ledger entry: without a worker's sweep (``jaga backup run`` from cron) nothing else would."""
    try:
        backup_runs_sweep_interrupted(now=clock.now(), plan=plan)
    except Exception:  # the sweep tidies up; its failure never stops a backup
        logger.exception("sweep of plan %s's interrupted runs failed", plan.pk)
    run, entry = _run_open(plan=plan, kind=kind, trigger=trigger, user=user)
    ctx = RunContext(run=run, on_progress=on_progress)
    soft = False
    try:
        with plan_lock(plan), ssh_scope():  # the run's SSH keys are removed when it ends
            medium_check(plan.repository)
            state = work(ctx)
        _run_close(run, entry, state=state)
    except MediumMissing as exc:
        soft = exc.soft
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


def specs_of(plan: Plan) -> list[tuple[Source, SourceSpec]]:
    server, key = site_server(plan.site)  # for a database that only the web server reaches (an SSH tunnel)
    return [
        (
            source,
            SourceSpec(name=source.name, config=source.config, secret=source.secret, server=server, server_key=key),
        )
        for source in plan.sources.all()
    ]


def backup_runs_sweep_interrupted(*, now: Any, plan: Plan | None = None) -> int:
    """Runs still ``running`` whose process died are closed as interrupted, and their ledger entries with them
    (core's sweep calls this; so does every new run, for its plan)."""
    closed = 0
    runs = Run.objects.filter(state=RunState.RUNNING)
    for run in runs.filter(plan=plan) if plan is not None else runs:
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
            run.refresh_from_db()
            _ledger_interrupted(run)
    return closed


def _ledger_interrupted(run: Run) -> None:
    """The interrupted run's ledger entry, if still open, ends as interrupted too (never as done)."""
    from jaga.sop.models import LedgerEntry, Outcome
    from jaga.sop.services import LedgerError, ledger_close

    if run.ledger_entry_id is None:
        return
    entry = LedgerEntry.objects.filter(pk=run.ledger_entry_id, outcome=Outcome.RUNNING).first()
    if entry is None:
        return
    try:
        ledger_close(entry=entry, outcome=Outcome.INTERRUPTED, output=run, notes=_notes(run), ended_at=run.ended_at)
    except LedgerError:  # closed meanwhile by the SOP ledger's own sweep
        logger.info("ledger entry %s of run %s already closed", entry.pk, run.pk)
