from __future__ import annotations

import hashlib
import re

import pytest
from django.test import Client
from django.urls import reverse

from jaga.core.models import ApiToken
from jaga.core.services import api_token_authenticate, api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db


def test_it_stores_only_the_hash_and_a_prefix(staff, institution) -> None:
    token, raw = api_token_create(user=staff, institution=institution, name="skrip")
    assert raw.startswith("jaga_")
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.startswith(token.prefix)
    assert raw not in str(ApiToken.objects.values().get())


def test_it_authenticates_the_raw_token_and_marks_it_used(staff, institution) -> None:
    token, raw = api_token_create(user=staff, institution=institution, name="skrip")
    found = api_token_authenticate(raw)
    assert found == token
    assert found is not None
    assert found.user == staff
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("raw", ["", "jaga_salah", "bukan-token"])
def test_it_refuses_unknown_tokens(staff, institution, raw: str) -> None:
    api_token_create(user=staff, institution=institution, name="skrip")
    assert api_token_authenticate(raw) is None


def test_it_refuses_revoked_tokens_and_inactive_users(staff, institution) -> None:
    token, raw = api_token_create(user=staff, institution=institution, name="a")
    api_token_revoke(token=token)
    assert api_token_authenticate(raw) is None
    _token2, raw2 = api_token_create(user=staff, institution=institution, name="b")
    staff.is_active = False
    staff.save()
    assert api_token_authenticate(raw2) is None


def test_the_page_shows_a_new_token_once(client: Client, staff) -> None:
    client.force_login(staff)
    url = reverse("core:token_list", kwargs={"slug": "pn-bangil"})
    body = client.post(url, {"name": "monitor eksternal"}).content.decode()
    raw = re.search(r'<code id="new-token">([^<]+)</code>', body)
    assert raw is not None
    assert api_token_authenticate(raw.group(1)) is not None
    assert raw.group(1) not in client.get(url).content.decode()


def test_the_page_is_forbidden_to_auditors_and_hidden_from_outsiders(client: Client, auditor, outsider) -> None:
    url = reverse("core:token_list", kwargs={"slug": "pn-bangil"})
    client.force_login(auditor)
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_staff_revoke_their_own_token_but_not_anothers(client: Client, staff, make_user, institution) -> None:
    own, _raw = api_token_create(user=staff, institution=institution, name="milik sendiri")
    colleague = make_user("staff_p2ti", institution, "rekan")
    theirs, _raw2 = api_token_create(user=colleague, institution=institution, name="milik rekan")
    client.force_login(staff)
    assert "milik rekan" not in client.get(reverse("core:token_list", kwargs={"slug": "pn-bangil"})).content.decode()
    client.post(reverse("core:token_revoke", kwargs={"slug": "pn-bangil", "pk": own.pk}), {"confirm": "yes"})
    assert client.post(reverse("core:token_revoke", kwargs={"slug": "pn-bangil", "pk": theirs.pk})).status_code == 403
    own.refresh_from_db()
    theirs.refresh_from_db()
    assert own.revoked
    assert own.revoked_at is not None
    assert not theirs.revoked


def test_administrators_see_and_revoke_every_token(client: Client, admin_user, staff, institution) -> None:
    token, _raw = api_token_create(user=staff, institution=institution, name="milik staf")
    client.force_login(admin_user)
    assert "milik staf" in client.get(reverse("core:token_list", kwargs={"slug": "pn-bangil"})).content.decode()
    client.post(reverse("core:token_revoke", kwargs={"slug": "pn-bangil", "pk": token.pk}), {"confirm": "yes"})
    token.refresh_from_db()
    assert token.revoked
