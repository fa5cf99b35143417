from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jaga.core.forms import AuditFilterForm
from jaga.core.models import Role
from jaga.core.permissions import user_can, user_roles
from jaga.core.selectors import audit_events_for
from jaga.core.views.common import institution_for

PAGE_SIZE = 50


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@login_required
def audit_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The institution's audit trail: administrators and auditors only."""
    institution = institution_for(request, slug)
    user = request.user
    if not (user_can(user, institution, "admin") or Role.AUDITOR in user_roles(user, institution)):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None, institution=institution)
    actor_id = date_from = date_to = None
    if form.is_valid():
        data = form.cleaned_data
        actor_id = data["actor"].pk if data.get("actor") else None
        date_from = _day_start(data["date_from"]) if data.get("date_from") else None
        date_to = _day_start(data["date_to"] + datetime.timedelta(days=1)) if data.get("date_to") else None
    events = audit_events_for(institution=institution, actor_id=actor_id, date_from=date_from, date_to=date_to)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_list.html",
        {"institution": institution, "form": form, "page": page, "query": query.urlencode()},
    )
