"""The visitor-activity pages: each role that may see them, an outsider who may not, panels and CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.test import Client

from jaga.traffic import services
from jaga.traffic.tests.test_detection import _log


@pytest.fixture
def ingested(site, tmp_path: Path):  # type: ignore[no-untyped-def]
    log = tmp_path / "access.log"
    _log(log)
    services.traffic_ingest(site=site, sources=services.sources_for(site=site, paths=[str(log)]))
    services.traffic_detect(site=site, record=False)
    return site


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["staff_p2ti", "auditor", "sekretaris"])
def test_members_see_the_panels_and_the_detections(ingested, make_user, role) -> None:  # type: ignore[no-untyped-def]
    site = ingested
    client = _client(make_user(role, site.institution))
    page = client.get(f"/traffic/{site.institution.slug}/situs/{site.pk}/?dari=2026-11-01&sampai=2026-11-01")
    assert page.status_code == 200
    text = page.content.decode()
    assert "/berita/1" in text  # the pages panel
    assert "Percobaan injeksi SQL" in text  # the detection, by its rule's label
    assert "203.0.113.66" in text
    assert client.get(f"/traffic/{site.institution.slug}/").status_code == 200
    detections = client.get(f"/traffic/{site.institution.slug}/situs/{site.pk}/deteksi/")
    assert "Tebak kata sandi Joomla" in detections.content.decode()


@pytest.mark.django_db
def test_an_outsider_gets_404(ingested, outsider) -> None:  # type: ignore[no-untyped-def]
    site = ingested
    client = _client(outsider)
    assert client.get(f"/traffic/{site.institution.slug}/situs/{site.pk}/").status_code == 404
    assert client.get(f"/traffic/{site.institution.slug}/situs/{site.pk}/deteksi/").status_code == 404
    assert client.get(f"/traffic/{site.institution.slug}/").status_code == 404


@pytest.mark.django_db
def test_each_panel_downloads_as_csv_and_the_previous_period_is_compared(ingested, staff) -> None:  # type: ignore[no-untyped-def]
    site = ingested
    client = _client(staff)
    base = f"/traffic/{site.institution.slug}/situs/{site.pk}/?dari=2026-11-01&sampai=2026-11-01"
    hourly = client.get(base + "&panel=hourly")
    rows = list(csv.reader(io.StringIO(hourly.content.decode())))
    assert rows[0] == ["Jam", "Permintaan", "Pengunjung unik"]
    assert rows[1][0] == "09.00"
    assert int(rows[1][1]) == 415
    status = list(csv.reader(io.StringIO(client.get(base + "&panel=status").content.decode())))
    assert [(r[0], r[1]) for r in status[1:]] == [("200", "403"), ("303", "12")]
    assert client.get(base + "&panel=nope").status_code == 404
    later = client.get(f"/traffic/{site.institution.slug}/situs/{site.pk}/?dari=2026-11-02&sampai=2026-11-02")
    assert "periode sebelumnya" in later.content.decode()
    assert "415" in later.content.decode()  # the day before, as the previous period


@pytest.mark.django_db
def test_a_bad_date_says_what_is_wrong(ingested, staff) -> None:  # type: ignore[no-untyped-def]
    site = ingested
    page = _client(staff).get(f"/traffic/{site.institution.slug}/situs/{site.pk}/?dari=24-11-2026")
    assert page.status_code == 200
    assert "TTTT-BB-HH" in page.content.decode()


def _bearer(user, institution) -> dict[str, str]:  # type: ignore[no-untyped-def]
    from jaga.core.services import api_token_create

    return {"Authorization": f"Bearer {api_token_create(user=user, institution=institution, name='uji')[1]}"}


@pytest.mark.django_db
def test_the_api_reads_panels_and_detections_of_the_tokens_institution_only(ingested, staff, outsider) -> None:  # type: ignore[no-untyped-def]
    site = ingested
    headers = _bearer(staff, site.institution)
    client = Client()
    report = client.get(
        f"/api/traffic/sites/{site.pk}/panels?start=2026-11-01&end=2026-11-01&panel=status", headers=headers
    ).json()
    assert report["summary"]["hits"] == 415
    assert [p["key"] for p in report["panels"]] == ["status"]
    found = client.get(f"/api/traffic/sites/{site.pk}/detections", headers=headers).json()
    assert any(d["rule"] == "sqli-probe" and d["key"] == "203.0.113.66" and d["count"] == 3 for d in found["items"])
    bad = client.get(f"/api/traffic/sites/{site.pk}/panels?start=2026-11-02&end=2026-11-01", headers=headers)
    assert bad.status_code == 422
    assert client.get("/api/traffic/rules", headers=headers).status_code == 200
    other = _bearer(outsider, outsider.memberships.first().institution)
    assert client.get(f"/api/traffic/sites/{site.pk}/detections", headers=other).status_code == 404


@pytest.mark.django_db
def test_the_summary_figures_are_grouped_as_each_language_writes_numbers(site, staff, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from django.conf import settings

    log = tmp_path / "access.log"
    lines = [
        f"198.51.100.{n % 200 + 1} - - [01/Nov/2026:10:{n // 60 % 60:02d}:{n % 60:02d} +0700] "
        f'"GET /berita/{n % 7} HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"'
        for n in range(1234)
    ]
    log.write_text("\n".join(lines) + "\n")
    services.traffic_ingest(site=site, sources=services.sources_for(site=site, paths=[str(log)]))
    client = _client(staff)
    url = f"/traffic/{site.institution.slug}/situs/{site.pk}/?dari=2026-11-01&sampai=2026-11-01"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    assert '<p class="big">1.234</p>' in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert '<p class="big">1,234</p>' in client.get(url).content.decode()


@pytest.mark.django_db
def test_the_days_and_hours_are_charts_dated_in_the_readers_language(site, staff, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Two days of lines in a three-day range: a column per day (the empty day a zero, not a gap), a wide and a
    phone drawing, each column's tooltip dated and counted as the reader's language writes it."""
    import re

    from django.conf import settings

    log = tmp_path / "access.log"
    line = '198.51.100.{c} - - [{d:02d}/Nov/2026:{h:02d}:00:{s:02d} +0700] "GET /berita HTTP/1.1" 200 512'
    line += ' "-" "Mozilla/5.0"\n'
    log.write_text(
        "".join(line.format(c=n % 50 + 1, d=1, h=9, s=n % 60) for n in range(1200))
        + "".join(line.format(c=1, d=3, h=14, s=n) for n in range(7))
    )
    services.traffic_ingest(site=site, sources=services.sources_for(site=site, paths=[str(log)]))
    client = _client(staff)
    url = f"/traffic/{site.institution.slug}/situs/{site.pk}/?dari=2026-11-01&sampai=2026-11-03"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    page = client.get(url).content.decode()
    daily = page[page.index('id="panel-daily"') : page.index('id="panel-hourly"')]
    assert daily.count('<svg class="traffic-chart') == 2  # wide and phone
    tips = re.findall(r'<g class="col"><title>([^<]+)</title>', daily)
    assert tips[:3] == [
        "Minggu, 1 November 2026: 1.200 permintaan, 50 pengunjung unik",
        "Senin, 2 November 2026: 0 permintaan, 0 pengunjung unik",
        "Selasa, 3 November 2026: 7 permintaan, 1 pengunjung unik",
    ]
    assert ">1 Nov</text>" in daily
    assert ">3 Nov</text>" in daily
    assert "<td>Min, 1 Nov 2026</td><td>1.200</td>" in daily.replace("\n", "").replace("    ", "")
    figure = daily[daily.index("<figure") : daily.index("</figure>")]
    assert "2026-11-01" not in figure  # no ISO date on the chart
    hourly = page[page.index('id="panel-hourly"') :]
    hours = re.findall(r'<g class="col"><title>([^<]+)</title>', hourly)[:24]
    assert len(hours) == 24
    assert hours[9] == "09.00–09.59: 1.200 permintaan, 50 pengunjung unik"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()
    assert "Sunday, 1 November 2026: 1,200 requests, 50 unique visitors" in english
    assert "09:00–09:59: 1,200 requests" in english
    csv_text = client.get(url + "&panel=daily").content.decode()
    assert "2026-11-01,1200,50" in csv_text  # the download keeps the ISO day, for a spreadsheet
