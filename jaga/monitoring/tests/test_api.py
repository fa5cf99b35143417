"""The REST API with real tokens: what a token may do in its institution, and what it may not."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jaga.core.models import Site
from jaga.core.services import api_token_create
from jaga.monitoring.models import CheckResult, Finding, Monitor, MonitorStatus, Rollup, StatusChange

pytestmark = pytest.mark.django_db


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def staff_token(staff: Any, institution: Any) -> str:
    return api_token_create(user=staff, institution=institution, name="uji")[1]


@pytest.fixture
def auditor_token(auditor: Any, institution: Any) -> str:
    return api_token_create(user=auditor, institution=institution, name="uji")[1]


@pytest.fixture
def monitor(site: Any) -> Monitor:
    return Monitor.objects.create(site=site, name="Beranda", kind="http", config={"url": "http://127.0.0.1:9/"})


@pytest.fixture
def foreign_monitor(other_institution: Any) -> Monitor:
    other_site = Site.objects.create(institution=other_institution, name="Situs lain", base_url="http://127.0.0.1:9/")
    return Monitor.objects.create(site=other_site, name="Lain", kind="http", config={"url": "http://127.0.0.1:9/"})


def post_json(client: Client, url: str, data: dict[str, Any], raw: str, method: str = "post") -> Any:
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json", headers=bearer(raw))


class TestAuth:
    def test_it_refuses_requests_without_a_token(self, client: Client, monitor: Monitor) -> None:
        assert client.get("/api/monitors").status_code == 401

    def test_it_refuses_an_unknown_token(self, client: Client, monitor: Monitor) -> None:
        assert client.get("/api/monitors", headers=bearer("jaga_tidak-ada")).status_code == 401


class TestMonitors:
    def test_it_lists_only_the_tokens_institution(
        self, client: Client, staff_token: str, monitor: Monitor, foreign_monitor: Monitor
    ) -> None:
        response = client.get("/api/monitors", headers=bearer(staff_token))
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 1
        assert [m["id"] for m in body["items"]] == [monitor.pk]

    def test_another_institutions_monitor_is_404(
        self, client: Client, staff_token: str, foreign_monitor: Monitor
    ) -> None:
        assert client.get(f"/api/monitors/{foreign_monitor.pk}", headers=bearer(staff_token)).status_code == 404
        assert client.post(f"/api/monitors/{foreign_monitor.pk}/pause", headers=bearer(staff_token)).status_code == 404
        assert client.delete(f"/api/monitors/{foreign_monitor.pk}", headers=bearer(staff_token)).status_code == 404
        assert Monitor.objects.filter(pk=foreign_monitor.pk, enabled=True).exists()

    def test_staff_creates_reads_updates_pauses_and_deletes(self, client: Client, staff_token: str, site: Any) -> None:
        created = post_json(
            client,
            "/api/monitors",
            {"site_id": site.pk, "name": "TCP", "kind": "tcp", "config": {"host": "127.0.0.1", "port": 9}},
            staff_token,
        )
        assert created.status_code == 201, created.content
        monitor_id = created.json()["id"]
        assert client.get(f"/api/monitors/{monitor_id}", headers=bearer(staff_token)).json()["config"]["port"] == 9
        updated = post_json(
            client, f"/api/monitors/{monitor_id}", {"name": "TCP 9", "interval_seconds": 300}, staff_token, "patch"
        )
        assert updated.status_code == 200, updated.content
        assert updated.json()["name"] == "TCP 9"
        assert updated.json()["interval_seconds"] == 300
        paused = client.post(f"/api/monitors/{monitor_id}/pause", headers=bearer(staff_token))
        assert paused.json()["enabled"] is False
        assert paused.json()["status"] == MonitorStatus.PAUSED
        assert client.post(f"/api/monitors/{monitor_id}/resume", headers=bearer(staff_token)).json()["enabled"] is True
        assert client.delete(f"/api/monitors/{monitor_id}", headers=bearer(staff_token)).status_code == 204
        assert not Monitor.objects.filter(pk=monitor_id).exists()

    def test_a_bad_config_is_422_with_field_paths(self, client: Client, staff_token: str, site: Any) -> None:
        response = post_json(
            client,
            "/api/monitors",
            {"site_id": site.pk, "name": "x", "kind": "tcp", "config": {"host": "127.0.0.1", "port": 70000, "x": 1}},
            staff_token,
        )
        assert response.status_code == 422
        locations = [tuple(error["loc"]) for error in response.json()["detail"]]
        assert ("body", "config", "port") in locations
        assert ("body", "config", "x") in locations
        assert not Monitor.objects.filter(name="x").exists()

    def test_an_unknown_kind_is_422(self, client: Client, staff_token: str, site: Any) -> None:
        response = post_json(
            client, "/api/monitors", {"site_id": site.pk, "name": "x", "kind": "nope", "config": {}}, staff_token
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["body", "kind"]

    def test_service_limits_are_422(self, client: Client, staff_token: str, monitor: Monitor) -> None:
        response = post_json(client, f"/api/monitors/{monitor.pk}", {"interval_seconds": 1}, staff_token, "patch")
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["body", "interval_seconds"]

    def test_a_name_longer_than_the_column_is_422_naming_the_field_and_stores_nothing(
        self, client: Client, staff_token: str, site: Any, monitor: Monitor
    ) -> None:
        body = {"site_id": site.pk, "name": "x" * 250, "kind": "tcp", "config": {"host": "127.0.0.1", "port": 9}}
        created = post_json(client, "/api/monitors", body, staff_token)
        assert created.status_code == 422, created.content
        [problem] = created.json()["detail"]
        assert problem["loc"][-1] == "name"
        assert problem["msg"] == "Nama paling panjang 200 karakter (sekarang 250)."  # in the reader's language
        assert not Monitor.objects.filter(name__startswith="xxx").exists()
        patched = post_json(client, f"/api/monitors/{monitor.pk}", {"name": "y" * 250}, staff_token, "patch")
        assert patched.status_code == 422, patched.content
        assert patched.json()["detail"][0]["loc"][-1] == "name"
        monitor.refresh_from_db()
        assert monitor.name != "y" * 250

    def test_an_auditor_token_reads_but_cannot_change(
        self, client: Client, auditor_token: str, monitor: Monitor, site: Any
    ) -> None:
        assert client.get(f"/api/monitors/{monitor.pk}", headers=bearer(auditor_token)).status_code == 200
        created = post_json(
            client,
            "/api/monitors",
            {"site_id": site.pk, "name": "x", "kind": "tcp", "config": {"host": "127.0.0.1", "port": 9}},
            auditor_token,
        )
        assert created.status_code == 403
        assert client.post(f"/api/monitors/{monitor.pk}/pause", headers=bearer(auditor_token)).status_code == 403
        assert client.delete(f"/api/monitors/{monitor.pk}", headers=bearer(auditor_token)).status_code == 403
        assert Monitor.objects.filter(pk=monitor.pk, enabled=True).exists()

    def test_creating_on_another_institutions_site_is_404(
        self, client: Client, staff_token: str, foreign_monitor: Monitor
    ) -> None:
        response = post_json(
            client,
            "/api/monitors",
            {"site_id": foreign_monitor.site_id, "name": "x", "kind": "tcp", "config": {"host": "a", "port": 1}},
            staff_token,
        )
        assert response.status_code == 404


class TestReadings:
    def test_results_are_paginated_and_filtered_by_time(
        self, client: Client, auditor_token: str, monitor: Monitor
    ) -> None:
        now = timezone.now()
        for minutes in range(5):
            CheckResult.objects.create(
                monitor=monitor, probe="a", checked_at=now - dt.timedelta(minutes=minutes), status="up", response_ms=10
            )
        since = (now - dt.timedelta(minutes=2, seconds=30)).isoformat()
        response = client.get(
            f"/api/monitors/{monitor.pk}/results", {"since": since, "limit": "2"}, headers=bearer(auditor_token)
        )
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 3
        assert len(body["items"]) == 2

    def test_uptime_status_changes_and_findings(self, client: Client, auditor_token: str, monitor: Monitor) -> None:
        now = timezone.now()
        Rollup.objects.create(
            monitor=monitor, period="h", bucket=now.replace(minute=0, second=0, microsecond=0), checks=4, up=3, down=1
        )
        StatusChange.objects.create(monitor=monitor, at=now, from_status="up", to_status="down", reason="HTTP 503")
        Finding.objects.create(
            monitor=monitor,
            code="hidden_link",
            fingerprint="h",
            message="Tautan tersembunyi",
            evidence="<a style='display:none'>",
            first_seen=now,
            last_seen=now,
        )
        uptime = client.get(f"/api/monitors/{monitor.pk}/uptime", headers=bearer(auditor_token)).json()
        assert uptime["uptime"]["24h"] == 0.75
        assert uptime["uptime"]["365d"] == 0.75  # the only checks there are
        changes = client.get(f"/api/monitors/{monitor.pk}/status-changes", headers=bearer(auditor_token)).json()
        assert changes["items"][0]["to_status"] == "down"
        findings = client.get(f"/api/monitors/{monitor.pk}/findings?open=true", headers=bearer(auditor_token)).json()
        assert findings["items"][0]["evidence"] == "<a style='display:none'>"


class TestDocument:
    def test_the_openapi_document_lists_the_paths(self, client: Client) -> None:
        response = client.get("/api/openapi.json")
        assert response.status_code == 200
        document = json.loads(response.content)
        assert document["openapi"].startswith("3.")
        for path in (
            "/api/monitors",
            "/api/monitors/{monitor_id}",
            "/api/monitors/{monitor_id}/pause",
            "/api/monitors/{monitor_id}/results",
            "/api/monitors/{monitor_id}/uptime",
        ):
            assert path in document["paths"]

    def test_the_docs_page_loads_nothing_from_a_cdn(self, client: Client) -> None:
        page = client.get("/api/docs").content.decode()
        assert "cdn" not in page.lower()
        assert "/api/docs/redoc.standalone.js" in page
        assert 'data-spec-url="/api/openapi.json"' in page
        assert "<style" not in page  # a strict Content-Security-Policy runs neither inline script nor style
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
        script = client.get("/api/docs/redoc.standalone.js")
        assert script.status_code == 200
        assert b"Redoc" in b"".join(script.streaming_content)  # type: ignore[attr-defined]
