"""The interface starts in Indonesian whatever the browser says, unless the person chose English."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jaga.core.models import UserProfile

pytestmark = pytest.mark.django_db

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
PASSWORD = "rahasia-uji-123"


@pytest.fixture(autouse=True)
def _catalogues(compiled_messages_en: None) -> None:
    pass


def page(client: Client, path: str = "/login/") -> str:
    return client.get(path, **ENGLISH_BROWSER).content.decode()


def test_an_english_browser_sees_indonesian(client: Client) -> None:
    response = client.get("/login/", **ENGLISH_BROWSER)
    body = response.content.decode()
    assert '<html lang="id">' in body
    assert "Masuk ke Jaga" in body
    assert response["Content-Language"] == "id"
    assert "Accept-Language" not in response.get("Vary", "")


def test_an_english_browser_sees_indonesian_after_signing_in(client: Client, staff) -> None:
    client.post(reverse("core:login"), {"username": "staff", "password": PASSWORD}, **ENGLISH_BROWSER)
    assert '<html lang="id">' in page(client, "/")


def test_a_visitor_who_chose_english_gets_english(client: Client) -> None:
    client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert "Log in to Jaga" in page(client)


def test_a_signed_in_users_choice_is_saved_and_follows_them_to_another_computer(client: Client, staff) -> None:
    client.force_login(staff)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert UserProfile.objects.get(user=staff).language == "en"

    elsewhere = Client()  # another browser: no language cookie
    assert "Masuk ke Jaga" in page(elsewhere)
    elsewhere.post(reverse("core:login"), {"username": "staff", "password": PASSWORD})
    assert '<html lang="en">' in page(elsewhere, "/")


def test_the_users_choice_beats_a_cookie_left_by_someone_else(client: Client, staff) -> None:
    UserProfile.objects.create(user=staff, language="id")
    client.post(reverse("set_language"), {"language": "en", "next": "/login/"})  # the previous person's choice
    client.post(reverse("core:login"), {"username": "staff", "password": PASSWORD})
    assert '<html lang="id">' in page(client, "/")


def test_the_account_page_offers_the_choice(client: Client, staff) -> None:
    client.force_login(staff)
    body = page(client, reverse("core:account"))
    assert 'name="language" value="en"' in body
    assert 'name="language" value="id"' in body


def test_a_setting_changes_the_default(client: Client, settings) -> None:
    settings.LANGUAGE_CODE = "en"  # JAGA_LANGUAGE=en
    assert "Log in to Jaga" in client.get("/login/", HTTP_ACCEPT_LANGUAGE="id-ID,id;q=0.9").content.decode()


def test_an_unknown_language_in_the_cookie_is_ignored(client: Client, settings) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert '<html lang="id">' in page(client)
