"""/api/incidents: each endpoint by a role that may and one that may not; another institution's is 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from jaga.core.services import api_token_create
from jaga.incidents.models import Incident, State
from jaga.incidents.services import incident_open_or_update


def headers(user: Any, institution: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token_create(user=user, institution=institution, name='uji')[1]}"}


@pytest.fixture
def outage(site: Any) -> Incident:
    return incident_open_or_update(site=site, kind="outage", cause_key="monitor:3", summary="Beranda turun")


def test_a_member_lists_and_reads_incidents_with_their_timeline(
    client: Client, staff: Any, institution: Any, outage: Incident
) -> None:
    h = headers(staff, institution)
    listed = client.get("/api/incidents", headers=h).json()
    assert listed["count"] == 1
    assert listed["items"][0]["kind"] == "outage"
    assert listed["items"][0]["state"] == "investigating"
    assert client.get("/api/incidents?state=resolved", headers=h).json()["count"] == 0
    # The period the incident was opened in, as days of the institution's calendar (WIB: UTC+7).
    Incident.objects.filter(pk=outage.pk).update(opened_at=dt.datetime(2026, 11, 30, 18, 0, tzinfo=dt.UTC))
    assert client.get("/api/incidents?since=2026-12-01&until=2026-12-01", headers=h).json()["count"] == 1
    assert client.get("/api/incidents?since=2026-12-02", headers=h).json()["count"] == 0
    assert client.get("/api/incidents?until=2026-11-30", headers=h).json()["count"] == 0
    bad = client.get("/api/incidents?since=kemarin", headers=h)
    assert bad.status_code == 422
    assert "since: tanggal tidak sah" in bad.json()["detail"]
    read = client.get(f"/api/incidents/{outage.pk}", headers=h).json()
    assert read["timeline"][0]["data"]["event"] == "opened"
    assert read["timeline"][0]["author"] is None  # Jaga


def test_another_institutions_token_gets_404(
    client: Client, outsider: Any, other_institution: Any, outage: Incident
) -> None:
    h = headers(outsider, other_institution)
    assert client.get(f"/api/incidents/{outage.pk}", headers=h).status_code == 404
    assert client.post(f"/api/incidents/{outage.pk}/acknowledge", headers=h).status_code == 404
    assert client.get("/api/incidents", headers=h).json()["count"] == 0


def test_staff_opens_acknowledges_writes_and_moves_an_incident(
    client: Client, staff: Any, institution: Any, site: Any
) -> None:
    h = headers(staff, institution)
    opened = client.post(
        "/api/incidents", {"site_id": site.pk, "summary": "Jadwal sidang kosong", "severity": "tinggi"},
        content_type="application/json", headers=h,
    )  # fmt: skip
    assert opened.status_code == 201
    pk = opened.json()["id"]
    assert client.post(f"/api/incidents/{pk}/acknowledge", headers=h).json()["handler"] == "staff"
    entry = client.post(
        f"/api/incidents/{pk}/timeline", {"kind": "action", "text": "Cache dikosongkan", "is_alternative": True,
                                          "worked": True},
        content_type="application/json", headers=h,
    )  # fmt: skip
    assert entry.status_code == 201
    assert entry.json()["is_alternative"] is True
    version = client.get(f"/api/incidents/{pk}", headers=h).json()["version"]
    moved = client.post(
        f"/api/incidents/{pk}/state", {"to_state": "identified", "version": version},
        content_type="application/json", headers=h,
    )  # fmt: skip
    assert moved.json()["state"] == "identified"
    stale = client.post(
        f"/api/incidents/{pk}/state", {"to_state": "monitoring", "version": version},
        content_type="application/json", headers=h,
    )  # fmt: skip
    assert stale.status_code == 409
    skipped = client.post(
        f"/api/incidents/{pk}/state", {"to_state": "resolved", "note": "ok"}, content_type="application/json", headers=h
    )
    assert skipped.status_code == 422
    assert "lalui dulu Dipantau" in str(skipped.json()["detail"])
    escalated = client.post(
        f"/api/incidents/{pk}/escalate", {"to_tier": 2, "reason": "perlu anggaran"},
        content_type="application/json", headers=h,
    )  # fmt: skip
    assert escalated.json()["tier"] == 2


def test_an_auditors_token_reads_but_changes_nothing(
    client: Client, make_user: Any, institution: Any, site: Any, outage: Incident
) -> None:
    auditor = make_user("auditor", institution)
    h = headers(auditor, institution)
    assert client.get(f"/api/incidents/{outage.pk}", headers=h).status_code == 200
    assert (
        client.post(
            "/api/incidents", {"site_id": site.pk, "summary": "x"}, content_type="application/json", headers=h
        ).status_code
        == 403
    )
    assert client.post(f"/api/incidents/{outage.pk}/acknowledge", headers=h).status_code == 403
    assert (
        client.post(
            f"/api/incidents/{outage.pk}/state", {"to_state": "identified"}, content_type="application/json", headers=h
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/api/incidents/{outage.pk}/timeline", {"text": "x"}, content_type="application/json", headers=h
        ).status_code
        == 403
    )
    outage.refresh_from_db()
    assert (outage.state, outage.handler, outage.timeline.count()) == (State.INVESTIGATING, None, 1)


def test_staff_queues_the_diagnostics_again_and_an_auditor_may_not(
    client: Client,
    staff: Any,
    make_user: Any,
    institution: Any,
    outage: Incident,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django_tasks_db.models import DBTaskResult

    auditor = make_user("auditor", institution)
    assert client.post(f"/api/incidents/{outage.pk}/diagnose", headers=headers(auditor, institution)).status_code == 403
    assert not DBTaskResult.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/incidents/{outage.pk}/diagnose", headers=headers(staff, institution))
    assert response.status_code == 202
    assert response.json() == {"queued": True}
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["kwargs"] == {"incident_id": outage.pk, "user_id": staff.pk}


def test_maintenance_updates_through_the_api_by_role_and_institution(
    client: Client, staff: Any, auditor: Any, outsider: Any, institution: Any, other_institution: Any, site: Any
) -> None:
    from jaga.core import clock
    from jaga.incidents.models import MaintenanceUpdate
    from jaga.monitoring.models import MaintenanceWindow

    start = clock.now() + dt.timedelta(hours=2)
    window = MaintenanceWindow.objects.create(
        site=site, title="Ganti server", starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )
    path = f"/api/incidents/maintenance/{window.pk}/updates"
    body = {"stage": "scheduled", "text": "Migrasi ke VPS baru", "is_public": True, "public_text": "Pemeliharaan"}
    posted = client.post(path, body, content_type="application/json", headers=headers(staff, institution))
    assert posted.status_code == 201
    assert posted.json()["author"] == staff.get_username()
    reading = headers(auditor, institution)
    assert client.post(path, body, content_type="application/json", headers=reading).status_code == 403
    assert client.post(path, body, content_type="application/json",
                       headers=headers(outsider, other_institution)).status_code == 404  # fmt: skip
    bad = client.post(path, {**body, "text": " "}, content_type="application/json", headers=headers(staff, institution))
    assert bad.status_code == 422
    assert MaintenanceUpdate.objects.count() == 1
    listed = client.get("/api/incidents/maintenance", headers=reading).json()
    assert [(m["window_id"], m["when"], [u["text"] for u in m["updates"]]) for m in listed] == [
        (window.pk, "upcoming", ["Migrasi ke VPS baru"]),
    ]  # fmt: skip
    assert client.get("/api/incidents/maintenance", headers=headers(outsider, other_institution)).json() == []
