"""The plans: the list, one plan's page (runs, drills, sources, schedules), a run's page with live progress,
its snapshots, and the buttons that start a backup, a check or a drill now (queued for a worker)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jaga.backups import selectors
from jaga.backups.models import MediaExport, RunKind
from jaga.backups.restic import ResticError
from jaga.backups.sources import REGISTRY
from jaga.backups.views.common import can, can_export, can_restore, institution_for, plan_for, run_for


@login_required
def index(request: HttpRequest, slug: str) -> HttpResponse:
    institution = institution_for(request, slug)
    context = {
        "institution": institution,
        "rows": selectors.plans_for(institution=institution),
        "repositories": selectors.repositories_for(institution=institution),
        "sheet_missing": selectors.repositories_needing_sheet(institution=institution),
        "archived": selectors.plans_archived(institution=institution),
        "removed": selectors.repositories_removed(institution=institution),
        "can_operate": can(request, institution, "operate"),
        "can_set_up": can_restore(request, institution),
        "can_admin": can(request, institution, "admin"),
    }
    return render(request, "backups/index.html", context)


@login_required
def plan_detail(request: HttpRequest, slug: str, plan_id: int) -> HttpResponse:
    plan = plan_for(request, slug, plan_id)
    institution = plan.site.institution
    sources = [
        {"source": source, "label": REGISTRY.entry(source.kind).label, "text": _describe(source)}
        for source in plan.sources.all()
    ]
    context = {
        "institution": institution,
        "plan": plan,
        "row": selectors.plan_row(plan),
        "sources": sources,
        "runs": selectors.plan_runs(plan, limit=20),
        "drills": selectors.plan_runs(plan, kind=RunKind.DRILL, limit=5),
        "queued": selectors.plan_queued(plan),
        "can_operate": can(request, institution, "operate"),
        "can_restore": can_restore(request, institution),
        "can_export": can_export(request, institution),
    }
    return render(request, "backups/plan_detail.html", context)


def _describe(source: object) -> str:
    from jaga.backups.sources.base import SourceSpec

    kind = REGISTRY.get(source.kind)  # type: ignore[attr-defined]
    return kind.describe(SourceSpec(name=source.name, config=source.config))  # type: ignore[attr-defined]


@login_required
def plan_snapshots(request: HttpRequest, slug: str, plan_id: int) -> HttpResponse:
    plan = plan_for(request, slug, plan_id)
    error = ""
    try:
        snapshots = selectors.plan_snapshots(plan)
    except ResticError as exc:
        snapshots, error = [], exc.message
    context = {
        "institution": plan.site.institution,
        "plan": plan,
        "snapshots": snapshots,
        "error": error,
        "can_restore": can_restore(request, plan.site.institution),
    }
    return render(request, "backups/snapshots.html", context)


@login_required
def run_detail(request: HttpRequest, slug: str, run_id: int) -> HttpResponse:
    run = run_for(request, slug, run_id)
    export = MediaExport.objects.filter(run=run).select_related("made_by").first()  # an export's ADK entry
    context = {"institution": run.plan.site.institution, "plan": run.plan, "run": run, "export": export}
    return render(request, "backups/run_detail.html", context)


ACTIONS = {
    "run": ("backup_run", RunKind.BACKUP),
    "check": ("backup_check", RunKind.CHECK),
    "drill": ("backup_drill", RunKind.DRILL),
}


@login_required
@require_POST
def plan_start(request: HttpRequest, slug: str, plan_id: int, what: str) -> HttpResponse:
    """Queue a backup, a check or a drill of the plan now; a worker runs it and the page shows its progress."""
    from jaga.backups import tasks

    plan = plan_for(request, slug, plan_id, "operate")
    if what not in ACTIONS:
        return redirect(plan.get_absolute_url())
    if plan.removed_at is not None:
        messages.error(request, _("Rencana ini diarsipkan: tidak dijalankan lagi."))
        return redirect(plan.get_absolute_url())
    task_name, kind = ACTIONS[what]
    getattr(tasks, task_name).enqueue(plan_id=plan.pk, user_id=request.user.pk, trigger="web")
    messages.success(
        request,
        _("%(kind)s %(plan)s dijadwalkan; kemajuannya tampil di sini setelah worker memulainya.")
        % {"kind": kind.label, "plan": plan.name},
    )
    return redirect(plan.get_absolute_url())
