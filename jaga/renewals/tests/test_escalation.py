"""An overdue case escalates to the Sekretaris once and opens an incident for each site it serves; an expired
service opens another; a confirmed renewal resolves both. A certificate is left to its TLS monitor."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from jaga.core import clock
from jaga.incidents.models import Incident, State
from jaga.renewals.models import CaseState, CaseStep, RenewalCase, StepAction
from jaga.renewals.services.daily import renewals_daily_run
from jaga.renewals.services.escalation import INCIDENT_KIND, cause_key
from jaga.renewals.services.register import service_create
from jaga.renewals.services.workflow import case_open
from jaga.renewals.tests.test_workflow import CHAIN, take

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(institution: Any) -> Any:
    """``renewal.overdue`` and ``renewal.expired`` go to the Sekretaris (the route the docs suggest)."""
    from jaga.core.models import NotificationChannel, NotificationRoute

    channel = NotificationChannel.objects.create(institution=institution, name="Kanal", url="json://127.0.0.1:9/")
    for event in ("renewal.overdue", "renewal.expired"):
        NotificationRoute.objects.create(institution=institution, event_type=event, role="sekretaris", channel=channel)
    return channel


def _deliveries(event: str) -> list[Any]:
    from jaga.core.models import NotificationDelivery

    return list(NotificationDelivery.objects.filter(event_type=event))


def _at_verified(hosting: Any, people: dict[str, Any]) -> RenewalCase:
    """A case whose invoice falls due in 10 days, verified by Finance and waiting for the Sekretaris."""
    case = case_open(service=hosting)
    for action, role, _other in CHAIN[:3]:
        case = take(case, action, people[role])
    assert case.state == CaseState.VERIFIED
    return case


def test_an_unpaid_case_past_its_deadline_escalates_once_to_the_sekretaris_with_an_incident(
    hosting: Any, people: dict[str, Any], site: Any, routed: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = _at_verified(hosting, people)
    with clock.travel(dt.timedelta(days=10)), django_capture_on_commit_callbacks(execute=True):
        assert renewals_daily_run(institution=hosting.institution).escalated == 0  # due today: not late yet
    with clock.travel(dt.timedelta(days=11)), django_capture_on_commit_callbacks(execute=True):
        report = renewals_daily_run(institution=hosting.institution)
    assert report.escalated == 1
    case.refresh_from_db()
    assert case.escalated_at is not None
    assert case.state == CaseState.VERIFIED  # escalation tells; it does not move the case
    incident = Incident.objects.get(kind=INCIDENT_KIND, cause_key=cause_key(case, "overdue"))
    assert incident.site == site
    assert incident.details["days_late"] == 1
    assert "tenggat" in incident.summary
    deadline = dt.date.fromisoformat(incident.details["deadline"])
    assert deadline.isoformat() not in incident.summary  # a date as a person reads it, never 2026-12-01
    from django.utils import translation
    from django.utils.formats import date_format

    with translation.override("en"):
        assert incident.title == (
            f"{hosting.name}: deadline of {date_format(deadline)} passed, at the step {CaseState.VERIFIED.label}"
        )
    with translation.override("id"):
        assert incident.title == incident.summary
        assert f"tenggat {date_format(deadline)} lewat, tahap diverifikasi Keuangan" in incident.title
    (delivery,) = _deliveries("renewal.overdue")
    assert delivery.roles == ["sekretaris"]
    assert delivery.severity == "failure"
    with clock.travel(dt.timedelta(days=12)), django_capture_on_commit_callbacks(execute=True):
        assert renewals_daily_run(institution=hosting.institution).escalated == 0
    assert len(_deliveries("renewal.overdue")) == 1
    assert CaseStep.objects.filter(case=case, action=StepAction.ESCALATE).count() == 1
    assert Incident.objects.filter(kind=INCIDENT_KIND).count() == 1


def test_a_paid_case_is_not_escalated_however_late_the_invoice(
    hosting: Any, people: dict[str, Any], routed: Any
) -> None:
    case = case_open(service=hosting)
    for action, role, _other in CHAIN[:5]:
        case = take(case, action, people[role])
    assert case.state == CaseState.PAID
    with clock.travel(dt.timedelta(days=15)):
        assert renewals_daily_run(institution=hosting.institution).escalated == 0
    assert not Incident.objects.exists()


def test_an_expired_service_opens_a_critical_incident_and_the_renewal_resolves_both(
    hosting: Any, people: dict[str, Any], routed: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = _at_verified(hosting, people)
    with clock.travel(dt.timedelta(days=21)), django_capture_on_commit_callbacks(execute=True):
        report = renewals_daily_run(institution=hosting.institution)
    assert (report.escalated, report.expired) == (1, 1)
    expired = Incident.objects.get(cause_key=cause_key(case, "expired"))
    assert expired.severity == "kritis"  # the kind's rule: an expired service takes the site down
    from django.utils import translation

    with translation.override("en"):
        assert expired.title.startswith(f"{hosting.name} ended on ")
        assert expired.title.endswith(" days ago)")
    assert " berakhir " in expired.summary
    assert expired.details["expires"] not in expired.summary
    assert len(_deliveries("renewal.expired")) == 1
    with clock.travel(dt.timedelta(days=22)), django_capture_on_commit_callbacks(execute=True):
        assert renewals_daily_run(institution=hosting.institution).expired == 0  # told once; the incident repeats
    assert len(_deliveries("renewal.expired")) == 1
    with clock.travel(dt.timedelta(days=23)):
        for action, role, _other in CHAIN[3:6]:  # approved, paid, renewed by hand with evidence
            case = take(case, action, people[role])
    assert case.state == CaseState.RENEWED
    states = set(Incident.objects.filter(kind=INCIDENT_KIND).values_list("state", flat=True))
    assert states == {State.RESOLVED}
    assert Incident.objects.filter(kind=INCIDENT_KIND).count() == 2


def test_a_certificate_past_its_date_is_left_to_its_tls_monitor(
    institution: Any, site: Any, people: dict[str, Any]
) -> None:
    certificate = service_create(institution=institution, sites=[site], kind="certificate", name="Sertifikat",
                                 identifier="pn-bangil.go.id")  # fmt: skip
    certificate.expires_on = clock.today("Asia/Jakarta") - dt.timedelta(days=2)
    certificate.save(update_fields=["expires_on"])
    from jaga.renewals.services.escalation import case_report_if_expired

    case = case_open(service=certificate)
    assert case_report_if_expired(case=case, today=clock.today("Asia/Jakarta")) is False
    assert not Incident.objects.exists()
