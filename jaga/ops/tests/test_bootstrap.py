"""``jaga bootstrap``: the database migrated, the SOP seeded, the first administrator made once."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from jaga.ops.bootstrap import admin_ensure, bootstrap_run, login_url
from jaga.sop.models import Sop


def test_it_shows_the_login_address_of_an_ipv6_listen_address() -> None:
    assert login_url(listen=("::1", 8443)) == "http://[::1]:8443/login/"


@pytest.mark.django_db
def test_it_creates_the_first_administrator_and_shows_the_password_once(tmp_path: Path) -> None:
    out = io.StringIO()
    with override_settings(DATA_DIR=tmp_path):
        created = admin_ensure(out=out, listen=("127.0.0.1", 8000))
    assert created
    text = out.getvalue()
    password = text.split("kata sandi / password     : ")[1].split()[0]
    admin = get_user_model().objects.get(username="admin")
    assert admin.check_password(password)
    assert admin.is_superuser
    assert "http://127.0.0.1:8000/login/" in text
    assert "2FA" in text
    saved = tmp_path / "initial_admin_password"
    assert saved.read_text().split() == ["admin", password]
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600


@pytest.mark.django_db
def test_it_does_not_show_a_password_again_when_an_administrator_exists(tmp_path: Path) -> None:
    with override_settings(DATA_DIR=tmp_path):
        first = io.StringIO()
        admin_ensure(out=first, listen=("127.0.0.1", 8000))
        password = first.getvalue().split("kata sandi / password     : ")[1].split()[0]
        again = io.StringIO()
        bootstrap_run(out=again, listen=("127.0.0.1", 8000), migrate=False)
    assert password not in again.getvalue()
    assert "Administrator sudah ada" in again.getvalue()
    assert str(tmp_path / "initial_admin_password") in again.getvalue()
    assert get_user_model().objects.filter(is_superuser=True).count() == 1


@pytest.mark.django_db
def test_it_seeds_the_template_sop(tmp_path: Path) -> None:
    with override_settings(DATA_DIR=tmp_path):
        bootstrap_run(out=io.StringIO(), listen=("127.0.0.1", 8000), migrate=False)
    assert Sop.objects.filter(institution__isnull=True, number="W14.U21/10/SOP/09/2016").exists()
