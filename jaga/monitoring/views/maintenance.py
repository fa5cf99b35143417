"""Maintenance windows per site: list, create and delete (operators only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jaga.core.confirm import confirmation_page
from jaga.core.models import Site
from jaga.core.permissions import get_for_user, require, user_can
from jaga.monitoring.forms import MaintenanceWindowForm
from jaga.monitoring.models import MaintenanceWindow


@login_required
def maintenance_list(request: HttpRequest, site_id: int) -> HttpResponse:
    site = get_for_user(request.user, Site.objects.select_related("institution"), pk=site_id)
    can_operate = user_can(request.user, site.institution, "operate")
    form = MaintenanceWindowForm(site=site)
    if request.method == "POST":
        require(request.user, site.institution, "operate")
        form = MaintenanceWindowForm(request.POST, site=site)
        if form.is_valid():
            window = form.save(commit=False)
            window.site = site
            window.save()
            messages.success(request, _("Jadwal pemeliharaan disimpan."))
            return redirect("monitoring:maintenance_list", site_id=site.pk)
    windows = MaintenanceWindow.objects.filter(site=site).select_related("monitor").order_by("-starts_at")
    return render(
        request,
        "monitoring/maintenance.html",
        {"site": site, "windows": windows, "form": form, "can_operate": can_operate},
    )


@login_required
@require_http_methods(["GET", "POST"])
def maintenance_delete(request: HttpRequest, pk: int) -> HttpResponse:
    window = get_for_user(request.user, MaintenanceWindow.objects.select_related("site"), action="operate", pk=pk)
    site_id = window.site_id
    asked = confirmation_page(
        request,
        title=_("Hapus jadwal pemeliharaan"),
        question=_("Hapus jadwal pemeliharaan %(title)s?") % {"title": window.title},
        consequences=_("Selama jam itu, gangguan kembali dilaporkan seperti biasa."),
        cancel_url=reverse("monitoring:maintenance_list", kwargs={"site_id": site_id}),
    )
    if asked is not None:
        return asked
    window.delete()
    messages.success(request, _("Jadwal pemeliharaan dihapus."))
    return redirect("monitoring:maintenance_list", site_id=site_id)
