"""Expiry found automatically: a renewal moves the date forward, no stale date survives (Uptime Kuma #7189),
an override yields to a later looked-up date, a TLS certificate is read from its monitor, reminders are sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from jaga.core import clock
from jaga.renewals.models import CaseState, CaseStep, RenewalCase, StepAction
from jaga.renewals.services.daily import reminder_due, renewals_daily_run
from jaga.renewals.services.register import service_create, service_expiry_check, service_override_set
from jaga.renewals.services.workflow import case_open
from jaga.renewals.tests.rdap_server import Registry, pandi_domain
from jaga.renewals.tests.test_workflow import CHAIN, take

pytestmark = pytest.mark.django_db


def stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T23:59:59Z"


@pytest.fixture
def domain(institution: Any, site: Any, registry: Registry) -> Any:
    soon = clock.today("Asia/Jakarta") + dt.timedelta(days=20)
    registry.domain("pn-bangil.go.id", pandi_domain("pn-bangil.go.id", expires=stamp(soon)))
    return service_create(
        institution=institution, sites=[site], kind="domain", name="Domain pn-bangil.go.id",
        identifier="https://www.PN-Bangil.go.id/", rdap_url=registry.url,
    )  # fmt: skip


def test_the_identifier_is_stored_as_a_domain_name(domain: Any) -> None:
    assert domain.identifier == "pn-bangil.go.id"  # the registry's name, not the site's www address
    assert service_expiry_check(service=domain).status == "found"  # so the registry, which knows no www, answers


def test_a_renewal_at_the_registry_moves_the_date_forward_at_the_next_daily_run(
    institution: Any, site: Any, registry: Registry, people: dict[str, Any]
) -> None:
    """Uptime Kuma #7189: the old date was kept after the renewal. Here the next run after the registry
    changed shows the new date, the paid case is renewed by itself, and nothing else is needed."""
    today = clock.today("Asia/Jakarta")
    old, new = today + dt.timedelta(days=10), today + dt.timedelta(days=375)
    registry.domain("pn-bangil.go.id", pandi_domain("pn-bangil.go.id", expires=stamp(old)))
    service = service_create(institution=institution, sites=[site], kind="domain", name="Domain",
                             identifier="pn-bangil.go.id", rdap_url=registry.url)  # fmt: skip
    renewals_daily_run(institution=institution)
    service.refresh_from_db()
    assert service.expires_on == old
    case = RenewalCase.objects.get(service=service)
    for action, role, _other in CHAIN[:5]:  # up to paid
        case = take(case, action, people[role])
    assert case.state == CaseState.PAID
    registry.domain("pn-bangil.go.id", pandi_domain("pn-bangil.go.id", expires=stamp(new)))  # renewed there
    with clock.travel(dt.timedelta(days=1)):
        renewals_daily_run(institution=institution)
    service.refresh_from_db()
    case.refresh_from_db()
    assert service.expires_on == new
    assert case.state == CaseState.RENEWED
    assert case.expires_on_after == new
    assert case.renewal_source == "rdap"
    assert CaseStep.objects.filter(case=case, action=StepAction.RENEW, actor__isnull=True).exists()


def test_a_renewal_is_not_missed_when_the_cached_date_is_still_in_the_future(
    institution: Any, site: Any, registry: Registry
) -> None:
    """The cached answer must expire by its age, not by the date it holds (which is still ahead)."""
    today = clock.today("Asia/Jakarta")
    registry.domain("pn-bangil.go.id", pandi_domain("pn-bangil.go.id", expires=stamp(today + dt.timedelta(days=30))))
    service = service_create(institution=institution, sites=[site], kind="domain", name="Domain",
                             identifier="pn-bangil.go.id", rdap_url=registry.url)  # fmt: skip
    service_expiry_check(service=service)
    later = today + dt.timedelta(days=395)
    registry.domain("pn-bangil.go.id", pandi_domain("pn-bangil.go.id", expires=stamp(later)))
    with clock.travel(dt.timedelta(hours=22)):
        service_expiry_check(service=service)
    service.refresh_from_db()
    assert service.expires_on == later


def test_deleting_and_adding_the_service_again_does_not_bring_back_an_old_date(
    institution: Any, site: Any, registry: Registry
) -> None:
    today = clock.today("Asia/Jakarta")
    registry.domain("pn-bangil.go.id", pandi_domain("pn-bangil.go.id", expires=stamp(today + dt.timedelta(days=30))))
    first = service_create(institution=institution, kind="domain", name="D", identifier="pn-bangil.go.id",
                           rdap_url=registry.url)  # fmt: skip
    service_expiry_check(service=first)
    first.delete()
    later = today + dt.timedelta(days=395)
    registry.domain("pn-bangil.go.id", pandi_domain("pn-bangil.go.id", expires=stamp(later)))
    with clock.travel(dt.timedelta(hours=21)):
        again = service_create(institution=institution, kind="domain", name="D", identifier="pn-bangil.go.id",
                               rdap_url=registry.url)  # fmt: skip
        service_expiry_check(service=again)
    again.refresh_from_db()
    assert again.expires_on == later


def test_a_manual_date_holds_until_the_registry_says_later(
    institution: Any, registry: Registry, people: dict[str, Any]
) -> None:
    today = clock.today("Asia/Jakarta")
    registry.domain("ma.go.id", pandi_domain("ma.go.id", expires=None))
    service = service_create(institution=institution, kind="domain", name="D", identifier="ma.go.id",
                             rdap_url=registry.url)  # fmt: skip
    service_expiry_check(service=service, force=True)
    service.refresh_from_db()
    assert service.expires_on is None
    assert service.last_lookup.status == "unknown"
    manual = today + dt.timedelta(days=40)
    service_override_set(service=service, expires_on=manual, reason="Dari tagihan registrar no. 12", by=people["staff"])
    service_expiry_check(service=service, force=True)
    service.refresh_from_db()
    assert service.expires_on == manual
    assert service.expiry_source == "override"
    registry.domain("ma.go.id", pandi_domain("ma.go.id", expires=stamp(today + dt.timedelta(days=400))))
    service_expiry_check(service=service, force=True)
    service.refresh_from_db()
    assert service.expires_on == today + dt.timedelta(days=400)
    assert service.expiry_source == "rdap"
    assert service.override_expires_on is None


def test_a_certificate_is_read_from_the_tls_monitor_without_a_second_fetch(institution: Any, site: Any) -> None:
    from jaga.monitoring.models import CheckResult, Monitor

    monitor = Monitor.objects.create(site=site, name="TLS", kind="tls", config={"host": "pn-bangil.go.id"})
    not_after = clock.now() + dt.timedelta(days=60)
    CheckResult.objects.create(
        monitor=monitor, probe="p1", checked_at=clock.now(), status="up",
        details={"not_after": not_after.isoformat(), "issuer": "CN=R11,O=Let's Encrypt,C=US"},
    )  # fmt: skip
    service = service_create(institution=institution, sites=[site], kind="certificate", name="Sertifikat",
                             identifier="pn-bangil.go.id")  # fmt: skip
    lookup = service_expiry_check(service=service)
    service.refresh_from_db()
    assert lookup is not None
    assert lookup.status == "found"
    assert "Let's Encrypt" in lookup.registrar
    assert service.expires_on == not_after.date()
    assert service.expiry_source == "tls"


def test_a_certificate_without_a_monitor_says_so(institution: Any, site: Any) -> None:
    service = service_create(institution=institution, sites=[site], kind="certificate", name="Sertifikat")
    lookup = service_expiry_check(service=service)
    assert lookup is not None
    assert lookup.status == "failed"
    assert "monitor TLS" in lookup.error


@pytest.mark.parametrize(
    ("days_left", "sent", "expected"),
    [(95, [], None), (90, [], 90), (85, [90], None), (59, [90], 60), (12, [90, 60], 14), (6, [90], 7), (0, [1], None),
     (-3, [90], 1)],
)  # fmt: skip
def test_it_announces_the_nearest_reminder_mark_passed_once(days_left: int, sent: list[int], expected: Any) -> None:
    assert reminder_due(days_left=days_left, sent=sent) == expected


def test_the_daily_run_opens_the_case_at_ninety_days_and_reminds_on_the_marks(
    institution: Any, site: Any, people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    from jaga.core.models import NotificationChannel, NotificationDelivery, NotificationRoute

    channel = NotificationChannel.objects.create(institution=institution, name="Kanal", url="json://127.0.0.1:9/")
    NotificationRoute.objects.create(institution=institution, event_type="renewal.*", role="", channel=channel)
    today = clock.today("Asia/Jakarta")
    service = service_create(institution=institution, sites=[site], kind="connection", name="Koneksi",
                             expires_on=today + dt.timedelta(days=91))  # fmt: skip
    assert renewals_daily_run(institution=institution).opened == 0
    with clock.travel(dt.timedelta(days=1)), django_capture_on_commit_callbacks(execute=True):
        report = renewals_daily_run(institution=institution)
    assert report.opened == 1
    assert report.reminded == 1
    with clock.travel(dt.timedelta(days=2)), django_capture_on_commit_callbacks(execute=True):
        assert renewals_daily_run(institution=institution).reminded == 0
    with clock.travel(dt.timedelta(days=31)), django_capture_on_commit_callbacks(execute=True):
        assert renewals_daily_run(institution=institution).reminded == 1  # the 60-day mark
    case = RenewalCase.objects.get(service=service)
    assert case.reminders_sent == [90, 60]
    assert NotificationDelivery.objects.filter(event_type="renewal.due").count() == 2


def test_a_renewal_by_hand_for_hosting_sets_the_new_date(hosting: Any, people: dict[str, Any]) -> None:
    case = case_open(service=hosting)
    for action, role, _other in CHAIN[:6]:
        case = take(case, action, people[role])
    hosting.refresh_from_db()
    assert case.state == CaseState.RENEWED
    assert hosting.expires_on == case.expires_on_after
    assert hosting.expiry_source == "manual"
