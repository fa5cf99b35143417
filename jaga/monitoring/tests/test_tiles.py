"""Monitoring's lines on the SOP dashboards: how the monitors stand, each with its latest checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from jaga.core.models import Site
from jaga.monitoring.models import CheckResult, Monitor, MonitorStatus
from jaga.monitoring.tiles import MAX_LINES, sop_tile_lines

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 30, tzinfo=UTC)


def make_monitor(site: Site, name: str, status: str, checks: list[str] = ()) -> Monitor:  # type: ignore[assignment]
    monitor = Monitor.objects.create(
        site=site, name=name, kind="http", config={"url": "http://127.0.0.1:9/"}, status=status
    )
    CheckResult.objects.bulk_create(
        CheckResult(monitor=monitor, probe="p", checked_at=NOW - timedelta(minutes=len(checks) - n), status=s)
        for n, s in enumerate(checks)
    )
    return monitor


def test_a_sites_dashboard_lists_its_monitors_worst_first_each_with_its_latest_checks(institution, site) -> None:  # type: ignore[no-untyped-def]
    make_monitor(site, "Beranda", MonitorStatus.UP, ["up", "up", "up"])
    down = make_monitor(site, "SIPP", MonitorStatus.DOWN, ["up", "down"])
    lines = sop_tile_lines(institution=institution, site=site)["monitoring"]
    assert [line.text for line in lines] == ["SIPP: Turun", "Beranda: Naik"]
    assert [line.css for line in lines] == ["bad", "ok"]
    assert lines[0].href == reverse("monitoring:monitor_detail", args=[down.pk])
    assert str(lines[0].bar).count("<span") == 2
    assert str(lines[0].bar).index('data-status="up"') < str(lines[0].bar).index('data-status="down"')
    assert str(lines[1].bar).count('data-status="up"') == 3


def test_an_institutions_dashboard_has_one_line_per_site_with_its_worst_monitor(institution, site) -> None:  # type: ignore[no-untyped-def]
    other = Site.objects.create(institution=institution, name="SIPP", base_url="https://sipp.example.test")
    make_monitor(site, "Beranda", MonitorStatus.UP, ["up"])
    make_monitor(site, "Berita", MonitorStatus.DEGRADED, ["degraded"])
    make_monitor(other, "SIPP", MonitorStatus.UP, ["up"])
    lines = sop_tile_lines(institution=institution)["monitoring"]
    texts = sorted(line.text for line in lines)
    assert texts == sorted([f"{site.name}: Terganggu, 1 dari 2 monitor naik", "SIPP: Naik, 1 dari 1 monitor naik"])
    by_text = {line.text: line for line in lines}
    assert 'data-status="degraded"' in str(by_text[f"{site.name}: Terganggu, 1 dari 2 monitor naik"].bar)


def test_many_monitors_end_with_a_line_that_says_how_many_more(institution, site) -> None:  # type: ignore[no-untyped-def]
    for n in range(MAX_LINES + 2):
        make_monitor(site, f"M{n}", MonitorStatus.UP)
    lines = sop_tile_lines(institution=institution, site=site)["monitoring"]
    assert len(lines) == MAX_LINES + 1
    assert lines[-1].text == "dan 2 lainnya"


def test_no_monitor_says_so(institution, site) -> None:  # type: ignore[no-untyped-def]
    assert [line.text for line in sop_tile_lines(institution=institution)["monitoring"]] == ["Belum ada monitor."]


def test_the_sop_dashboard_shows_the_bar_and_polls_itself(institution, site, staff) -> None:  # type: ignore[no-untyped-def]
    make_monitor(site, "Beranda", MonitorStatus.DOWN, ["up", "down"])
    client = Client()
    client.force_login(staff)
    for url in (
        reverse("sop:institution_dashboard", args=[institution.slug]),
        reverse("sop:site_dashboard", args=[institution.slug, site.pk]),
    ):
        html = client.get(url).content.decode()
        assert 'id="sop-live"' in html, url
        assert 'hx-trigger="every 30s"' in html, url
        assert 'class="beats"' in html, url
        assert 'data-status="down"' in html, url


def test_findings_waiting_for_a_person_are_the_first_line_until_acknowledged(institution, site, staff) -> None:  # type: ignore[no-untyped-def]
    from jaga.monitoring.findings import finding_acknowledge
    from jaga.monitoring.models import Finding

    monitor = make_monitor(site, "Integritas", MonitorStatus.UP, ["up"])
    finding = Finding.objects.create(
        monitor=monitor,
        code="new_page",
        fingerprint="a",
        message="Halaman baru",
        severity="warning",
        needs_ack=True,
        first_seen=NOW,
        last_seen=NOW,
    )
    for dashboard_site in (site, None):
        lines = sop_tile_lines(institution=institution, site=dashboard_site)["monitoring"]
        assert (lines[0].text, lines[0].css) == ("1 temuan menunggu diperiksa petugas", "warn")
        assert lines[0].href == reverse("monitoring:site_freshness", args=[site.pk])
    client = Client()
    client.force_login(staff)
    detail = reverse("monitoring:monitor_detail", args=[monitor.pk])
    assert "data-needs-ack" in client.get(detail).content.decode()
    finding_acknowledge(finding=finding, user=staff)
    lines = sop_tile_lines(institution=institution, site=site)["monitoring"]
    assert "temuan" not in lines[0].text
    assert "data-needs-ack" not in client.get(detail).content.decode()


def test_acknowledging_on_the_monitors_page_returns_to_it_and_an_auditor_may_not(  # type: ignore[no-untyped-def]
    institution, site, staff, auditor
) -> None:
    from jaga.monitoring.models import Finding

    monitor = make_monitor(site, "Integritas", MonitorStatus.UP, ["up"])
    finding = Finding.objects.create(
        monitor=monitor,
        code="new_page",
        fingerprint="a",
        message="Halaman baru",
        severity="warning",
        needs_ack=True,
        first_seen=NOW,
        last_seen=NOW,
    )
    detail = reverse("monitoring:monitor_detail", args=[monitor.pk])
    acknowledge = reverse("monitoring:finding_acknowledge", args=[finding.pk])
    client = Client()
    client.force_login(auditor)
    assert client.post(acknowledge, {"next": detail}).status_code == 403
    client.force_login(staff)
    response = client.post(acknowledge, {"next": detail})
    assert (response.status_code, response["Location"]) == (302, detail)
    finding.refresh_from_db()
    assert finding.acknowledged_by == staff
    assert client.post(acknowledge, {"next": "https://evil.example/"})["Location"] == reverse(
        "monitoring:site_freshness", args=[site.pk]
    )
