"""The probe engine: claims, retries, consecutive failures, agreement, probe offline, batches, notify."""

from __future__ import annotations

from datetime import datetime, timedelta
from unittest import mock

import pytest
from aiohttp import web
from asgiref.sync import async_to_sync
from django.utils import timezone

from jaga.monitoring import services, signals
from jaga.monitoring.engine import ProbeEngine
from jaga.monitoring.findings import finding_acknowledge
from jaga.monitoring.kinds import REGISTRY
from jaga.monitoring.models import CheckResult, Monitor, MonitorStatus, Probe, StatusChange
from jaga.monitoring.reasons import reason_read
from jaga.monitoring.tests.loopback import LoopbackServer, free_port


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
    assert "HTTP 503" in reason_read(monitor.status_reason)
    change = StatusChange.objects.filter(monitor=monitor, to_status="down").get()
    assert change.from_status == "up"
    assert change.probes == ["probe-a"]


def test_it_retries_within_a_check(site, switch, clock):
    make_monitor(site, switch.url, retries=2)
    switch.up = False
    run_round(engine(clock), clock)
    assert switch.hits == 3
    assert CheckResult.objects.count() == 1


def test_it_needs_two_probes_to_agree_before_declaring_down(site, switch, clock):
    monitor = make_monitor(site, switch.url, failures_before_down=1, required_agreement=2)
    probe_a, probe_b = engine(clock, "probe-a"), engine(clock, "probe-b")
    run_round(probe_a, clock, 0)
    switch.up = False
    clock.advance(60)
    assert run_round(probe_a, clock, 0) == 1
    monitor.refresh_from_db()
    assert monitor.status == MonitorStatus.UP  # one probe's failure is not an outage
    assert monitor.confirm_exclude_probe == "probe-a"
    assert run_round(probe_a, clock, 1) == 0  # probe-a may not confirm its own failure
    assert run_round(probe_b, clock, 0) == 1
    monitor.refresh_from_db()
    assert monitor.status == MonitorStatus.DOWN
    assert StatusChange.objects.get(monitor=monitor, to_status="down").probes == ["probe-a", "probe-b"]


def test_it_does_not_declare_down_when_the_other_probe_sees_the_site_up(site, switch, clock):
    monitor = make_monitor(site, switch.url, failures_before_down=1, required_agreement=2)
    probe_a, probe_b = engine(clock, "probe-a"), engine(clock, "probe-b")
    run_round(probe_a, clock, 0)
    switch.up = False
    clock.advance(60)
    run_round(probe_a, clock, 1)
    switch.up = True  # the failure was local to probe-a
    run_round(probe_b, clock, 0)
    monitor.refresh_from_db()
    assert monitor.status == MonitorStatus.UP
    assert not StatusChange.objects.filter(to_status="down").exists()


def test_it_records_probe_offline_when_its_control_target_fails(site, clock):
    monitor = make_monitor(site, f"http://127.0.0.1:{free_port()}/", failures_before_down=1)
    probe = engine(clock, control_url=f"http://127.0.0.1:{free_port()}/")
    run_round(probe, clock)
    monitor.refresh_from_db()
    result = CheckResult.objects.get(monitor=monitor)
    assert result.status == "probe_offline"
    assert "luring" in reason_read(result.reason)
    assert monitor.status == MonitorStatus.UNKNOWN  # no outage declared
    assert Probe.objects.get(name="probe-a").control_ok is False


def test_it_records_down_when_the_control_target_answers(site, switch, clock):
    monitor = make_monitor(site, f"http://127.0.0.1:{free_port()}/", failures_before_down=1)
    run_round(engine(clock, control_url=switch.url), clock)
    monitor.refresh_from_db()
    assert monitor.status == MonitorStatus.DOWN
    assert Probe.objects.get(name="probe-a").control_ok is True


def test_two_engines_never_claim_the_same_monitor(site, switch, clock):
    for n in range(6):
        services.monitor_create(site=site, name=f"m{n}", kind="http", config={"url": switch.url})
    first = services.monitors_claim_due(probe_name="probe-a", now=clock.now, limit=4)
    second = services.monitors_claim_due(probe_name="probe-b", now=clock.now, limit=10)
    assert len(first) == 4
    assert len(second) == 2
    assert not {m.pk for m in first} & {m.pk for m in second}
    assert services.monitors_claim_due(probe_name="probe-c", now=clock.now, limit=10) == []
    # A probe that died: its claims expire and another probe takes the work.
    later = clock.now + timedelta(seconds=121)
    assert len(services.monitors_claim_due(probe_name="probe-c", now=later, limit=10)) == 6


def test_it_writes_results_in_batches(site, switch, clock, django_assert_max_num_queries):
    for n in range(20):
        services.monitor_create(site=site, name=f"m{n}", kind="http", config={"url": switch.url})
    probe = engine(clock, flush_size=1000)
    with mock.patch.object(services, "results_write_batch", wraps=services.results_write_batch) as write:
        run_round(probe, clock, 0)
    assert write.call_count == 1
    assert len(write.call_args.kwargs["records"]) == 20
    assert CheckResult.objects.count() == 20


def test_one_batch_costs_a_constant_number_of_queries(site, clock, django_assert_max_num_queries):
    from jaga.monitoring.kinds.base import CheckOutcome, Status

    monitors = [
        services.monitor_create(site=site, name=f"m{n}", kind="http", config={"url": "https://x"}) for n in range(30)
    ]
    records = [
        services.ResultRecord(monitor_id=m.pk, probe="p", checked_at=clock.now, outcome=CheckOutcome(Status.UP, "ok"))
        for m in monitors
    ]
    with django_assert_max_num_queries(40):
        services.results_write_batch(records=records, probe_name="p")


def test_a_status_change_notifies_and_signals_the_listening_apps(site, switch, clock):
    monitor = make_monitor(site, switch.url, failures_before_down=1)
    probe = engine(clock)
    heard: list[tuple[str, str]] = []

    def listener(sender, monitor, transition, **kwargs):  # type: ignore[no-untyped-def]
        heard.append((transition.from_status, transition.to_status))

    def broken_listener(sender, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("a receiver that fails must not lose the result")

    signals.monitor_status_changed.connect(listener, dispatch_uid="test-listener")
    signals.monitor_status_changed.connect(broken_listener, dispatch_uid="test-broken")
    try:
        with mock.patch("jaga.core.notifications.notify", create=True) as notify:
            run_round(probe, clock)  # unknown -> up: recorded, not announced
            assert notify.call_count == 0
            switch.up = False
            run_round(probe, clock)
            switch.up = True
            run_round(probe, clock)
    finally:
        signals.monitor_status_changed.disconnect(dispatch_uid="test-listener")
        signals.monitor_status_changed.disconnect(dispatch_uid="test-broken")
    events = [c.kwargs["event_type"] for c in notify.call_args_list]
    assert events == ["monitor.down", "monitor.up"]
    assert notify.call_args_list[0].kwargs["institution"] == site.institution
    assert "HTTP 503" in str(notify.call_args_list[0].kwargs["params"]["reason"])
    assert heard == [("unknown", "up"), ("up", "down"), ("down", "up")]
    assert list(StatusChange.objects.filter(monitor=monitor).order_by("at").values_list("to_status", flat=True)) == [
        "up",
        "down",
        "up",
    ]


def test_a_maintenance_window_suppresses_the_notification(site, switch, clock):
    monitor = make_monitor(site, switch.url, failures_before_down=1)
    probe = engine(clock)
    run_round(probe, clock)
    switch.up = False
    from jaga.monitoring.models import MaintenanceWindow

    MaintenanceWindow.objects.create(
        site=site,
        title="Pembaruan WordPress",
        starts_at=clock.now - timedelta(minutes=5),
        ends_at=clock.now + timedelta(hours=1),
    )
    with mock.patch("jaga.core.notifications.notify", create=True) as notify:
        run_round(probe, clock)
    notify.assert_not_called()
    change = StatusChange.objects.get(monitor=monitor, to_status="down")
    assert change.in_maintenance is True


def test_a_failing_notifier_never_loses_the_result(site, switch, clock):
    monitor = make_monitor(site, switch.url, failures_before_down=1)
    switch.up = False
    with mock.patch("jaga.core.notifications.notify", create=True, side_effect=RuntimeError("SMTP mati")):
        run_round(engine(clock), clock)
    monitor.refresh_from_db()
    assert monitor.status == MonitorStatus.DOWN
    assert CheckResult.objects.filter(monitor=monitor).count() == 1


def test_it_keeps_findings_by_fingerprint_and_resolves_the_gone_ones(site, clock):
    from jaga.monitoring.kinds.base import CheckOutcome, Finding, Status
    from jaga.monitoring.models import Finding as FindingRow

    monitor = make_monitor(site, "https://x")

    def write(findings, at):  # type: ignore[no-untyped-def]
        services.results_write_batch(
            probe_name="p",
            records=[
                services.ResultRecord(
                    monitor_id=monitor.pk,
                    probe="p",
                    checked_at=at,
                    outcome=CheckOutcome(Status.DEGRADED, "x", findings=findings),
                )
            ],
        )

    spam = Finding("gambling_spam", "Spam judi", location="https://x/berita", evidence="slot gacor")
    hidden = Finding("hidden_link", "Tautan tersembunyi", location="https://x/", evidence="https://judi.example")
    write([spam, hidden], clock.now)
    write([spam], clock.now + timedelta(minutes=1))
    rows = {f.code: f for f in FindingRow.objects.filter(monitor=monitor)}
    assert len(rows) == 2
    assert rows["gambling_spam"].resolved_at is None
    assert rows["gambling_spam"].last_seen == clock.now + timedelta(minutes=1)
    assert rows["gambling_spam"].first_seen == clock.now
    assert rows["hidden_link"].resolved_at == clock.now + timedelta(minutes=1)


def test_it_keeps_a_finding_that_asks_for_a_person_open_until_acknowledged(site, clock, django_user_model):
    from jaga.monitoring.kinds.base import CheckOutcome, Finding, Status
    from jaga.monitoring.models import Finding as FindingRow

    monitor = make_monitor(site, "https://x")
    user = django_user_model.objects.create_user("operator")

    def write(findings, at):  # type: ignore[no-untyped-def]
        outcome = CheckOutcome(Status.UP, "x", findings=findings)
        record = services.ResultRecord(monitor_id=monitor.pk, probe="p", checked_at=at, outcome=outcome)
        services.results_write_batch(probe_name="p", records=[record])

    new_page = Finding("new_page", "Halaman baru", "https://x/sitemap.xml", "https://x/baru/", "warning",
                       ["https://x/baru/"], needs_ack=True)  # fmt: skip
    write([new_page], clock.now)
    write([], clock.now + timedelta(minutes=1))  # the kind reports it once only
    row = FindingRow.objects.get(monitor=monitor)
    assert row.resolved_at is None
    assert row.pages == ["https://x/baru/"]

    finding_acknowledge(finding=row, user=user)
    write([new_page], clock.now + timedelta(minutes=2))  # seen again: stays acknowledged

    row.refresh_from_db()
    assert row.acknowledged_by == user
    assert row.resolved_at is not None


def test_it_stores_the_kind_state_back_on_the_monitor(site, clock):
    from jaga.monitoring.kinds.base import CheckOutcome, Status

    class Remembering:
        name = "remember"
        label = "remember"

        from jaga.monitoring.kinds.base import KindConfig as Config

        async def check(self, ctx, config):  # type: ignore[no-untyped-def]
            ctx.state["seen"] = ctx.state.get("seen", 0) + 1
            return CheckOutcome(Status.UP, "ok")

    monitor = make_monitor(site, "https://x")
    Monitor.objects.filter(pk=monitor.pk).update(kind="remember", config={})
    with mock.patch.object(REGISTRY, "get", return_value=Remembering()):
        probe = engine(clock)
        run_round(probe, clock)
        run_round(probe, clock)
    monitor.refresh_from_db()
    assert monitor.state == {"seen": 2}


def test_a_kind_that_crashes_does_not_stop_the_probe(site, switch, clock):
    broken = make_monitor(site, switch.url)
    healthy = services.monitor_create(site=site, name="ok", kind="tcp", config={"host": "127.0.0.1", "port": 1})
    Monitor.objects.filter(pk=broken.pk).update(config={"url": switch.url, "unknown": 1})
    assert run_round(engine(clock), clock) == 2
    assert CheckResult.objects.get(monitor=broken).status == "degraded"
    assert CheckResult.objects.get(monitor=healthy).status == "down"


def test_it_stops_cleanly_and_gives_back_unfinished_claims(site, clock):
    import asyncio

    slow_app = web.Application()

    async def hang(request: web.Request) -> web.Response:
        await asyncio.sleep(1)
        return web.Response(text="late")

    slow_app.router.add_get("/", hang)
    with LoopbackServer(slow_app) as server:
        monitor = make_monitor(site, server.url("/"), timeout_seconds=4)
        probe = ProbeEngine(name="probe-a", clock=clock, control_url="", stop_grace=0.2, poll_interval=0.05)

        async def go() -> None:
            task = asyncio.create_task(probe.run())
            await asyncio.sleep(0.4)
            probe.stop()
            await asyncio.wait_for(task, 3)

        async_to_sync(go)()
    monitor.refresh_from_db()
    assert monitor.claimed_by == ""
    assert monitor.next_check_at is not None
    assert monitor.next_check_at <= clock.now
    assert not CheckResult.objects.filter(monitor=monitor).exists()


def _race(engines: list[ProbeEngine]) -> list[int]:
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(engines))
    done: list[int] = [0] * len(engines)

    def work(n: int) -> None:
        async def go() -> int:
            async with engines[n]:
                return await engines[n].run_once()

        try:
            barrier.wait(5)
            done[n] = async_to_sync(go)()
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(len(engines))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return done


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_engines_in_two_threads_share_the_work_on_postgresql(switch):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL run (make test-postgres): threads need a server database")
    from jaga.core.models import Institution, Site

    institution = Institution.objects.create(name="PN Uji", slug="pn-uji")
    site = Site.objects.create(institution=institution, name="Uji", base_url="http://127.0.0.1/")
    monitors = [
        services.monitor_create(site=site, name=f"m{n}", kind="http", config={"url": switch.url}) for n in range(40)
    ]
    engines = [
        ProbeEngine(name=name, concurrency=4, control_url="", retry_backoff=0, jitter_seconds=0)
        for name in ("probe-a", "probe-b")
    ]

    done = _race(engines)

    assert sum(done) == 40
    per_monitor = CheckResult.objects.values_list("monitor_id", flat=True)
    assert sorted(per_monitor) == sorted(m.pk for m in monitors)  # each exactly once
    assert switch.hits == 40
