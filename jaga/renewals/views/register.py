"""The register: the list with its 12-month timeline, one service's page, its form, look-up and documents."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jaga.core.forms import form_errors_add
from jaga.core.permissions import get_for_user
from jaga.renewals.chart import timeline_chart
from jaga.renewals.forms import DocumentForm, OverrideForm, ServiceForm
from jaga.renewals.kinds import REGISTRY
from jaga.renewals.models import Document, RenewalCase, Service
from jaga.renewals.selectors import cases_waiting_for, register_rows, timeline, today_for
from jaga.renewals.services.register import (
    document_store,
    service_create,
    service_expiry_check,
    service_override_clear,
    service_override_set,
    service_update,
)
from jaga.renewals.services.workflow import case_open
from jaga.renewals.step_notes import step_note
from jaga.renewals.views.common import can, first_error, institution_for


@login_required
def register(request: HttpRequest, slug: str) -> HttpResponse:
    institution = institution_for(request, slug)
    start, end, points = timeline(institution=institution)
    context = {
        "institution": institution,
        "rows": register_rows(institution=institution, include_inactive=request.GET.get("semua") == "1"),
        "chart": timeline_chart(start=start, end=end, points=points),
        "waiting": cases_waiting_for(user=request.user, institution=institution),
        "can_operate": can(request, institution, "operate"),
        "today": today_for(institution),
    }
    return render(request, "renewals/register.html", context)


def _service(request: HttpRequest, slug: str, service_id: int, action: Any = "view") -> Service:
    return get_for_user(  # type: ignore[no-any-return]
        request.user,  # type: ignore[arg-type]
        Service.objects.select_related("institution", "last_lookup"),
        action=action,
        pk=service_id,
        institution__slug=slug,
    )


def _form_values(form: ServiceForm) -> tuple[dict[str, Any], Any]:
    values = dict(form.cleaned_data)
    return values, values.pop("sites", [])


@login_required
def service_create_view(request: HttpRequest, slug: str) -> HttpResponse:
    institution = institution_for(request, slug, "operate")
    form = ServiceForm(request.POST or None, institution=institution)
    if request.method == "POST" and form.is_valid():
        values, sites = _form_values(form)
        try:
            service = service_create(institution=institution, sites=sites, **values)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            if REGISTRY.get(service.kind).automatic:
                service_expiry_check(service=service)
            messages.success(request, _("Layanan %(name)s ditambahkan.") % {"name": service.name})
            return redirect(service.get_absolute_url())
    return render(
        request, "renewals/service_form.html", {"institution": institution, "form": form, "title": _("Tambah layanan")}
    )


@login_required
def service_edit(request: HttpRequest, slug: str, service_id: int) -> HttpResponse:
    service = _service(request, slug, service_id, "operate")
    form = ServiceForm(request.POST or None, instance=service, institution=service.institution)
    if request.method == "POST" and form.is_valid():
        values, sites = _form_values(form)
        service = Service.objects.get(pk=service.pk)  # the form wrote onto its instance already
        try:
            service_update(service=service, sites=sites, **values)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Perubahan disimpan."))
            return redirect(service.get_absolute_url())
    return render(
        request,
        "renewals/service_form.html",
        {"institution": service.institution, "form": form, "title": _("Ubah %(name)s") % {"name": service.name},
         "service": service},
    )  # fmt: skip


@login_required
def service_detail(request: HttpRequest, slug: str, service_id: int) -> HttpResponse:
    service = _service(request, slug, service_id)
    institution = service.institution
    today = today_for(institution)
    context = {
        "institution": institution,
        "service": service,
        "kind": REGISTRY.entry(service.kind),
        "automatic": REGISTRY.get(service.kind).automatic,
        "days_left": (service.expires_on - today).days if service.expires_on else None,
        "lookups": service.lookups.all()[:10],
        "documents": service.documents.select_related("uploaded_by", "case").all(),
        "cases": RenewalCase.objects.filter(service=service).order_by("-opened_at"),
        "open_case": RenewalCase.objects.filter(service=service).exclude(state="closed").first(),
        "can_operate": can(request, institution, "operate"),
        "override_form": OverrideForm(initial={"expires_on": service.override_expires_on or service.expires_on}),
        "document_form": DocumentForm(),
    }
    return render(request, "renewals/service_detail.html", context)


@login_required
@require_POST
def service_check(request: HttpRequest, slug: str, service_id: int) -> HttpResponse:
    service = _service(request, slug, service_id, "operate")
    lookup = service_expiry_check(service=service, force=True)
    if lookup is None:
        messages.info(request, _("Tanggal berakhir layanan ini diisi petugas, bukan diperiksa otomatis."))
    elif lookup.status == "found":
        messages.success(
            request,
            _("Diperiksa: berakhir %(date)s.") % {"date": lookup.expires_at.date() if lookup.expires_at else "-"},
        )
    elif lookup.status == "unknown":
        messages.warning(
            request, _("Diperiksa, tetapi sumbernya tidak memberi tanggal berakhir: %(why)s") % {"why": lookup.error}
        )
    else:
        messages.error(request, _("Pemeriksaan gagal: %(why)s") % {"why": lookup.error})
    return redirect(service.get_absolute_url())


@login_required
@require_POST
def service_override(request: HttpRequest, slug: str, service_id: int) -> HttpResponse:
    service = _service(request, slug, service_id, "operate")
    if request.POST.get("clear"):
        service_override_clear(service=service, note=_("dihapus oleh %(user)s") % {"user": request.user})
        messages.success(request, _("Tanggal manual dihapus."))
        return redirect(service.get_absolute_url())
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            service_override_set(
                service=service, expires_on=form.cleaned_data["expires_on"], reason=form.cleaned_data["reason"],
                by=request.user,
            )  # fmt: skip
        except ValidationError as exc:
            messages.error(request, first_error(exc))
        else:
            messages.success(request, _("Tanggal berakhir ditetapkan manual."))
    else:
        messages.error(request, _("Tanggal manual tidak disimpan: %(errors)s") % {"errors": _flat(form)})
    return redirect(service.get_absolute_url())


def _flat(form: Any) -> str:
    return "; ".join(
        f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}".strip(": ") for f, e in form.errors.items()
    )


@login_required
@require_POST
def service_document_add(request: HttpRequest, slug: str, service_id: int) -> HttpResponse:
    service = _service(request, slug, service_id, "operate")
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        document_store(
            service=service, upload=form.cleaned_data["upload"], kind=form.cleaned_data["kind"], by=request.user,
            title=form.cleaned_data["title"],
        )  # fmt: skip
        messages.success(request, _("Dokumen disimpan."))
    else:
        messages.error(request, _("Dokumen tidak disimpan: %(errors)s") % {"errors": _flat(form)})
    return redirect(service.get_absolute_url())


@login_required
@require_POST
def case_open_view(request: HttpRequest, slug: str, service_id: int) -> HttpResponse:
    service = _service(request, slug, service_id, "operate")
    case = case_open(service=service, user=request.user, **step_note("opened_by_hand"))
    return redirect(case.get_absolute_url())


@login_required
def document_download(request: HttpRequest, slug: str, document_id: int) -> FileResponse:
    document = get_for_user(
        request.user,  # type: ignore[arg-type]
        Document.objects.select_related("service__institution"),
        pk=document_id,
        service__institution__slug=slug,
    )
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=document.original_name, content_type="application/pdf")
