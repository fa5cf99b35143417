"""The probe engine: claims, retries, consecutive failures, agreement, probe offline, batches, notify."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from aiohttp import web
from asgiref.sync import async_to_sync
from django.utils import timezone

from jaga.monitoring import services
from jaga.monitoring.engine import ProbeEngine
from jaga.monitoring.models import CheckResult, Monitor, MonitorStatus, Probe, StatusChange
from jaga.monitoring.tests.loopback import LoopbackServer


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = timezone.now() + timedelta(seconds=1)  # monitors created in the test are due

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Switch:
    """A server whose answer the test flips between up (200) and down (503)."""

    def __init__(self) -> None:
        self.up = True
        self.hits = 0
        self.app = web.Application()
        self.app.router.add_get("/", self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        self.hits += 1
        return web.Response(text="ok") if self.up else web.Response(status=503, text="mati")


@pytest.fixture
def switch():
    sw = Switch()
    with LoopbackServer(sw.app) as server:
        sw.url = server.url("/")  # type: ignore[attr-defined]
        yield sw


@pytest.fixture
def clock():
    return Clock()


def engine(clock: Clock, name: str = "probe-a", **kwargs) -> ProbeEngine:  # type: ignore[no-untyped-def]
    kwargs.setdefault("control_url", "")
    return ProbeEngine(name=name, clock=clock, retry_backoff=0, jitter_seconds=0, **kwargs)


def run_round(probe: ProbeEngine, clock: Clock, advance: float = 60) -> int:
    async def go() -> int:
        async with probe:
            return await probe.run_once()

    done = async_to_sync(go)()
    clock.advance(advance)
    return done


def make_monitor(site, url: str, **kwargs) -> Monitor:  # type: ignore[no-untyped-def]
    kwargs.setdefault("retries", 0)
    return services.monitor_create(site=site, name="Beranda", kind="http", config={"url": url}, **kwargs)


def test_it_checks_a_due_monitor_and_records_up(site, switch, clock):
    monitor = make_monitor(site, switch.url)
    probe = engine(clock)
    assert run_round(probe, clock, 0) == 1
    monitor.refresh_from_db()
    assert monitor.status == MonitorStatus.UP
    assert monitor.claimed_by == ""
    assert monitor.next_check_at == clock.now + timedelta(seconds=60) or monitor.next_check_at > clock.now
    result = CheckResult.objects.get(monitor=monitor)
    assert (result.probe, result.status) == ("probe-a", "up")
    assert Probe.objects.get(name="probe-a").checks_total == 1
    # Not due again until its interval has passed.
    assert run_round(probe, clock, 0) == 0


def test_it_declares_down_only_after_consecutive_failures(site, switch, clock):
    monitor = make_monitor(site, switch.url, failures_before_down=3)
    probe = engine(clock)
    run_round(probe, clock)
    switch.up = False
    statuses = []
    for _ in range(3):
        run_round(probe, clock)
        monitor.refresh_from_db()
        statuses.append(monitor.status)
    assert statuses == ["up", "up", "down"]
    assert monitor.consecutive_failures == 3
    assert "HTTP 503" in monitor.status_reason
    change = StatusChange.objects.filter(monitor=monitor, to_status="down").get()
    assert change.from_status == "up"
    assert change.probes == ["probe-a"]


def test_it_retries_within_a_check(site, switch, clock):
    make_monitor(site, switch.url, retries=2)
    switch.up = False
    run_round(engine(clock), clock)
    assert switch.hits == 3
    assert CheckResult.objects.count() == 1
