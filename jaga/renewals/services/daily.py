"""The daily run of each institution (a calendar schedule at 07.00 in its time zone).

For every active service: look the expiry up (automatic kinds, through the cache), open its case when it
ends within 90 days, announce the reminder days (90, 60, 30, 14, 7, 3 and 1 days left; one message for the
nearest mark passed, so a Jaga that was stopped for a week does not send five), escalate an overdue case
and report an expired service. One service that fails is logged and the others go on.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from jaga.core import clock
from jaga.core.models import Institution
from jaga.core.scheduling import Calendar, schedule_ensure
from jaga.renewals.kinds import REGISTRY
from jaga.renewals.models import OPEN_STATES, CaseState, CaseStep, LookupStatus, RenewalCase, Service, StepAction
from jaga.renewals.step_notes import step_note

logger = logging.getLogger(__name__)

REMINDER_DAYS = (90, 60, 30, 14, 7, 3, 1)
OPEN_CASE_DAYS = REMINDER_DAYS[0]
DAILY_AT = "07:00"
TASK_PATH = "jaga.renewals.tasks.renewals_daily"


def schedule_key(institution_id: int) -> str:
    return f"renewals-daily:{institution_id}"


def renewal_schedules_ensure_for(*, institution: Institution) -> None:
    schedule_ensure(
        key=schedule_key(institution.pk),
        task_path=TASK_PATH,
        calendar=Calendar.daily(DAILY_AT),
        kwargs={"institution_id": institution.pk},
        institution=institution,
    )


def renewal_schedules_ensure() -> None:
    """Every institution with a register has its daily run (called when the scheduler starts)."""
    for institution in Institution.objects.filter(renewal_services__isnull=False).distinct():
        renewal_schedules_ensure_for(institution=institution)


@dataclass
class DailyReport:
    checked: int = 0
    opened: int = 0
    reminded: int = 0
    escalated: int = 0
    expired: int = 0
    failed: list[str] = field(default_factory=list)


def reminder_due(*, days_left: int, sent: list[int]) -> int | None:
    """The reminder mark to announce today: the nearest one passed that was not announced yet."""
    passed = [mark for mark in REMINDER_DAYS if days_left <= mark]
    if not passed:
        return None
    nearest = min(passed)
    return None if nearest in sent else nearest


def renewals_daily_run(*, institution: Institution, force_lookup: bool = False) -> DailyReport:
    from jaga.renewals.services.register import local_date, service_expiry_check

    report = DailyReport()
    for service in Service.objects.filter(institution=institution, is_active=True).order_by("pk"):
        try:
            if REGISTRY.get(service.kind).automatic:
                lookup = service_expiry_check(service=service, force=force_lookup)
                report.checked += 1
                if lookup is not None and lookup.status == LookupStatus.FAILED:
                    # The date in force stays (and its reminders go on), but a look-up that failed is no check.
                    report.failed.append(f"{service.name}: {lookup.error}")
                service.refresh_from_db()
            today = local_date(clock.now(), institution)
            _service_day(service=service, today=today, report=report)
        except Exception as exc:  # one bad service must not stop the others' reminders
            logger.exception("renewals: daily run failed for service %s", service.pk)
            report.failed.append(f"{service.name}: {exc}")
    return report


def _service_day(*, service: Service, today: dt.date, report: DailyReport) -> None:
    from jaga.renewals.services.escalation import case_escalate_if_overdue, case_report_if_expired
    from jaga.renewals.services.workflow import announce, case_notify, case_open

    if service.expires_on is None:
        return
    days_left = (service.expires_on - today).days
    case = RenewalCase.objects.filter(service=service, state__in=OPEN_STATES).select_related("institution").first()
    if case is None:
        if days_left > OPEN_CASE_DAYS:
            return
        case = case_open(service=service, **step_note("opened_auto", days=days_left))
        report.opened += 1
    with transaction.atomic():
        if case.state in (CaseState.DUE, CaseState.INVOICE_REQUESTED, CaseState.INVOICE_RECEIVED,
                          CaseState.VERIFIED, CaseState.APPROVED, CaseState.PAID):  # fmt: skip
            mark = reminder_due(days_left=days_left, sent=list(case.reminders_sent))
            if mark is not None:
                RenewalCase.objects.filter(pk=case.pk).update(reminders_sent=[*case.reminders_sent, mark])
                CaseStep.objects.create(
                    case=case, at=clock.now(), action=StepAction.REMINDER,
                    **step_note("reminder", days=days_left, mark=mark),
                )  # fmt: skip
                report.reminded += 1
                left = days_left
                announce(
                    lambda: case_notify(
                        case=case,
                        event="renewal.due",
                        title=_("%(service)s berakhir dalam %(days)s hari"),
                        body=_("Berakhir %(expires)s. Tahap kasus: %(state)s."),
                        days=left,
                        state=case.get_state_display(),
                    )
                )
        if case_escalate_if_overdue(case=case, today=today):
            report.escalated += 1
        if case_report_if_expired(case=case, today=today):
            report.expired += 1
