"""The incidents pages: the list per institution and per site, reporting a problem, the incident page with its
timeline and the person's actions, and attachments. Every object is fetched through the permission helper;
every change is a service call."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jaga.core.models import Institution, Site
from jaga.core.permissions import get_for_user, user_can
from jaga.incidents.forms import EntryForm, FilterForm, ManualIncidentForm, StateForm
from jaga.incidents.models import Incident, TimelineEntry
from jaga.incidents.selectors import (
    duration_minutes,
    incident_actions,
    incident_detail,
    incidents_for,
    timeline_for,
)
from jaga.incidents.services.workflow import (
    IncidentConflict,
    incident_acknowledge,
    incident_entry_add,
    incident_open_manual,
    incident_state_change,
)

PAGE_SIZE = 50


def _institution(request: HttpRequest, slug: str) -> Institution:
    return get_for_user(request.user, Institution, slug=slug)  # type: ignore[arg-type]


def _incident(request: HttpRequest, slug: str, incident_id: int) -> Incident:
    return get_for_user(  # type: ignore[no-any-return]
        request.user,  # type: ignore[arg-type]
        incident_detail(incident_id=incident_id),
        pk=incident_id,
        site__institution__slug=slug,
    )


def _list(request: HttpRequest, institution: Institution, site: Site | None) -> HttpResponse:
    sites = list(Site.objects.filter(institution=institution).order_by("name"))
    form = FilterForm(request.GET or None, sites=sites)
    filters = form.filters()
    if site is not None:
        filters = dataclasses.replace(filters, site_id=site.pk)
    page = Paginator(incidents_for(institution=institution, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    kept = request.GET.copy()
    kept.pop("page", None)
    context = {
        "institution": institution,
        "site": site,
        "form": form,
        "page": page,
        "page_query": kept.urlencode(),
        "can_operate": user_can(request.user, institution, "operate"),  # type: ignore[arg-type]
    }
    return render(request, "incidents/list.html", context)


@login_required
def incident_list(request: HttpRequest, slug: str) -> HttpResponse:
    return _list(request, _institution(request, slug), None)


@login_required
def site_incidents(request: HttpRequest, slug: str, site_id: int) -> HttpResponse:
    site = get_for_user(request.user, Site, pk=site_id, institution__slug=slug)  # type: ignore[arg-type]
    return _list(request, site.institution, site)


def _form_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
def incident_new(request: HttpRequest, slug: str, site_id: int) -> HttpResponse:
    site = get_for_user(request.user, Site, action="operate", pk=site_id, institution__slug=slug)  # type: ignore[arg-type]
    form = ManualIncidentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = incident_open_manual(
                site=site, user=request.user, kind=data["kind"], summary=data["summary"],
                description=data.get("description") or "", severity=data.get("severity") or None,
                upload=data.get("attachment"),
            )  # fmt: skip
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Insiden #%(pk)s dibuka.") % {"pk": incident.pk})
            return redirect(incident.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    context = {"institution": site.institution, "site": site, "form": form}
    return render(request, "incidents/new.html", context, status=status)


def _detail_context(request: HttpRequest, incident: Incident, **forms: Any) -> dict[str, Any]:
    actions = incident_actions(user=request.user, incident=incident)
    if actions["may_act"]:
        forms.setdefault("entry_form", EntryForm())
        forms.setdefault("state_form", StateForm(initial={"version": incident.version}))
        state_field: Any = forms["state_form"].fields["to_state"]
        state_field.choices = actions["moves"]
    return {
        "institution": incident.site.institution,
        "site": incident.site,
        "incident": incident,
        "timeline": timeline_for(incident=incident),
        "minutes_to_acknowledge": duration_minutes(incident.opened_at, incident.acknowledged_at),
        "minutes_to_resolve": duration_minutes(incident.opened_at, incident.resolved_at),
        **actions,
        **forms,
    }


@login_required
def incident_view(request: HttpRequest, slug: str, incident_id: int) -> HttpResponse:
    incident = _incident(request, slug, incident_id)
    return render(request, "incidents/detail.html", _detail_context(request, incident))


@login_required
@require_POST
def incident_acknowledge_view(request: HttpRequest, slug: str, incident_id: int) -> HttpResponse:
    incident = _incident(request, slug, incident_id)
    try:
        incident_acknowledge(incident=incident, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Anda menangani insiden ini."))
    return redirect(incident.get_absolute_url())


@login_required
@require_POST
def incident_entry_view(request: HttpRequest, slug: str, incident_id: int) -> HttpResponse:
    incident = _incident(request, slug, incident_id)
    form = EntryForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            incident_entry_add(
                incident=incident, user=request.user, kind=data["kind"], text=data.get("text") or "",
                is_alternative=bool(data.get("is_alternative")), worked=form.worked_value(),
                is_public=bool(data.get("is_public")), public_text=data.get("public_text") or "",
                upload=data.get("attachment"),
            )  # fmt: skip
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Entri ditambahkan ke linimasa."))
            return redirect(incident.get_absolute_url())
    return render(request, "incidents/detail.html", _detail_context(request, incident, entry_form=form), status=400)


@login_required
@require_POST
def incident_state_view(request: HttpRequest, slug: str, incident_id: int) -> HttpResponse:
    incident = _incident(request, slug, incident_id)
    form = StateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            changed = incident_state_change(
                incident=incident, user=request.user, to_state=data["to_state"], note=data.get("note") or "",
                version=data["version"],
            )  # fmt: skip
        except IncidentConflict as exc:
            messages.error(request, str(exc))
            return redirect(incident.get_absolute_url())
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Status insiden: %(state)s.") % {"state": changed.get_state_display()})
            return redirect(incident.get_absolute_url())
    context = _detail_context(request, incident, state_form=form)
    state_field: Any = form.fields["to_state"]
    state_field.choices = context["moves"] or state_field.choices
    return render(request, "incidents/detail.html", context, status=400)


@login_required
def attachment_download(request: HttpRequest, slug: str, entry_id: int) -> FileResponse:
    entry = get_for_user(  # type: ignore[misc]
        request.user,  # type: ignore[arg-type]
        TimelineEntry.objects.select_related("incident__site__institution"),
        pk=entry_id,
        incident__site__institution__slug=slug,
    )
    if not entry.attachment:
        raise Http404
    name = entry.data.get("file_name") or str(entry.attachment.name).rsplit("/", 1)[-1]
    response = FileResponse(entry.attachment.open("rb"), as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
