"""Every send is recorded, retried with back-off, claimed once, rendered in its reader's language and zone."""

from __future__ import annotations

import base64
import datetime as dt
import http.server
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jaga.core import clock, notify_deliveries, notify_render
from jaga.core.models import NotificationChannel, NotificationDelivery, NotificationRoute, Schedule
from jaga.core.notifications import (
    event_type_choices,
    event_type_get,
    event_type_register,
    event_types,
    notify,
)
from jaga.core.notify_deliveries import notification_deliveries_retry_due, notification_delivery_attempt

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 12, 1, 23, 55, tzinfo=dt.UTC)  # 2 December 2026, 06.55 WIB


class _Flaky(http.server.BaseHTTPRequestHandler):
    """Answers 503 to the first ``server.failures`` posts, then 200; keeps what it accepted."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        payload = json.loads(self.rfile.read(length) or b"{}")
        server: Any = self.server
        server.posts += 1
        if server.posts <= server.failures:
            self.send_response(503)
            self.end_headers()
            return
        server.received.append(payload)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def flaky() -> Iterator[Any]:
    """A loopback webhook that is down for the first ``failures`` posts (set by the test), then up."""
    server: Any = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    server.posts, server.failures, server.received = 0, 0, []
    server.url = f"json://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _route(institution: Any, url: str, event_type: str = "*", name: str = "Webhook PTIP") -> NotificationChannel:
    channel = NotificationChannel.objects.create(institution=institution, name=name, url=url)
    NotificationRoute.objects.create(institution=institution, event_type=event_type, channel=channel)
    return channel


# --- event types come from the apps ---------------------------------------------------------------------


def test_core_declares_only_every_event_and_the_test_send() -> None:
    core = Path(__file__).parents[1]
    calls = [
        call
        for path in core.rglob("*.py")
        if "tests" not in path.parts
        for call in re.findall(r"event_type_register\((\w+)", path.read_text())
    ]
    assert sorted(calls) == ["ALL_EVENTS", "TEST_EVENT"]
    assert event_type_get("*") is not None
    assert event_type_get("test") is not None


def test_the_apps_declare_their_event_types_in_ready() -> None:
    keys = [event.key for event in event_types()]
    assert keys[:2] == ["*", "test"]
    assert {"monitor.down", "content.stale", "integrity.spam", "tls.expiring"} <= set(keys)
    down = event_type_get("monitor.down")
    assert down is not None
    assert down.severity == "failure"


def test_an_event_type_is_a_lower_case_area_and_name_with_a_known_severity() -> None:
    with pytest.raises(ValueError, match="area"):
        event_type_register("BackupFailed", label="x")
    with pytest.raises(ValueError, match="severity"):
        event_type_register("backup.exploded", label="x", severity="fatal")
    with pytest.raises(ValueError, match="already declared"):
        event_type_register("monitor.down", label="x", severity="info")


def test_the_route_form_offers_the_declared_types_and_their_areas() -> None:
    offered = [value for _group, options in event_type_choices() for value, _label in options]
    assert offered[0] == "*"
    assert {"monitor.*", "content.*", "integrity.*", "tls.*", "content.stale", "tls.expiring"} <= set(offered)


def test_a_route_for_an_undeclared_event_type_is_refused_with_a_message(client: Client, admin_user, institution):
    channel = _route(institution, "json://127.0.0.1:9/")
    client.force_login(admin_user)
    response = client.post(
        reverse("core:route_create", kwargs={"slug": "pn-bangil"}),
        {"event_type": "monitor.dwon", "channel": channel.pk, "role": ""},
        follow=True,
    )
    assert "monitor.dwon" in response.content.decode()
    assert "tidak dikenal" in response.content.decode()
    assert NotificationRoute.objects.count() == 1


# --- retries ----------------------------------------------------------------------------------------------


def test_a_failed_send_is_retried_with_back_off_and_succeeds_later(institution, flaky, immediate_tasks) -> None:
    flaky.failures = 2
    channel = _route(institution, flaky.url)
    with clock.frozen(AT):
        [delivery] = notify(institution=institution, event_type="monitor.down", title="Beranda TURUN", body="503")
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("pending", 1)
        assert delivery.next_attempt_at == AT + dt.timedelta(minutes=1)
        assert "503" in delivery.error
        assert Schedule.objects.filter(key="notification-retries").exists()  # the sweep runs every minute

        clock.advance(dt.timedelta(seconds=30))
        assert notification_deliveries_retry_due() == 0  # not yet
        clock.advance(dt.timedelta(seconds=31))
        assert notification_deliveries_retry_due() == 1
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("pending", 2)
        assert delivery.next_attempt_at == clock.now() + dt.timedelta(minutes=5)

        clock.advance(dt.timedelta(minutes=5))
        assert notification_deliveries_retry_due() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.error) == ("sent", 3, "")
    assert delivery.next_attempt_at is None
    assert [bool(attempt["error"]) for attempt in delivery.history] == [True, True, False]
    assert [message["title"] for message in flaky.received] == ["Beranda TURUN"]
    channel.refresh_from_db()
    assert not channel.is_failing


def test_a_send_that_keeps_failing_is_given_up_after_five_attempts(
    client: Client, staff, institution, flaky, immediate_tasks
) -> None:
    flaky.failures = 100
    channel = _route(institution, flaky.url, name="Webhook Kantor")
    with clock.frozen(AT):
        notify(institution=institution, event_type="monitor.down", title="Beranda TURUN", body="503")
        for wait in notify_deliveries.BACKOFF:
            clock.advance(wait)
            notification_deliveries_retry_due()
        clock.advance(dt.timedelta(days=1))
        assert notification_deliveries_retry_due() == 0  # given up: never tried again
    delivery = NotificationDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 5, None)
    assert flaky.posts == 5
    channel.refresh_from_db()
    assert channel.is_failing
    client.force_login(staff)
    page = client.get(reverse("core:channel_list", kwargs={"slug": "pn-bangil"})).content.decode()
    assert 'data-delivery="failed"' in page
    assert "Beranda TURUN" in page
    assert "Kirim ulang" not in page  # staff may look, not resend


def test_an_administrator_resends_a_given_up_delivery(client: Client, admin_user, institution, flaky, settings):
    flaky.failures = 100
    _route(institution, flaky.url)
    with clock.frozen(AT):
        [delivery] = notify(institution=institution, event_type="monitor.down", title="Beranda TURUN", body="b")
        NotificationDelivery.objects.filter(pk=delivery.pk).update(status="failed", attempts=5, next_attempt_at=None)
        flaky.failures = 0
        client.force_login(admin_user)
        settings.TASKS = {
            "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "quick"]}
        }
        url = reverse("core:delivery_resend", kwargs={"slug": "pn-bangil", "pk": delivery.pk})
        assert client.post(url).status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 6)
    assert [m["title"] for m in flaky.received] == ["Beranda TURUN"]


def test_resending_is_forbidden_to_auditors_and_hidden_from_outsiders(client: Client, auditor, outsider, institution):
    _route(institution, "json://127.0.0.1:9/")
    [delivery] = notify(institution=institution, event_type="monitor.down", title="t", body="b")
    url = reverse("core:delivery_resend", kwargs={"slug": "pn-bangil", "pk": delivery.pk})
    client.force_login(auditor)
    assert client.post(url).status_code == 403
    client.force_login(outsider)
    assert client.post(url).status_code == 404


def test_a_delivery_is_attempted_once_even_when_two_workers_race_for_it(institution, flaky) -> None:
    _route(institution, flaky.url)
    [delivery] = notify(institution=institution, event_type="monitor.down", title="t", body="b")
    assert notification_delivery_attempt(delivery_id=delivery.pk) == "sent"
    assert notification_delivery_attempt(delivery_id=delivery.pk) is None  # the second worker finds it taken
    assert notification_deliveries_retry_due() == 0
    assert flaky.posts == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_attempts_send_a_delivery_once(institution, flaky) -> None:
    _route(institution, flaky.url)
    [delivery] = notify(institution=institution, event_type="monitor.down", title="t", body="b")
    start = threading.Barrier(4)
    outcomes: list[str | None] = []

    def worker() -> None:
        from django.db import connection

        start.wait()
        try:
            outcomes.append(notification_delivery_attempt(delivery_id=delivery.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("sent") == 1
    assert flaky.posts == 1


def test_a_worker_killed_while_sending_leaves_a_claim_that_expires(institution, flaky) -> None:
    _route(institution, flaky.url)
    with clock.frozen(AT):
        [delivery] = notify(institution=institution, event_type="monitor.down", title="t", body="b")
        assert notify_deliveries.notification_delivery_claim(delivery_id=delivery.pk) is not None  # then it died
        assert notification_deliveries_retry_due() == 0
        clock.advance(notify_deliveries.CLAIM_LEASE + dt.timedelta(seconds=1))
        assert notification_deliveries_retry_due() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)


def test_a_channel_deleted_before_the_send_fails_the_delivery_and_keeps_the_record(institution) -> None:
    channel = _route(institution, "json://127.0.0.1:9/")
    [delivery] = notify(institution=institution, event_type="monitor.down", title="Beranda TURUN", body="b")
    channel.delete()
    assert notification_delivery_attempt(delivery_id=delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert (delivery.channel_name, delivery.error) == ("Webhook PTIP", "saluran sudah dihapus")


# --- what the message carries ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event_type", "severity", "expected"),
    [("monitor.down", None, "failure"), ("monitor.up", None, "success"), ("monitor.up", "warning", "warning")],
)
def test_the_apprise_type_follows_the_severity(institution, flaky, immediate_tasks, event_type, severity, expected):
    _route(institution, flaky.url)
    notify(institution=institution, event_type=event_type, title="t", body="b", severity=severity)
    assert flaky.received[0]["type"] == expected


def test_attachments_are_sent_through_apprise(institution, flaky, immediate_tasks, tmp_path) -> None:
    report = tmp_path / "laporan-desember.pdf"
    report.write_bytes(b"%PDF-1.7 laporan")
    _route(institution, flaky.url)
    notify(institution=institution, event_type="monitor.down", title="Laporan", body="b", attachments=[report])
    [attachment] = flaky.received[0]["attachments"]
    assert attachment["filename"] == "laporan-desember.pdf"
    assert base64.b64decode(attachment["base64"]) == b"%PDF-1.7 laporan"


def test_a_missing_attachment_fails_at_once_without_retries(institution, flaky, immediate_tasks, tmp_path) -> None:
    _route(institution, flaky.url)
    notify(institution=institution, event_type="monitor.down", title="t", body="b", attachments=[tmp_path / "x.pdf"])
    delivery = NotificationDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert "lampiran tidak ditemukan" in delivery.error
    assert flaky.posts == 0


def test_params_read_in_the_institutions_zone_and_format(institution, flaky, immediate_tasks) -> None:
    _route(institution, flaky.url)
    notify(
        institution=institution,
        event_type="monitor.down",
        title=_("%(monitor)s TURUN (%(site)s)"),
        body=_("Sejak: %(since)s"),
        params={"monitor": "Beranda", "site": "Situs PN Bangil", "since": AT},
    )
    assert flaky.received[0]["title"] == "Beranda TURUN (Situs PN Bangil)"
    assert flaky.received[0]["message"] == "Sejak: 2 Desember 2026, 06.55 WIB"


def test_an_institution_in_wita_reads_its_own_time(institution, flaky, immediate_tasks) -> None:
    institution.time_zone = "Asia/Makassar"
    institution.save()
    _route(institution, flaky.url)
    notify(institution=institution, event_type="monitor.down", title="t", body="%(at)s", params={"at": AT})
    assert flaky.received[0]["message"] == "2 Desember 2026, 07.55 WITA"


def test_a_text_that_does_not_fit_its_params_is_still_sent(institution, flaky, immediate_tasks) -> None:
    _route(institution, flaky.url)
    notify(institution=institution, event_type="monitor.down", title="%(monitor)s", body="b", params={"x": 1})
    assert flaky.received[0]["title"] == "%(monitor)s"


def test_a_message_links_back_to_its_object_with_the_base_url(institution, site, flaky, immediate_tasks, settings):
    from jaga.monitoring.models import Monitor

    settings.JAGA_BASE_URL = "https://jaga.pn-bangil.go.id"
    monitor = Monitor.objects.create(site=site, name="Beranda", kind="http", config={"url": "http://127.0.0.1:9/"})
    _route(institution, flaky.url)
    [delivery] = notify(institution=institution, event_type="monitor.down", title="t", body="b", link=monitor)
    assert f"Buka di Jaga: https://jaga.pn-bangil.go.id/monitoring/{monitor.pk}/" in flaky.received[0]["message"]
    delivery.refresh_from_db()
    assert delivery.subject == monitor
    assert delivery.link == f"https://jaga.pn-bangil.go.id/monitoring/{monitor.pk}/"


def test_without_a_base_url_there_is_no_link_and_the_channels_page_says_so(
    client: Client, staff, institution, flaky, immediate_tasks, settings
) -> None:
    settings.JAGA_BASE_URL = ""
    _route(institution, flaky.url)
    notify(institution=institution, event_type="monitor.down", title="t", body="b", link="/monitoring/1/")
    assert flaky.received[0]["message"] == "b"
    client.force_login(staff)
    page = client.get(reverse("core:channel_list", kwargs={"slug": "pn-bangil"})).content.decode()
    assert "data-base-url-missing" in page
    assert "JAGA_BASE_URL" in page
    settings.JAGA_BASE_URL = "https://jaga.pn-bangil.go.id"
    page = client.get(reverse("core:channel_list", kwargs={"slug": "pn-bangil"})).content.decode()
    assert "data-base-url-missing" not in page


def test_the_message_is_in_the_default_language_when_nobody_chose_another(institution, flaky, immediate_tasks):
    _route(institution, flaky.url)
    notify(institution=institution, event_type="monitor.down", title=_("%(monitor)s TURUN (%(site)s)"), body="-",
           params={"monitor": "Beranda", "site": "PN"})  # fmt: skip
    assert flaky.received[0]["title"] == "Beranda TURUN (PN)"


def test_a_group_channel_reads_english_when_jaga_defaults_to_english(institution, flaky, immediate_tasks, settings):
    settings.LANGUAGE_CODE = "en"
    _route(institution, flaky.url)
    notify(
        institution=institution,
        event_type="monitor.down",
        title=_("%(monitor)s TURUN (%(site)s)"),
        body="%(since)s",
        params={"monitor": "Beranda", "site": "PN", "since": AT},
    )
    assert flaky.received[0]["title"] == "Beranda DOWN (PN)"
    assert flaky.received[0]["message"] == "2 December 2026, 06:55 WIB"


def test_e_mail_recipients_each_read_their_own_language(institution, make_user, monkeypatch) -> None:
    for username, email in (("sekretaris-id", "sek@pn-bangil.go.id"), ("wakil-en", "wakil@pn-bangil.go.id")):
        user = make_user("sekretaris", institution, username)
        user.email = email
        user.save()
    monkeypatch.setattr(notify_render, "user_language", lambda user: "en" if user.username.endswith("-en") else "id")
    channel = _route(institution, "mailto://127.0.0.1:9?from=jaga@pn-bangil.go.id&to=ptip@pn-bangil.go.id")
    NotificationRoute.objects.filter(channel=channel).update(role="sekretaris")
    deliveries = notify(
        institution=institution,
        event_type="monitor.down",
        title=_("%(monitor)s TURUN (%(site)s)"),
        body="-",
        params={"monitor": "Beranda", "site": "PN"},
    )
    by_language = {d.language: (d.recipients, d.title) for d in deliveries}
    assert by_language == {
        "id": (["ptip@pn-bangil.go.id", "sek@pn-bangil.go.id"], "Beranda TURUN (PN)"),
        "en": (["wakil@pn-bangil.go.id"], "Beranda DOWN (PN)"),
    }


def test_the_channels_page_lists_the_last_deliveries_with_their_outcome(
    client: Client, staff, institution, flaky, immediate_tasks
) -> None:
    flaky.failures = 1
    _route(institution, flaky.url, name="Webhook Kantor")
    with clock.frozen(AT):
        notify(institution=institution, event_type="monitor.down", title="Beranda TURUN", body="b")
        notify(institution=institution, event_type="monitor.up", title="Beranda NAIK kembali", body="b")
    client.force_login(staff)
    page = client.get(reverse("core:channel_list", kwargs={"slug": "pn-bangil"})).content.decode()
    assert 'data-delivery="pending"' in page
    assert "gagal, akan dicoba lagi" in page
    assert "2 Desember 2026, 06.56 WIB" in page  # the retry time, in the institution's zone
    assert 'data-delivery="sent"' in page
    assert "Beranda NAIK kembali" in page
    assert "Situs kembali dapat diakses" in page  # the event type's label, not its key
