"""Accounts in a real Chromium: the language with an English browser, the account pages on a phone, the
confirmation before a revoke with JavaScript switched off, an error page, the members page of an
administrator."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from jaga.demo.services import DEMO_PASSWORD
from tests.e2e.conftest import DESKTOP, PHONE, has_horizontal_scroll, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF = "demo-staff"


def test_an_english_browser_gets_indonesian_until_the_user_chooses_english(demo: Any, open_page: Any) -> None:
    page = open_page(locale="en-US")
    page.goto("/login/")
    assert page.evaluate("navigator.language") == "en-US"
    assert page.locator("html").get_attribute("lang") == "id"
    log_in(page, STAFF, DEMO_PASSWORD)
    assert page.locator("html").get_attribute("lang") == "id"
    page.click("header a.username")
    assert urlsplit(page.url).path == "/akun/"
    page.click("button[name=language][value=en]")
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("html").get_attribute("lang") == "en"

    # Another computer, another English browser, no cookie: the saved choice follows the user after log-in.
    other = open_page(locale="en-US")
    other.goto("/login/")
    assert other.locator("html").get_attribute("lang") == "id"
    log_in(other, STAFF, DEMO_PASSWORD)
    assert other.locator("html").get_attribute("lang") == "en"
    assert other.locator("header button.link").inner_text().strip() == "Log out"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_account_pages_fit_the_screen_and_the_user_menu_reaches_them(
    demo: Any, open_page: Any, viewport: dict[str, int]
) -> None:
    page = open_page(viewport=viewport)
    log_in(page, STAFF, DEMO_PASSWORD)
    user_menu = page.locator("header a.username")
    assert user_menu.is_visible()  # also on a phone
    user_menu.click()
    assert not has_horizontal_scroll(page)
    if viewport is DESKTOP:
        screenshot(page, "account")
    page.click("a[href='/akun/kata-sandi/']")
    page.click("form.stacked button[type=submit]")  # nothing filled in: every field's error at once
    page.locator(".form-errors").wait_for(state="visible")  # the answer to the post, not the page before it
    assert page.locator(".field.invalid").count() == 3
    assert page.locator("#id_old_password_error").is_visible()
    assert not has_horizontal_scroll(page)


def test_revoking_a_token_asks_first_and_works_without_javascript(demo: Any, browser: Any, live_server: Any) -> None:
    from django.contrib.auth import get_user_model

    from jaga.core.models import ApiToken
    from jaga.core.services import api_token_create

    staff = get_user_model().objects.get(username=STAFF)
    token, _raw = api_token_create(user=staff, institution=demo.institution, name="skrip cadangan")
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, STAFF, DEMO_PASSWORD)
        tokens = f"/instansi/{demo.institution.slug}/token/"
        page.goto(tokens)
        page.locator("tr", has_text="skrip cadangan").locator("button", has_text="Cabut").click()
        assert page.locator("[role=alertdialog] h1").inner_text() == "Cabut token API"
        assert not has_horizontal_scroll(page)
        screenshot(page, "confirm", full_page=False)
        page.get_by_role("link", name="Batal", exact=True).click()
        page.wait_for_url(f"**{tokens}")
        token.refresh_from_db()
        assert not token.revoked
        page.locator("tr", has_text="skrip cadangan").locator("button", has_text="Cabut").click()
        page.click("button:has-text('Ya, cabut token')")
        page.wait_for_url(f"**{tokens}")
        assert ApiToken.objects.get(pk=token.pk).revoked
    finally:
        context.close()


def test_a_missing_page_has_jagas_layout_and_a_way_back(demo: Any, open_page: Any) -> None:
    page = open_page(viewport=PHONE)
    log_in(page, STAFF, DEMO_PASSWORD)
    page.goto("/")
    page.evaluate("window.location.href = '/tidak-ada/'")
    page.wait_for_url("**/tidak-ada/")
    assert page.locator("h1").inner_text() == "Halaman tidak ditemukan"
    assert not has_horizontal_scroll(page)
    page.click("text=Kembali ke halaman sebelumnya")
    page.wait_for_url(lambda url: urlsplit(url).path == "/")


def test_the_members_page_fits_a_phone(demo: Any, open_page: Any) -> None:
    from django.contrib.auth import get_user_model
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    admin = get_user_model().objects.get(username="demo-admin")
    device = TOTPDevice.objects.create(user=admin, name="uji", confirmed=True)
    page = open_page(viewport=PHONE)
    log_in(page, "demo-admin", DEMO_PASSWORD)
    page.goto(f"/instansi/{demo.institution.slug}/anggota/")
    assert "/akun/2fa/verifikasi/" in page.url
    page.fill("input[name=code]", f"{totp(device.bin_key):06d}")
    page.click("form.stacked button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert urlsplit(page.url).path == f"/instansi/{demo.institution.slug}/anggota/"
    assert page.locator("table.members select").count() >= 5
    assert not has_horizontal_scroll(page)  # the table scrolls inside its frame
