"""Browser tests in Debian's headless Chromium (never `playwright install`), against pytest-django's live_server.

Screenshots for docs/screenshots/ are written only with JAGA_SCREENSHOTS=1, so ordinary runs change no file.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--lang=id-ID",  # date inputs in the Indonesian order (dd/mm/yyyy)
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module. Module scope (with ``--dist loadfile``) matters: Playwright's sync API
    keeps an event loop running in this thread while it lives, which would break later tests that call
    ``asyncio.run``."""
    from playwright.sync_api import sync_playwright

    executable = _chromium_path()
    if executable is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    # The fixtures' ORM calls are synchronous and made between browser steps, never concurrently with the
    # loop; Django only sees that a loop is running in the thread.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def open_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """``open_page(viewport=DESKTOP)`` -> a new page whose relative URLs go to the live server.

    Whatever the test does, a page that breaks the Content-Security-Policy (Chromium reports each refused
    inline script or style on the console) fails it.
    """
    contexts: list[Any] = []
    violations: list[str] = []

    def listen(message: Any) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{message.location.get('url', '?')}: {message.text}")

    def make(viewport: dict[str, int] = DESKTOP, locale: str = "id-ID") -> Any:
        context = browser.new_context(viewport=viewport, base_url=live_server.url, locale=locale)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", listen)
        return page

    yield make
    for context in contexts:
        context.close()
    assert violations == [], "\n".join(violations)


def log_in(page: Any, username: str, password: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.stacked button[type=submit], form button.btn")
    page.wait_for_load_state("domcontentloaded")


def screenshot(page: Any, name: str, *, full_page: bool = True) -> None:
    if os.environ.get("JAGA_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def has_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth"))
