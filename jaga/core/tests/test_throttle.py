"""Log-in throttling per user name and address, and per address across user names (jaga/core/throttle.py)."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from jaga.core import clock
from jaga.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "rahasia-uji-123"
ATTACKER = "203.0.113.66"
OFFICE = "198.51.100.10"


def login(client: Client, username: str, password: str, address: str = "127.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(reverse("core:login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 302 and response["Location"] == reverse("core:home")


@pytest.fixture
def secretary(make_user, institution):  # type: ignore[no-untyped-def]
    return make_user("sekretaris", institution, "sekretaris")


def test_a_spray_of_forty_user_names_from_one_address_is_stopped_at_the_address_limit(client: Client, staff) -> None:
    limit = settings.JAGA_LOGIN_ADDRESS_ATTEMPTS
    answers = [login(Client(), f"tebakan-{n}", "Password1!", ATTACKER).status_code for n in range(40)]
    assert answers[: limit - 1] == [200] * (limit - 1)  # each a wrong-password form
    assert set(answers[limit - 1 :]) == {429}  # from the limit on: locked, whatever the name
    locked = login(Client(), "nama-baru", "apa-saja", ATTACKER)
    assert locked.status_code == 429
    assert "Terlalu banyak percobaan masuk dari alamat ini" in locked.content.decode()
    # While the address is locked even a real account's right password is refused from it...
    assert login(Client(), "staff", PASSWORD, ATTACKER).status_code == 429
    # ...but not from anywhere else.
    assert signed_in(login(Client(), "staff", PASSWORD, OFFICE))


def test_failures_from_many_addresses_do_not_lock_the_secretary_out(secretary) -> None:
    for n in range(12):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            login(Client(), "sekretaris", "salah-terus", f"192.0.2.{n + 1}")
    assert login(Client(), "sekretaris", "salah-lagi", "192.0.2.1").status_code == 429
    assert signed_in(login(Client(), "sekretaris", PASSWORD, OFFICE))


def test_a_locked_user_signs_in_from_an_address_that_has_not_failed(staff) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), "staff", "salah", ATTACKER)
    refused = login(Client(), "staff", PASSWORD, ATTACKER)
    assert refused.status_code == 429
    assert "Penguncian berlaku untuk nama pengguna dan alamat IP ini." in refused.content.decode()
    assert signed_in(login(Client(), "staff", PASSWORD, OFFICE))


def test_other_users_at_the_same_address_are_not_locked_by_one_persons_typos(staff, make_user, institution) -> None:
    make_user("staff_p2ti", institution, "rekan")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), "staff", "salah-ketik", OFFICE)
    assert login(Client(), "staff", PASSWORD, OFFICE).status_code == 429
    assert signed_in(login(Client(), "rekan", PASSWORD, OFFICE))


def test_the_lock_ends_after_the_lockout_minutes(staff) -> None:
    start = clock.now()
    with clock.frozen(start):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            login(Client(), "staff", "salah", ATTACKER)
        assert login(Client(), "staff", PASSWORD, ATTACKER).status_code == 429
        clock.advance(datetime.timedelta(minutes=settings.AXES_COOLOFF_TIME * 60 - 1))
        assert login(Client(), "staff", PASSWORD, ATTACKER).status_code == 429
        clock.advance(datetime.timedelta(minutes=2))
        assert signed_in(login(Client(), "staff", PASSWORD, ATTACKER))


def test_the_address_lock_ends_after_the_lockout_minutes_too(staff) -> None:
    start = clock.now()
    with clock.frozen(start):
        for n in range(settings.JAGA_LOGIN_ADDRESS_ATTEMPTS):
            login(Client(), f"tebakan-{n}", "x", ATTACKER)
        assert login(Client(), "staff", PASSWORD, ATTACKER).status_code == 429
        clock.advance(datetime.timedelta(minutes=settings.AXES_COOLOFF_TIME * 60 + 1))
        assert signed_in(login(Client(), "staff", PASSWORD, ATTACKER))


def test_the_start_of_a_lock_is_in_the_audit_trail(staff) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        login(Client(), "staff", "salah", ATTACKER)
    locks = AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT)
    assert locks.count() == 1  # when it began, not at every refused attempt
    lock = locks.get()
    assert (lock.actor, lock.ip_address, lock.changes) == (staff, ATTACKER, {"lock": [None, "account"]})


def test_behind_a_trusted_proxy_each_visitor_is_counted_at_their_own_address(settings, staff) -> None:
    settings.JAGA_TRUSTED_PROXIES = ["127.0.0.1"]
    for n in range(settings.JAGA_LOGIN_ADDRESS_ATTEMPTS + 5):
        Client().post(
            reverse("core:login"),
            {"username": f"tebakan-{n}", "password": "x"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n + 1}",
        )
    # The proxy's own address was never counted: a visitor behind it still signs in.
    response = Client().post(
        reverse("core:login"),
        {"username": "staff", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=OFFICE,
    )
    assert signed_in(response)


# --- bad input -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("length", [151, 256, 300, 5000])
def test_a_user_name_too_long_for_any_account_is_a_form_error(client: Client, length: int) -> None:
    response = login(client, "a" * length, "apa-saja")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nama pengguna terlalu panjang: paling banyak 150 karakter" in body
    assert 'id="id_username_error"' in body  # next to its field


@pytest.mark.postgres
def test_a_user_name_over_255_characters_is_a_form_error_on_postgresql(client: Client) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL run (make test-postgres), where the 500 happened")
    response = login(client, "a" * 300, "apa-saja")
    assert response.status_code == 200
    assert "Nama pengguna terlalu panjang" in response.content.decode()
    response = login(client, "nama\x00nol", "apa-saja")
    assert response.status_code == 200
