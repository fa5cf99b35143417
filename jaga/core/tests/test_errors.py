"""Error pages 400, 403, 404, 429 and 500 in Jaga's layout and language, with a way back."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _catalogues(compiled_messages_en: None) -> None:
    pass


def assert_jaga_page(body: str) -> None:
    assert 'class="topbar"' in body  # Jaga's layout
    assert '<a class="btn" href="/">Ke beranda</a>' in body or '<a class="btn" href="/">Go to the home page</a>' in body


def test_a_missing_page_is_a_404_in_jagas_layout_with_a_way_home_and_back(client: Client, staff) -> None:
    client.force_login(staff)
    response = client.get("/tidak-ada/", HTTP_REFERER="http://testserver/sop/pn-bangil/")
    assert response.status_code == 404
    body = response.content.decode()
    assert_jaga_page(body)
    assert "Halaman tidak ditemukan" in body
    assert 'href="http://testserver/sop/pn-bangil/">← Kembali ke halaman sebelumnya' in body
    assert 'class="mainnav"' in body  # signed in: the menu is there too


def test_the_way_back_never_leads_to_another_site(client: Client) -> None:
    body = client.get("/tidak-ada/", HTTP_REFERER="https://evil.example/").content.decode()
    assert "evil.example" not in body
    assert "Kembali ke halaman sebelumnya" not in body


def test_a_404_speaks_english_to_someone_who_chose_it(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/tidak-ada/").content.decode()
    assert "Page not found" in body
    assert '<html lang="en">' in body


def test_a_forbidden_action_is_a_403_in_jagas_layout(client: Client, auditor) -> None:
    client.force_login(auditor)
    response = client.get(reverse("core:token_list", kwargs={"slug": "pn-bangil"}))
    assert response.status_code == 403
    body = response.content.decode()
    assert_jaga_page(body)
    assert "Anda tidak diizinkan melakukan ini" in body


def test_a_request_for_an_unknown_host_is_a_400_in_jagas_words(client: Client) -> None:
    response = client.get("/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Permintaan tidak dapat diproses" in body
    assert_jaga_page(body)


def test_a_form_sent_without_its_token_is_a_403_that_says_what_to_do() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("core:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "Formulir ini sudah kedaluwarsa" in body
    assert_jaga_page(body)


def test_the_login_lock_is_a_429_with_a_way_back(client: Client, staff) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("core:login"), {"username": "staff", "password": "salah"})
    assert response.status_code == 429
    body = response.content.decode()
    assert 'class="topbar"' in body
    assert f'href="{reverse("core:login")}"' in body


@pytest.mark.urls("jaga.core.tests.urls_errors")
@pytest.mark.parametrize("signed_in", [False, True])
def test_the_500_page_renders_while_the_database_is_down(
    client: Client, staff, django_db_blocker, signed_in: bool
) -> None:
    if signed_in:
        client.force_login(staff)
    client.raise_request_exception = False
    with django_db_blocker.block():  # every query now fails, as with the database server gone
        response = client.get("/uji/galat/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Maaf, terjadi kesalahan di Jaga" in body
    assert '<a class="btn" href="/">Ke beranda</a>' in body
    assert 'class="topbar"' in body


@pytest.mark.urls("jaga.core.tests.urls_errors")
def test_the_500_page_speaks_the_visitors_language(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.raise_request_exception = False
    body = client.get("/uji/galat/").content.decode()
    assert "Sorry, something went wrong in Jaga" in body
