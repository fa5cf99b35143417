"""``jaga demo``: the demo institution, its people and history, and the demo court site Jaga serves itself."""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from jaga.core.models import Institution, Membership, Role
from jaga.demo.content import DEMO_SLUG
from jaga.demo.services import DEMO_PASSWORD, DEMO_USERS, demo_base_url, demo_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Most tests look at the demo as the `demo` fixture (conftest.py) built it: once per test worker, with a copy of its
# database for each test. The tests that change how it is built (a live server's address, a broken step) build
# their own.


def test_it_creates_the_demo_once_and_keeps_its_ledger_however_often_it_runs(demo) -> None:  # type: ignore[no-untyped-def]
    from jaga.sop.models import LedgerEntry

    ledger = LedgerEntry.objects.count()
    demo_create(days=2)
    assert LedgerEntry.objects.count() == ledger
    institution = Institution.objects.get(slug=DEMO_SLUG)
    assert institution.time_zone == "Asia/Jakarta"
    assert institution.letter_prefix == "W14.U99"
    assert Institution.objects.filter(slug=DEMO_SLUG).count() == 1
    assert sorted(Membership.objects.filter(institution=institution).values_list("role", flat=True)) == sorted(
        Role.values
    )
    assert institution.sites.get().base_url == demo_base_url()


def test_it_gives_every_role_a_working_demo_password(demo, rf) -> None:  # type: ignore[no-untyped-def]
    for username, _first, _last in DEMO_USERS.values():
        assert authenticate(rf.post("/login/"), username=username, password=DEMO_PASSWORD) is not None, username


def test_it_records_history_for_all_seven_activities_and_its_backups_are_on_time(demo) -> None:  # type: ignore[no-untyped-def]
    from jaga.sop.models import LedgerEntry
    from jaga.sop.selectors import activity_status_list

    institution = Institution.objects.get(slug=DEMO_SLUG)
    numbers = set(LedgerEntry.objects.filter(institution=institution).values_list("activity_number", flat=True))
    assert numbers == {1, 2, 3, 4, 5, 6, 7}
    states = {status.activity.number: status.state for status in activity_status_list(institution=institution)}
    assert states[1] == "ok"
    assert states[2] == "ok"  # the demo's real backups ran just now
    late = LedgerEntry.objects.filter(institution=institution, met_standard=False)
    assert late.filter(activity_number=5).exists()  # the report that took 25 of its 15 minutes
    interrupted = LedgerEntry.objects.get(institution=institution, outcome="interrupted")
    assert interrupted.activity_key == "backup"
    assert interrupted.duration == dt.timedelta(minutes=7)


def test_it_creates_monitors_with_history_for_the_demo_site(demo) -> None:  # type: ignore[no-untyped-def]
    from jaga.monitoring.models import Monitor, Rollup, StatusChange

    monitors = Monitor.objects.filter(site__institution__slug=DEMO_SLUG)
    assert monitors.filter(kind="http").exists()
    assert not monitors.filter(kind="tls").exists()  # the demo site is plain http on loopback
    http = monitors.get(kind="http")
    assert Rollup.objects.filter(monitor=http, period="d").count() == 2
    assert StatusChange.objects.filter(monitor=http, to_status="down").count() <= 1
    assert http.status == "up"


def test_it_serves_no_demo_site_and_takes_no_post_before_the_demo_exists(client: Client) -> None:
    assert client.get("/demo-situs/").status_code == 404
    assert client.post("/demo-situs/pesan-masuk/", "{}", content_type="application/json").status_code == 404


def test_it_serves_the_demo_site_once_the_demo_exists(demo, client: Client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/demo-situs/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Pengadilan Negeri Contoh" in text
    assert "Jadwal Sidang" in text
    assert "SIPP" in text
    for path in ("profil/", "struktur-organisasi/", "jadwal-sidang/", "kontak/", "berita/"):
        assert client.get(f"/demo-situs/{path}").status_code == 200, path
    assert client.get("/demo-situs/tidak-ada/").status_code == 404


def test_it_publishes_a_sitemap_and_a_fresh_rss_feed(demo, client: Client) -> None:  # type: ignore[no-untyped-def]
    sitemap = ET.fromstring(client.get("/demo-situs/sitemap.xml").content)
    locations = [loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "http://testserver/demo-situs/jadwal-sidang/" in locations
    feed = ET.fromstring(client.get("/demo-situs/feed/").content)
    dates = [parsedate_to_datetime(d.text or "") for d in feed.iter("pubDate")]
    assert dates
    assert timezone.now() - max(dates) < dt.timedelta(days=2)


def test_it_prints_the_demo_accounts_marked_as_demo(demo) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command("demo", "--days", "2", stdout=out)  # a second run says them again
    text = out.getvalue()
    assert "AKUN DEMO" in text
    assert "demo-admin" in text
    assert DEMO_PASSWORD in text


def test_it_serves_a_demo_site_that_passes_its_own_monitors(demo_live) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    import aiohttp

    from jaga.monitoring.kinds import REGISTRY
    from jaga.monitoring.kinds.base import CheckContext
    from jaga.monitoring.models import Monitor

    summary = demo_live  # built at the live server's address
    monitors = list(Monitor.objects.filter(site=summary.site))
    assert {m.kind for m in monitors} == {"http", "freshness", "required_pages", "integrity"}

    async def check_all() -> dict[str, tuple[str, str]]:
        outcomes = {}
        async with aiohttp.ClientSession() as session:
            for monitor in monitors:
                kind = REGISTRY.get(monitor.kind)
                outcome = await kind.check(CheckContext(session=session), kind.Config.model_validate(monitor.config))
                outcomes[monitor.kind] = (str(outcome.status), outcome.reason)
        return outcomes

    outcomes = asyncio.run(check_all())
    for kind, (status, reason) in outcomes.items():
        assert status == "up", f"{kind}: {status} {reason}"


# --- the apps' demo steps -------------------------------------------------------------------------------


def test_every_app_fills_its_own_part_in_the_order_it_registered(demo) -> None:  # type: ignore[no-untyped-def]
    from jaga.core.demo import DEMO_STEPS

    keys = [step.key for step in DEMO_STEPS]
    assert keys[:3] == ["accounts", "sop", "monitoring"]  # core, then the apps in INSTALLED_APPS order
    assert DEMO_STEPS.entry("monitoring").path == "jaga.monitoring.demo"
    summary = demo  # what the first build said it did
    assert summary.done[0].startswith("token API «skrip pemantau log (demo)»")
    assert summary.done[1].startswith("SOP W14.U21/10/SOP/09/2016")
    assert any(line.startswith("buku log SOP:") for line in summary.done)
    assert any(line.startswith("monitor: http") for line in summary.done)
    assert summary.skipped == []


def test_a_step_that_fails_is_said_undone_and_the_others_still_run(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from jaga.core import demo
    from jaga.core.demo import DEMO_STEPS, demo_step_register
    from jaga.core.registry import Registry

    steps: Registry = Registry("demo step", attribute="demo_fill")  # type: ignore[type-arg]
    monkeypatch.setattr(demo, "DEMO_STEPS", steps)
    monkeypatch.setattr("jaga.demo.services.DEMO_STEPS", steps)
    demo_step_register("broken", "jaga.demo.tests.test_demo:broken_step", label="Langkah rusak")
    for entry in list(DEMO_STEPS)[:3]:  # accounts, sop, monitoring: enough to see the others run (the rest
        steps.register(entry.key, entry.path, label=entry.label)  # are the expensive backups, visitors, reports)

    summary = demo_create(days=1)

    assert summary.skipped == ["Langkah rusak: belum siap"]
    assert "setengah jadi" not in summary.done  # what it said before failing is taken back, with its writes
    assert not Institution.objects.filter(slug="setengah-jadi").exists()
    assert any(line.startswith("monitor:") for line in summary.done)


def broken_step(*, ctx) -> None:  # type: ignore[no-untyped-def]
    Institution.objects.create(name="Setengah jadi", slug="setengah-jadi")
    ctx.done.append("setengah jadi")
    raise RuntimeError("belum siap")


def test_its_notifications_are_real_sends_to_the_demo_inbox(demo_live) -> None:  # type: ignore[no-untyped-def]
    from jaga.core.models import NotificationDelivery
    from jaga.core.notify_deliveries import notification_deliveries_retry_due

    demo_create(days=1)  # on top of the first build (demo_live): a second run tells nothing again
    from jaga.traffic.models import Detection

    deliveries = NotificationDelivery.objects.filter(institution__slug=DEMO_SLUG).order_by("id")
    told = list(deliveries.values_list("event_type", "status"))
    assert [event for event in told if event[0] != "traffic.detection"] == [
        ("monitor.down", "pending"),
        ("monitor.up", "pending"),
        ("incident.opened", "pending"),  # the outage opened an incident (resolved after three good checks)
        # the visitor log's detections: the rules that open incidents opened one each
        *[("incident.opened", "pending")] * _traffic_incidents(),
        # the incidents step: taken on; escalated to tier 2 then to the vendor; an outage resolved and reviewed
        ("incident.opened", "pending"),
        ("incident.opened", "pending"),
        ("incident.escalated_umum", "pending"),
        ("incident.escalated_vendor", "pending"),
        ("incident.opened", "pending"),
        ("incident.resolved", "pending"),
        ("report.ready", "pending"),  # the reports step: the demo history's situation report
    ]
    rules = Detection.objects.filter(site__institution__slug=DEMO_SLUG).values("rule_key").distinct().count()
    assert rules > 0
    assert told.count(("traffic.detection", "pending")) == rules  # the analysis round tells each rule once
    assert notification_deliveries_retry_due() == len(told)  # what the worker of `jaga up` does
    assert set(deliveries.values_list("status", flat=True)) == {"sent"}


def _traffic_incidents() -> int:
    from jaga.incidents.models import Incident

    return Incident.objects.filter(site__institution__slug=DEMO_SLUG, cause_key__startswith="traffic:").count()


def test_the_demo_inbox_takes_json_posts_once_the_demo_exists(demo, client: Client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/demo-situs/pesan-masuk/", '{"title": "t"}', content_type="application/json")
    assert response.json() == {"diterima": True}
    assert client.post("/demo-situs/pesan-masuk/", "bukan json", content_type="application/json").status_code == 400
    assert client.get("/demo-situs/pesan-masuk/").status_code == 405
