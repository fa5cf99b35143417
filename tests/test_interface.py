"""The shared page: every asset from Jaga itself, a favicon, and a menu that links only pages that exist."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client, RequestFactory

from jaga.core.templatetags.jaga_ui import nav_items

ASSET = re.compile(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="([^"]+)"', re.IGNORECASE)


def assets_of(html: str) -> list[str]:
    return ASSET.findall(html)


def test_it_serves_every_asset_of_the_login_page_itself(client: Client) -> None:
    html = client.get("/login/").content.decode()
    assets = assets_of(html)
    assert any(href.endswith("jaga/jaga.css") for href in assets)
    assert any(href.endswith("jaga/favicon.svg") for href in assets)
    external = [href for href in assets if not href.startswith("/")]
    assert not external, f"assets from elsewhere (no CDN, ever): {external}"
    for href in assets:
        assert client.get(href).status_code == 200, href


@pytest.mark.django_db
def test_it_serves_every_asset_of_the_dashboard_itself(client: Client, staff: Any, institution: Any) -> None:
    client.force_login(staff)
    html = client.get(f"/sop/{institution.slug}/").content.decode()
    assert '<nav class="mainnav"' in html
    assert not [href for href in assets_of(html) if not href.startswith("/")]


@pytest.mark.django_db
def test_it_links_only_the_sections_that_exist_for_the_institution(staff: Any, institution: Any) -> None:
    request = RequestFactory().get(f"/sop/{institution.slug}/sop/")
    items = nav_items(request=request, user=staff)
    hrefs = [item.href for item in items]
    assert hrefs[0] == "/"
    assert f"/sop/{institution.slug}/" in hrefs
    assert f"/sop/{institution.slug}/sop/" in hrefs
    assert "/admin/" not in hrefs  # staff of an institution, not a Django staff user
    active = [item.href for item in items if item.active]
    assert active == [f"/sop/{institution.slug}/sop/"]  # the longest match, not the dashboard too


@pytest.mark.django_db
def test_it_leaves_out_a_section_whose_page_does_not_exist(staff: Any, institution: Any, monkeypatch: Any) -> None:
    from jaga.core.templatetags import jaga_ui

    sections = [("Ada", ("/tidak-ada/{slug}/", "/login/")), ("Tidak ada", ("/tidak-ada-juga/{slug}/",))]
    monkeypatch.setattr(jaga_ui, "NAV_SECTIONS", sections)
    items = nav_items(request=RequestFactory().get("/"), user=staff)
    assert [(str(item.label), item.href) for item in items] == [("Beranda", "/"), ("Ada", "/login/")]


def test_it_shows_only_home_to_someone_logged_out() -> None:
    from django.contrib.auth.models import AnonymousUser

    items = nav_items(request=RequestFactory().get("/"), user=AnonymousUser())
    assert [item.href for item in items] == ["/"]


@pytest.mark.django_db
def test_it_has_a_menu_button_for_phones_without_javascript(client: Client, staff: Any) -> None:
    client.force_login(staff)
    html = client.get("/").content.decode()
    assert 'type="checkbox" id="navtoggle"' in html
    assert '<label for="navtoggle"' in html
