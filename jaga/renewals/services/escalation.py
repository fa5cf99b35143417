"""An overdue case escalates to the Sekretaris and opens an incident; an expired service opens another.

- **Overdue** (cause ``renewal-service:<id>:overdue``): the case's deadline (the invoice's due date, or the
  expiry when that comes first) has passed and it is not paid yet. The Sekretaris is told
  (``renewal.overdue``, a failure) once, and the incident is opened for each site the service serves,
  through the incidents app's one door.
- **Expired** (cause ``renewal-service:<id>:expired``): the expiry date has passed and the renewal is not
  confirmed. A TLS certificate is left to the monitoring app's own incident (it watches the live certificate).

Both are incidents of the kind ``renewal_due``; both causes are cleared when the renewal is confirmed
(``case_incidents_clear``).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from jaga.core import clock
from jaga.incidents.services import incident_cause_cleared, incident_open_or_update
from jaga.renewals.models import CaseState, CaseStep, RenewalCase, StepAction
from jaga.renewals.step_notes import step_note

logger = logging.getLogger(__name__)

UNPAID_STATES = (
    CaseState.DUE,
    CaseState.INVOICE_REQUESTED,
    CaseState.INVOICE_RECEIVED,
    CaseState.VERIFIED,
    CaseState.APPROVED,
)
NOT_RENEWED_STATES = (*UNPAID_STATES, CaseState.PAID)
SOURCE = "renewals"
INCIDENT_KIND = "renewal_due"  # the incidents app's kind for both causes; the cause key tells them apart


def cause_key(case: RenewalCase, cause: str = "overdue") -> str:
    """``cause``: ``overdue`` (unpaid past the deadline) or ``expired`` (the service has ended)."""
    return f"renewal-service:{case.service_id}:{cause}"


def _sites(case: RenewalCase) -> list[Any]:
    return list(case.service.sites.filter(is_active=True).order_by("pk"))


def _summary(details: dict[str, Any]) -> str:
    """The incident's stored summary: its title in Indonesian (pages show it in the reader's language)."""
    from jaga.incidents.kinds.renewal_due import incident_title

    with translation.override("id"):
        return incident_title(details, "") or ""


def case_escalate_if_overdue(*, case: RenewalCase, today: dt.date) -> bool:
    """Escalate once when the deadline has passed unpaid; returns whether it did now."""
    deadline = case.deadline
    if case.state not in UNPAID_STATES or deadline is None or deadline >= today or case.escalated_at is not None:
        return False
    now = clock.now()
    if not RenewalCase.objects.filter(pk=case.pk, escalated_at__isnull=True).update(escalated_at=now):
        return False  # another run escalated it meanwhile
    case.escalated_at = now
    late = (today - deadline).days
    CaseStep.objects.create(
        case=case, at=now, action=StepAction.ESCALATE, **step_note("escalated", deadline=deadline, late=late)
    )
    from jaga.renewals.services.workflow import announce, case_notify

    details = {
        "case": case.pk, "deadline": deadline.isoformat(), "days_late": late, "state": case.state,
        "service_name": case.service.name,
    }  # fmt: skip
    for site in _sites(case):
        incident_open_or_update(
            site=site, kind=INCIDENT_KIND, cause_key=cause_key(case, "overdue"), summary=_summary(details),
            details=details, source=SOURCE,
        )  # fmt: skip
    announce(
        lambda: case_notify(
            case=case,
            event="renewal.overdue",
            title=_("TERLAMBAT: perpanjangan %(service)s"),
            body=_("Tenggat %(deadline)s lewat %(late)s hari dan belum dibayar (tahap: %(state)s). Mohon arahan "
                   "Sekretaris."),
            deadline=deadline,
            late=late,
            state=case.get_state_display(),
        )
    )  # fmt: skip
    return True


def case_report_if_expired(*, case: RenewalCase, today: dt.date) -> bool:
    expires = case.service.expires_on
    if case.state not in NOT_RENEWED_STATES or expires is None or expires >= today:
        return False
    if case.service.kind == "certificate":
        return False  # the TLS monitor's own incident covers the live certificate
    first = case.expired_reported_at is None
    now = clock.now()
    if first:
        RenewalCase.objects.filter(pk=case.pk).update(expired_reported_at=now)
        case.expired_reported_at = now
    from jaga.renewals.services.workflow import announce, case_notify

    days = (today - expires).days
    details = {
        "case": case.pk, "days_left": -days, "expired": True, "service": case.service_id,
        "service_name": case.service.name, "expires": expires.isoformat(),
    }  # fmt: skip
    for site in _sites(case):
        incident_open_or_update(
            site=site, kind=INCIDENT_KIND, cause_key=cause_key(case, "expired"), summary=_summary(details),
            details=details, source=SOURCE,
        )  # fmt: skip
    if first:
        announce(
            lambda: case_notify(
                case=case,
                event="renewal.expired",
                title=_("BERAKHIR: %(service)s"),
                body=_("%(service)s berakhir %(expires)s dan belum diperpanjang."),
            )
        )
    return first


def case_incidents_clear(*, case: RenewalCase) -> None:
    if case.escalated_at is None and case.expired_reported_at is None:
        return
    for site in _sites(case):
        for cause in ("overdue", "expired"):
            try:
                incident_cause_cleared(
                    site=site, kind=INCIDENT_KIND, cause_key=cause_key(case, cause), note="perpanjangan dipastikan"
                )
            except Exception:  # an incident app failure must not undo a confirmed renewal
                logger.exception("could not clear the %s incident of case %s", cause, case.pk)
