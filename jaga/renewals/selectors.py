"""Reads of the renewals app: the register, the 12-month timeline, each person's waiting list, the SOP tile."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from jaga.core import clock
from jaga.core.models import Institution
from jaga.renewals.kinds import REGISTRY
from jaga.renewals.models import OPEN_STATES, CaseStep, Document, RenewalCase, Service
from jaga.renewals.services.register import local_date
from jaga.renewals.services.workflow import Step, rejection_allowed, step_allowed, step_for

DUE_WINDOW_DAYS = 90


def today_for(institution: Institution) -> dt.date:
    return local_date(clock.now(), institution)


def services_for(*, institution: Institution, include_inactive: bool = False) -> QuerySet[Service]:
    queryset = Service.objects.filter(institution=institution).prefetch_related("sites").select_related("last_lookup")
    if not include_inactive:
        queryset = queryset.filter(is_active=True)
    open_cases = RenewalCase.objects.filter(state__in=OPEN_STATES)
    return queryset.prefetch_related(Prefetch("cases", queryset=open_cases, to_attr="open_cases"))


@dataclass
class RegisterRow:
    service: Service
    days_left: int | None
    case: RenewalCase | None
    kind_label: str

    @property
    def urgency(self) -> str:
        if self.days_left is None:
            return "unknown"
        if self.days_left < 0:
            return "expired"
        if self.days_left <= 14:
            return "critical"
        if self.days_left <= DUE_WINDOW_DAYS:
            return "due"
        return "ok"


def register_rows(*, institution: Institution, include_inactive: bool = False) -> list[RegisterRow]:
    today = today_for(institution)
    rows = []
    for service in services_for(institution=institution, include_inactive=include_inactive):
        days = (service.expires_on - today).days if service.expires_on else None
        cases = getattr(service, "open_cases", [])
        rows.append(
            RegisterRow(
                service=service,
                days_left=days,
                case=cases[0] if cases else None,
                kind_label=str(REGISTRY.entry(service.kind).label) if service.kind in REGISTRY else service.kind,
            )
        )
    rows.sort(key=lambda r: (r.days_left is None, r.days_left if r.days_left is not None else 0, r.service.name))
    return rows


def due_within(*, institution: Institution, days: int = DUE_WINDOW_DAYS) -> list[RegisterRow]:
    return [
        row for row in register_rows(institution=institution) if row.days_left is not None and row.days_left <= days
    ]


@dataclass
class TimelinePoint:
    service: Service
    day: dt.date
    days_left: int
    kind_label: str


def timeline(*, institution: Institution, months: int = 12) -> tuple[dt.date, dt.date, list[TimelinePoint]]:
    """Every expiry from today to ``months`` ahead (and the ones already past, at the start)."""
    start = today_for(institution)
    end = start + dt.timedelta(days=round(months * 30.44))
    points = []
    for row in register_rows(institution=institution):
        day = row.service.expires_on
        if day is not None and day <= end:
            points.append(TimelinePoint(service=row.service, day=day, days_left=(day - start).days,
                                        kind_label=row.kind_label))  # fmt: skip
    return start, end, points


def case_detail(*, case_id: int) -> QuerySet[RenewalCase]:
    return RenewalCase.objects.select_related("service", "institution", "ledger_entry").prefetch_related(
        Prefetch("steps", queryset=CaseStep.objects.select_related("actor", "document")),
        Prefetch("documents", queryset=Document.objects.select_related("uploaded_by")),
        "service__sites",
    )


def cases_waiting_for(*, user: Any, institution: Institution) -> list[tuple[RenewalCase, Step]]:
    """The open cases whose next step ``user`` may take, with that step, soonest deadline first."""
    cases = RenewalCase.objects.filter(institution=institution, state__in=OPEN_STATES).select_related(
        "service", "institution"
    )
    waiting = []
    for case in cases:
        step = step_for(case)
        if step is not None and step_allowed(user=user, case=case, step=step):
            waiting.append((case, step))
    waiting.sort(key=lambda pair: (pair[0].deadline is None, pair[0].deadline or dt.date.max))
    return waiting


def case_actions(*, user: Any, case: RenewalCase) -> dict[str, Any]:
    step = step_for(case)
    return {
        "step": step,
        "may_step": step is not None and step_allowed(user=user, case=case, step=step),
        "may_reject": rejection_allowed(user=user, case=case),
    }


def sop_tile_lines(*, institution: Institution, site: Any = None, activity_keys: Any = ()) -> dict[str, list[Any]]:
    """The renewal tile of the SOP dashboards: what is due in the next 90 days."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from jaga.sop.tiles import TileLine

    rows = due_within(institution=institution)
    if site is not None:
        rows = [row for row in rows if any(s.pk == site.pk for s in row.service.sites.all())]
    href = reverse("renewals:register", kwargs={"slug": institution.slug})
    if not rows:
        return {"renewal": [TileLine(_("Tidak ada yang berakhir dalam 90 hari."), "ok", href)]}
    lines = []
    for row in rows[:5]:
        days = row.days_left if row.days_left is not None else 0
        text = (
            _("%(service)s: berakhir %(days)s hari lagi") % {"service": row.service.name, "days": days}
            if days >= 0
            else _("%(service)s: sudah berakhir %(days)s hari lalu") % {"service": row.service.name, "days": -days}
        )
        css = "bad" if days < 14 else "warn"
        lines.append(TileLine(text, css, row.service.get_absolute_url()))
    if len(rows) > 5:
        lines.append(TileLine(_("dan %(n)s lainnya") % {"n": len(rows) - 5}, "warn", href))
    return {"renewal": lines}
