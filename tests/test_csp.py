"""The Content-Security-Policy is strict, and no page of Jaga needs more than it allows.

Every URL the protection walk finds is opened by an Administrator of the institution (with one object of
every kind), the demo court site and the public pages too; each HTML page must carry the strict policy and
hold no inline script, no ``<style>``, no ``style=""`` and no ``on...=`` handler, which the policy would block.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jaga.core.csp import HEADER, policy_text
from jaga.core.testing import inline_offences
from tests.test_view_protection import protected_urls, world  # noqa: F401 (the fixture)

STRICT = policy_text()


def test_the_finder_catches_what_the_policy_blocks() -> None:
    page = (
        '<div style="color:red"><style>p{}</style><script>alert(1)</script><script src="/s.js"></script>'
        '<button onclick="x()">b</button><a href="javascript:x()">a</a></div>'
    )
    found = inline_offences(page)
    assert len(found) == 5, found
    assert inline_offences('<script src="/static/jaga/jaga.js" defer></script><svg><rect width="5"/></svg>') == []


def test_every_page_is_under_the_strict_policy_and_needs_no_more(
    client: Client,
    world: dict[str, Any],  # noqa: F811 (the fixture imported above)
    make_user: Any,
    institution: Any,
) -> None:
    client.force_login(make_user("administrator", institution))
    checked = 0
    for name, url in protected_urls(world):
        if name.startswith("api:"):
            continue  # JSON
        response = client.get(url)
        # A view may set a stricter policy of its own (an uploaded attachment: nothing at all, sandboxed).
        assert response[HEADER] in {STRICT, "default-src 'none'; sandbox"}, (name, response.get(HEADER))
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            assert inline_offences(response.content.decode()) == [], (name, url)
            checked += 1
    assert checked > 40  # the walk reached the pages, not only redirects


@pytest.mark.parametrize("url", ["/login/", "/akun/lupa-kata-sandi/", "/tidak-ada/"])
def test_the_public_pages_are_strict_too(client: Client, url: str, db: None) -> None:
    response = client.get(url)
    assert response[HEADER] == STRICT
    assert inline_offences(response.content.decode()) == []


def test_the_demo_court_site_serves_its_style_sheet_as_a_file(client: Client, db: None) -> None:
    from jaga.core.models import Institution
    from jaga.demo.content import DEMO_SLUG

    Institution.objects.create(slug=DEMO_SLUG, name="PN Demo")
    for url in ("/demo-situs/", "/demo-situs/berita/", "/demo-situs/jadwal-sidang/"):
        response = client.get(url)
        assert response.status_code == 200
        assert inline_offences(response.content.decode()) == [], url
    sheet = client.get("/demo-situs/gaya.css")
    assert sheet["Content-Type"].startswith("text/css")
    assert b"header h1 a" in sheet.content


def test_only_the_api_documentation_may_use_inline_styles_and_its_script_is_a_file(client: Client, db: None) -> None:
    response = client.get(reverse("api:openapi-view"))
    policy = response[HEADER]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self';" in policy  # scripts stay strict on that page too
    assert inline_offences(response.content.decode()) == []
    assert client.get("/static/jaga/api-docs.js").status_code == 200


def test_the_policy_forbids_inline_code_framing_and_outside_hosts() -> None:
    directives = dict(part.split(" ", 1) for part in STRICT.split("; "))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe" not in STRICT
    assert "*" not in STRICT
