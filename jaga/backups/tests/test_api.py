"""The backups' endpoints of the one API: scoped to the token's institution, 403 for a role that may not
operate, a run's live figures."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from jaga.backups import services
from jaga.backups.models import RunState
from jaga.core.services import api_token_create

pytestmark = pytest.mark.django_db


def bearer(user: Any, institution: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token_create(user=user, institution=institution, name='uji')[1]}"}


def test_plans_and_runs_are_read_with_their_figures(client: Client, plan: Any, auditor: Any, institution: Any) -> None:
    run = services.backup_run(plan=plan)
    headers = bearer(auditor, institution)
    plans = client.get("/api/backups/plans", headers=headers).json()
    assert [(p["id"], p["last_state"], p["overdue"]) for p in plans] == [(plan.pk, RunState.SUCCESS, False)]
    runs = client.get(f"/api/backups/plans/{plan.pk}/runs", headers=headers).json()
    assert runs["count"] == 1
    item = client.get(f"/api/backups/runs/{run.pk}", headers=headers).json()
    assert item["snapshot_id"] == run.snapshot_id
    assert item["files_new"] == 3
    assert item["percent"] == 100.0


def test_an_auditor_may_not_start_a_backup_and_staff_may(
    client: Client, plan: Any, auditor: Any, staff: Any, institution: Any
) -> None:
    url = f"/api/backups/plans/{plan.pk}/backup"
    assert client.post(url, headers=bearer(auditor, institution)).status_code == 403
    answer = client.post(url, headers=bearer(staff, institution))
    assert answer.status_code == 202
    assert DBTaskResult.objects.get().args_kwargs["kwargs"] == {
        "plan_id": plan.pk,
        "user_id": staff.pk,
        "trigger": "api",
    }
    assert client.post(f"/api/backups/plans/{plan.pk}/explode", headers=bearer(staff, institution)).status_code == 404


def test_another_institutions_plan_is_not_found(
    client: Client, plan: Any, outsider: Any, other_institution: Any
) -> None:
    headers = bearer(outsider, other_institution)
    assert client.get("/api/backups/plans", headers=headers).json() == []
    assert client.get(f"/api/backups/plans/{plan.pk}", headers=headers).status_code == 404
    assert client.post(f"/api/backups/plans/{plan.pk}/backup", headers=headers).status_code == 404


def test_the_adk_register_is_read_by_a_member_and_not_by_another_institution(
    client: Client, plan: Any, auditor: Any, outsider: Any, institution: Any, other_institution: Any, tmp_path: Any
) -> None:
    services.backup_run(plan=plan)
    run = services.export_run(plan=plan, to=tmp_path / "disk", label="ADK-API-1", kept_at="Brankas")
    assert run.state == RunState.SUCCESS, run.error
    items = client.get("/api/backups/exports", headers=bearer(auditor, institution)).json()["items"]
    assert [(item["label"], item["kept_at"], item["volumes"]) for item in items] == [("ADK-API-1", "Brankas", 1)]
    assert items[0]["checksums"].count("\n") == len(run.details["files"])
    assert client.get("/api/backups/exports", headers=bearer(outsider, other_institution)).json()["items"] == []
    assert client.get("/api/backups/exports").status_code == 401


def test_an_archived_plan_leaves_the_list_keeps_its_runs_and_refuses_to_start(
    client: Client, plan: Any, staff: Any, institution: Any
) -> None:
    from jaga.backups.services.edits import plan_remove

    run = services.backup_run(plan=plan)
    assert plan_remove(plan=plan) == "archived"
    headers = bearer(staff, institution)
    assert client.get("/api/backups/plans", headers=headers).json() == []
    item = client.get(f"/api/backups/plans/{plan.pk}", headers=headers).json()
    assert item["archived_at"] is not None
    assert item["is_active"] is False
    assert client.get(f"/api/backups/runs/{run.pk}", headers=headers).json()["snapshot_id"] == run.snapshot_id
    answer = client.post(f"/api/backups/plans/{plan.pk}/backup", headers=headers)
    assert answer.status_code == 409
    assert "diarsipkan" in answer.json()["detail"]
    assert not DBTaskResult.objects.exists()
