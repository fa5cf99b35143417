from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from jaga.core import clock
from jaga.core.models import Institution, Site
from jaga.core.permissions import get_for_user, user_can
from jaga.sop.forms import LedgerRecordForm, PeriodForm
from jaga.sop.models import EvidenceFile, LegalBasis
from jaga.sop.selectors import (
    activity_compliance,
    activity_status_list,
    activity_status_lists_by_site,
    sop_for_institution,
)
from jaga.sop.services import ledger_record
from jaga.sop.tiles import statuses_with_lines

DEFAULT_PERIOD_DAYS = 30


def _institution(request: HttpRequest, slug: str, action: str = "view") -> Institution:
    return get_for_user(request.user, Institution, action=action, slug=slug)  # type: ignore[arg-type]


def _today(institution: Institution) -> dt.date:
    return timezone.localtime(clock.now(), ZoneInfo(institution.time_zone)).date()


@login_required
def institution_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    institution = _institution(request, slug)
    now = clock.now()
    sites = list(Site.objects.filter(institution=institution, is_active=True))
    per_site = activity_status_lists_by_site(institution=institution, sites=sites, now=now)
    context = {
        "institution": institution,
        "sop": sop_for_institution(institution=institution),
        "statuses": statuses_with_lines(
            activity_status_list(institution=institution, now=now), institution=institution
        ),
        "site_statuses": [(site, per_site[site.pk]) for site in sites],
        "can_operate": user_can(request.user, institution, "operate"),  # type: ignore[arg-type]
    }
    return render(request, "sop/institution_dashboard.html", context)


@login_required
def site_dashboard(request: HttpRequest, slug: str, site_id: int) -> HttpResponse:
    site = get_for_user(request.user, Site, pk=site_id, institution__slug=slug)  # type: ignore[arg-type]
    institution = site.institution
    context = {
        "institution": institution,
        "site": site,
        "sop": sop_for_institution(institution=institution),
        "statuses": statuses_with_lines(
            activity_status_list(institution=institution, site=site), institution=institution, site=site
        ),
        "can_operate": user_can(request.user, institution, "operate"),  # type: ignore[arg-type]
    }
    return render(request, "sop/site_dashboard.html", context)


@login_required
def sop_detail(request: HttpRequest, slug: str) -> HttpResponse:
    institution = _institution(request, slug)
    sop = sop_for_institution(institution=institution)
    context = {
        "institution": institution,
        "sop": sop,
        "legal_bases": sop.legal_bases.select_related("replaced_by").prefetch_related(
            Prefetch("replaces", queryset=LegalBasis.objects.order_by("order"))
        ),
        "qualifications": sop.qualifications.all(),
        "equipment": sop.equipment.all(),
        "activities": sop.activities.order_by("number"),
        "related_sops": [line for line in sop.related_sops.splitlines() if line.strip()],
    }
    return render(request, "sop/sop_detail.html", context)


@dataclass(frozen=True)
class Bar:
    day: dt.date
    count: int
    y: float  # top of the bar in a 0..100 box
    height: float
    labelled: bool  # its date is written under it


@dataclass(frozen=True)
class BarChart:
    maximum: int
    bars: list[Bar]


def bar_chart(per_day: list[tuple[dt.date, int]]) -> BarChart:
    """One bar per day scaled to the busiest day, each with its date on hover and under every week's last day.

    Drawn as one small SVG per day in an HTML row (see compliance.html), so the dates stay readable text at
    any width instead of being squeezed with the chart.
    """
    maximum = max((count for _day, count in per_day), default=0)
    step = 1 if len(per_day) <= 10 else 7
    last = len(per_day) - 1
    bars = []
    for index, (day, count) in enumerate(per_day):
        bar_height = round((count / maximum) * 98, 2) if maximum else 0
        bars.append(
            Bar(
                day=day,
                count=count,
                y=round(100 - bar_height, 2),
                height=bar_height,
                labelled=(last - index) % step == 0,
            )
        )
    return BarChart(maximum=maximum, bars=bars)


@login_required
def compliance(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    institution = _institution(request, slug)
    sop = sop_for_institution(institution=institution)
    if not sop.activities.filter(number=number).exists():
        raise Http404
    end = _today(institution)
    start = end - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    form = PeriodForm(request.GET or None, initial={"dari": start, "sampai": end})
    if form.is_bound and form.is_valid():
        start = form.cleaned_data.get("dari") or start
        end = form.cleaned_data.get("sampai") or max(end, start)
        if (end - start).days >= PeriodForm.MAX_DAYS:
            start = end - dt.timedelta(days=PeriodForm.MAX_DAYS - 1)
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    result = activity_compliance(institution=institution, activity_number=number, start=start, end=end, page=page)
    kept = request.GET.copy()
    kept.pop("page", None)
    context = {
        "page_query": kept.urlencode(),
        "institution": institution,
        "sop": sop,
        "form": form,
        "compliance": result,
        "chart": bar_chart(result.per_day),
        "can_operate": user_can(request.user, institution, "operate"),  # type: ignore[arg-type]
    }
    return render(request, "sop/compliance.html", context)


@login_required
def record(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    institution = _institution(request, slug, action="operate")
    sop = sop_for_institution(institution=institution)
    activity = sop.activities.filter(number=number).first()
    if activity is None:
        raise Http404
    # Times typed in the form are the institution's wall-clock times.
    with timezone.override(ZoneInfo(institution.time_zone)):
        if request.method == "POST":
            form = LedgerRecordForm(request.POST, request.FILES, institution=institution)
            if form.is_valid():
                data = form.cleaned_data
                ledger_record(
                    activity=activity,
                    institution=institution,
                    site=data["site"],
                    performed_by=request.user,  # type: ignore[arg-type]
                    started_at=data["started_at"],
                    ended_at=data["ended_at"],
                    outcome=data["outcome"],
                    notes=data["notes"],
                    evidence_files=data["evidence"],
                )
                messages.success(request, _("Pelaksanaan aktivitas %(number)s tercatat.") % {"number": number})
                return redirect("sop:compliance", slug=institution.slug, number=number)
        else:
            now = timezone.localtime().replace(second=0, microsecond=0)
            form = LedgerRecordForm(institution=institution, initial={"started_at": now, "ended_at": now})
        return render(
            request, "sop/record.html", {"institution": institution, "sop": sop, "activity": activity, "form": form}
        )


@login_required
def evidence_download(request: HttpRequest, slug: str, evidence_id: int) -> FileResponse:
    evidence = get_for_user(
        request.user,  # type: ignore[arg-type]
        EvidenceFile.objects.select_related("entry__institution"),
        pk=evidence_id,
        entry__institution__slug=slug,
    )
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=evidence.original_name)
