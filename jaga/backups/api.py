"""The backups' REST API, served by core's one API under ``/api/backups``: plans with their state, runs
(with live progress while running), the ADK register, and a backup, check or drill started on demand
(queued for a worker: 202 with the queued task's id). Registered from ``BackupsConfig.ready()``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from jaga.backups import selectors
from jaga.backups.models import Plan, Run
from jaga.core.api import Pagination, api_require, api_token

router = Router(tags=["backups"])


class PlanOut(Schema):
    id: int
    name: str
    site_id: int
    repository_id: int
    repository_kind: str
    interval_hours: int
    is_active: bool
    archived_at: dt.datetime | None
    last_success_at: dt.datetime | None
    last_state: str | None
    overdue: bool
    next_due: dt.datetime | None


class RunOut(Schema):
    id: int
    plan_id: int
    kind: str
    state: str
    trigger: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    phase: str
    percent: float
    snapshot_id: str
    files_new: int
    files_changed: int
    files_processed: int
    bytes_added: int
    bytes_processed: int
    error: str
    warnings: list[str]


class ExportOut(Schema):
    id: int
    plan_id: int
    snapshot_id: str
    medium: str
    label: str
    volumes: int
    total_bytes: int
    checksums: str
    kept_at: str
    created_at: dt.datetime
    verified_at: dt.datetime | None


class Queued(Schema):
    task_id: str
    plan_id: int
    kind: str


def _plan_out(plan: Plan) -> dict[str, Any]:
    row = selectors.plan_row(plan)
    return {
        "id": plan.pk,
        "name": plan.name,
        "site_id": plan.site_id,
        "repository_id": plan.repository_id,
        "repository_kind": plan.repository.kind,
        "interval_hours": plan.interval_hours,
        "is_active": plan.is_active,
        "archived_at": plan.removed_at,
        "last_success_at": row.last_good.started_at if row.last_good else None,
        "last_state": row.last.state if row.last else None,
        "overdue": row.overdue,
        "next_due": row.next_due,
    }


def _plan(request: HttpRequest, plan_id: int) -> Plan:
    plan = (
        Plan.objects.select_related("repository", "site")
        .filter(pk=plan_id, site__institution_id=api_token(request).institution_id)
        .first()
    )
    if plan is None:
        raise Http404
    return plan


@router.get("/plans", response=list[PlanOut])
def plans_list(request: HttpRequest) -> Any:
    return [_plan_out(row.plan) for row in selectors.plans_for(institution=api_token(request).institution)]


@router.get("/plans/{plan_id}", response=PlanOut)
def plan_get(request: HttpRequest, plan_id: int) -> Any:
    return _plan_out(_plan(request, plan_id))


@router.get("/plans/{plan_id}/runs", response=list[RunOut])
@paginate(Pagination)
def plan_runs(request: HttpRequest, plan_id: int, kind: str = "") -> Any:
    runs = Run.objects.filter(plan=_plan(request, plan_id)).order_by("-started_at", "-pk")
    return runs.filter(kind=kind) if kind else runs


@router.get("/runs/{run_id}", response=RunOut)
def run_get(request: HttpRequest, run_id: int) -> Any:
    run = Run.objects.filter(pk=run_id, plan__site__institution_id=api_token(request).institution_id).first()
    if run is None:
        raise Http404
    return run


TASKS = {"backup": "backup_run", "check": "backup_check", "drill": "backup_drill"}


@router.post("/plans/{plan_id}/{kind}", response={202: Queued, 404: None, 409: None})
def plan_start(request: HttpRequest, plan_id: int, kind: str) -> Any:
    """Start a ``backup``, ``check`` or ``drill`` now: queued for a worker; follow it in the plan's runs. An
    archived plan answers 409."""
    from jaga.backups import tasks

    token = api_require(request, "operate")
    plan = _plan(request, plan_id)
    if kind not in TASKS:
        raise Http404
    if plan.removed_at is not None:
        raise HttpError(409, _("Rencana ini diarsipkan: tidak dijalankan lagi."))
    result = getattr(tasks, TASKS[kind]).enqueue(plan_id=plan.pk, user_id=token.user_id, trigger="api")
    return 202, {"task_id": str(result.id), "plan_id": plan.pk, "kind": kind}


@router.get("/exports", response=list[ExportOut])
@paginate(Pagination)
def exports_list(request: HttpRequest) -> Any:
    return selectors.exports_for(institution=api_token(request).institution)


__all__ = ["router"]
