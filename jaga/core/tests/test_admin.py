from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jaga.core.models import ApiToken, AuditEvent, NotificationChannel, NotificationRoute, Site
from jaga.core.services import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def root_client(client: Client, django_user_model) -> Client:
    client.force_login(django_user_model.objects.create_superuser("root", password="x-rahasia-123"))
    return client


@pytest.mark.parametrize(
    "model",
    [
        "institution",
        "site",
        "membership",
        "schedule",
        "notificationchannel",
        "notificationroute",
        "notificationdelivery",
        "apitoken",
        "auditevent",
    ],
)
def test_the_admin_lists_each_core_model(root_client: Client, model: str, site, staff) -> None:
    assert root_client.get(reverse(f"admin:core_{model}_changelist")).status_code == 200


def test_the_admin_never_shows_site_secrets(root_client: Client, site: Site) -> None:
    site.db_password = "sandi-db-admin"
    site.save()
    body = root_client.get(reverse("admin:core_site_change", args=[site.pk])).content.decode()
    assert "sandi-db-admin" not in body


def test_the_admin_never_shows_channel_urls(root_client: Client, institution) -> None:
    channel = NotificationChannel.objects.create(institution=institution, name="t", url="ntfys://ntfy.sh/topik-rahasia")
    NotificationRoute.objects.create(institution=institution, event_type="*", channel=channel)
    body = root_client.get(reverse("admin:core_notificationchannel_change", args=[channel.pk])).content.decode()
    assert "topik-rahasia" not in body


def test_the_audit_trail_is_read_only_in_the_admin(root_client: Client, staff, institution) -> None:
    api_token_create(user=staff, institution=institution, name="x")
    event = AuditEvent.objects.create(action="update", institution=institution, object_repr="x")
    assert root_client.get(reverse("admin:core_auditevent_add")).status_code == 403
    assert (
        root_client.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert root_client.get(reverse("admin:core_apitoken_add")).status_code == 403
    assert ApiToken.objects.count() == 1
