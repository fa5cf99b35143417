from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jaga.core.forms import AuditFilterForm
from jaga.core.models import AuditEvent, Role
from jaga.core.permissions import user_can, user_roles
from jaga.core.selectors import audit_events_for
from jaga.core.views.common import institution_for

PAGE_SIZE = 50


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _field_label(model: Any, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name) if model is not None else name
    except FieldDoesNotExist:
        return name


def _change_rows(event: AuditEvent) -> list[tuple[str, Any, Any]]:
    """(the field's label in the reader's language, old, new) for each changed field."""
    model = event.content_type.model_class() if event.content_type is not None else None
    rows = []
    for name, pair in (event.changes or {}).items():
        old, new = [*pair, None, None][:2] if isinstance(pair, list | tuple) else (None, pair)
        rows.append((_field_label(model, name), old, new))
    return rows


@login_required
def audit_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The institution's audit trail: administrators and auditors only."""
    institution = institution_for(request, slug)
    user = request.user
    if not (user_can(user, institution, "admin") or Role.AUDITOR in user_roles(user, institution)):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None, institution=institution)
    actor_id = date_from = date_to = None
    source = ""
    if form.is_valid():
        data = form.cleaned_data
        actor_id = data["actor"].pk if data.get("actor") else None
        source = data.get("source") or ""
        date_from = _day_start(data["date_from"]) if data.get("date_from") else None
        date_to = _day_start(data["date_to"] + datetime.timedelta(days=1)) if data.get("date_to") else None
    events = audit_events_for(
        institution=institution, actor_id=actor_id, date_from=date_from, date_to=date_to, source=source
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.change_rows = _change_rows(event)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_list.html",
        {"institution": institution, "form": form, "page": page, "query": query.urlencode()},
    )
