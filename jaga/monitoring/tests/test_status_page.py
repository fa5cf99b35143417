"""The public status page: public monitors only, no internal details, 404 when nothing is public."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jaga.monitoring.models import Monitor, MonitorStatus, Rollup, StatusChange

pytestmark = pytest.mark.django_db


def url(site: Any) -> str:
    return reverse("public_status", args=[site.institution.slug, site.pk])


def test_it_is_404_when_no_monitor_is_public(client: Client, site: Any) -> None:
    Monitor.objects.create(site=site, name="Internal", kind="http", config={})
    assert client.get(url(site)).status_code == 404


def test_it_shows_public_monitors_without_login_and_hides_the_rest(client: Client, site: Any) -> None:
    now = timezone.now()
    public = Monitor.objects.create(
        site=site,
        name="Situs utama",
        kind="http",
        config={"url": "http://10.0.0.5/"},
        is_public=True,
        status=MonitorStatus.DOWN,
        status_reason="Koneksi ditolak oleh 10.0.0.5:80",
    )
    Monitor.objects.create(site=site, name="Database internal", kind="tcp", config={}, status=MonitorStatus.UP)
    yesterday = dt.datetime.combine(now.astimezone(dt.UTC).date() - dt.timedelta(days=1), dt.time(5), tzinfo=dt.UTC)
    Rollup.objects.create(monitor=public, period="h", bucket=yesterday, checks=10, up=10)
    StatusChange.objects.create(
        monitor=public, at=now, from_status="up", to_status="down", reason="Koneksi ditolak oleh 10.0.0.5:80"
    )
    response = client.get(url(site))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Situs utama" in body
    assert "Database internal" not in body
    assert "10.0.0.5" not in body  # no reasons, no internal hosts
    assert body.count('<span class="up"') == 1
    assert "Sebagian layanan tidak dapat diakses" in body


def test_the_wrong_institution_slug_is_404(client: Client, site: Any, other_institution: Any) -> None:
    Monitor.objects.create(site=site, name="Situs", kind="http", config={}, is_public=True)
    assert client.get(reverse("public_status", args=[other_institution.slug, site.pk])).status_code == 404


def test_the_monitors_page_links_to_the_status_page_when_public(client: Client, staff: Any, site: Any) -> None:
    Monitor.objects.create(site=site, name="Situs", kind="http", config={}, is_public=True)
    client.force_login(staff)
    body = client.get(reverse("monitoring:site_monitors", args=[site.pk])).content.decode()
    assert url(site) in body
