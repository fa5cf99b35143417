"""The demo's content monitors are checked once, for real, against the demo court site it serves."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jaga.monitoring.demo_checks import CONTENT_KINDS, PROBE_NAME, content_checks_run
from jaga.monitoring.models import CheckResult, Monitor, Probe


@pytest.mark.django_db(transaction=True)
def test_the_demo_checks_its_content_monitors_against_the_site_it_serves(demo: Any) -> None:
    site = demo.site
    results = {r.monitor.kind: r for r in CheckResult.objects.filter(monitor__site=site, probe=PROBE_NAME)}
    assert set(results) == set(CONTENT_KINDS)
    assert {kind: r.status for kind, r in results.items()} == dict.fromkeys(CONTENT_KINDS, "up")
    signals = {s["name"]: s for s in results["freshness"].details["signals"]}
    assert signals["feed"]["trust"] == "high"  # the demo site's feed, read and dated by the real code
    assert results["required_pages"].details["failing"] == 0
    assert results["integrity"].details["coverage"]["pages"] > 1  # the home page and its sitemap's pages
    assert not Probe.objects.filter(name=PROBE_NAME).exists()  # a one-off run, not a probe to ask for errands
    assert "pemeriksaan isi di situs demo" in " ".join(demo.done)
    assert content_checks_run(site=site) == "pemeriksaan isi: sudah ada"  # run again: nothing new

    staff = Client()
    staff.force_login(demo.site.institution.memberships.get(role="staff_p2ti").user)
    page = staff.get(reverse("monitoring:site_freshness", args=[site.pk])).content.decode()
    assert 'data-page-status="ok"' in page  # the required pages, each found on the demo site
    assert signals["feed"]["where"].split(" ")[0] in page  # the feed the signal was read from
    assert Monitor.objects.get(site=site, kind="freshness").state  # the region's baseline, kept for the probe
