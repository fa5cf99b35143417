"""The incidents pages: the list per institution and per site, reporting a problem, the incident page with its
timeline and the person's actions (acknowledge, notes, state, escalation, vendor ticket, review), attachments.
Every object is fetched through the permission helper; every change is a service call."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jaga.core.forms import form_errors_add
from jaga.core.models import Institution, Site
from jaga.core.permissions import get_for_user, user_can
from jaga.incidents.forms import (
    EntryForm,
    EscalateForm,
    FilterForm,
    ManualIncidentForm,
    ReviewForm,
    StateForm,
    VendorTicketForm,
)
from jaga.incidents.models import Incident, Tier, TimelineEntry
from jaga.incidents.selectors import (
    diagnostics_overview,
    duration_minutes,
    incident_actions,
    incident_detail,
    incidents_for,
    runbooks_for,
    timeline_for,
)
from jaga.incidents.services.diagnostics import incident_diagnosable, incident_diagnostics_request
from jaga.incidents.services.escalation import incident_escalate, incident_vendor_set
from jaga.incidents.services.vendors import incident_review_save
from jaga.incidents.services.workflow import (
    IncidentConflict,
    incident_acknowledge,
    incident_entry_add,
    incident_may_act,
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
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Insiden #%(pk)s dibuka.") % {"pk": incident.pk})
            return redirect(incident.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    context = {"institution": site.institution, "site": site, "form": form}
    return render(request, "incidents/new.html", context, status=status)


def _detail_context(request: HttpRequest, incident: Incident, **forms: Any) -> dict[str, Any]:
    language = get_language() or "id"
    actions = incident_actions(user=request.user, incident=incident)
    if actions["may_act"]:
        forms.setdefault("entry_form", EntryForm())
        forms.setdefault("state_form", StateForm(initial={"version": incident.version}))
        state_field: Any = forms["state_form"].fields["to_state"]
        state_field.choices = actions["moves"]
        if incident.tier < Tier.VENDOR:
            forms.setdefault("escalate_form", EscalateForm(incident=incident))
        else:
            initial = {"vendor": incident.vendor_id, "vendor_ticket": incident.vendor_ticket}
            forms.setdefault("vendor_form", VendorTicketForm(incident=incident, initial=initial))
    if incident.review_needed and incident_may_act(user=request.user, incident=incident):
        forms.setdefault("review_form", ReviewForm())
    return {
        "institution": incident.site.institution,
        "site": incident.site,
        "incident": incident,
        "timeline": timeline_for(incident=incident),
        "runbooks": [
            {"runbook": r, "title": r.title(language), "steps": r.steps(language)}
            for r in runbooks_for(incident=incident)
        ],
        "minutes_to_acknowledge": duration_minutes(incident.opened_at, incident.acknowledged_at),
        "minutes_to_resolve": duration_minutes(incident.opened_at, incident.resolved_at),
        "may_diagnose": actions["may_act"] and incident.is_open and incident_diagnosable(incident=incident),
        "diagnostics": diagnostics_overview(incident=incident) if incident_diagnosable(incident=incident) else None,
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
def incident_diagnose_view(request: HttpRequest, slug: str, incident_id: int) -> HttpResponse:
    incident = _incident(request, slug, incident_id)
    incident_diagnostics_request(incident=incident, user=request.user)
    messages.success(request, _("Diagnosis dijalankan di latar belakang; hasilnya muncul di linimasa."))
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
            form_errors_add(form, exc)
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
            form_errors_add(form, exc)
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


def _change(
    request: HttpRequest, incident: Incident, form: Any, context_key: str, apply: Any, done: str
) -> HttpResponse:
    """Validate ``form``, run ``apply(data)`` (a service call), and answer like the other actions."""
    if form.is_valid():
        try:
            apply(form.cleaned_data)
        except IncidentConflict as exc:
            messages.error(request, str(exc))
            return redirect(incident.get_absolute_url())
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, done)
            return redirect(incident.get_absolute_url())
    context = _detail_context(request, incident, **{context_key: form})
    return render(request, "incidents/detail.html", context, status=400)


@login_required
@require_POST
def incident_escalate_view(request: HttpRequest, slug: str, incident_id: int) -> HttpResponse:
    incident = _incident(request, slug, incident_id)
    form = EscalateForm(request.POST, incident=incident)
    return _change(
        request, incident, form, "escalate_form",
        lambda data: incident_escalate(
            incident=incident, user=request.user, to_tier=data["to_tier"], reason=data["reason"],
            vendor=data.get("vendor"), vendor_ticket=data.get("vendor_ticket") or "",
        ),
        _("Insiden dieskalasi."),
    )  # fmt: skip


@login_required
@require_POST
def incident_vendor_view(request: HttpRequest, slug: str, incident_id: int) -> HttpResponse:
    incident = _incident(request, slug, incident_id)
    form = VendorTicketForm(request.POST, incident=incident)
    return _change(
        request, incident, form, "vendor_form",
        lambda data: incident_vendor_set(
            incident=incident, user=request.user, vendor=data.get("vendor"),
            vendor_ticket=data.get("vendor_ticket") or "",
        ),
        _("Vendor dan tiket disimpan."),
    )  # fmt: skip


@login_required
@require_POST
def incident_review_view(request: HttpRequest, slug: str, incident_id: int) -> HttpResponse:
    incident = _incident(request, slug, incident_id)
    form = ReviewForm(request.POST)
    return _change(
        request, incident, form, "review_form",
        lambda data: incident_review_save(incident=incident, user=request.user, **data),
        _("Tinjauan pasca-insiden disimpan."),
    )  # fmt: skip
