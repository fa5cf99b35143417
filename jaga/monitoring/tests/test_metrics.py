"""Prometheus /metrics: parses, carries the documented series, and is closed to strangers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from jaga.core.models import Site
from jaga.core.services import api_token_create
from jaga.monitoring.models import Finding, Monitor, MonitorStatus, Probe, Rollup

pytestmark = pytest.mark.django_db


@pytest.fixture
def monitors(site: Any, other_institution: Any) -> list[Monitor]:
    now = timezone.now()
    up = Monitor.objects.create(
        site=site, name="Beranda", kind="http", config={}, status=MonitorStatus.UP, last_response_ms=120.0
    )
    down = Monitor.objects.create(site=site, name="DNS", kind="dns", config={}, status=MonitorStatus.DOWN)
    other_site = Site.objects.create(institution=other_institution, name="Lain", base_url="http://127.0.0.1:9/")
    other = Monitor.objects.create(site=other_site, name="Lain", kind="http", config={}, status=MonitorStatus.UP)
    Rollup.objects.create(monitor=up, period="h", bucket=now - dt.timedelta(minutes=30), checks=10, up=9, down=1)
    Finding.objects.create(
        monitor=up,
        code="gambling_spam",
        fingerprint="1",
        message="spam",
        severity="critical",
        first_seen=now,
        last_seen=now,
    )
    Finding.objects.create(
        monitor=up,
        code="old",
        fingerprint="2",
        message="x",
        severity="warning",
        first_seen=now,
        last_seen=now,
        resolved_at=now,
    )
    Probe.objects.create(name="probe-a", last_seen=now - dt.timedelta(seconds=42))
    return [up, down, other]


def families(text: str) -> dict[str, Any]:
    return {family.name: family for family in text_string_to_metric_families(text)}


def test_it_serves_parseable_metrics_to_loopback(client: Client, monitors: list[Monitor]) -> None:
    response = client.get("/metrics")  # the test client comes from 127.0.0.1
    assert response.status_code == 200
    parsed = families(response.content.decode())
    up = {s.labels["monitor"]: s.value for s in parsed["jaga_monitor_up"].samples}
    assert up == {"Beranda": 1.0, "DNS": 0.0, "Lain": 1.0}
    response_ms = [s for s in parsed["jaga_monitor_response_ms"].samples if s.labels["monitor"] == "Beranda"]
    assert response_ms[0].value == 120.0
    uptime = {(s.labels["monitor"], s.labels["window"]): s.value for s in parsed["jaga_monitor_uptime_ratio"].samples}
    assert uptime[("Beranda", "24h")] == pytest.approx(0.9)
    last_seen = parsed["jaga_probe_last_seen_seconds"].samples[0]
    assert 41 <= last_seen.value < 120
    findings = {s.labels["severity"]: s.value for s in parsed["jaga_findings_open"].samples}
    assert findings == {"critical": 1.0}


def test_a_token_sees_only_its_institution(
    client: Client, monitors: list[Monitor], auditor: Any, institution: Any
) -> None:
    raw = api_token_create(user=auditor, institution=institution, name="prometheus")[1]
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {raw}", REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 200
    names = {s.labels["monitor"] for s in families(response.content.decode())["jaga_monitor_up"].samples}
    assert names == {"Beranda", "DNS"}


def test_it_refuses_a_remote_client_without_a_token(client: Client, monitors: list[Monitor]) -> None:
    response = client.get("/metrics", REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 401
    assert "Beranda" not in response.content.decode()


def test_it_refuses_a_bad_token_even_from_loopback(client: Client, monitors: list[Monitor]) -> None:
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer jaga_salah").status_code == 401


def test_a_proxied_request_is_not_loopback(client: Client, monitors: list[Monitor]) -> None:
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 401
