"""The renewals' endpoints of the one API: the register and its cases scoped to the token's institution, an
RDAP look-up on demand against a real registry on loopback, 403 for a role that may not operate."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from jaga.core import clock
from jaga.core.services import api_token_create
from jaga.renewals.services.register import service_create
from jaga.renewals.tests.rdap_server import Registry, pandi_domain

pytestmark = pytest.mark.django_db


def bearer(user: Any, institution: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token_create(user=user, institution=institution, name='uji')[1]}"}


@pytest.fixture
def domain(institution: Any, site: Any, registry: Registry) -> Any:
    expires = clock.now().date() + dt.timedelta(days=200)
    registry.domain("pn-bangil.go.id", pandi_domain("pn-bangil.go.id", expires=f"{expires.isoformat()}T23:59:59Z"))
    return service_create(
        institution=institution, sites=[site], kind="domain", name="Domain pn-bangil.go.id",
        identifier="pn-bangil.go.id", rdap_url=registry.url,
    )  # fmt: skip


def test_the_register_lists_and_shows_its_services(
    client: Client, people: dict[str, Any], institution: Any, domain: Any, hosting: Any
) -> None:
    headers = bearer(people["auditor"], institution)
    listing = client.get("/api/renewals/services", headers=headers).json()
    assert listing["count"] == 2
    assert {item["name"] for item in listing["items"]} == {"Domain pn-bangil.go.id", "Hosting situs"}
    one = client.get(f"/api/renewals/services/{domain.pk}", headers=headers).json()
    assert one["kind"] == "domain"
    assert one["identifier"] == "pn-bangil.go.id"


def test_a_look_up_reads_the_registry(
    client: Client, people: dict[str, Any], institution: Any, domain: Any, hosting: Any
) -> None:
    response = client.post(f"/api/renewals/services/{domain.pk}/check", headers=bearer(people["staff"], institution))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "found"
    expected = (clock.now().date() + dt.timedelta(days=200)).isoformat()
    assert response.json()["expires_at"].startswith(expected)
    assert (
        client.get(f"/api/renewals/services/{domain.pk}", headers=bearer(people["staff"], institution)).json()[
            "expires_on"
        ]
        == expected
    )
    lookups = client.get(f"/api/renewals/services/{domain.pk}/lookups", headers=bearer(people["staff"], institution))
    assert lookups.json()["count"] == 1
    hand = client.post(f"/api/renewals/services/{hosting.pk}/check", headers=bearer(people["staff"], institution))
    assert hand.status_code == 204  # a date entered by hand is not looked up


def test_an_auditor_may_not_trigger_a_look_up(
    client: Client, people: dict[str, Any], institution: Any, domain: Any
) -> None:
    response = client.post(f"/api/renewals/services/{domain.pk}/check", headers=bearer(people["auditor"], institution))
    assert response.status_code == 403


def test_another_institution_sees_nothing(client: Client, outsider: Any, other_institution: Any, domain: Any) -> None:
    headers = bearer(outsider, other_institution)
    assert client.get("/api/renewals/services", headers=headers).json()["count"] == 0
    assert client.get(f"/api/renewals/services/{domain.pk}", headers=headers).status_code == 404
    assert client.post(f"/api/renewals/services/{domain.pk}/check", headers=headers).status_code == 404
    assert client.get("/api/renewals/cases", headers=headers).json()["count"] == 0
