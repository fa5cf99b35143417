"""``jaga demo`` fills the register through the real code: RDAP over loopback, a running case, an overdue one
escalated with its incident, a closed one."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_shows_a_filled_register_a_case_in_progress_and_a_closed_case_in_the_ledger(demo: Any) -> None:
    from jaga.demo.services import demo_create
    from jaga.renewals.models import CaseState, RenewalCase, Service
    from jaga.sop.models import LedgerEntry

    summary = demo  # the first build of this test worker (conftest.py), its database as that build left it
    assert not [s for s in summary.skipped if "erpanjangan" in s], summary.skipped
    domain = Service.objects.get(kind="domain")
    assert domain.expiry_source == "rdap"
    assert domain.last_lookup is not None
    assert domain.last_lookup.registrar == "Registrar Demo .go.id"
    assert domain.last_lookup.url.startswith("http://127.0.0.1:")
    assert RenewalCase.objects.get(service=domain).state == CaseState.VERIFIED
    closed = RenewalCase.objects.get(state=CaseState.CLOSED)
    entry = LedgerEntry.objects.get(activity_key="renewal", output_object_id=closed.pk)
    assert entry.evidence.count() == 3
    overdue = RenewalCase.objects.get(service__name="Koneksi cadangan (ISP kedua)")
    assert overdue.state == CaseState.INVOICE_RECEIVED
    assert overdue.escalated_at is not None
    from jaga.incidents.models import Incident

    incident = Incident.objects.get(kind="renewal_due")
    assert incident.cause_key == f"renewal-service:{overdue.service_id}:overdue"
    assert Service.objects.count() == 5
    again = demo_create(days=2)  # idempotent
    assert Service.objects.count() == 5
    assert Incident.objects.filter(kind="renewal_due").count() == 1
    assert not [s for s in again.skipped if "erpanjangan" in s]
