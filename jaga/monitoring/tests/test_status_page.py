"""The public status page: public monitors only, no internal details, 404 when nothing is public."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jaga.monitoring.models import MaintenanceWindow, Monitor, MonitorStatus, Rollup, StatusChange

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


def _down_in_a_window(site: Any, *, public: bool = True) -> Monitor:
    now = timezone.now()
    monitor = Monitor.objects.create(
        site=site, name="Situs utama", kind="http", config={}, is_public=public, status=MonitorStatus.DOWN,
        status_since=now - dt.timedelta(minutes=5),
    )  # fmt: skip
    MaintenanceWindow.objects.create(
        site=site, title="Pembaruan WordPress", starts_at=now - dt.timedelta(minutes=30),
        ends_at=now + dt.timedelta(minutes=30),
    )  # fmt: skip
    return monitor


def test_a_monitor_down_in_maintenance_carries_a_maintenance_badge_on_every_page(
    client: Client, staff: Any, site: Any
) -> None:
    monitor = _down_in_a_window(site)
    client.force_login(staff)
    for page in (
        reverse("monitoring:site_monitors", args=[site.pk]),
        reverse("monitoring:monitor_detail", args=[monitor.pk]),
        url(site),
    ):
        body = client.get(page).content.decode()
        assert 'data-status="down">Turun</span>' in body, page
        assert 'data-maintenance="1"' in body, page
    index = client.get(reverse("monitoring:index")).content.decode()
    assert 'data-maintenance="1"' in index  # one monitor of the site in maintenance
    public = client.get(url(site)).content.decode()
    assert 'data-overall="maintenance"' in public  # planned work is not announced as an outage
    assert "Pembaruan WordPress" in public  # and it is listed as scheduled maintenance


def test_without_a_window_there_is_no_maintenance_badge(client: Client, staff: Any, site: Any) -> None:
    monitor = _down_in_a_window(site)
    MaintenanceWindow.objects.all().delete()
    client.force_login(staff)
    body = client.get(reverse("monitoring:monitor_detail", args=[monitor.pk])).content.decode()
    assert 'data-status="down"' in body
    assert "data-maintenance" not in body
    assert 'data-overall="down"' in client.get(url(site)).content.decode()


def test_the_status_page_lists_outages_with_their_recovery_not_recoveries_as_incidents(
    client: Client, site: Any
) -> None:
    now = timezone.now()
    monitor = Monitor.objects.create(site=site, name="Situs utama", kind="http", config={}, is_public=True)
    started = now - dt.timedelta(days=2)
    for at, before, after in (
        (started, "up", "down"),
        (started + dt.timedelta(minutes=10), "down", "degraded"),  # still the same outage
        (started + dt.timedelta(minutes=25), "degraded", "up"),
        (now - dt.timedelta(minutes=3), "up", "down"),  # going on
    ):
        StatusChange.objects.create(monitor=monitor, at=at, from_status=before, to_status=after)
    body = client.get(url(site)).content.decode()
    assert body.count("data-outage=") == 2
    assert 'data-outage="up"' not in body
    assert "pulih setelah 25 menit" in body
    assert "masih berlangsung" in body


def test_the_status_page_shows_the_logo_and_refreshes_itself(client: Client, site: Any, settings: Any) -> None:
    from django.core.files.base import ContentFile

    Monitor.objects.create(site=site, name="Situs utama", kind="http", config={}, is_public=True)
    body = client.get(url(site)).content.decode()
    assert "status-logo" not in body  # no logo uploaded: no broken image
    assert 'hx-trigger="every 30s"' in body  # JAGA_LIVE_SECONDS
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="5"/></svg>'
    site.institution.logo.save("logo.svg", ContentFile(svg))
    body = client.get(url(site)).content.decode()
    logo_url = reverse("public_status_logo", args=[site.institution.slug, site.pk])
    assert f'src="{logo_url}"' in body
    logo = client.get(logo_url)
    assert logo.status_code == 200
    assert b"".join(logo.streaming_content) == svg  # type: ignore[attr-defined]
    assert "sandbox" in logo["Content-Security-Policy"]


def test_the_logo_of_a_site_without_a_status_page_is_404(client: Client, site: Any) -> None:
    Monitor.objects.create(site=site, name="Internal", kind="http", config={})
    assert client.get(reverse("public_status_logo", args=[site.institution.slug, site.pk])).status_code == 404


def test_the_list_a_monitors_page_and_the_dashboard_poll_for_live_updates(
    client: Client, staff: Any, site: Any
) -> None:
    monitor = _down_in_a_window(site)
    client.force_login(staff)
    for page, live, now_up in (
        (reverse("monitoring:site_monitors", args=[site.pk]), "monitors-live", 'data-status="up"'),
        (reverse("monitoring:monitor_detail", args=[monitor.pk]), "monitor-live", 'data-status="up"'),
        (reverse("monitoring:index"), "sites-live", "naik: 1"),
    ):
        body = client.get(page).content.decode()
        assert f'id="{live}"' in body, page
        assert f'hx-select="#{live}"' in body, page
        assert 'hx-trigger="every 30s"' in body, page
        Monitor.objects.filter(pk=monitor.pk).update(status=MonitorStatus.UP)
        polled = client.get(page, headers={"HX-Request": "true"}).content.decode()
        assert now_up in polled, page  # the poll brings the new status
        Monitor.objects.filter(pk=monitor.pk).update(status=MonitorStatus.DOWN)


def test_the_live_pages_poll_at_the_setting_and_say_that_interval(
    client: Client, staff: Any, site: Any, settings: Any
) -> None:
    from django.conf import settings as django_settings

    monitor = _down_in_a_window(site)
    settings.JAGA_LIVE_SECONDS = 12
    client.force_login(staff)
    pages = (
        reverse("monitoring:index"),
        reverse("monitoring:site_monitors", args=[site.pk]),
        reverse("monitoring:monitor_detail", args=[monitor.pk]),
    )
    for page in pages:
        body = client.get(page).content.decode()
        assert 'hx-trigger="every 12s"' in body, page
        assert "Diperbarui otomatis setiap 12 detik." in body, page
        assert "30 detik" not in body, page
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Updated automatically every 12 seconds." in client.get(pages[1]).content.decode()
    for dashboard in (
        reverse("sop:institution_dashboard", args=[site.institution.slug]),
        reverse("sop:site_dashboard", args=[site.institution.slug, site.pk]),
    ):
        assert 'hx-trigger="every 12s"' in client.get(dashboard).content.decode(), dashboard
    from jaga.incidents.services import incident_open_or_update

    incident = incident_open_or_update(site=site, kind="outage", cause_key="monitor:1", summary="Beranda turun")
    assert incident is not None
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "id"
    for page in (
        reverse("incidents:list", kwargs={"slug": site.institution.slug}),
        reverse("incidents:site_list", kwargs={"slug": site.institution.slug, "site_id": site.pk}),
        incident.get_absolute_url(),
    ):
        body = client.get(page).content.decode()
        assert body.count('hx-trigger="every 12s"') >= 1, page
        assert "Diperbarui otomatis setiap 12 detik." in body, page
        assert "30 detik" not in body, page
        assert "every 30s" not in body, page
    monitor.is_public = True
    monitor.save(update_fields=["is_public"])
    public = client.get(url(site))
    assert 'hx-trigger="every 12s"' in public.content.decode()
    assert "otomatis setiap 12 detik" in public.content.decode()
    assert public["Cache-Control"] == "public, max-age=6"  # never longer than a poll


def _checks(monitor: Monitor, now: dt.datetime, values: list[tuple[int, float]]) -> None:
    from jaga.monitoring.models import CheckResult

    CheckResult.objects.bulk_create(
        CheckResult(monitor=monitor, probe="p", checked_at=now - dt.timedelta(minutes=m), status="up", response_ms=v)
        for m, v in values
    )


def test_each_public_service_has_its_response_chart_with_outages_and_maintenance(client: Client, site: Any) -> None:
    now = timezone.now()
    public = Monitor.objects.create(site=site, name="Situs utama", kind="http", config={}, is_public=True)
    hidden = Monitor.objects.create(site=site, name="Database internal", kind="http", config={})
    _checks(public, now, [(90, 120.0), (60, 140.0), (30, 160.0)])
    StatusChange.objects.create(monitor=public, at=now - dt.timedelta(minutes=50), from_status="up", to_status="down")
    StatusChange.objects.create(monitor=public, at=now - dt.timedelta(minutes=40), from_status="down", to_status="up")
    MaintenanceWindow.objects.create(
        site=site, title="Ganti server", starts_at=now - dt.timedelta(hours=3), ends_at=now - dt.timedelta(hours=2)
    )
    body = client.get(url(site)).content.decode()
    assert f'id="chart-{public.pk}"' in body
    assert f'id="chart-{hidden.pk}"' not in body
    assert body.count('<svg class="chart chart-wide"') == 1
    assert body.count('<svg class="chart chart-narrow"') == 1  # the drawing for a phone
    assert 'data-points="' in body
    assert "gangguan:" in body  # the outage band's title
    assert "pemeliharaan:" in body  # the maintenance band's title
    zoom = reverse("public_status_chart", args=[site.institution.slug, site.pk, public.pk])
    assert f'data-zoom-url="{zoom}"' in body


def test_the_public_chart_zooms_into_a_span_and_is_kept_while_the_page_refreshes(client: Client, site: Any) -> None:
    now = timezone.now()
    public = Monitor.objects.create(site=site, name="Situs utama", kind="http", config={}, is_public=True)
    _checks(public, now, [(m, 100.0 + m) for m in range(0, 240, 5)])
    chart = reverse("public_status_chart", args=[site.institution.slug, site.pk, public.pk])
    wide = client.get(chart)
    assert wide.status_code == 200
    assert "data-zoomed" not in wide.content.decode()
    start, end = int((now - dt.timedelta(hours=2)).timestamp()), int((now - dt.timedelta(hours=1)).timestamp())
    zoomed = client.get(chart, {"from": start, "to": end}).content.decode()
    assert "data-zoomed" in zoomed
    assert f'data-start="{start}"' in zoomed
    assert f'data-end="{end}"' in zoomed


def test_the_public_chart_of_a_monitor_that_is_not_public_is_404(client: Client, site: Any) -> None:
    Monitor.objects.create(site=site, name="Situs utama", kind="http", config={}, is_public=True)
    hidden = Monitor.objects.create(site=site, name="Database internal", kind="http", config={})
    chart = reverse("public_status_chart", args=[site.institution.slug, site.pk, hidden.pk])
    assert client.get(chart).status_code == 404
