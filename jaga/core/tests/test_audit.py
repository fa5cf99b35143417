from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jaga.core.audit import MASK
from jaga.core.models import AuditAction, AuditEvent, Membership, NotificationChannel, Site

pytestmark = pytest.mark.django_db


def _site_form(site: Site, **changes: str) -> dict[str, str]:
    data = {
        "name": site.name,
        "base_url": site.base_url,
        "cms": site.cms,
        "server_port": "22",
        "db_password": "",
        "server_ssh_key": "",
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_it_records_a_web_change_with_the_actor_ip_and_diff(client: Client, staff, site) -> None:
    client.force_login(staff)
    url = reverse("core:site_edit", kwargs={"slug": "pn-bangil", "site_id": site.pk})
    response = client.post(url, _site_form(site, name="Situs Baru", db_password="sandi-db-rahasia"))
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.actor == staff
    assert event.actor_name == "staff"
    assert event.institution_id == site.institution_id
    assert event.ip_address == "127.0.0.1"
    assert event.object_repr == "Situs Baru"
    assert event.changes["name"] == ["Situs PN Bangil", "Situs Baru"]
    assert event.changes["db_password"] == ["", MASK]
    assert "sandi-db-rahasia" not in str(event.changes)


def test_it_masks_secrets_on_create_and_delete(client: Client, make_user, institution) -> None:
    admin = make_user("administrator", institution, "admin")
    client.force_login(admin)
    client.post(
        reverse("core:channel_create", kwargs={"slug": "pn-bangil"}),
        {"name": "Telegram", "url": "tgram://123456789:ABCdefGHIjkl/987654", "enabled": "on"},
    )
    channel = NotificationChannel.objects.get()
    created = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(channel.pk))
    assert created.changes["url"] == [None, MASK]
    client.post(reverse("core:channel_delete", kwargs={"slug": "pn-bangil", "pk": channel.pk}), {"confirm": "yes"})
    deleted = AuditEvent.objects.get(action=AuditAction.DELETE, object_id=str(channel.pk))
    assert deleted.changes["url"] == [MASK, None]
    assert "ABCdefGHIjkl" not in str(list(AuditEvent.objects.values_list("changes", flat=True)))


def test_it_masks_user_passwords(client: Client, make_user, institution) -> None:
    client.force_login(make_user("administrator", institution, "admin"))
    client.post(
        reverse("core:membership_list", kwargs={"slug": "pn-bangil"}),
        {"username": "baru", "role": "staff_p2ti", "password": "Sandi-Baru-9876", "full_name": "Staf Baru"},
    )
    user_event = AuditEvent.objects.get(action=AuditAction.CREATE, object_repr="baru")
    assert user_event.changes["password"] == [None, MASK]
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, content_type__model="membership").exists()


def test_it_does_not_record_changes_outside_a_request(site) -> None:
    site.name = "diubah mesin"
    site.save()
    assert not AuditEvent.objects.exists()


def test_it_skips_models_that_opt_out(client: Client, make_user, institution) -> None:
    from jaga.core.audit import is_audited
    from jaga.core.models import Membership

    assert not is_audited(AuditEvent)
    assert is_audited(Site)
    assert is_audited(Membership)


def test_the_trail_is_shown_to_administrators(client: Client, make_user, institution, site) -> None:
    admin = make_user("administrator", institution, "admin")
    client.force_login(admin)
    client.post(
        reverse("core:site_edit", kwargs={"slug": "pn-bangil", "site_id": site.pk}), _site_form(site, name="Situs X")
    )
    body = client.get(reverse("core:audit_list", kwargs={"slug": "pn-bangil"})).content.decode()
    assert "Situs X" in body
    assert "admin" in body


def test_the_trail_is_shown_to_auditors(client: Client, auditor) -> None:
    client.force_login(auditor)
    assert client.get(reverse("core:audit_list", kwargs={"slug": "pn-bangil"})).status_code == 200


@pytest.mark.parametrize("role", ["staff_p2ti", "sekretaris", "kasubbag_umum"])
def test_the_trail_is_forbidden_to_other_roles(client: Client, make_user, institution, role) -> None:
    client.force_login(make_user(role, institution))
    assert client.get(reverse("core:audit_list", kwargs={"slug": "pn-bangil"})).status_code == 403


def test_the_trail_is_hidden_from_outsiders(client: Client, outsider, institution) -> None:
    client.force_login(outsider)
    assert client.get(reverse("core:audit_list", kwargs={"slug": "pn-bangil"})).status_code == 404


def test_the_trail_filters_by_actor_and_date(client: Client, auditor, staff, institution) -> None:
    old = AuditEvent.objects.create(
        action=AuditAction.UPDATE, actor=staff, actor_name="staff", institution=institution, object_repr="lama-sekali"
    )
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=40))
    AuditEvent.objects.create(
        action=AuditAction.UPDATE,
        actor=auditor,
        actor_name="auditor",
        institution=institution,
        object_repr="oleh-auditor",
    )
    AuditEvent.objects.create(
        action=AuditAction.UPDATE, actor=staff, actor_name="staff", institution=institution, object_repr="baru-staff"
    )
    client.force_login(auditor)
    url = reverse("core:audit_list", kwargs={"slug": "pn-bangil"})
    body = client.get(url, {"actor": staff.pk}).content.decode()
    assert "baru-staff" in body
    assert "lama-sekali" in body
    assert "oleh-auditor" not in body
    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    body = client.get(url, {"actor": staff.pk, "date_from": since}).content.decode()
    assert "baru-staff" in body
    assert "lama-sekali" not in body


def test_the_trail_is_paginated(client: Client, auditor, institution) -> None:
    AuditEvent.objects.bulk_create(
        [AuditEvent(action=AuditAction.UPDATE, institution=institution, object_repr=f"obj-{i}") for i in range(60)]
    )
    client.force_login(auditor)
    url = reverse("core:audit_list", kwargs={"slug": "pn-bangil"})
    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    # 61 events: the 60 above and the auditor's own log-in.
    assert "halaman 1 dari 2" in first
    assert first.count("obj-") + second.count("obj-") == 60
    assert first.count("<tr><td>") == 50


def test_the_trail_shows_members_logins_but_not_other_institutions(
    client: Client, auditor, staff, outsider, other_institution
) -> None:
    AuditEvent.objects.create(action=AuditAction.LOGIN, actor=staff, actor_name="staff")
    AuditEvent.objects.create(action=AuditAction.LOGIN, actor=outsider, actor_name="outsider")
    AuditEvent.objects.create(action=AuditAction.UPDATE, institution=other_institution, object_repr="milik-lain")
    client.force_login(auditor)
    body = client.get(reverse("core:audit_list", kwargs={"slug": "pn-bangil"})).content.decode()
    assert "staff" in body
    assert "outsider" not in body
    assert "milik-lain" not in body
    assert Membership.objects.filter(user=outsider).exists()
