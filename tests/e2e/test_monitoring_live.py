"""Live pages in a real headless Chromium: a check that lands while a page is open appears on it, in the
heartbeat bar, without a reload (htmx polls the page's own address and swaps its live part).

The polling interval is shortened to one second for the test; the page, the poll and the swap are real.
"""

from __future__ import annotations

from typing import Any

import pytest

from jaga.demo.services import DEMO_PASSWORD
from tests.e2e.conftest import DESKTOP, PHONE, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF = "demo-staff"
MARK_MS = 4321.0  # a response time no demo check has: the tick it titles is the one written by the test


def _shown_monitor(demo: Any) -> Any:
    """The monitor every live page shows: the site's first in the SOP tile's order (worst status first)."""
    from jaga.monitoring.models import Monitor
    from jaga.monitoring.tiles import _rank

    monitors = sorted(Monitor.objects.filter(site=demo.site, enabled=True), key=_rank)
    assert monitors, "the demo has no monitor"
    return monitors[0]


def _a_check_lands(monitor: Any) -> None:
    from jaga.core import clock
    from jaga.monitoring import services
    from jaga.monitoring.kinds.base import CheckOutcome, Status

    # The same status as now: the check moves nothing but the bar, so the monitor keeps its place in lists.
    status = Status(monitor.status) if monitor.status in {"up", "degraded", "down"} else Status.UP
    services.results_write_batch(
        records=[
            services.ResultRecord(
                monitor_id=monitor.pk,
                probe="e2e",
                checked_at=clock.now(),
                outcome=CheckOutcome(status, "e2e", response_ms=MARK_MS),
            )
        ],
        probe_name="e2e",
    )


def _pages(demo: Any, monitor: Any) -> dict[str, tuple[str, str]]:
    """Each live page and the selector of its live part."""
    return {
        "list": (f"/monitoring/sites/{demo.site.pk}/", "#monitors-live"),
        "detail": (f"/monitoring/{monitor.pk}/", "#monitor-live"),
        "sop-site": (f"/sop/{demo.institution.slug}/situs/{demo.site.pk}/", "#sop-live"),
        "sop": (f"/sop/{demo.institution.slug}/", "#sop-live"),
    }


@pytest.fixture
def fast_polls(settings: Any) -> None:
    settings.JAGA_LIVE_SECONDS = 1


@pytest.mark.parametrize("name", ["list", "detail", "sop-site", "sop"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_new_check_appears_in_the_heartbeat_bar_without_a_reload(
    demo: Any, open_page: Any, fast_polls: None, name: str, viewport: dict
) -> None:
    monitor = _shown_monitor(demo)
    expected = monitor.status if monitor.status in {"up", "degraded", "down"} else "up"
    url, live = _pages(demo, monitor)[name]
    page = open_page(viewport=viewport)
    log_in(page, STAFF, DEMO_PASSWORD)
    response = page.goto(url)
    assert response is not None
    assert response.status == 200
    tick = f'{live} .beats span[title*="{MARK_MS:.0f} ms"]'
    assert page.locator(tick).count() == 0
    assert page.locator(f"{live} .beats span").count() > 0, "the page shows no heartbeat bar"
    page.evaluate("window.jagaNotReloaded = true")

    _a_check_lands(monitor)

    page.wait_for_selector(tick, state="attached", timeout=15_000)
    assert page.evaluate("window.jagaNotReloaded === true"), "the page was reloaded"
    assert page.locator(tick).first.get_attribute("data-status") == expected
    if name in {"list", "detail"}:
        # The newest check is the last tick: the bar reads left to right, oldest to newest.
        row = live if name == "detail" else f"#monitor-{monitor.pk}"
        bar = page.locator(f"{row} .beats").first
        assert "4321 ms" in (bar.locator("span").last.get_attribute("title") or "")
