from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from jaga.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "rahasia-uji-123"


def _login(client: Client, username: str, password: str):
    return client.post(reverse("core:login"), {"username": username, "password": password})


def test_it_logs_in_with_the_right_password(client: Client, staff) -> None:
    response = _login(client, "staff", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert client.get(reverse("core:home")).status_code == 200


def test_it_refuses_a_wrong_password(client: Client, staff) -> None:
    response = _login(client, "staff", "salah")
    assert response.status_code == 200
    assert client.get(reverse("core:home")).status_code == 302


def test_it_locks_after_the_configured_number_of_failures(client: Client, staff) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert _login(client, "staff", "salah").status_code == 200
    locked = _login(client, "staff", "salah")
    assert locked.status_code == 429
    assert "Akun dikunci sementara" in locked.content.decode()
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    assert f"{minutes} menit" in locked.content.decode()
    # Even the right password is refused while the lock lasts.
    assert _login(client, "staff", PASSWORD).status_code == 429
    assert client.get(reverse("core:home")).status_code == 302


def test_it_records_login_success_and_failure(client: Client, staff) -> None:
    _login(client, "staff", "salah")
    _login(client, "staff", PASSWORD)
    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.actor_name == "staff"
    assert failed.ip_address == "127.0.0.1"
    assert AuditEvent.objects.get(action=AuditAction.LOGIN).actor == staff


def test_it_logs_out_only_by_post(client: Client, staff) -> None:
    client.force_login(staff)
    assert client.get(reverse("core:logout")).status_code == 405
    assert client.post(reverse("core:logout")).status_code == 302
    assert client.get(reverse("core:home")).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor_id=staff.pk).exists()


def test_home_lists_only_the_users_institutions(client: Client, staff, other_institution) -> None:
    client.force_login(staff)
    body = client.get(reverse("core:home")).content.decode()
    assert "Pengadilan Negeri Bangil" in body
    assert "/sop/pn-bangil/" in body
    assert "Pengadilan Negeri Pasuruan" not in body


def test_home_links_each_site_dashboard(client: Client, staff, site) -> None:
    client.force_login(staff)
    assert f"/sop/pn-bangil/situs/{site.pk}/" in client.get(reverse("core:home")).content.decode()
