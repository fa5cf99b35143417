"""The backups app's reads: plans with their last runs, a plan's runs and snapshots, the ADK register."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from jaga.backups.models import MediaExport, Plan, Repository, Run, RunKind, RunState
from jaga.core import clock

DONE_WELL = (RunState.SUCCESS, RunState.WARNING)


def latest_snapshot_run(plan: Plan) -> Run | None:
    """The plan's newest backup run that saved a snapshot (a success or a warning)."""
    return (
        Run.objects.filter(plan=plan, kind=RunKind.BACKUP, state__in=DONE_WELL)
        .exclude(snapshot_id="")
        .order_by("-started_at", "-pk")
        .first()
    )


def last_run(plan: Plan, kind: str) -> Run | None:
    return Run.objects.filter(plan=plan, kind=kind).order_by("-started_at", "-pk").first()


def running_runs(plan: Plan) -> QuerySet[Run]:
    return Run.objects.filter(plan=plan, state=RunState.RUNNING).order_by("-started_at", "-pk")


# The tasks that start a run of a plan (jaga.backups.tasks), and the kind of run each starts.
TASK_KINDS = {
    "jaga.backups.tasks.backup_run": RunKind.BACKUP,
    "jaga.backups.tasks.backup_check": RunKind.CHECK,
    "jaga.backups.tasks.backup_drill": RunKind.DRILL,
    "jaga.backups.tasks.backup_restore": RunKind.RESTORE,
    "jaga.backups.tasks.backup_export": RunKind.EXPORT,
}


def plan_queued(plan: Plan) -> list[RunKind]:
    """The runs of the plan that wait for a worker (queued from a page, the API or a schedule), oldest first:
    the plan's page shows them and keeps polling until each has started."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    paths = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path__in=list(TASK_KINDS), args_kwargs__kwargs__plan_id=plan.pk
    ).order_by("enqueued_at")
    return [TASK_KINDS[path] for path in paths.values_list("task_path", flat=True)]


@dataclass(frozen=True)
class PlanRow:
    """A plan on the list: its last backup, its last good one, and whether a backup is overdue."""

    plan: Plan
    last: Run | None
    last_good: Run | None
    last_drill: Run | None
    running: Run | None
    overdue: bool
    next_due: dt.datetime | None


def plan_row(plan: Plan, *, now: dt.datetime | None = None) -> PlanRow:
    now = now or clock.now()
    last_good = latest_snapshot_run(plan)
    interval = dt.timedelta(hours=plan.interval_hours or 6)
    since = last_good.started_at if last_good else plan.created_at
    return PlanRow(
        plan=plan,
        last=last_run(plan, RunKind.BACKUP),
        last_good=last_good,
        last_drill=last_run(plan, RunKind.DRILL),
        running=running_runs(plan).first(),
        overdue=plan.is_active and now - since > interval,
        next_due=since + interval if plan.is_active else None,
    )


def plans_for(*, institution: Any) -> list[PlanRow]:
    """The institution's plans that are not archived (an archived plan is listed by :func:`plans_archived`)."""
    plans = Plan.objects.filter(site__institution=institution, removed_at__isnull=True).select_related(
        "site", "repository"
    )
    now = clock.now()
    return [plan_row(plan, now=now) for plan in plans]


def plans_archived(*, institution: Any) -> QuerySet[Plan]:
    return (
        Plan.objects.filter(site__institution=institution, removed_at__isnull=False)
        .select_related("site", "repository")
        .order_by("-removed_at")
    )


def repositories_for(*, institution: Any) -> QuerySet[Repository]:
    """The repositories in use or usable; one removed from Jaga is in :func:`repositories_removed`."""
    return Repository.objects.filter(institution=institution, removed_at__isnull=True).order_by("name")


def repositories_removed(*, institution: Any) -> QuerySet[Repository]:
    return Repository.objects.filter(institution=institution, removed_at__isnull=False).order_by("-removed_at")


def repositories_needing_sheet(*, institution: Any) -> QuerySet[Repository]:
    """Repositories whose recovery sheet nobody has confirmed printing: Jaga reminds until someone does."""
    return repositories_for(institution=institution).filter(sheet_confirmed_at__isnull=True)


def plan_runs(plan: Plan, *, kind: str = "", limit: int = 30) -> list[Run]:
    runs = Run.objects.filter(plan=plan).select_related("started_by")
    if kind:
        runs = runs.filter(kind=kind)
    return list(runs.order_by("-started_at", "-pk")[:limit])


def plan_snapshots(plan: Plan) -> list[dict[str, Any]]:
    """The plan's snapshots as restic lists them, newest first, each with the run that made it if known."""
    from jaga.backups.repositories import restic_for
    from jaga.core.ssh import ssh_scope

    with ssh_scope():  # an SFTP repository's key is on disk for this one call
        snapshots = restic_for(plan.repository).snapshots(tags=[f"plan:{plan.pk}"])
    runs = {
        run.snapshot_id[:8]: run for run in Run.objects.filter(plan=plan, kind=RunKind.BACKUP).exclude(snapshot_id="")
    }
    rows: list[dict[str, Any]] = []
    for item in snapshots:
        short = str(item.get("short_id") or str(item.get("id", ""))[:8])
        rows.append(
            {
                "id": str(item.get("id", "")),
                "short_id": short,
                "time": _parse_time(str(item.get("time", ""))),
                "paths": list(item.get("paths") or []),
                "run": runs.get(short),
            }
        )
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    rows.sort(key=lambda row: row["time"] or oldest, reverse=True)
    return rows


def _parse_time(text: str) -> dt.datetime | None:
    # restic writes nanoseconds (2026-12-02T15:04:05.123456789+07:00); Python reads microseconds.
    if not text:
        return None
    head, dot, rest = text.partition(".")
    if dot:
        digits = "".join(ch for ch in rest if ch.isdigit())
        zone = rest[len(digits) :]
        text = f"{head}.{digits[:6]}{zone}"
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def exports_for(*, institution: Any) -> QuerySet[MediaExport]:
    return (
        MediaExport.objects.filter(plan__site__institution=institution)
        .select_related("plan__site", "made_by")
        .order_by("-created_at", "-pk")
    )


def runs_between(*, sites: Any, since: dt.datetime, until: dt.datetime) -> QuerySet[Run]:
    """The runs of the sites' plans started in ``[since, until)``, oldest first (a report's period)."""
    return (
        Run.objects.filter(plan__site__in=sites, started_at__gte=since, started_at__lt=until)
        .select_related("plan__site")
        .order_by("started_at", "pk")
    )


def last_run_before(plan: Plan, kind: str, *, until: dt.datetime, states: Any = DONE_WELL) -> Run | None:
    """The plan's newest run of ``kind`` in ``states`` started before ``until``."""
    return (
        Run.objects.filter(plan=plan, kind=kind, state__in=states, started_at__lt=until)
        .order_by("-started_at", "-pk")
        .first()
    )


def sop_tile_lines(*, institution: Any, site: Any = None, activity_keys: Any = ()) -> dict[str, list[Any]]:
    """The backup tile of the SOP dashboards: each active plan's last success, overdue (red) once more than the
    plan's own interval has passed without one (the tile's own state follows the SOP's 6-hour standard)."""
    from django.utils import formats, timezone
    from django.utils.translation import gettext as _

    from jaga.sop.tiles import TileLine

    rows = [row for row in plans_for(institution=institution) if row.plan.is_active]
    if site is not None:
        rows = [row for row in rows if row.plan.site_id == site.pk]
    if not rows:
        return {}
    lines = []
    for row in rows[:5]:
        if row.last_good is None:
            text = _("%(plan)s: belum pernah berhasil") % {"plan": row.plan.name}
        else:
            when = formats.date_format(timezone.localtime(row.last_good.started_at), "j M H.i")
            text = _("%(plan)s: berhasil %(when)s") % {"plan": row.plan.name, "when": when}
        if row.overdue:
            text += " · " + _("terlambat (lebih dari %(hours)s jam)") % {"hours": row.plan.interval_hours}
        lines.append(TileLine(text, "bad" if row.overdue else "ok", row.plan.get_absolute_url()))
    return {"backup": lines}
