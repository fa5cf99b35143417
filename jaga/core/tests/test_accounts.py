"""Passwords (rules, change, reset by e-mail or by an administrator), roles that change, createsuperuser."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from jaga.core.models import AuditAction, AuditEvent, Membership, UserProfile
from jaga.core.tests.processes_helpers import JAGA, jaga_env, shared_database_url

pytestmark = pytest.mark.django_db

PASSWORD = "rahasia-uji-123"
STRONG = "Kopi-Tubruk-Pagi-42"


def _members_url(**kwargs: object) -> str:
    name = kwargs.pop("name", "membership_list")
    return reverse(f"core:{name}", kwargs={"slug": "pn-bangil", **kwargs})


def _messages(password: str, user=None) -> list[str]:  # type: ignore[no-untyped-def]
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


# --- the rules ---------------------------------------------------------------------------------------------


def test_the_rules_speak_indonesian() -> None:
    with translation.override("id"):
        assert _messages("pendek1") == ["Kata sandi terlalu pendek: paling sedikit 10 karakter."]
        assert "Kata sandi tidak boleh hanya berisi angka." in _messages("12345678901234")
        assert _messages("bismillah123") == ["Kata sandi ini terlalu umum dan mudah ditebak."]
        assert _messages("password123") == ["Kata sandi ini terlalu umum dan mudah ditebak."]
        assert _messages(STRONG) == []


def test_the_rules_speak_english_to_someone_who_chose_english(compiled_messages_en) -> None:
    with translation.override("en"):
        assert _messages("pendek1") == ["The password is too short: at least 10 characters."]


def test_a_password_like_the_account_is_refused(make_user) -> None:
    user = make_user(username="siti.aminah")
    user.first_name, user.email = "Siti", "siti.aminah@pn-bangil.go.id"
    with translation.override("id"):
        assert _messages("siti.aminah1", user) == ["Kata sandi terlalu mirip dengan nama pengguna akun ini."]


def test_the_minimum_length_is_a_setting(settings) -> None:
    settings.JAGA_PASSWORD_MIN_LENGTH = 24
    with translation.override("id"):
        assert _messages(STRONG) == ["Kata sandi terlalu pendek: paling sedikit 24 karakter."]


def test_a_new_members_password_follows_the_rules_and_each_error_stands_by_its_field(
    client: Client, make_user, institution
) -> None:
    client.force_login(make_user("administrator", institution, "admin"))
    response = client.post(
        _members_url(), {"username": "baru", "role": "staff_p2ti", "password": "12345", "email": "bukan-email"}
    )
    body = response.content.decode()
    assert not get_user_model().objects.filter(username="baru").exists()
    # Both invalid fields at once, each next to its own field and listed in the summary at the top.
    assert re.search(r'id="id_password_error"[^>]*>.*terlalu pendek', body, re.S)
    assert 'id="id_email_error"' in body
    assert 'aria-describedby="id_password_helptext id_password_error"' in body or 'id_password_error"' in body
    assert body.count('class="form-errors"') == 1
    assert '<a href="#id_password">' in body
    assert '<a href="#id_email">' in body


# --- changing one's own password ------------------------------------------------------------------------


def test_every_user_reaches_the_password_change_from_the_user_menu(client: Client, staff) -> None:
    client.force_login(staff)
    home = client.get(reverse("core:home")).content.decode()
    assert f'<a class="username" href="{reverse("core:account")}"' in home
    account = client.get(reverse("core:account")).content.decode()
    assert reverse("core:password_change") in account


@pytest.mark.parametrize("role", ["staff_p2ti", "auditor", "sekretaris", "administrator"])
def test_every_role_changes_their_own_password(client: Client, make_user, institution, role) -> None:
    user = make_user(role, institution)
    client.force_login(user)
    response = client.post(
        reverse("core:password_change"),
        {"old_password": PASSWORD, "new_password1": STRONG, "new_password2": STRONG},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(STRONG)
    assert client.get(reverse("core:home")).status_code == 200  # this session stays signed in
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(user.pk), content_type__model="user")
    assert event.changes["password"] == ["***", "***"]


def test_the_password_change_shows_every_mistake_at_once(client: Client, staff) -> None:
    client.force_login(staff)
    body = client.post(
        reverse("core:password_change"), {"old_password": "salah", "new_password1": "123", "new_password2": "456"}
    ).content.decode()
    assert "Kata sandi lama salah" in body
    assert "Kedua kata sandi baru tidak sama." in body
    assert 'id="id_old_password_error"' in body
    assert 'id="id_new_password2_error"' in body
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


def test_anonymous_visitors_are_sent_to_the_login_for_the_account_pages(client: Client) -> None:
    for name in ("account", "password_change"):
        response = client.get(reverse(f"core:{name}"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("core:login"))


# --- one-time password by an administrator ----------------------------------------------------------


@pytest.fixture
def admin(make_user, institution):  # type: ignore[no-untyped-def]
    return make_user("administrator", institution, "admin")


def test_an_administrator_sets_a_one_time_password_the_member_must_change(client: Client, admin, staff) -> None:
    membership = Membership.objects.get(user=staff)
    client.force_login(admin)
    page = client.get(_members_url(name="membership_password", pk=membership.pk)).content.decode()
    assert "Reset lewat e-mail tidak aktif di Jaga ini (JAGA_EMAIL_URL belum diatur)" in page
    response = client.post(
        _members_url(name="membership_password", pk=membership.pk), {"new_password1": STRONG, "new_password2": STRONG}
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password(STRONG)
    assert UserProfile.objects.get(user=staff).password_change_required

    member = Client()
    assert member.post(reverse("core:login"), {"username": "staff", "password": STRONG}).status_code == 302
    anywhere = member.get("/sop/pn-bangil/")
    assert anywhere.status_code == 302
    assert anywhere["Location"].startswith(reverse("core:password_change"))
    assert "kata sandi sekali pakai dari administrator" in member.get(reverse("core:password_change")).content.decode()
    own = "Teh-Manis-Sore-2026"
    done = member.post(
        reverse("core:password_change") + "?next=/sop/pn-bangil/",
        {"old_password": STRONG, "new_password1": own, "new_password2": own, "next": "/sop/pn-bangil/"},
    )
    assert done.status_code == 302
    assert done["Location"] == "/sop/pn-bangil/"
    assert member.get("/sop/pn-bangil/").status_code == 200
    assert not UserProfile.objects.get(user=staff).password_change_required


def test_a_one_time_password_follows_the_rules_too(client: Client, admin, staff) -> None:
    client.force_login(admin)
    body = client.post(
        _members_url(name="membership_password", pk=Membership.objects.get(user=staff).pk),
        {"new_password1": "sayang123", "new_password2": "sayang123"},
    ).content.decode()
    assert "terlalu umum" in body
    assert not UserProfile.objects.filter(user=staff, password_change_required=True).exists()


def test_setting_a_one_time_password_ends_the_members_open_sessions(client: Client, admin, staff) -> None:
    member = Client()
    member.force_login(staff)
    assert member.get(reverse("core:home")).status_code == 200
    client.force_login(admin)
    client.post(
        _members_url(name="membership_password", pk=Membership.objects.get(user=staff).pk),
        {"new_password1": STRONG, "new_password2": STRONG},
    )
    assert member.get(reverse("core:home")).status_code == 302


def test_an_administrator_may_not_take_over_someone_who_also_belongs_elsewhere(
    client: Client, admin, make_user, institution, other_institution
) -> None:
    shared = make_user("staff_p2ti", institution, "bersama")
    Membership.objects.create(user=shared, institution=other_institution, role="administrator")
    membership = Membership.objects.get(user=shared, institution=institution)
    client.force_login(admin)
    assert "Atur ulang kata sandi" not in client.get(_members_url()).content.decode().split("bersama", 1)[1][:600]
    url = _members_url(name="membership_password", pk=membership.pk)
    assert client.get(url).status_code == 403
    assert client.post(url, {"new_password1": STRONG, "new_password2": STRONG}).status_code == 403
    shared.refresh_from_db()
    assert shared.check_password(PASSWORD)


def test_no_administrator_sets_a_superusers_password_or_their_own(client: Client, admin, institution) -> None:
    root = get_user_model().objects.create_superuser(username="root", password=PASSWORD)
    Membership.objects.create(user=root, institution=institution, role="staff_p2ti")
    client.force_login(admin)
    root_membership = Membership.objects.get(user=root)
    own = Membership.objects.get(user=admin)
    assert client.get(_members_url(name="membership_password", pk=root_membership.pk)).status_code == 403
    assert client.get(_members_url(name="membership_password", pk=own.pk)).status_code == 403


@pytest.mark.parametrize("role", ["staff_p2ti", "auditor", "sekretaris"])
def test_other_roles_may_not_set_passwords(client: Client, make_user, institution, staff, role) -> None:
    client.force_login(make_user(role, institution))
    url = _members_url(name="membership_password", pk=Membership.objects.get(user=staff).pk)
    assert client.post(url, {"new_password1": STRONG, "new_password2": STRONG}).status_code == 403


# --- forgotten password --------------------------------------------------------------------------------


def test_without_e_mail_the_reset_page_says_to_ask_an_administrator(client: Client, staff, mailoutbox) -> None:
    page = client.get(reverse("core:password_reset"))
    body = page.content.decode()
    assert "Di Jaga ini kata sandi diatur ulang oleh administrator, bukan lewat e-mail" in body
    assert 'name="email"' not in body
    client.post(reverse("core:password_reset"), {"email": "staff@pn-bangil.go.id"})
    assert mailoutbox == []
    assert reverse("core:password_reset") in client.get(reverse("core:login")).content.decode()


@pytest.fixture
def email_on(settings):  # type: ignore[no-untyped-def]
    settings.JAGA_EMAIL_URL = "smtp://mail.pn-bangil.go.id:587"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_with_e_mail_a_forgotten_password_is_reset_by_a_link(client: Client, staff, email_on, mailoutbox) -> None:
    staff.email = "staff@pn-bangil.go.id"
    staff.save()
    UserProfile.objects.create(user=staff, password_change_required=True)
    response = client.post(reverse("core:password_reset"), {"email": "staff@pn-bangil.go.id"})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:password_reset_done")
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["staff@pn-bangil.go.id"]
    assert mail.subject == "Jaga: buat kata sandi baru"
    link = re.search(r"http://testserver(/akun/reset/\S+/)", mail.body)
    assert link is not None, mail.body
    form_page = client.get(link.group(1), follow=True)
    assert "Buat kata sandi baru" in form_page.content.decode()
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": STRONG, "new_password2": STRONG})
    assert done.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password(STRONG)
    assert not UserProfile.objects.get(user=staff).password_change_required
    # The link works once.
    assert "Tautan tidak berlaku" in client.get(link.group(1), follow=True).content.decode()


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client: Client, email_on, mailoutbox) -> None:
    response = client.post(reverse("core:password_reset"), {"email": "tidak-ada@contoh.go.id"})
    assert response["Location"] == reverse("core:password_reset_done")
    assert mailoutbox == []


def test_repeated_reset_requests_do_not_flood_the_inbox(client: Client, staff, email_on, mailoutbox) -> None:
    staff.email = "staff@pn-bangil.go.id"
    staff.save()
    for _ in range(3):
        client.post(reverse("core:password_reset"), {"email": "staff@pn-bangil.go.id"})
    assert len(mailoutbox) == 1
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET_REQUESTED, actor=staff).count() == 1


def test_the_reset_e_mail_is_written_in_the_language_the_user_chose(
    client: Client, staff, email_on, mailoutbox, compiled_messages_en
) -> None:
    staff.email = "staff@pn-bangil.go.id"
    staff.save()
    UserProfile.objects.create(user=staff, language="en")
    client.post(reverse("core:password_reset"), {"email": "staff@pn-bangil.go.id"})
    assert mailoutbox[0].subject == "Jaga: choose a new password"


# --- roles ---------------------------------------------------------------------------------------------------


def test_an_administrator_changes_a_members_role(client: Client, admin, staff) -> None:
    membership = Membership.objects.get(user=staff)
    client.force_login(admin)
    response = client.post(
        _members_url(name="membership_role", pk=membership.pk), {f"m{membership.pk}-role": "auditor"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "auditor"
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, content_type__model="membership")
    assert (event.actor, event.changes["role"]) == (admin, ["staff_p2ti", "auditor"])


def test_the_last_administrator_keeps_the_role(client: Client, admin) -> None:
    own = Membership.objects.get(user=admin)
    client.force_login(admin)
    response = client.post(
        _members_url(name="membership_role", pk=own.pk), {f"m{own.pk}-role": "staff_p2ti"}, follow=True
    )
    own.refresh_from_db()
    assert own.role == "administrator"
    assert "Administrator terakhir instansi tidak dapat diberi peran lain" in response.content.decode()


def test_a_role_the_member_already_holds_is_refused_next_to_the_field(
    client: Client, admin, staff, institution
) -> None:
    Membership.objects.create(user=staff, institution=institution, role="auditor")
    membership = Membership.objects.get(user=staff, role="staff_p2ti")
    client.force_login(admin)
    response = client.post(
        _members_url(name="membership_role", pk=membership.pk), {f"m{membership.pk}-role": "auditor"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert f'id="id_m{membership.pk}-role_error"' in body
    assert "staff sudah memegang peran Auditor (hanya baca) di instansi ini." in body
    membership.refresh_from_db()
    assert membership.role == "staff_p2ti"


@pytest.mark.parametrize("role", ["staff_p2ti", "auditor", "sekretaris"])
def test_other_roles_may_not_change_roles(client: Client, make_user, institution, staff, role) -> None:
    membership = Membership.objects.get(user=staff)
    client.force_login(make_user(role, institution))
    url = _members_url(name="membership_role", pk=membership.pk)
    assert client.post(url, {f"m{membership.pk}-role": "administrator"}).status_code == 403
    membership.refresh_from_db()
    assert membership.role == "staff_p2ti"


# --- createsuperuser -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_createsuperuser_applies_the_rules_also_without_questions(tmp_path: Path) -> None:
    def create(password: str) -> subprocess.CompletedProcess[str]:
        with shared_database_url(tmp_path) as url:
            return subprocess.run(
                [JAGA, "createsuperuser", "--no-input", "--username", "kepala", "--email", "kepala@pn-bangil.go.id"],
                env=jaga_env(tmp_path, DATABASE_URL=url, DJANGO_SUPERUSER_PASSWORD=password),
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )

    weak = create("12345678")
    assert weak.returncode != 0
    assert "kata sandi ditolak / password refused" in weak.stderr
    assert "Traceback" not in weak.stderr
    assert not get_user_model().objects.filter(username="kepala").exists()

    strong = create(STRONG)
    assert strong.returncode == 0, strong.stderr
    user = get_user_model().objects.get(username="kepala")
    assert user.is_superuser
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(user.pk), content_type__model="user")
    assert (event.actor_name, event.via) == ("Jaga", "command: createsuperuser")
    assert event.changes["password"] == [None, "***"]


def test_the_django_admin_applies_the_rules_when_it_creates_an_account(client: Client) -> None:
    root = get_user_model().objects.create_superuser(username="root", password=PASSWORD)
    client.force_login(root)
    response = client.post(
        "/admin/auth/user/add/",
        {"username": "lemah", "usable_password": "true", "password1": "merdeka45", "password2": "merdeka45"},
    )
    assert response.status_code == 200
    assert "Kata sandi ini terlalu umum dan mudah ditebak." in response.content.decode()
    assert not get_user_model().objects.filter(username="lemah").exists()
