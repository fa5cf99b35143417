"""The register's 12-month timeline: what it shows, in what order, how long and in what colour."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse

from jaga.core import clock
from jaga.renewals.chart import LEFT, RIGHT, WIDTH, timeline_chart
from jaga.renewals.selectors import timeline
from jaga.renewals.services.register import service_create

pytestmark = pytest.mark.django_db


def _service(institution: Any, site: Any, name: str, days: int) -> Any:
    return service_create(
        institution=institution,
        sites=[site],
        kind="hosting",
        name=name,
        provider="PT Contoh",
        expires_on=clock.today("Asia/Jakarta") + dt.timedelta(days=days),
    )


def test_the_timeline_holds_twelve_months_nearest_first_with_bars_as_long_as_the_time_left(
    institution: Any, site: Any
) -> None:
    _service(institution, site, "Tiga belas bulan", 396)
    _service(institution, site, "Sebelas bulan", 335)
    _service(institution, site, "Sepuluh hari", 10)
    _service(institution, site, "Dua bulan", 60)
    _service(institution, site, "Sudah lewat", -4)
    start, end, points = timeline(institution=institution)
    assert (end - start).days == 365
    chart = timeline_chart(start=start, end=end, points=points)
    assert [bar.label.split(" (")[0] for bar in chart.bars] == ["Sudah lewat", "Sepuluh hari", "Dua bulan",
                                                               "Sebelas bulan"]  # fmt: skip
    assert [bar.css for bar in chart.bars] == ["expired", "critical", "due", "ok"]
    widths = [float(bar.width) for bar in chart.bars]
    assert widths == sorted(widths)
    plot = WIDTH - LEFT - RIGHT
    assert widths[0] == 3.0  # an expired service keeps a visible stub at the start
    assert widths[2] == pytest.approx(plot * 60 / 365, abs=0.1)
    assert widths[3] == pytest.approx(plot * 335 / 365, abs=0.1)
    assert len(chart.ticks) in (11, 12)  # one line per month start after today
    assert "4 hari lalu" in chart.bars[0].detail
    assert "10 hari lagi" in chart.bars[1].detail


def test_the_register_page_draws_the_chart_or_says_there_is_nothing(
    client: Any, institution: Any, site: Any, make_user: Any
) -> None:
    client.force_login(make_user("auditor", institution))
    register = reverse("renewals:register", kwargs={"slug": institution.slug})
    _service(institution, site, "Tiga belas bulan", 396)
    page = client.get(register).content.decode()
    assert "Tidak ada layanan yang berakhir dalam 12 bulan ke depan." in page
    assert 'class="timeline"' not in page
    service = _service(institution, site, "Hosting situs", 20)
    page = client.get(register).content.decode()
    assert re.search(r'<g class="bar due">\s*<text class="bar-label"[^>]*>Hosting situs \(', page)
    assert f'href="{service.get_absolute_url()}"' in page
    assert "Tiga belas bulan (" not in page.split('class="timeline"')[1].split("</svg>")[0]
