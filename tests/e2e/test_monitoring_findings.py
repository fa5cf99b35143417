"""Content findings as a person reads them, in a real headless Chromium at 1280 and 390 px.

The demo's content monitors check a court site served on loopback whose footer was injected with hidden
gambling links and whose service-standards page is a stub; the real kinds run, their results are written by
the probe's own batch writer, and the freshness page and the integrity monitor's page must then name every
finding, page state and signal in words (never a code), list the pages of a grouped finding, and fit the
screen. With JAGA_SCREENSHOTS=1 they leave ``monitoring-findings-*`` and ``monitoring-findings-detail-*``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from jaga.demo.services import DEMO_PASSWORD
from jaga.monitoring.tests.fixtures.server import Route, kind_run
from jaga.monitoring.tests.test_integrity import SPAM_FOOTER, wordpress
from jaga.monitoring.tests.test_required_pages import wordpress_court, wp_page
from tests.e2e.conftest import DESKTOP, PHONE, has_horizontal_scroll, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF = "demo-staff"
CODES = ("gambling_spam", "hidden_link", "page_stub", "missing_words", "last_modified", "untrusted", "stub")


def _checked(monitor: Any, routes: dict[str, Route], config: dict[str, Any]) -> None:
    """One real check of ``monitor``'s kind against ``routes``, written as the probe writes it."""
    from jaga.core import clock
    from jaga.monitoring import services
    from jaga.monitoring.kinds import REGISTRY

    # In a thread of its own: the browser's event loop already runs in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        outcome = pool.submit(kind_run, REGISTRY.get(monitor.kind), routes, config).result()
    services.results_write_batch(
        records=[services.ResultRecord(monitor_id=monitor.pk, probe="e2e", checked_at=clock.now(), outcome=outcome)],
        probe_name="e2e",
    )


@pytest.fixture
def checked(demo: Any, settings: Any) -> dict[str, Any]:
    from jaga.monitoring.models import Monitor

    settings.JAGA_HTTP_ALLOW_INTERNAL = True
    monitors = {m.kind: m for m in Monitor.objects.filter(site=demo.site)}
    injected = Route("wordpress/index.html", values={"footer_extra": SPAM_FOOTER})
    _checked(
        monitors["integrity"],
        wordpress(injected, footer_extra=SPAM_FOOTER),
        {"url": "{{base}}/", "max_pages": 20, "check_cloaking": False},
    )
    stub = wp_page("Standar Pelayanan", body="<p>Segera tersedia.</p>")
    _checked(monitors["required_pages"], wordpress_court(**{"/layanan-publik/standar-pelayanan/": stub}), {
        "base_url": "{{base}}/"
    })  # fmt: skip
    _checked(monitors["freshness"], wordpress(), {"url": "{{base}}/", "max_age_days": 30})
    return monitors


@pytest.mark.parametrize(("screen", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_findings_read_as_words_and_fit_the_screen(
    demo: Any, checked: dict[str, Any], open_page: Any, screen: str, viewport: dict
) -> None:
    page = open_page(viewport=viewport)
    log_in(page, STAFF, DEMO_PASSWORD)

    page.goto(f"/monitoring/sites/{demo.site.pk}/freshness/")
    text = page.locator("main").inner_text()
    for words in ("Spam judi online", "Tautan tersembunyi", "belum diisi", "kata judi online dalam satu blok"):
        assert words in text, words
    assert "5 halaman" in text  # the grouped finding's pages, behind its summary
    assert "halaman terbaca dalam 24 jam terakhir" in text  # the integrity checks' coverage
    for english in ("hidden outbound link", "on 5 pages", "new page in sitemap"):
        assert english not in text, english  # a kind's words in the reader's language only
    for code in CODES:
        assert code not in text, code
    assert not has_horizontal_scroll(page), f"the freshness page scrolls sideways at {viewport['width']} px"
    screenshot(page, f"monitoring-findings-{screen}")

    page.goto(f"/monitoring/{checked['integrity'].pk}/")
    text = page.locator("main").inner_text()
    assert "Spam judi online" in text
    assert "Tautan tersembunyi" in text
    for code in CODES:
        assert code not in text, code
    page.locator("details[data-finding-pages] summary").first.click()
    assert page.locator("details[data-finding-pages] li").first.is_visible()
    assert not has_horizontal_scroll(page), f"the monitor's page scrolls sideways at {viewport['width']} px"
    screenshot(page, f"monitoring-findings-detail-{screen}")


def test_an_english_reader_reads_the_findings_in_english(demo: Any, checked: dict[str, Any], open_page: Any) -> None:
    page = open_page(viewport=DESKTOP)
    log_in(page, STAFF, DEMO_PASSWORD)
    page.goto(f"/monitoring/sites/{demo.site.pk}/freshness/")
    page.click(".langswitch button[value=en]")
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("html").get_attribute("lang") == "en"
    text = page.locator("main").inner_text()
    for words in ("Online gambling spam", "Hidden link", "placeholder only", "hidden links in one block, to"):
        assert words in text, words
    for indonesian in ("tautan tersembunyi", "kata judi online", "hanya berisi tanda belum selesai", "pada 5 halaman"):
        assert indonesian not in text, indonesian  # the findings' sentences too, not only their names
    for code in CODES:
        assert code not in text, code
