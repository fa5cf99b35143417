"""The channels page in Chromium: the demo channel's deliveries, readable on a desktop and on a phone."""

from __future__ import annotations

from typing import Any

import pytest

from jaga.demo.services import DEMO_PASSWORD
from tests.e2e.conftest import PHONE, has_horizontal_scroll, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHANNELS = "/instansi/pn-contoh/notifikasi/"


def _deliver_the_demo_messages() -> None:
    from jaga.core.notify_deliveries import notification_deliveries_retry_due

    notification_deliveries_retry_due()  # what the worker does; the demo inbox is the live server itself


@pytest.fixture
def demo_live(demo: Any, live_server: Any, settings: Any) -> Any:
    """The demo, with its channel pointed at the live server's demo inbox and its messages sent."""
    from urllib.parse import urlsplit

    from jaga.core.models import NotificationChannel
    from jaga.monitoring.demo import DEMO_CHANNEL_NAME, demo_inbox_url

    address = urlsplit(live_server.url)
    url = demo_inbox_url(f"http://{address.hostname}:{address.port}/demo-situs/")
    NotificationChannel.objects.filter(name=DEMO_CHANNEL_NAME).update(url=url)
    _deliver_the_demo_messages()
    return demo


def test_it_shows_each_channels_last_deliveries_with_their_outcome(demo_live: Any, open_page: Any) -> None:
    page = open_page()
    log_in(page, "demo-staff", DEMO_PASSWORD)
    page.goto(CHANNELS)
    deliveries = page.locator(".delivery[data-delivery='sent']")
    # The last five of the demo's nine: its incidents opened, escalated to tier 2 and to the vendor, resolved.
    assert deliveries.count() == 5
    assert deliveries.filter(has_text="dieskalasi ke").count() == 2
    assert deliveries.filter(has_text="selesai").count() == 1
    assert not has_horizontal_scroll(page)
    screenshot(page, "notifications-desktop")


def test_it_fits_the_channels_page_on_a_phone_in_english(demo_live: Any, open_page: Any) -> None:
    page = open_page(viewport=PHONE)
    log_in(page, "demo-staff", DEMO_PASSWORD)
    page.goto(CHANNELS)
    page.click(".langswitch button[value=en]")
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("h4", has_text="Last deliveries").count() == 1
    assert page.locator(".delivery .badge", has_text="sent").count() == 5
    assert "December" in page.locator(".delivery time").first.inner_text()
    assert not has_horizontal_scroll(page)
    screenshot(page, "notifications-phone")
