"""The pages of core, sop, incidents, renewals and the demo court site fit a phone, and a form reads as one."""

from __future__ import annotations

from typing import Any

import pytest

from jaga.demo.services import DEMO_PASSWORD
from tests.e2e.conftest import PHONE, has_horizontal_scroll, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF = "demo-staff"


def _pages(demo: Any) -> list[str]:
    from jaga.incidents.models import Incident
    from jaga.renewals.models import RenewalCase, Service

    slug, site = demo.institution.slug, demo.site.pk
    incident = Incident.objects.filter(site=demo.site).order_by("pk").first()
    service = Service.objects.filter(institution=demo.institution).order_by("pk").first()
    case = RenewalCase.objects.filter(institution=demo.institution).order_by("pk").first()
    pages = [
        "/",
        "/akun/",
        f"/instansi/{slug}/",
        f"/instansi/{slug}/notifikasi/",
        f"/sop/{slug}/situs/{site}/",
        f"/sop/{slug}/aktivitas/6/catat/",
        f"/incidents/{slug}/",
        f"/incidents/{slug}/vendor/",
        f"/incidents/{slug}/situs/{site}/pemeliharaan/",
        f"/renewals/{slug}/",
        "/demo-situs/",
        "/demo-situs/jadwal-sidang/",
        "/demo-situs/struktur-organisasi/",
    ]
    if incident is not None:
        pages.append(f"/incidents/{slug}/{incident.pk}/")
    if service is not None:
        pages.append(f"/renewals/{slug}/layanan/{service.pk}/")
    if case is not None:
        pages.append(f"/renewals/{slug}/kasus/{case.pk}/")
    from jaga.backups.models import Repository

    repository = Repository.objects.filter(institution=demo.institution).order_by("pk").first()
    assert repository is not None  # the demo's restic repository: its location and id are long words that must wrap
    pages.append(f"/backups/{slug}/repositori/{repository.pk}/")
    return pages


def test_no_page_of_the_interface_scrolls_sideways_on_a_phone(demo: Any, open_page: Any) -> None:
    page = open_page(viewport=PHONE)
    log_in(page, STAFF, DEMO_PASSWORD)
    wide = []
    for path in _pages(demo):
        response = page.goto(path)
        assert response is not None, path
        assert response.status == 200, path
        if has_horizontal_scroll(page):
            wide.append(path)
    assert wide == []


def test_a_checkbox_stands_beside_its_label_on_a_phone_and_a_desktop(demo: Any, open_page: Any) -> None:
    from jaga.incidents.models import Incident

    incident = Incident.objects.filter(site=demo.site, state="investigating").order_by("pk").first()
    assert incident is not None
    for viewport in (PHONE, {"width": 1280, "height": 800}):
        page = open_page(viewport=viewport)
        log_in(page, STAFF, DEMO_PASSWORD)
        page.goto(f"/incidents/{demo.institution.slug}/{incident.pk}/")
        box = page.locator("input[type=checkbox][name=is_public]").first
        label = page.locator(f"label[for='{box.get_attribute('id')}']")
        box_at, label_at = box.bounding_box(), label.bounding_box()
        assert box_at is not None
        assert label_at is not None
        assert box_at["x"] < label_at["x"] <= box_at["x"] + box_at["width"] + 16  # right after the box
        assert abs(box_at["y"] - label_at["y"]) < 12  # on the same line


STACK_JS = """(selector) => {
  const row = document.querySelector(selector + ' tbody tr');
  const cells = [...row.querySelectorAll('td')].filter((td) => td.offsetParent !== null);
  const boxes = cells.map((td) => td.getBoundingClientRect());
  return {
    sameLine: boxes.every((box) => Math.abs(box.top - boxes[0].top) < 2),
    widest: Math.max(...boxes.map((box) => box.width)) / row.getBoundingClientRect().width,
    labels: cells.map((td) => getComputedStyle(td, '::before').content),
  };
}"""


@pytest.mark.parametrize(("language", "label"), [("id", '"Situs"'), ("en", '"Site"')])
def test_a_wide_table_is_a_card_per_row_on_a_phone_and_a_table_on_a_desktop(
    demo: Any, open_page: Any, language: str, label: str
) -> None:
    slug = demo.institution.slug
    for path, selector in ((f"/incidents/{slug}/", "table.incidents"), (f"/sop/{slug}/aktivitas/2/", "table.stack")):
        phone = open_page(viewport=PHONE)
        log_in(phone, STAFF, DEMO_PASSWORD)
        switch = phone.locator(f".langswitch button[value={language}]")
        if switch.count():  # the choice is kept on the account: after the first page it is already made
            switch.click()
        phone.goto(path)
        stacked = phone.evaluate(STACK_JS, selector)
        assert not stacked["sameLine"], path  # one cell under the other...
        assert stacked["widest"] > 0.9, path  # ...each across the card
        assert label in stacked["labels"], path  # with its column's name beside it, in the reader's language
        assert not has_horizontal_scroll(phone)
        desktop = open_page()
        log_in(desktop, STAFF, DEMO_PASSWORD)
        desktop.goto(path)
        assert desktop.evaluate(STACK_JS, selector)["sameLine"], path  # a plain table row


def _app_pages(demo: Any) -> list[tuple[str, str]]:
    from jaga.backups.models import Plan
    from jaga.reports.models import Report

    slug, site = demo.institution.slug, demo.site.pk
    pages = [
        ("sop-site", f"/sop/{slug}/situs/{site}/"),
        ("incidents-list", f"/incidents/{slug}/"),
        ("compliance-records", f"/sop/{slug}/aktivitas/2/"),
        ("backups", f"/backups/{slug}/"),
        ("backups-register", f"/backups/{slug}/adk/"),
        ("traffic", f"/traffic/{slug}/situs/{site}/"),
        ("traffic-detections", f"/traffic/{slug}/situs/{site}/deteksi/"),
        ("reports", f"/reports/{slug}/"),
    ]
    plan = Plan.objects.filter(site=demo.site).order_by("pk").first()
    if plan is not None:
        pages.append(("backups-plan", f"/backups/{slug}/rencana/{plan.pk}/"))
    report = Report.objects.filter(institution=demo.institution).order_by("pk").first()
    if report is not None:
        pages.append(("reports-detail", f"/reports/{slug}/{report.pk}/"))
    return pages


def test_the_pages_of_every_app_fit_a_desktop_and_a_phone(demo: Any, open_page: Any) -> None:
    """Backups, visitor activity, reports and the SOP pages at both widths (the documentation's screenshots)."""
    desktop, phone = open_page(), open_page(viewport=PHONE)
    for page in (desktop, phone):
        log_in(page, STAFF, DEMO_PASSWORD)
    wide = []
    for name, path in _app_pages(demo):
        for page, width in ((desktop, "desktop"), (phone, "phone")):
            response = page.goto(path)
            assert response is not None, path
            assert response.status == 200, path
            if has_horizontal_scroll(page):
                wide.append(f"{path} ({width})")
            screenshot(page, f"{name}-{width}", full_page=False)  # the first screen: long pages run to 30 000 px
    assert wide == []
