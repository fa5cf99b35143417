"""A token is valid only while its user is active and a member of its institution: every route of the one
OpenAPI document and ``/metrics`` refuse it otherwise (issue 6, issue 14). Changes through the API are in the
audit trail with the token's user and name."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from jaga.core.models import AuditEvent, Membership
from jaga.core.services import api_token_create, membership_remove
from jaga.monitoring.models import Monitor

pytestmark = pytest.mark.django_db


def _routes(client: Client) -> list[tuple[str, str]]:
    """(method, concrete path) of every operation in the OpenAPI document, ids filled with 1."""
    document = json.loads(client.get("/api/openapi.json").content)
    routes = []
    for path, operations in document["paths"].items():
        for method in operations:
            routes.append((method, re.sub(r"\{[^}]+\}", "1", path)))
    return routes


def _call(client: Client, method: str, path: str, raw: str) -> int:
    body = "" if method == "get" else "{}"
    response = client.generic(
        method.upper(), path, body, content_type="application/json", headers={"Authorization": f"Bearer {raw}"}
    )
    return int(response.status_code)


@pytest.fixture
def monitor(site: Any) -> Monitor:
    return Monitor.objects.create(pk=1, site=site, name="Beranda", kind="http", config={"url": "http://127.0.0.1:9/"})


def test_the_document_lists_the_routers_of_the_apps(client: Client) -> None:
    routes = _routes(client)
    assert ("get", "/api/monitors") in routes
    assert len(routes) >= 10


def test_a_live_token_is_accepted(client: Client, staff: Any, institution: Any, monitor: Monitor) -> None:
    _token, raw = api_token_create(user=staff, institution=institution, name="skrip")
    assert _call(client, "get", "/api/monitors/1", raw) == 200
    assert _call(client, "get", "/metrics", raw) == 200


@pytest.mark.parametrize("how", ["deactivated", "removed"])
def test_a_token_is_refused_everywhere_once_its_user_is_gone(
    client: Client, staff: Any, institution: Any, monitor: Monitor, how: str
) -> None:
    _token, raw = api_token_create(user=staff, institution=institution, name="skrip")
    assert _call(client, "get", "/api/monitors/1", raw) == 200  # it worked before
    if how == "deactivated":
        staff.is_active = False
        staff.save(update_fields=["is_active"])
    else:
        membership_remove(membership=Membership.objects.get(user=staff, institution=institution))
    refused = {(method, path): _call(client, method, path, raw) for method, path in _routes(client)}
    refused[("get", "/metrics")] = _call(client, "get", "/metrics", raw)
    assert set(refused.values()) == {401}, refused
    assert Monitor.objects.filter(pk=1, enabled=True).exists()  # nothing was changed on its behalf


def test_a_change_through_the_api_names_the_token_in_the_trail(
    client: Client, staff: Any, institution: Any, monitor: Monitor
) -> None:
    _token, raw = api_token_create(user=staff, institution=institution, name="skrip-malam")
    response = client.patch(
        "/api/monitors/1",
        data=json.dumps({"name": "Beranda baru"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 200
    event = AuditEvent.objects.filter(via="token: skrip-malam").latest("pk")
    assert event.actor == staff
