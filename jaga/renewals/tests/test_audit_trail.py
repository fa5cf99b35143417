"""Every step of a renewal case is in the audit trail with its actor (issue 10; the trail is issue 6's): a
person on the web, the token's user through the API, Jaga itself for the daily run."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from jaga.core import clock
from jaga.core.audit import actor_system
from jaga.core.models import AuditEvent
from jaga.core.services import api_token_create
from jaga.renewals.models import CaseState, RenewalCase
from jaga.renewals.services.daily import renewals_daily_run
from jaga.renewals.tests.conftest import pdf

pytestmark = pytest.mark.django_db


def _case_states(case: RenewalCase) -> list[tuple[str, str, str, Any]]:
    """(actor, through what, action, the state it moved to) of each audit event of the case, in order."""
    kind = ContentType.objects.get_for_model(RenewalCase)
    events = AuditEvent.objects.filter(content_type=kind, object_id=str(case.pk)).order_by("at", "id")
    return [(e.actor_name, e.via, e.action, (e.changes.get("state") or [None, None])[-1]) for e in events]


def test_each_step_is_in_the_trail_with_who_took_it_and_through_what(
    client: Client, hosting: Any, people: dict[str, Any], institution: Any
) -> None:
    hosting.expires_on = clock.today("Asia/Jakarta") + dt.timedelta(days=60)
    hosting.save()
    with actor_system("worker"):  # the daily run is a task of the long worker
        renewals_daily_run(institution=institution)
    case = RenewalCase.objects.get(service=hosting)
    assert case.state == CaseState.DUE

    client.force_login(people["staff"])  # on the web
    step = reverse("renewals:case_step", kwargs={"slug": institution.slug, "case_id": case.pk})
    assert client.post(step, {"version": case.version, "action": "request_invoice"}).status_code == 302

    case.refresh_from_db()  # through the API, with a token named for the script that uses it
    raw = api_token_create(user=people["staff"], institution=institution, name="skrip-tagihan")[1]
    response = client.post(
        f"/api/renewals/cases/{case.pk}/steps",
        {"action": "receive_invoice", "version": case.version, "invoice_number": "INV/9", "invoice_amount": "1500000",
         "invoice_due_on": (clock.today("Asia/Jakarta") + dt.timedelta(days=10)).isoformat(), "upload": pdf()},
        headers={"Authorization": f"Bearer {raw}"},
    )  # fmt: skip
    assert response.status_code == 200, response.content

    client.force_login(people["umum"])  # a rejection is a step too
    case.refresh_from_db()
    reject = reverse("renewals:case_reject", kwargs={"slug": institution.slug, "case_id": case.pk})
    assert client.post(reject, {"version": case.version, "reason": "nominal salah"}).status_code == 302

    staff = people["staff"].get_username()
    assert [(who, via, state) for who, via, _action, state in _case_states(case)] == [
        ("Jaga", "worker", CaseState.DUE),
        (staff, "", CaseState.INVOICE_REQUESTED),
        (staff, "token: skrip-tagihan", CaseState.INVOICE_RECEIVED),
        (people["umum"].get_username(), "", CaseState.INVOICE_REQUESTED),
    ]
    step = case.steps.get(action="reject")  # the step itself, with its reason, is in the trail too
    event = AuditEvent.objects.get(content_type=ContentType.objects.get_for_model(step), object_id=str(step.pk))
    assert (event.action, event.actor) == ("create", people["umum"])
    assert event.changes["note"][-1] == "nominal salah"
