"""The vendor register of an institution: the third parties called on at tier 3."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jaga.core.confirm import confirmation_page
from jaga.core.forms import form_errors_add
from jaga.core.models import Institution
from jaga.core.permissions import get_for_user, user_can
from jaga.incidents.forms import VendorForm
from jaga.incidents.models import Vendor
from jaga.incidents.services.vendors import VENDOR_FIELDS, vendor_delete, vendor_save


def _list_url(slug: str) -> str:
    return reverse("incidents:vendors", kwargs={"slug": slug})


def _save(request: HttpRequest, institution: Institution, vendor: Vendor | None) -> HttpResponse:
    form = VendorForm(request.POST or None, instance=vendor)
    if request.method == "POST" and form.is_valid():
        try:
            vendor_save(
                institution=institution, user=request.user, vendor=vendor,
                **{field: form.cleaned_data[field] for field in VENDOR_FIELDS},
            )  # fmt: skip
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, _("Register vendor disimpan."))
            return redirect(_list_url(institution.slug))
    context = {
        "institution": institution,
        "vendor": vendor,
        "form": form,
        "vendors": Vendor.objects.filter(institution=institution),
    }
    return render(request, "incidents/vendors.html", context, status=400 if request.method == "POST" else 200)


@login_required
def vendor_list(request: HttpRequest, slug: str) -> HttpResponse:
    institution = get_for_user(request.user, Institution, slug=slug)  # type: ignore[arg-type]
    can_operate = user_can(request.user, institution, "operate")  # type: ignore[arg-type]
    if request.method == "POST" or can_operate:
        institution = get_for_user(request.user, Institution, action="operate", slug=slug)  # type: ignore[arg-type]
        return _save(request, institution, None)
    context = {"institution": institution, "vendors": Vendor.objects.filter(institution=institution)}
    return render(request, "incidents/vendors.html", context)


@login_required
def vendor_edit(request: HttpRequest, slug: str, vendor_id: int) -> HttpResponse:
    vendor = get_for_user(request.user, Vendor, action="operate", pk=vendor_id, institution__slug=slug)  # type: ignore[arg-type]
    return _save(request, vendor.institution, vendor)


@login_required
@require_http_methods(["GET", "POST"])  # a GET (a link) only asks
def vendor_delete_view(request: HttpRequest, slug: str, vendor_id: int) -> HttpResponse:
    vendor = get_for_user(request.user, Vendor, action="operate", pk=vendor_id, institution__slug=slug)  # type: ignore[arg-type]
    asked = confirmation_page(
        request,
        title=_("Hapus vendor"),
        question=_("Hapus vendor %(name)s?") % {"name": vendor.name},
        consequences=_("Insiden yang menyebutnya tetap menyimpan namanya dan nomor tiketnya."),
        confirm_label=_("Ya, hapus vendor"),
        cancel_url=_list_url(slug),
        extra={"institution": vendor.institution},
    )
    if asked is not None:
        return asked
    vendor_delete(vendor=vendor, user=request.user)
    messages.success(
        request, _("Vendor %(name)s dihapus; insiden yang menyebutnya tetap menyimpan namanya.") % {"name": vendor.name}
    )
    return redirect(_list_url(slug))
