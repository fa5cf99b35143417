"""Claims are leases owned by one probe process; results of lost claims and of old settings move nothing;
the schedule is a grid; a failing database is waited out; the kinds' TLS and TCP reasons."""

from __future__ import annotations

import asyncio
import logging
import socket
import struct
import threading
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from aiohttp import web
from asgiref.sync import async_to_sync
from django.db import OperationalError
from django.utils import translation

from jaga.monitoring import services
from jaga.monitoring.engine import ProbeEngine
from jaga.monitoring.engine.health import database_trouble
from jaga.monitoring.engine.probe import next_due
from jaga.monitoring.kinds.base import CheckOutcome, Status, said
from jaga.monitoring.models import CheckResult, Monitor, MonitorStatus, Probe, StatusChange
from jaga.monitoring.tests.loopback import LoopbackServer
from jaga.monitoring.tests.test_engine import Clock, Switch, engine, make_monitor, run_round


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def switch():
    sw = Switch()
    with LoopbackServer(sw.app) as server:
        sw.url = server.url("/")  # type: ignore[attr-defined]
        yield sw


def record(monitor: Monitor, claim, status: Status, at: datetime, **kwargs) -> services.ResultRecord:  # type: ignore[no-untyped-def]
    return services.ResultRecord(
        monitor_id=monitor.pk,
        probe=kwargs.pop("probe", "probe-a"),
        checked_at=at,
        outcome=CheckOutcome(status, "HTTP 503" if status == Status.DOWN else "HTTP 200"),
        claim_token=claim and kwargs.pop("token", "token-a"),
        settings_version=claim.settings_version if claim else None,
        **kwargs,
    )


# --- the grid --------------------------------------------------------------------------------------------


def test_the_next_check_is_on_the_grid_of_the_due_time_whatever_the_check_took():
    due = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert next_due(due, 60, due + timedelta(seconds=3)) == due + timedelta(seconds=60)
    assert next_due(due, 60, due + timedelta(seconds=59.9)) == due + timedelta(seconds=60)
    # A check that ran 130 s skips the points it missed: it is not run twice to catch up.
    assert next_due(due, 60, due + timedelta(seconds=130)) == due + timedelta(seconds=180)
    # Many checks in a row never drift: each next due is exactly one interval after the last.
    moment = due
    for _ in range(1000):
        moment = next_due(moment, 60, moment + timedelta(seconds=0.7))
    assert moment == due + timedelta(seconds=60_000)


def test_a_check_that_started_late_skips_a_grid_point_closer_than_half_an_interval():
    # Found by bench/crash_safety.py: after `jaga up` restarted, 13 monitors were checked 16 s late and again
    # 14 s later, on the grid (30 s interval).
    due = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    late = due + timedelta(seconds=16)
    assert next_due(due, 30, late + timedelta(seconds=0.2), started_at=late) == due + timedelta(seconds=60)
    # A little late keeps the grid point (more than half an interval away).
    slightly = due + timedelta(seconds=5)
    assert next_due(due, 30, slightly + timedelta(seconds=0.2), started_at=slightly) == due + timedelta(seconds=30)
    # On time: one interval, as before.
    assert next_due(due, 30, due + timedelta(seconds=0.2), started_at=due) == due + timedelta(seconds=30)


# --- leases ----------------------------------------------------------------------------------------------


def test_a_claim_is_a_lease_that_keeps_the_due_time_and_lapses_if_not_renewed(site, switch, clock):
    monitor = make_monitor(site, switch.url)
    due = Monitor.objects.get(pk=monitor.pk).next_check_at
    [claim] = services.monitors_claim_due(probe_name="probe-a", now=clock.now, limit=5, token="token-a")
    assert claim.due == due  # the lag is measured from the due time, not from the claim
    assert services.monitors_claim_due(probe_name="probe-b", now=clock.now, limit=5, token="token-b") == []
    # Renewed, it stays with probe-a past the first lease...
    later = clock.now + timedelta(seconds=8)
    renewed = services.monitors_claims_renew(token="token-a", monitor_ids=[monitor.pk], now=later, lease_seconds=10)
    assert renewed == 1
    assert services.monitors_claim_due(probe_name="probe-b", now=later + timedelta(seconds=5), limit=5) == []
    # ...and once probe-a stops renewing (it was killed), probe-b takes it within one lease: far less than
    # the 60-second interval.
    taken = services.monitors_claim_due(
        probe_name="probe-b", now=later + timedelta(seconds=10.1), limit=5, token="token-b"
    )
    assert [c.monitor_id for c in taken] == [monitor.pk]
    # A renewal by the dead owner's token no longer touches it.
    assert services.monitors_claims_renew(token="token-a", monitor_ids=[monitor.pk], now=later, lease_seconds=10) == 0


def test_a_result_of_a_claim_that_was_taken_over_is_dropped_and_logged(site, switch, clock, caplog):
    monitor = make_monitor(site, switch.url, failures_before_down=1)
    [old] = services.monitors_claim_due(probe_name="probe-a", now=clock.now, limit=5, token="token-a")
    lapse = clock.now + timedelta(seconds=11)
    [new] = services.monitors_claim_due(probe_name="probe-b", now=lapse, limit=5, token="token-b")

    with caplog.at_level(logging.WARNING, logger="jaga.monitoring.services"):
        services.results_write_batch(
            records=[record(monitor, old, Status.DOWN, lapse + timedelta(seconds=100))], probe_name="probe-a"
        )
    assert "dropped" in caplog.text
    monitor.refresh_from_db()
    assert (monitor.status, monitor.claimed_by) == (MonitorStatus.UNKNOWN, "probe-b")
    assert not CheckResult.objects.exists()

    services.results_write_batch(
        records=[record(monitor, new, Status.UP, lapse + timedelta(seconds=1), token="token-b", probe="probe-b")],
        probe_name="probe-b",
    )
    monitor.refresh_from_db()
    assert (monitor.status, monitor.claimed_by, monitor.claim_token) == (MonitorStatus.UP, "", "")
    assert CheckResult.objects.get().probe == "probe-b"


def test_a_check_longer_than_the_lease_is_renewed_and_runs_once(site, clock):
    """The issue's case: a check of 2.5 s with a lease of 1 s, and a second probe looking all the time."""
    hits = []
    app = web.Application()

    async def slow(request: web.Request) -> web.Response:
        hits.append(request.path)
        await asyncio.sleep(2.5)
        return web.Response(text="lambat tapi hidup")

    app.router.add_get("/", slow)
    with LoopbackServer(app) as server:
        monitor = make_monitor(site, server.url("/"), timeout_seconds=8)

        async def go() -> None:
            a = ProbeEngine(
                name="probe-a", control_url="", lease_seconds=1.0, poll_interval=0.05, heartbeat_interval=0.2
            )
            b = ProbeEngine(name="probe-b", control_url="", lease_seconds=1.0, poll_interval=0.05)
            task_a = asyncio.create_task(a.run())
            await asyncio.sleep(0.3)
            task_b = asyncio.create_task(b.run())
            await asyncio.sleep(3.5)
            a.stop()
            b.stop()
            await asyncio.gather(task_a, task_b)

        async_to_sync(go)()
    assert len(hits) == 1  # probe-b never took it while probe-a was still working on it
    result = CheckResult.objects.get(monitor=monitor)
    assert (result.probe, result.status) == ("probe-a", "up")


# --- a new series after a settings change -----------------------------------------------------------------


def test_a_check_with_the_old_settings_lands_after_an_edit_and_moves_nothing(site, switch, clock):
    monitor = make_monitor(site, switch.url, failures_before_down=1)
    run_round(engine(clock), clock)  # up
    monitor.refresh_from_db()
    assert monitor.status == MonitorStatus.UP
    [claim] = services.monitors_claim_due(probe_name="probe-a", now=clock.now, limit=5, token="token-a")

    # The operator fixes the keyword while that check runs against the old settings...
    services.monitor_update(monitor=monitor, config={"url": switch.url, "keyword": "ok"})
    monitor.refresh_from_db()
    assert monitor.settings_version == claim.settings_version + 1
    edited_due = monitor.next_check_at

    # ...and the old check fails and lands afterwards: stored, but no alarm, no status change.
    with mock.patch("jaga.core.notifications.notify", create=True) as notify:
        services.results_write_batch(
            records=[record(monitor, claim, Status.DOWN, clock.now + timedelta(seconds=2))], probe_name="probe-a"
        )
    notify.assert_not_called()
    monitor.refresh_from_db()
    assert monitor.status == MonitorStatus.UP
    assert monitor.consecutive_failures == 0
    assert monitor.claimed_by == ""  # the claim is given back
    assert monitor.next_check_at == edited_due  # the new settings are still checked soon
    assert not StatusChange.objects.filter(monitor=monitor, to_status="down").exists()
    assert CheckResult.objects.filter(monitor=monitor, status="down").count() == 1


def test_saving_without_a_change_keeps_the_series(site, switch):
    monitor = make_monitor(site, switch.url)
    version = monitor.settings_version
    services.monitor_update(monitor=monitor, config=dict(monitor.config), interval_seconds=monitor.interval_seconds)
    monitor.refresh_from_db()
    assert monitor.settings_version == version
    services.monitor_update(monitor=monitor, name="Beranda baru")  # a name is not a setting of the check
    monitor.refresh_from_db()
    assert monitor.settings_version == version


# --- a failing database -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "cause"),
    [
        ("database or disk is full", "disk_full"),
        ("database is locked", "locked"),
        ("database disk image is malformed", "damaged"),
        ('connection failed: connection to server at "127.0.0.1", port 5432 failed: Connection refused', "unreachable"),
        ("unable to open database file", "unreachable"),
    ],
)
def test_it_names_the_real_cause_of_a_database_failure(message, cause):
    found, sentence = database_trouble(OperationalError(message))
    assert found == cause
    assert " / " in sentence  # Indonesian / English
    assert message[:20] in sentence


def test_the_probe_waits_out_a_full_disk_and_keeps_its_results(site, switch, clock, caplog):
    monitor = make_monitor(site, switch.url)
    probe = engine(clock)
    real_write = services.results_write_batch
    failures = {"left": 2}

    def full_disk(**kwargs):  # type: ignore[no-untyped-def]
        if failures["left"]:
            failures["left"] -= 1
            raise OperationalError("database or disk is full")
        return real_write(**kwargs)

    async def go() -> None:
        async with probe:
            with mock.patch.object(services, "results_write_batch", side_effect=full_disk):
                assert await probe.run_once() == 1  # written? no: the disk is full
                assert len(probe._buffer) == 1
                probe._db_retry_at = 0
                await probe.flush()  # still full
                assert len(probe._buffer) == 1
                probe._db_retry_at = 0
                await probe.flush()  # space again

    with caplog.at_level(logging.ERROR):
        async_to_sync(go)()
    assert "disk" in caplog.text
    assert "full" in caplog.text
    assert "DATABASE_URL" not in caplog.text.split("disk is full")[0].rsplit("\n", 1)[-1]
    assert CheckResult.objects.filter(monitor=monitor).count() == 1


def test_the_probe_does_not_exit_when_claiming_fails(site, switch, clock, caplog):
    make_monitor(site, switch.url)
    probe = engine(clock)

    async def go() -> int:
        async with probe:
            with mock.patch.object(services, "monitors_claim_due", side_effect=OperationalError("database is locked")):
                return await probe.run_once()

    with caplog.at_level(logging.ERROR):
        assert async_to_sync(go)() == 0
    assert "locked" in caplog.text


def test_the_probe_reports_its_lag_and_backlog_in_its_heartbeat(site, switch, clock):
    for n in range(3):
        services.monitor_create(site=site, name=f"m{n}", kind="http", config={"url": switch.url}, retries=0)
    probe = engine(clock, heartbeat_interval=0)

    async def go() -> None:
        async with probe:
            await probe.run_once()
            await probe._heartbeat_if_due()

    async_to_sync(go)()
    row = Probe.objects.get(name="probe-a")
    assert row.checks_last_minute == 3
    assert row.lag_p99_ms is not None
    assert (row.behind, row.unwritten) == (0, 0)
    from jaga.monitoring.metrics import metrics_text

    text = metrics_text(institution_id=None).decode()
    assert 'jaga_probe_lag_seconds{probe="probe-a",quantile="0.99"}' in text
    assert 'jaga_probe_behind_checks{probe="probe-a"} 0.0' in text


# --- the kinds' reasons against real loopback servers ------------------------------------------------------


def _listener(behaviour: str) -> tuple[socket.socket, threading.Thread]:
    """A port that accepts and then resets (SO_LINGER 0) or closes every connection at once."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)

    def serve() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            if behaviour == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return sock, thread


@pytest.mark.parametrize(("behaviour", "code"), [("reset", "reset"), ("close", "closed")])
def test_the_tcp_kind_reports_a_port_that_drops_every_connection_as_down(behaviour, code):
    from jaga.monitoring.tests.test_kinds_net import check

    sock, _ = _listener(behaviour)
    try:
        outcome = check("tcp", {"host": "127.0.0.1", "port": sock.getsockname()[1]})
    finally:
        sock.close()
    assert outcome.status == Status.DOWN
    assert outcome.details["error"] == code


def test_the_tcp_kind_refuses_loopback_unless_allowed(settings):
    from jaga.monitoring.tests.test_kinds_net import check

    settings.JAGA_HTTP_ALLOW_INTERNAL = False
    sock, _ = _listener("close")
    try:
        outcome = check("tcp", {"host": "localhost", "port": sock.getsockname()[1]})
    finally:
        sock.close()
    assert outcome.details["error"] == "address_refused"


def test_the_tls_kind_reports_an_expired_untrusted_certificate_as_expired(tmp_path):
    from jaga.monitoring.tests.test_kinds_net import Pki, tls_check

    pki = Pki(tmp_path)
    outcome = tls_check(pki, names=["127.0.0.1"], days_left=-300, self_signed=True)
    assert outcome.status == Status.DOWN
    assert outcome.details["error"] == "expired"
    assert "kedaluwarsa" in outcome.reason
    with translation.override("en"):
        expired_on = outcome.details["not_after"][:10]
        assert said(outcome.text) == f"The certificate expired on {expired_on} (300 days ago)"
    assert "-300" not in outcome.reason


def test_the_http_kind_does_not_echo_a_header_value_into_its_reason(switch):
    from jaga.monitoring.tests.test_kinds_net import check

    app = web.Application()

    async def page(request: web.Request) -> web.Response:
        return web.Response(text="ok", headers={"X-Monitor-Names": "PN Pasuruan: SIPP internal"})

    app.router.add_get("/", page)
    with LoopbackServer(app) as server:
        outcome = check("http", {"url": server.url("/"), "required_headers": {"X-Monitor-Names": "^nothing$"}})
    assert outcome.status == Status.DOWN
    assert "Pasuruan" not in outcome.reason


def test_max_body_bytes_has_an_upper_limit():
    from jaga.monitoring.kinds import REGISTRY
    from jaga.monitoring.kinds.base import validate_config

    with pytest.raises(ValueError, match="max_body_bytes"):
        validate_config(REGISTRY.get("http"), {"url": "https://pn-bangil.go.id/", "max_body_bytes": 100 * 1024**2})
