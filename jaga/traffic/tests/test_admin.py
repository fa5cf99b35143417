"""The traffic app's admin: log sources and the allow-list, for the superuser only, bad input said in words."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jaga.traffic.models import AllowedNetwork, LogSource

pytestmark = pytest.mark.django_db


@pytest.fixture
def root_client(client: Client, django_user_model) -> Client:  # type: ignore[no-untyped-def]
    client.force_login(django_user_model.objects.create_superuser("root", password="x-rahasia-123"))
    return client


def test_the_superuser_adds_an_sftp_source_and_a_custom_format_is_checked(root_client: Client, site) -> None:  # type: ignore[no-untyped-def]
    url = reverse("admin:traffic_logsource_add")
    form = {"site": site.pk, "kind": "sftp", "path": "/home/pn/logs/access.log*", "is_active": "on"}
    bad = root_client.post(url, {**form, "format_key": "nginx", "format_spec": "$remote_addr"})
    assert bad.status_code == 200
    assert not LogSource.objects.exists()
    assert "errorlist" in bad.content.decode()
    good = root_client.post(url, {**form, "format_key": "combined", "format_spec": ""})
    assert good.status_code == 302
    assert LogSource.objects.get().kind == LogSource.Kind.SFTP


def test_the_allow_list_takes_a_network_and_refuses_other_text(root_client: Client, institution) -> None:  # type: ignore[no-untyped-def]
    url = reverse("admin:traffic_allowednetwork_add")
    refused = root_client.post(url, {"institution": institution.pk, "network": "kantor", "note": ""})
    assert "Bukan alamat IP atau jaringan" in refused.content.decode()
    root_client.post(url, {"institution": institution.pk, "network": "203.0.113.7/24", "note": "kantor"})
    assert AllowedNetwork.objects.get().network == "203.0.113.0/24"


@pytest.mark.parametrize("model", ["logsource", "allowednetwork"])
def test_a_member_who_is_not_the_superuser_is_sent_to_the_login(staff, model: str) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(staff)
    answer = client.get(reverse(f"admin:traffic_{model}_changelist"))
    assert answer.status_code == 302
    assert "/login/" in answer["Location"]
