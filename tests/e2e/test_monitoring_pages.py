"""The monitoring pages in a real headless Chromium at 1280 and 390 px, on the demo's data.

Each page must fit the screen (no sideways scrolling), run under the Content-Security-Policy without an
inline-script or inline-style refusal in the console, and, with JAGA_SCREENSHOTS=1, leave its screenshots
in docs/screenshots/ (``monitoring-<page>-desktop.png`` and ``-phone.png``).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest

from jaga.demo.services import DEMO_PASSWORD
from tests.e2e.conftest import DESKTOP, PHONE, has_horizontal_scroll, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF = "demo-staff"


def pages(demo: Any) -> dict[str, str]:
    from jaga.monitoring.models import Monitor

    monitors = Monitor.objects.filter(site=demo.site)
    http = monitors.filter(kind="http").first() or monitors.first()
    assert http is not None, "the demo has no monitor"
    return {
        "list": f"/monitoring/sites/{demo.site.pk}/",
        "detail": f"/monitoring/{http.pk}/",
        "freshness": f"/monitoring/sites/{demo.site.pk}/freshness/",
        "kinds": f"/monitoring/sites/{demo.site.pk}/new/",
        "form": f"/monitoring/sites/{demo.site.pk}/new/?kind=integrity",
        "maintenance": f"/monitoring/sites/{demo.site.pk}/maintenance/",
    }


@pytest.mark.parametrize(("screen", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_every_monitoring_page_fits_the_screen(demo: Any, open_page: Any, screen: str, viewport: dict) -> None:
    page = open_page(viewport=viewport)
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    log_in(page, STAFF, DEMO_PASSWORD)
    for name, url in pages(demo).items():
        response = page.goto(url)
        assert response is not None
        assert response.status == 200, (name, url)
        assert page.locator("h1").first.is_visible(), name
        assert not has_horizontal_scroll(page), f"{name} scrolls sideways at {viewport['width']} px"
        screenshot(page, f"monitoring-{name}-{screen}")
    assert refused == []


def test_the_chart_reads_the_value_under_the_pointer(demo: Any, open_page: Any) -> None:
    page = open_page(viewport=DESKTOP)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, STAFF, DEMO_PASSWORD)
    page.goto(pages(demo)["detail"])
    chart = page.locator("svg.chart-wide")
    assert chart.is_visible()
    assert page.locator("svg.chart-narrow").is_hidden()
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] / 2)
    label = chart.locator(".hover-label")
    assert errors == []
    assert chart.get_attribute("data-ready") == "1"
    assert label.get_attribute("visibility") == "visible"
    assert label.text_content().endswith(" ms")


def test_the_kind_list_swaps_the_configuration_without_a_reload(demo: Any, open_page: Any) -> None:
    page = open_page(viewport=DESKTOP)
    log_in(page, STAFF, DEMO_PASSWORD)
    page.goto(pages(demo)["form"])
    assert page.locator("[name=cfg_structure_threshold]").count() == 1
    page.select_option("select[name=kind]", "tls")
    page.wait_for_selector("[name=cfg_warn_days]")
    assert page.locator("[name=cfg_structure_threshold]").count() == 0
    assert "kind=tls" in page.url


def test_the_phone_shows_the_chart_drawn_for_it(demo: Any, open_page: Any) -> None:
    page = open_page(viewport=PHONE)
    log_in(page, STAFF, DEMO_PASSWORD)
    page.goto(pages(demo)["detail"])
    assert page.locator("svg.chart-narrow").is_visible()
    assert page.locator("svg.chart-wide").is_hidden()
    screenshot(page, "monitoring-detail-phone-chart", full_page=False)


def test_the_phone_list_shows_todays_status_and_uptime_first(demo: Any, open_page: Any) -> None:
    from jaga.core import clock
    from jaga.core.templatetags.jaga_format import tanggal

    page = open_page(viewport=PHONE)
    log_in(page, STAFF, DEMO_PASSWORD)
    page.goto(pages(demo)["list"])
    row = page.locator("tbody.monitor-row").first
    name, status, day = row.locator(".m-name"), row.locator(".m-status .badge").first, row.locator(".m-u24")
    for cell in (name, status, day):
        assert cell.is_visible()
    for older in (".m-u7", ".m-u30", ".m-u365", ".m-last"):
        assert row.locator(older).is_hidden(), older  # the long windows wait for the monitor's own page
    bar = row.locator(".bar.days")
    row_box, status_box, day_box, bar_box = (x.bounding_box() for x in (row, status, day, bar))
    assert all((row_box, status_box, day_box, bar_box))
    assert status_box["y"] < day_box["y"] < bar_box["y"]  # the status, then today's uptime, then the bars
    assert day_box["y"] - row_box["y"] < 150  # within the card's first lines, not after the history
    days = bar.locator("span:visible")
    assert days.count() == 30  # the last 30 days, not 90 squeezed or the oldest empty ones
    today = tanggal(clock.now().astimezone(ZoneInfo(demo.institution.time_zone)).date())
    assert (days.last.get_attribute("title") or "").startswith(today)
    assert row.locator(".bar-legend .narrow-only").inner_text().strip() == "30 hari lalu"


def _public_status(demo: Any) -> str:
    from jaga.monitoring.models import Monitor

    Monitor.objects.filter(site=demo.site).update(is_public=True)
    return f"/status/{demo.institution.slug}/{demo.site.pk}/"


@pytest.mark.parametrize(("screen", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_the_public_status_page_fits_the_screen_with_its_charts(
    demo: Any, open_page: Any, screen: str, viewport: dict
) -> None:
    url = _public_status(demo)
    page = open_page(viewport=viewport)
    response = page.goto(url)
    assert response is not None
    assert response.status == 200
    assert page.locator(".public-chart").count() >= 1
    wide, narrow = (
        page.locator(".public-chart svg.chart-wide").first,
        page.locator(".public-chart svg.chart-narrow").first,
    )
    assert (wide.is_visible(), narrow.is_visible()) == ((True, False) if screen == "desktop" else (False, True))
    assert not has_horizontal_scroll(page), f"the status page scrolls sideways at {viewport['width']} px"
    screenshot(page, f"monitoring-public-{screen}")


def test_the_public_chart_reads_the_pointer_and_zooms_into_a_dragged_span(
    demo: Any, open_page: Any, settings: Any
) -> None:
    settings.JAGA_LIVE_SECONDS = 3
    url = _public_status(demo)
    page = open_page(viewport=DESKTOP)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    holder = page.locator(".public-chart").first
    holder_id = holder.get_attribute("id")
    chart = holder.locator("svg.chart-wide")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box is not None
    start_before = chart.get_attribute("data-start")
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.5, y)
    assert chart.locator(".hover-label").get_attribute("visibility") == "visible"
    assert (chart.locator(".hover-label").text_content() or "").endswith(" ms")
    # Drag just after a refresh: a refresh in the middle of a drag draws the chart anew and drops the drag.
    with page.expect_response(lambda r: r.url.endswith(url)):
        pass
    page.wait_for_timeout(200)
    chart = page.locator(f"#{holder_id} svg.chart-wide")
    page.mouse.move(box["x"] + box["width"] * 0.5, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.7, y, steps=3)
    page.mouse.move(box["x"] + box["width"] * 0.9, y, steps=3)
    page.mouse.up()
    zoomed = page.locator(f"#{holder_id}[data-zoomed]")
    zoomed.wait_for(state="attached")
    zoomed_start = zoomed.locator("svg.chart-wide").get_attribute("data-start")
    assert int(zoomed_start or 0) > int(start_before or 0)
    # The page refreshes itself; the zoomed chart stays as the person left it.
    for _ in range(2):
        with page.expect_response(lambda r: r.url.endswith(url)):
            pass
    page.wait_for_timeout(300)
    assert page.locator(f"#{holder_id}").count() == 1
    assert page.locator(f"#{holder_id}[data-zoomed] svg.chart-wide").get_attribute("data-start") == zoomed_start
    assert errors == []
