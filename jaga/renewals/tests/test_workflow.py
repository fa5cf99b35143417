"""The case workflow: each step by the role that may take it and one that may not, rejections, conflicts."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jaga.core import clock
from jaga.renewals.models import CaseState, CaseStep, Document, RenewalCase, StepAction
from jaga.renewals.services.workflow import CaseConflict, case_open, case_reject, case_step_take
from jaga.renewals.tests.conftest import pdf

pytestmark = pytest.mark.django_db

# (action, the role that takes it, a role that may not, what it needs)
CHAIN = [
    (StepAction.REQUEST_INVOICE, "staff", "umum"),
    (StepAction.RECEIVE_INVOICE, "staff", "sekretaris"),
    (StepAction.VERIFY, "umum", "staff"),
    (StepAction.APPROVE, "sekretaris", "umum"),
    (StepAction.PAY, "umum", "ptip"),
    (StepAction.RENEW, "staff", "auditor"),
    (StepAction.CLOSE, "staff", "sekretaris"),
]


def needs(action: str, case: RenewalCase) -> dict[str, Any]:
    if action == StepAction.RECEIVE_INVOICE:
        return {"upload": pdf("tagihan.pdf"), "invoice_number": "INV/2026/117", "invoice_amount": Decimal("1500000"),
                "invoice_due_on": clock.now().date() + dt.timedelta(days=10)}  # fmt: skip
    if action == StepAction.PAY:
        return {"upload": pdf("bukti-bayar.pdf")}
    if action == StepAction.RENEW:
        assert case.expires_on_before is not None
        return {"upload": pdf("bukti-perpanjangan.pdf"), "expires_on": case.expires_on_before + dt.timedelta(days=365)}
    return {}


def take(case: RenewalCase, action: str, user: Any, **extra: Any) -> RenewalCase:
    case.refresh_from_db()
    return case_step_take(case=case, action=action, user=user, version=case.version, **{**needs(action, case), **extra})


@pytest.mark.parametrize(("index", "action", "role", "refused_role"), [(i, *step) for i, step in enumerate(CHAIN)])
def test_each_step_is_taken_by_its_role_and_refused_to_another(
    hosting: Any, people: dict[str, Any], index: int, action: str, role: str, refused_role: str
) -> None:
    case = case_open(service=hosting)
    for earlier, earlier_role, _other in CHAIN[:index]:
        case = take(case, earlier, people[earlier_role])
    with pytest.raises(PermissionDenied):
        take(case, action, people[refused_role])
    assert RenewalCase.objects.get(pk=case.pk).state == case.state  # nothing moved
    moved = take(case, action, people[role])
    step = next(s for s in CaseStep.objects.filter(case=case).order_by("-pk") if s.action == action)
    assert step.actor == people[role]
    assert moved.state != case.state


def test_a_whole_case_from_due_to_closed_lands_in_the_sop_ledger_with_its_evidence(
    hosting: Any, people: dict[str, Any]
) -> None:
    from jaga.sop.models import LedgerEntry

    case = case_open(service=hosting)
    for action, role, _other in CHAIN:
        case = take(case, action, people[role])
    assert case.state == CaseState.CLOSED
    hosting.refresh_from_db()
    assert hosting.expires_on == case.expires_on_after
    entry = LedgerEntry.objects.get(activity_key="renewal")
    assert entry.output == case
    assert entry.outcome == "success"
    assert entry.performed_by == people["staff"]
    assert sorted(e.original_name for e in entry.evidence.all()) == [
        "bukti-bayar.pdf", "bukti-perpanjangan.pdf", "tagihan.pdf",
    ]  # fmt: skip


def test_an_administrator_may_stand_in_but_the_verifier_may_not_also_approve(
    hosting: Any, people: dict[str, Any]
) -> None:
    case = case_open(service=hosting)
    for action in (StepAction.REQUEST_INVOICE, StepAction.RECEIVE_INVOICE, StepAction.VERIFY):
        case = take(case, action, people["admin"])
    with pytest.raises(PermissionDenied, match="empat mata"):
        take(case, StepAction.APPROVE, people["admin"])
    assert take(case, StepAction.APPROVE, people["sekretaris"]).state == CaseState.APPROVED


def test_a_rejected_invoice_goes_back_with_its_reason_and_a_new_one_replaces_it(
    hosting: Any, people: dict[str, Any]
) -> None:
    case = case_open(service=hosting)
    case = take(case, StepAction.REQUEST_INVOICE, people["staff"])
    case = take(case, StepAction.RECEIVE_INVOICE, people["staff"])
    with pytest.raises(PermissionDenied):
        case_reject(case=case, user=people["staff"], version=case.version, reason="salah")
    with pytest.raises(ValidationError):
        case_reject(case=case, user=people["umum"], version=case.version, reason="  ")
    case = case_reject(case=case, user=people["umum"], version=case.version, reason="Nominal tidak sesuai kontrak")
    assert case.state == CaseState.INVOICE_REQUESTED
    rejection = CaseStep.objects.get(case=case, action=StepAction.REJECT)
    assert rejection.note == "Nominal tidak sesuai kontrak"
    assert rejection.actor == people["umum"]
    case = take(case, StepAction.RECEIVE_INVOICE, people["staff"], invoice_amount=Decimal("1250000"))
    invoices = Document.objects.filter(case=case, kind="invoice").order_by("pk")
    assert [d.superseded for d in invoices] == [True, False]  # the first is kept, marked as replaced
    case = take(case, StepAction.VERIFY, people["umum"])
    case = case_reject(case=case, user=people["sekretaris"], version=case.version, reason="Mohon rincian biaya")
    assert case.state == CaseState.INVOICE_RECEIVED  # back to Finance, not to the start
    assert take(case, StepAction.VERIFY, people["umum"]).state == CaseState.VERIFIED


def test_of_two_people_acting_on_the_same_case_one_wins_and_the_other_is_told(
    hosting: Any, people: dict[str, Any]
) -> None:
    case = case_open(service=hosting)
    case = take(case, StepAction.REQUEST_INVOICE, people["staff"])
    case = take(case, StepAction.RECEIVE_INVOICE, people["staff"])
    read_by_both = RenewalCase.objects.get(pk=case.pk)
    case_reject(case=read_by_both, user=people["umum"], version=read_by_both.version, reason="salah alamat")
    with pytest.raises(CaseConflict, match="baru saja diubah oleh umum"):
        case_step_take(case=read_by_both, action=StepAction.VERIFY, user=people["admin"], version=read_by_both.version)
    assert CaseStep.objects.filter(case=case, action=StepAction.VERIFY).count() == 0


def test_a_lost_race_stores_nothing_of_the_loser_not_even_the_file(hosting: Any, people: dict[str, Any]) -> None:
    case = case_open(service=hosting)
    case = take(case, StepAction.REQUEST_INVOICE, people["staff"])
    stale_version = case.version
    take(case, StepAction.RECEIVE_INVOICE, people["admin"])
    files_before = sorted(d.file.name for d in Document.objects.all())
    with pytest.raises(CaseConflict):
        case_step_take(
            case=RenewalCase.objects.get(pk=case.pk), action=StepAction.RECEIVE_INVOICE, user=people["staff"],
            version=stale_version, **needs(StepAction.RECEIVE_INVOICE, case),
        )  # fmt: skip
    assert sorted(d.file.name for d in Document.objects.all()) == files_before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_threads_taking_the_same_step_at_once_make_one_step_on_postgresql(
    hosting: Any, people: dict[str, Any]
) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL run (make test-postgres): threads need a server database")
    case = case_open(service=hosting)
    case = take(case, StepAction.REQUEST_INVOICE, people["staff"])
    case = take(case, StepAction.RECEIVE_INVOICE, people["staff"])
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def verify(user: Any) -> None:
        from django.db import connection

        start.wait()
        try:
            case_step_take(case=case, action=StepAction.VERIFY, user=user, version=case.version)
            outcomes.append("won")
        except CaseConflict:
            outcomes.append("conflict")
        except Exception as exc:
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=verify, args=(people[name],)) for name in ("umum", "admin")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["conflict", "won"]
    assert CaseStep.objects.filter(case=case, action=StepAction.VERIFY).count() == 1


def test_a_renewal_by_hand_needs_a_later_date_and_evidence(hosting: Any, people: dict[str, Any]) -> None:
    case = case_open(service=hosting)
    for action, role, _other in CHAIN[:5]:
        case = take(case, action, people[role])
    with pytest.raises(ValidationError) as error:
        case_step_take(case=case, action=StepAction.RENEW, user=people["staff"], version=case.version,
                       expires_on=case.expires_on_before)  # fmt: skip
    assert set(error.value.error_dict) == {"upload", "expires_on"}


ROLES = ("staff", "ptip", "umum", "sekretaris", "admin", "auditor")
EXECUTORS = {StepAction.REQUEST_INVOICE: "staff", StepAction.RECEIVE_INVOICE: "staff", StepAction.VERIFY: "umum",
             StepAction.APPROVE: "sekretaris", StepAction.PAY: "umum", StepAction.RENEW: "staff",
             StepAction.CLOSE: "staff"}  # fmt: skip


@pytest.mark.parametrize("index", range(len(CHAIN)))
def test_every_role_but_the_executor_and_the_administrator_is_refused_each_step(
    hosting: Any, people: dict[str, Any], index: int
) -> None:
    from jaga.renewals.services.workflow import STEPS, step_allowed

    case = case_open(service=hosting)
    for earlier, earlier_role, _other in CHAIN[:index]:
        case = take(case, earlier, people[earlier_role])
    action = CHAIN[index][0]
    may = {EXECUTORS[action], "admin"}
    for role in ROLES:
        assert step_allowed(user=people[role], case=case, step=STEPS[action]) is (role in may), role
        if role not in may:
            with pytest.raises(PermissionDenied):
                take(case, action, people[role])
    assert RenewalCase.objects.get(pk=case.pk).version == case.version  # no refusal touched the case
    assert take(case, action, people[EXECUTORS[action]]).state == STEPS[action].to_state


# (the stage it is rejected at, who rejects, where it goes back to)
REJECTED_AT = [
    (3, "umum", CaseState.INVOICE_REQUESTED),  # Finance: the invoice is wrong
    (4, "sekretaris", CaseState.INVOICE_RECEIVED),  # the Sekretaris: back to Finance
    (6, "staff", CaseState.APPROVED),  # Staff: the provider has not received the payment
]


@pytest.mark.parametrize(("steps_done", "rejecter", "back_to"), REJECTED_AT)
def test_each_rejection_is_only_its_roles_carries_its_reason_and_goes_back_one_step(
    hosting: Any, people: dict[str, Any], steps_done: int, rejecter: str, back_to: str,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    from jaga.core.models import NotificationChannel, NotificationDelivery, NotificationRoute
    from jaga.renewals.services.workflow import rejection_allowed

    channel = NotificationChannel.objects.create(institution=hosting.institution, name="K", url="json://127.0.0.1:9/")
    NotificationRoute.objects.create(institution=hosting.institution, event_type="renewal.rejected", channel=channel)
    case = case_open(service=hosting)
    for action, role, _other in CHAIN[: steps_done - 1]:
        case = take(case, action, people[role])
    for role in ROLES:
        assert rejection_allowed(user=people[role], case=case) is (role in {rejecter, "admin"}), role
        if role not in {rejecter, "admin"}:
            with pytest.raises(PermissionDenied):
                case_reject(case=case, user=people[role], version=case.version, reason="tidak")
    with django_capture_on_commit_callbacks(execute=True):
        moved = case_reject(case=case, user=people[rejecter], version=case.version, reason="Alasan yang jelas")
    assert moved.state == back_to
    step = CaseStep.objects.filter(case=case).latest("pk")
    assert (step.action, step.from_state, step.to_state, step.note, step.actor) == (
        StepAction.REJECT, case.state, back_to, "Alasan yang jelas", people[rejecter],
    )  # fmt: skip
    (delivery,) = NotificationDelivery.objects.filter(event_type="renewal.rejected")
    assert "Alasan yang jelas" in delivery.body


def test_no_rejection_where_there_is_nothing_to_send_back(hosting: Any, people: dict[str, Any]) -> None:
    case = case_open(service=hosting)
    with pytest.raises(CaseConflict, match="tidak dapat ditolak"):
        case_reject(case=case, user=people["admin"], version=case.version, reason="x")


def test_each_step_tells_the_role_that_acts_next(
    hosting: Any, people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    from jaga.core.models import NotificationChannel, NotificationDelivery, NotificationRoute

    channel = NotificationChannel.objects.create(institution=hosting.institution, name="K", url="json://127.0.0.1:9/")
    NotificationRoute.objects.create(institution=hosting.institution, event_type="renewal.*", channel=channel)
    case = case_open(service=hosting)
    for action, role, _other in CHAIN:
        with django_capture_on_commit_callbacks(execute=True):
            case = take(case, action, people[role])
    events = list(NotificationDelivery.objects.order_by("pk").values_list("event_type", flat=True))
    assert events == ["renewal.verification_needed", "renewal.approval_needed", "renewal.payment_needed",
                      "renewal.paid", "renewal.renewed", "renewal.closed"]  # fmt: skip
    verification = NotificationDelivery.objects.get(event_type="renewal.verification_needed")
    assert "INV/2026/117" in verification.body
    assert "1.500.000" in verification.body
