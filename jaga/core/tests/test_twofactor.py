from __future__ import annotations

import base64
import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from jaga.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _enforced(settings):
    settings.JAGA_REQUIRE_2FA = True


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Jaga", confirmed=True)


@pytest.mark.parametrize("role", ["administrator", "sekretaris"])
def test_it_sends_administrators_and_sekretaris_to_enrolment(client: Client, make_user, institution, role) -> None:
    client.force_login(make_user(role, institution))
    response = client.get(reverse("core:institution_detail", kwargs={"slug": "pn-bangil"}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:otp_setup"))
    assert "next=%2Finstansi%2Fpn-bangil%2F" in response["Location"]


def test_it_requires_2fa_of_superusers(client: Client, django_user_model) -> None:
    client.force_login(django_user_model.objects.create_superuser("root", password="x-rahasia-123"))
    assert client.get(reverse("core:home"))["Location"].startswith(reverse("core:otp_setup"))


def test_it_does_not_require_2fa_of_staff(client: Client, staff) -> None:
    client.force_login(staff)
    assert client.get(reverse("core:home")).status_code == 200


def test_it_leaves_logout_and_static_reachable(client: Client, admin_user) -> None:
    client.force_login(admin_user)
    assert client.get(reverse("core:otp_setup")).status_code == 200
    assert client.get("/static/jaga/jaga.css").status_code == 200
    assert client.post(reverse("core:logout")).status_code == 302


def test_it_asks_for_the_code_after_password_login(client: Client, admin_user) -> None:
    _device(admin_user)
    client.post(reverse("core:login"), {"username": "admin", "password": "rahasia-uji-123"})
    response = client.get(reverse("core:home"))
    assert response["Location"].startswith(reverse("core:otp_verify"))


def test_it_asks_staff_who_enrolled_for_the_code_too(client: Client, staff) -> None:
    _device(staff)
    client.force_login(staff)
    assert client.get(reverse("core:home"))["Location"].startswith(reverse("core:otp_verify"))


def test_it_verifies_a_real_totp_code(client: Client, admin_user) -> None:
    device = _device(admin_user)
    client.force_login(admin_user)
    response = client.post(reverse("core:otp_verify"), {"code": _code(device), "next": "/instansi/pn-bangil/"})
    assert response.status_code == 302
    assert response["Location"] == "/instansi/pn-bangil/"
    assert client.get(reverse("core:home")).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.OTP_VERIFIED, actor_id=admin_user.pk).exists()


def test_it_refuses_a_wrong_code(client: Client, admin_user) -> None:
    device = _device(admin_user)
    client.force_login(admin_user)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("core:otp_verify"), {"code": wrong})
    assert response.status_code == 200
    assert "Kode salah" in response.content.decode()
    assert client.get(reverse("core:home")).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.OTP_FAILED).exists()


def test_it_ignores_an_outside_next_url(client: Client, admin_user) -> None:
    device = _device(admin_user)
    client.force_login(admin_user)
    response = client.post(reverse("core:otp_verify"), {"code": _code(device), "next": "https://jahat.example/"})
    assert response["Location"] == reverse("core:home")


def test_enrolment_shows_an_inline_qr_code_and_the_secret(client: Client, admin_user) -> None:
    client.force_login(admin_user)
    body = client.get(reverse("core:otp_setup")).content.decode()
    device = TOTPDevice.objects.get(user=admin_user, confirmed=False)
    assert "<svg" in body
    assert "http" not in body.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")
    secret = re.search(r'<code id="otp-secret">([A-Z2-7 ]+)</code>', body)
    assert secret is not None
    text = secret.group(1).replace(" ", "")
    assert base64.b32decode(text + "=" * (-len(text) % 8)) == device.bin_key
    # The same secret until confirmed: reloading does not invalidate what the phone scanned.
    client.get(reverse("core:otp_setup"))
    assert TOTPDevice.objects.filter(user=admin_user, confirmed=False).count() == 1


def test_enrolment_with_a_real_code_confirms_and_shows_backup_codes_once(client: Client, admin_user) -> None:
    client.force_login(admin_user)
    client.get(reverse("core:otp_setup"))
    device = TOTPDevice.objects.get(user=admin_user, confirmed=False)
    response = client.post(reverse("core:otp_setup"), {"code": _code(device), "next": "/"})
    assert response.status_code == 200
    body = response.content.decode()
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", body)
    assert len(codes) == 10
    assert set(codes) == set(StaticToken.objects.filter(device__user=admin_user).values_list("token", flat=True))
    device.refresh_from_db()
    assert device.confirmed
    # Verified in this session now: other pages open.
    assert client.get(reverse("core:home")).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.OTP_ENROLLED).exists()


def test_a_backup_code_works_once(client: Client, admin_user) -> None:
    from jaga.core.twofactor import backup_codes_create

    _device(admin_user)
    code = backup_codes_create(user=admin_user)[0]
    client.force_login(admin_user)
    assert client.post(reverse("core:otp_verify"), {"code": code})["Location"] == reverse("core:home")
    client.post(reverse("core:logout"))
    client.force_login(admin_user)
    assert client.post(reverse("core:otp_verify"), {"code": code}).status_code == 200


def test_an_unverified_user_cannot_reenrol_around_the_second_step(client: Client, admin_user) -> None:
    _device(admin_user)
    client.force_login(admin_user)
    response = client.get(reverse("core:otp_setup") + "?ulang=1")
    assert response["Location"].startswith(reverse("core:otp_verify"))


def test_htmx_requests_get_an_hx_redirect(client: Client, admin_user) -> None:
    client.force_login(admin_user)
    response = client.get(reverse("core:home"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("core:otp_setup"))
