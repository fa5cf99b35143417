"""Each kind announces its own event type, with translated texts, local times and a link to the monitor."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from jaga.core import clock
from jaga.core.models import NotificationChannel, NotificationDelivery, NotificationRoute
from jaga.core.notifications import event_type_get
from jaga.monitoring import announce, services
from jaga.monitoring.kinds import REGISTRY
from jaga.monitoring.kinds.base import CheckOutcome, Finding, Status
from jaga.monitoring.models import Monitor

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 12, 1, 23, 55, tzinfo=dt.UTC)  # 2 December 2026, 06.55 WIB


@pytest.fixture(autouse=True)
def channel(institution: Any, settings: Any) -> NotificationChannel:
    """Every event routed to one channel; sends stay queued (the deliveries are what these tests read)."""
    settings.JAGA_BASE_URL = "https://jaga.pn-bangil.go.id"
    channel = NotificationChannel.objects.create(institution=institution, name="PTIP", url="json://127.0.0.1:9/")
    NotificationRoute.objects.create(institution=institution, event_type="*", channel=channel)
    return channel


def _monitor(site: Any, kind: str, name: str = "Beranda") -> Monitor:
    return Monitor.objects.create(
        site=site, name=name, kind=kind, config={}, failures_before_down=1, status="up", status_since=AT
    )


def _check(monitor: Monitor, status: Status, reason: str, at: dt.datetime, findings: list[Finding] | None = None):  # type: ignore[no-untyped-def]
    outcome = CheckOutcome(status, reason, findings=findings or [])
    record = services.ResultRecord(monitor_id=monitor.pk, probe="bangil-1", checked_at=at, outcome=outcome)
    with clock.frozen(at):
        return services.results_write_batch(records=[record], probe_name="bangil-1")


def _sent() -> list[tuple[str, str]]:
    return list(NotificationDelivery.objects.order_by("id").values_list("event_type", "title"))


def test_a_monitor_that_goes_down_announces_monitor_down_in_words_and_local_time(site: Any) -> None:
    monitor = _monitor(site, "http")
    _check(monitor, Status.DOWN, "HTTP 503 dari http://127.0.0.1:9/", AT)
    delivery = NotificationDelivery.objects.get()
    assert (delivery.event_type, delivery.severity) == ("monitor.down", "failure")
    assert delivery.title == "Beranda TURUN (Situs PN Bangil)"
    assert "HTTP 503 dari http://127.0.0.1:9/" in delivery.body
    assert "Sejak: 2 Desember 2026, 06.55 WIB" in delivery.body
    assert "Probe: bangil-1" in delivery.body
    assert f"https://jaga.pn-bangil.go.id/monitoring/{monitor.pk}/" in delivery.body
    assert delivery.subject == monitor
    assert delivery.site == site


def test_coming_back_up_says_how_long_it_was_down(site: Any) -> None:
    monitor = _monitor(site, "http")
    _check(monitor, Status.DOWN, "HTTP 503", AT)
    _check(monitor, Status.UP, "HTTP 200 dalam 80 ms", AT + dt.timedelta(minutes=25))
    up = NotificationDelivery.objects.get(event_type="monitor.up")
    assert (up.title, up.severity) == ("Beranda NAIK kembali (Situs PN Bangil)", "success")
    assert "Kembali sejak: 2 Desember 2026, 07.20 WIB, setelah 25 menit" in up.body


def test_the_reader_of_an_english_jaga_reads_english(site: Any, settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    _check(_monitor(site, "http"), Status.DOWN, "HTTP 503", AT)
    delivery = NotificationDelivery.objects.get()
    assert delivery.title == "Beranda DOWN (Situs PN Bangil)"
    assert "Since: 2 December 2026, 06:55 WIB" in delivery.body
    assert "Open in Jaga: https://jaga.pn-bangil.go.id/" in delivery.body


def test_stale_content_sends_content_stale_and_its_update_content_fresh(site: Any) -> None:
    monitor = _monitor(site, "freshness", name="Berita")
    stale = Finding("stale", "Konten tidak diperbarui 12 hari (maksimum 7)", "https://pn/berita", "", "warning")
    _check(monitor, Status.DEGRADED, "Basi: pembaruan terakhir 12 hari lalu", AT, [stale])
    _check(monitor, Status.UP, "Segar: pembaruan terakhir 0 hari lalu", AT + dt.timedelta(hours=2))
    assert _sent() == [
        ("content.stale", "Konten Situs PN Bangil tidak diperbarui (Berita)"),
        ("content.fresh", "Konten Situs PN Bangil diperbarui kembali (Berita)"),
    ]
    assert "Konten tidak diperbarui 12 hari" in NotificationDelivery.objects.get(event_type="content.stale").body


def test_a_certificate_near_expiry_sends_tls_expiring_and_critical_days_make_it_a_failure(site: Any) -> None:
    monitor = _monitor(site, "tls", name="Sertifikat")
    expiring = Finding("tls_expiring", "Sertifikat TLS habis dalam 3 hari", "pn:443", "", "critical")
    _check(monitor, Status.DEGRADED, "Sertifikat segera habis", AT, [expiring])
    delivery = NotificationDelivery.objects.get()
    assert (delivery.event_type, delivery.severity) == ("tls.expiring", "failure")


@pytest.mark.parametrize(
    ("codes", "event_type"),
    [
        (["gambling_spam", "unexpected_link"], "integrity.spam"),
        (["defacement", "gambling_spam"], "integrity.defacement"),
        (["cloaking_suspected"], "integrity.cloaking"),
        (["hidden_link"], "integrity.links"),
        (["title_changed"], "integrity.suspicious"),
    ],
)
def test_an_integrity_finding_sends_the_event_of_its_gravest_kind(site: Any, codes: list[str], event_type: str):
    monitor = _monitor(site, "integrity", name="Integritas")
    findings = [Finding(code, f"temuan {code}", f"https://pn/{code}", "bukti") for code in codes]
    _check(monitor, Status.DEGRADED, "temuan integritas", AT, findings)
    delivery = NotificationDelivery.objects.get()
    assert delivery.event_type == event_type
    assert all(f"- temuan {code} (https://pn/{code})" in delivery.body for code in codes)


def test_back_from_an_outage_with_stale_content_says_both(site: Any) -> None:
    monitor = _monitor(site, "freshness", name="Berita")
    _check(monitor, Status.DOWN, "tidak menjawab", AT)
    stale = Finding("stale", "Konten basi", "https://pn/berita", "", "warning")
    _check(monitor, Status.DEGRADED, "Basi", AT + dt.timedelta(minutes=10), [stale])
    assert [event for event, _title in _sent()] == ["monitor.down", "monitor.up", "content.stale"]


def test_a_first_check_that_is_up_says_nothing(site: Any) -> None:
    monitor = Monitor.objects.create(site=site, name="Baru", kind="http", config={}, status="unknown")
    _check(monitor, Status.UP, "HTTP 200", AT)
    assert _sent() == []


def test_every_kind_sends_declared_event_types() -> None:
    for entry in REGISTRY:
        for event_type in announce.kind_events(entry.key).event_types():
            assert event_type_get(event_type) is not None, f"{entry.key}: {event_type} is not declared"


def _new_page(url: str) -> Finding:
    return Finding("new_page", "Halaman baru di sitemap", "https://x/sitemap.xml", url, "warning", [url], True)


def test_a_page_nobody_made_is_announced_once_for_a_person_to_review(site: Any) -> None:
    monitor = _monitor(site, "integrity", name="Integritas konten")
    _check(monitor, Status.DEGRADED, "1 halaman baru", AT, findings=[_new_page("https://x/baru/")])
    delivery = NotificationDelivery.objects.get(event_type="content.review")
    assert delivery.title == "Perlu diperiksa: Halaman baru di sitemap di Situs PN Bangil (Integritas konten)"
    assert "- Halaman baru di sitemap: https://x/baru/" in delivery.body
    assert "Sejak: 2 Desember 2026, 06.55 WIB" in delivery.body
    assert f"https://jaga.pn-bangil.go.id/monitoring/sites/{site.pk}/freshness/" in delivery.body
    assert delivery.subject == monitor
    # Seen again (and again once the sitemap's baseline took it in): no second message; it stays open.
    _check(
        monitor,
        Status.DEGRADED,
        "1 halaman baru",
        AT + dt.timedelta(minutes=5),
        findings=[_new_page("https://x/baru/")],
    )
    _check(monitor, Status.UP, "Tidak ada temuan", AT + dt.timedelta(minutes=10))
    assert NotificationDelivery.objects.filter(event_type="content.review").count() == 1
    from jaga.monitoring.models import Finding as FindingRow

    row = FindingRow.objects.get(monitor=monitor, code="new_page")
    assert (row.resolved_at, row.acknowledged_at) == (None, None)
    # Another page nobody made is another message.
    _check(
        monitor,
        Status.DEGRADED,
        "1 halaman baru",
        AT + dt.timedelta(minutes=15),
        findings=[_new_page("https://x/lain/")],
    )
    assert NotificationDelivery.objects.filter(event_type="content.review").count() == 2


def test_a_finding_that_needs_no_person_sends_no_review(site: Any) -> None:
    monitor = _monitor(site, "integrity", name="Integritas konten")
    plain = Finding("title_changed", "Judul berubah", "https://x/", "Beranda", "warning")
    _check(monitor, Status.DEGRADED, "Judul berubah", AT, findings=[plain])
    assert not NotificationDelivery.objects.filter(event_type="content.review").exists()


def test_the_review_event_is_declared_for_routes() -> None:
    declared = event_type_get("content.review")
    assert declared is not None
    assert declared.severity == "warning"
