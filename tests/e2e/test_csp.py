"""The strict Content-Security-Policy in a real Chromium: it blocks an injected inline script, and the pages
that need the most (the API documentation, a page with htmx) work under it without one violation (the
``open_page`` fixture fails a test on any)."""

from __future__ import annotations

from typing import Any

import pytest

from jaga.demo.services import DEMO_PASSWORD
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_documentation_renders_under_its_policy(browser: Any, live_server: Any) -> None:
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto("/api/docs")
    page.wait_for_selector("#redoc-ui h1", timeout=20_000)
    assert "Jaga API" in page.locator("#redoc-ui h1").first.inner_text()
    violations = [text for text in messages if "Content Security Policy" in text]
    # ReDoc's footer asks for its maker's logo from a CDN: the policy keeps the page from calling out.
    assert all("https://cdn.redoc.ly/" in text and "img-src" in text for text in violations), violations
    context.close()


def test_the_browser_refuses_an_inline_script_on_a_jaga_page(browser: Any, live_server: Any) -> None:
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text))
    page.goto("/login/")
    # What a stored XSS that slipped past escaping would be: a script element added to the page.
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1';"
        " document.body.appendChild(s); }"
    )
    assert page.evaluate("() => window.injected") is None
    assert any("Content Security Policy" in text for text in refused), refused
    context.close()


def test_a_dashboard_with_htmx_runs_without_a_violation(demo: Any, open_page: Any) -> None:
    page = open_page()
    log_in(page, "demo-staff", DEMO_PASSWORD)
    page.goto("/monitoring/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => typeof window.htmx") == "object"
