"""Bad input through the API is a 422 with a message in the user's language, never a 500 (issue 14):
ids, ``limit`` and ``offset`` beyond 2^63 on SQLite (bounded pagination; the database's refusal is a 422)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jaga.core.services import api_token_create

pytestmark = pytest.mark.django_db

HUGE = str(2**64)


@pytest.mark.parametrize(
    "url",
    [
        f"/api/monitors?limit={HUGE}",
        f"/api/monitors?offset={HUGE}",
        f"/api/monitors?site_id={HUGE}",
        f"/api/monitors/{HUGE}",
        f"/api/monitors/{HUGE}/results",
        f"/api/renewals/services/{HUGE}",
        f"/api/renewals/cases?offset={HUGE}",
    ],
)
def test_a_number_beyond_2_63_is_refused_with_a_message(client: Client, staff: Any, institution: Any, url: str) -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's 2^63 limit: PostgreSQL compares such a number and finds nothing (a 200), no refusal")
    raw = api_token_create(user=staff, institution=institution, name="uji")[1]
    response = client.get(url, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code in {404, 422}, (url, response.content)
    if response.status_code == 422:
        assert response.json()["detail"][0]["msg"]  # says what is wrong


def test_the_database_refusal_is_said_in_indonesian(client: Client, staff: Any, institution: Any) -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's 2^63 limit: PostgreSQL compares such a number and finds nothing (a 200), no refusal")
    raw = api_token_create(user=staff, institution=institution, name="uji")[1]
    response = client.get(f"/api/monitors?site_id={HUGE}", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"].startswith("Nilai di luar batas")
