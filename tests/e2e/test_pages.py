"""Login, dashboards and SOP pages in a real headless Chromium, on a desktop and on a phone."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from jaga.demo.services import DEMO_PASSWORD
from tests.e2e.conftest import PHONE, has_horizontal_scroll, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF = "demo-staff"
DASHBOARD = "/sop/pn-contoh/"


def test_it_refuses_a_wrong_password_with_a_message(demo: Any, open_page: Any) -> None:
    page = open_page()
    page.goto("/login/")
    screenshot(page, "login", full_page=False)
    log_in(page, STAFF, "salah-sekali")
    assert urlsplit(page.url).path == "/login/"
    error = page.locator(".errorlist").first
    assert error.is_visible()
    assert error.inner_text().strip()  # Django's message, in the user's language


def test_it_takes_the_staff_to_the_home_page_with_the_right_password(demo: Any, open_page: Any) -> None:
    page = open_page()
    log_in(page, STAFF, DEMO_PASSWORD)
    assert urlsplit(page.url).path == "/"
    assert page.locator("header .username").inner_text().strip() == "Dimas Pratama"
    assert page.locator(".mainnav a", has_text="Dasbor").count() == 1


def test_it_asks_an_administrator_for_two_factor_authentication(demo: Any, open_page: Any) -> None:
    page = open_page()
    log_in(page, "demo-admin", DEMO_PASSWORD)
    page.goto(DASHBOARD)
    assert "/akun/2fa/" in page.url
    assert page.locator("h1").first.inner_text()  # the enrolment page speaks to the user


def test_it_shows_the_seven_activity_tiles_on_the_institution_dashboard(demo: Any, open_page: Any) -> None:
    page = open_page()
    log_in(page, STAFF, DEMO_PASSWORD)
    page.goto(DASHBOARD)
    tiles = page.locator(".tile[data-activity]")
    assert tiles.count() == 7
    # the demo's backups ran (a real restic repository), so activity 2 is on time
    state = page.locator(".tile[data-activity='2']").get_attribute("data-state")
    assert state == "ok", f"activity 2 is {state}; demo steps not done: {demo.skipped}"
    assert not has_horizontal_scroll(page)
    screenshot(page, "dashboard-desktop")


def test_it_shows_the_sop_activity_table(demo: Any, open_page: Any) -> None:
    page = open_page()
    log_in(page, STAFF, DEMO_PASSWORD)
    page.goto("/sop/pn-contoh/sop/")
    assert "W14.U21/10/SOP/09/2016" in page.content()
    rows = page.locator("table tr", has_text="Relatif")
    assert rows.count() >= 4  # activities 3, 4, 6 and 7 have no fixed time standard
    screenshot(page, "sop")


def test_it_shows_the_compliance_of_an_activity(demo: Any, open_page: Any) -> None:
    page = open_page()
    log_in(page, STAFF, DEMO_PASSWORD)
    from jaga.sop.models import LedgerEntry

    reports = LedgerEntry.objects.filter(institution=demo.institution, activity_number=5).count()
    assert reports >= 5  # the demo's four of its history and the situation report its reports step sent
    page.goto("/sop/pn-contoh/aktivitas/5/")
    assert page.locator("#total").inner_text().strip() == str(reports)
    assert page.locator("table tbody tr").count() >= 4
    screenshot(page, "compliance")


def test_it_shows_the_monitors_of_the_demo_site(demo: Any, open_page: Any) -> None:
    page = open_page()
    log_in(page, STAFF, DEMO_PASSWORD)
    response = page.goto(f"/monitoring/sites/{demo.site.pk}/")
    if response is None or response.status != 200:
        pytest.skip("the monitoring pages are not there yet")
    assert page.locator("table").first.is_visible()
    screenshot(page, "monitors")


def test_it_switches_the_interface_to_english(demo: Any, open_page: Any) -> None:
    page = open_page()
    log_in(page, STAFF, DEMO_PASSWORD)
    page.goto(DASHBOARD)
    assert page.locator("html").get_attribute("lang") == "id"
    page.click(".langswitch button[value=en]")
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith(DASHBOARD)
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".mainnav a", has_text="Dashboard").count() == 1
    assert page.locator("header button.link").inner_text().strip() == "Log out"


def test_it_fits_a_phone_screen_and_opens_the_menu_without_a_framework(demo: Any, open_page: Any) -> None:
    page = open_page(viewport=PHONE)
    log_in(page, STAFF, DEMO_PASSWORD)
    page.goto(DASHBOARD)
    menu = page.locator("#mainnav")
    assert not menu.is_visible()
    page.click("label.navtoggle-label")
    assert menu.is_visible()
    screenshot(page, "dashboard-phone-menu", full_page=False)
    page.click("label.navtoggle-label")
    for path in (DASHBOARD, "/sop/pn-contoh/sop/", "/sop/pn-contoh/aktivitas/1/", "/"):
        page.goto(path)
        assert not has_horizontal_scroll(page), path
    page.goto(DASHBOARD)
    screenshot(page, "dashboard-phone")


def test_it_prints_the_compliance_page_without_the_menu_and_buttons(demo: Any, open_page: Any) -> None:
    page = open_page()
    log_in(page, STAFF, DEMO_PASSWORD)
    page.goto("/sop/pn-contoh/aktivitas/2/")
    assert page.locator("header.topbar").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("header.topbar").is_visible()
    assert not page.locator(".btn").first.is_visible()
    assert page.locator("table").first.is_visible()
