"""The SOP dashboards' tile for activity 4: what the register says is due in the next 90 days."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from jaga.core import clock
from jaga.renewals.selectors import sop_tile_lines
from jaga.renewals.services.register import service_create

pytestmark = pytest.mark.django_db


def _service(institution: Any, sites: list[Any], name: str, days: int) -> Any:
    return service_create(
        institution=institution,
        sites=sites,
        kind="hosting",
        name=name,
        provider="PT Contoh",
        expires_on=clock.today("Asia/Jakarta") + dt.timedelta(days=days),
    )


def _texts(lines: list[Any]) -> list[tuple[str, str]]:
    return [(line.text, line.css) for line in lines]


def test_an_empty_window_says_nothing_ends_within_ninety_days(institution: Any, site: Any) -> None:
    _service(institution, [site], "Langganan jauh", 91)
    assert _texts(sop_tile_lines(institution=institution)["renewal"]) == [
        ("Tidak ada yang berakhir dalam 90 hari.", "ok")
    ]


def test_it_lists_what_is_due_within_ninety_days_nearest_first_and_marks_the_urgent(
    institution: Any, site: Any
) -> None:
    _service(institution, [site], "Hosting situs", 60)
    _service(institution, [site], "Koneksi internet", 5)
    _service(institution, [site], "Domain lama", -3)
    _service(institution, [site], "Batas jendela", 90)
    _service(institution, [site], "Di luar jendela", 91)
    lines = sop_tile_lines(institution=institution)["renewal"]
    assert _texts(lines) == [
        ("Domain lama: sudah berakhir 3 hari lalu", "bad"),
        ("Koneksi internet: berakhir 5 hari lagi", "bad"),
        ("Hosting situs: berakhir 60 hari lagi", "warn"),
        ("Batas jendela: berakhir 90 hari lagi", "warn"),
    ]
    assert all(line.href and "/layanan/" in line.href for line in lines)


def test_more_than_five_are_summed_up_with_a_link_to_the_register(institution: Any, site: Any) -> None:
    for n in range(7):
        _service(institution, [site], f"Layanan {n}", 10 + n)
    lines = sop_tile_lines(institution=institution)["renewal"]
    assert len(lines) == 6
    assert lines[-1].text == "dan 2 lainnya"
    assert lines[-1].href == reverse("renewals:register", kwargs={"slug": institution.slug})


def test_a_site_dashboard_shows_only_what_serves_that_site(institution: Any, site: Any) -> None:
    from jaga.core.models import Site

    other = Site.objects.create(institution=institution, name="Situs lain", base_url="http://127.0.0.1:9/lain/")
    _service(institution, [site], "Hosting situs", 20)
    _service(institution, [other], "Hosting situs lain", 10)
    assert [line.text for line in sop_tile_lines(institution=institution, site=site)["renewal"]] == [
        "Hosting situs: berakhir 20 hari lagi"
    ]
    assert len(sop_tile_lines(institution=institution)["renewal"]) == 2


def test_the_institution_dashboard_draws_the_lines_on_activity_fours_tile(
    client: Any, institution: Any, site: Any, make_user: Any
) -> None:
    from jaga.sop.services import sop_seed_default

    sop_seed_default()
    _service(institution, [site], "Hosting situs", 20)
    client.force_login(make_user("staff_p2ti", institution))
    page = client.get(reverse("sop:institution_dashboard", kwargs={"slug": institution.slug})).content.decode()
    start = page.index('data-activity="4"')
    tile = page[start : page.index("</section>", start)]
    assert "Hosting situs: berakhir 20 hari lagi" in tile
    assert "Hosting situs" not in page[page.index('data-activity="3"') : start]  # on its own tile only
