from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jaga.core.models import Institution, Membership, Site

CONFIRMED = {"confirm": "yes"}
pytestmark = pytest.mark.django_db

PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----"


def _site_form(site: Site, **changes: str) -> dict[str, str]:
    data = {"name": site.name, "base_url": site.base_url, "cms": site.cms, "server_port": "22", "is_active": "on"}
    data.update(changes)
    return data


def _url(name: str, **kwargs: object) -> str:
    return reverse(f"core:{name}", kwargs={"slug": "pn-bangil", **kwargs})


# --- institution ---------------------------------------------------------------------------------


def test_members_see_their_institution(client: Client, auditor, site) -> None:
    client.force_login(auditor)
    body = client.get(_url("institution_detail")).content.decode()
    assert "Pengadilan Negeri Bangil" in body
    assert "Situs PN Bangil" in body
    assert _url("institution_edit") not in body


def test_outsiders_get_404_for_an_institution(client: Client, outsider, institution) -> None:
    client.force_login(outsider)
    assert client.get(_url("institution_detail")).status_code == 404
    assert client.get(_url("institution_edit")).status_code == 404


def test_anonymous_visitors_are_sent_to_login(client: Client, institution) -> None:
    response = client.get(_url("institution_detail"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


def test_administrators_edit_their_institution(client: Client, admin_user, institution) -> None:
    client.force_login(admin_user)
    response = client.post(
        _url("institution_edit"), {"name": "PN Bangil Kelas IB", "slug": "pn-bangil", "time_zone": "Asia/Makassar"}
    )
    assert response.status_code == 302
    institution.refresh_from_db()
    assert institution.name == "PN Bangil Kelas IB"
    assert institution.time_zone == "Asia/Makassar"


@pytest.mark.parametrize("role", ["staff_p2ti", "sekretaris", "auditor"])
def test_other_roles_may_not_edit_the_institution(client: Client, make_user, institution, role: str) -> None:
    client.force_login(make_user(role, institution))
    assert (
        client.post(_url("institution_edit"), {"name": "X", "slug": "x", "time_zone": "Asia/Jakarta"}).status_code
        == 403
    )
    institution.refresh_from_db()
    assert institution.name == "Pengadilan Negeri Bangil"


def test_only_superusers_create_institutions(client: Client, admin_user, django_user_model) -> None:
    url = reverse("core:institution_create")
    client.force_login(admin_user)
    assert client.get(url).status_code == 403
    client.force_login(django_user_model.objects.create_superuser("root", password="x-rahasia-123"))
    response = client.post(url, {"name": "PN Malang", "slug": "pn-malang", "time_zone": "Asia/Jakarta"})
    assert response.status_code == 302
    assert Institution.objects.filter(slug="pn-malang").exists()


# --- sites ---------------------------------------------------------------------------------------


def test_auditors_see_a_site_but_not_its_secrets(client: Client, auditor, site) -> None:
    site.db_password = "sandi-db-xyz"
    site.server_ssh_key = PRIVATE_KEY
    site.save()
    client.force_login(auditor)
    body = client.get(_url("site_detail", site_id=site.pk)).content.decode()
    assert "Situs PN Bangil" in body
    assert "sandi-db-xyz" not in body
    assert "OPENSSH" not in body
    assert "tersimpan" in body


def test_auditors_may_not_edit_a_site(client: Client, auditor, site) -> None:
    client.force_login(auditor)
    assert client.post(_url("site_edit", site_id=site.pk), _site_form(site, name="X")).status_code == 403
    assert client.get(_url("site_create")).status_code == 403


def test_outsiders_get_404_for_a_site(client: Client, outsider, site) -> None:
    client.force_login(outsider)
    assert client.get(_url("site_detail", site_id=site.pk)).status_code == 404
    assert client.get(_url("site_edit", site_id=site.pk)).status_code == 404


def test_a_site_is_not_reachable_through_another_institutions_slug(
    client: Client, make_user, other_institution, site
) -> None:
    member_of_both = make_user("staff_p2ti", other_institution, "dua")
    Membership.objects.create(user=member_of_both, institution=site.institution, role="staff_p2ti")
    client.force_login(member_of_both)
    url = reverse("core:site_detail", kwargs={"slug": "pn-pasuruan", "site_id": site.pk})
    assert client.get(url).status_code == 404


def test_staff_add_a_site_with_secrets(client: Client, staff, institution) -> None:
    client.force_login(staff)
    response = client.post(
        _url("site_create"),
        {
            "name": "Situs Baru",
            "base_url": "https://pn-bangil.go.id/",
            "cms": "wordpress",
            "server_port": "22",
            "db_password": "sandi-awal",
            "server_ssh_key": PRIVATE_KEY,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    site = Site.objects.get(name="Situs Baru")
    assert site.institution == institution
    assert site.db_password == "sandi-awal"
    assert site.server_ssh_key == PRIVATE_KEY


def test_site_secrets_are_write_only_and_blank_keeps_them(client: Client, staff, site) -> None:
    site.db_password = "sandi-lama"
    site.server_ssh_key = PRIVATE_KEY
    site.save()
    client.force_login(staff)
    form_page = client.get(_url("site_edit", site_id=site.pk)).content.decode()
    assert "sandi-lama" not in form_page
    assert "OPENSSH" not in form_page
    client.post(
        _url("site_edit", site_id=site.pk), _site_form(site, name="Nama Baru", db_password="", server_ssh_key="")
    )
    site.refresh_from_db()
    assert site.name == "Nama Baru"
    assert site.db_password == "sandi-lama"
    assert site.server_ssh_key == PRIVATE_KEY


def test_a_new_secret_replaces_and_clear_empties(client: Client, staff, site) -> None:
    site.db_password = "sandi-lama"
    site.server_ssh_key = PRIVATE_KEY
    site.save()
    client.force_login(staff)
    client.post(
        _url("site_edit", site_id=site.pk), _site_form(site, db_password="sandi-baru", clear_server_ssh_key="on")
    )
    site.refresh_from_db()
    assert site.db_password == "sandi-baru"
    assert site.server_ssh_key == ""


# --- memberships ---------------------------------------------------------------------------------


def test_administrators_add_an_existing_user(client: Client, admin_user, make_user, institution) -> None:
    someone = make_user(username="budi")
    client.force_login(admin_user)
    response = client.post(_url("membership_list"), {"username": "budi", "role": "kasubbag_umum"})
    assert response.status_code == 302
    assert Membership.objects.filter(user=someone, institution=institution, role="kasubbag_umum").exists()


def test_a_new_account_needs_a_password(client: Client, admin_user) -> None:
    client.force_login(admin_user)
    response = client.post(_url("membership_list"), {"username": "baru", "role": "staff_p2ti"})
    assert response.status_code == 200
    assert "belum ada" in response.content.decode()


def test_administrators_create_an_account_with_a_role(client: Client, admin_user, django_user_model) -> None:
    client.force_login(admin_user)
    client.post(
        _url("membership_list"),
        {"username": "siti", "role": "sekretaris", "password": "Sandi-Kuat-2026", "full_name": "Siti Aminah"},
    )
    user = django_user_model.objects.get(username="siti")
    assert user.check_password("Sandi-Kuat-2026")
    assert user.first_name == "Siti"
    assert user.memberships.get().role == "sekretaris"


def test_administrators_remove_a_membership_but_not_the_last_administrator(client: Client, admin_user, staff) -> None:
    client.force_login(admin_user)
    staff_membership = Membership.objects.get(user=staff)
    client.post(_url("membership_delete", pk=staff_membership.pk), CONFIRMED)
    assert not Membership.objects.filter(pk=staff_membership.pk).exists()
    own = Membership.objects.get(user=admin_user)
    client.post(_url("membership_delete", pk=own.pk), CONFIRMED)
    assert Membership.objects.filter(pk=own.pk).exists()


@pytest.mark.parametrize("role", ["staff_p2ti", "auditor", "sekretaris"])
def test_other_roles_may_not_manage_members(client: Client, make_user, institution, staff, role: str) -> None:
    client.force_login(make_user(role, institution))
    assert client.get(_url("membership_list")).status_code == 403
    membership = Membership.objects.get(user=staff)
    assert client.post(_url("membership_delete", pk=membership.pk), CONFIRMED).status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_outsiders_get_404_for_members(client: Client, outsider, institution) -> None:
    client.force_login(outsider)
    assert client.get(_url("membership_list")).status_code == 404


# --- time zone -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("zone", "expected_hour"), [("Asia/Jakarta", 7), ("Asia/Makassar", 8), ("Asia/Jayapura", 9)])
def test_dates_under_an_institution_show_in_its_time_zone(
    client: Client, staff, institution, zone: str, expected_hour: int, settings
) -> None:
    settings.TIME_ZONE = "UTC"
    from jaga.core.services import api_token_create

    institution.time_zone = zone
    institution.save()
    token, _raw = api_token_create(user=staff, institution=institution, name="jam")
    midnight_utc = datetime.datetime(2026, 11, 24, 0, 0, tzinfo=datetime.UTC)
    type(token).objects.filter(pk=token.pk).update(created_at=midnight_utc)
    client.force_login(staff)
    body = client.get(_url("token_list")).content.decode()
    assert f"24 November 2026 {expected_hour:02d}.00" in body
    # The institution's zone does not leak past the request.
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE
