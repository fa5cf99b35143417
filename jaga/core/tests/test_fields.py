from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from jaga.core.fields import decrypt, encrypt
from jaga.core.models import Site

pytestmark = pytest.mark.django_db


def _raw(site: Site, column: str) -> str:
    table = connection.ops.quote_name(Site._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s", [site.pk])
        return str(cursor.fetchone()[0])


def test_it_stores_ciphertext_not_plaintext(site: Site) -> None:
    site.db_password = "kata-sandi-rahasia-42"
    site.save()
    raw = _raw(site, "db_password")
    assert "kata-sandi-rahasia-42" not in raw
    assert raw.startswith("gAAAA")  # a Fernet token
    assert Site.objects.get(pk=site.pk).db_password == "kata-sandi-rahasia-42"


def test_it_keeps_empty_values_empty(site: Site) -> None:
    assert _raw(site, "db_password") == ""
    assert Site.objects.get(pk=site.pk).db_password == ""


def test_it_explains_a_wrong_key(site: Site, settings) -> None:
    site.server_ssh_key = "-----BEGIN OPENSSH PRIVATE KEY-----"
    site.save()
    settings.JAGA_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(ValueError, match="JAGA_ENCRYPTION_KEY"):
        Site.objects.get(pk=site.pk)


def test_it_round_trips_through_the_helpers() -> None:
    token = encrypt("halo")
    assert token != "halo"
    assert decrypt(token) == "halo"
