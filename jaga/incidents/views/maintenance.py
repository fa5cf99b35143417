"""Scheduled maintenance of a site with its updates: every member reads them, operators post them (and choose
which the public status page shows). The windows themselves are the monitoring app's (its maintenance page)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jaga.core import clock
from jaga.core.models import Site
from jaga.core.permissions import get_for_user, user_can
from jaga.incidents.forms import MaintenanceUpdateForm
from jaga.incidents.selectors import maintenance_for_site
from jaga.incidents.services.maintenance import maintenance_update_add


def _auto_id(window_id: object) -> str:
    """One form per window on the page: each its own element ids."""
    return f"mw{window_id}_%s"


@login_required
def site_maintenance(request: HttpRequest, slug: str, site_id: int) -> HttpResponse:
    site = get_for_user(request.user, Site.objects.select_related("institution"), pk=site_id, institution__slug=slug)  # type: ignore[arg-type]
    can_operate = user_can(request.user, site.institution, "operate")  # type: ignore[arg-type]
    items = maintenance_for_site(site=site, now=clock.now())
    windows = [item.window for item in items]
    bound: Any = None
    if request.method == "POST":
        if not can_operate:
            raise PermissionDenied
        posted = request.POST.get("window", "")
        auto_id = _auto_id(posted if posted.isdigit() else "x")
        bound = MaintenanceUpdateForm(request.POST, windows=windows, auto_id=auto_id)
        if bound.is_valid():
            data = bound.cleaned_data
            window = next(w for w in windows if w.pk == data["window"])
            try:
                maintenance_update_add(
                    window=window, user=request.user, stage=data["stage"], text=data["text"],
                    is_public=data["is_public"], public_text=data["public_text"],
                )  # fmt: skip
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    bound.add_error(field if field in bound.fields else None, errors)
            else:
                messages.success(request, _("Pembaruan pemeliharaan disimpan."))
                return redirect("incidents:maintenance", slug=slug, site_id=site.pk)
    bound_window = bound.data.get("window") if bound is not None else None
    if bound is not None and not any(str(w.pk) == str(bound_window) for w in windows):
        # Deleted while the form was being written: say so rather than lose the text in silence.
        messages.error(request, _("Jadwal pemeliharaan itu sudah tidak ada; pembaruan tidak disimpan."))
    rows = [
        {
            "item": item,
            "form": bound
            if bound is not None and str(item.window.pk) == str(bound_window)
            else MaintenanceUpdateForm(
                windows=windows, initial={"window": item.window.pk}, auto_id=_auto_id(item.window.pk)
            ),
        }
        for item in items
    ]
    status = 400 if bound is not None else 200
    return render(
        request,
        "incidents/maintenance.html",
        {"site": site, "institution": site.institution, "rows": rows, "can_operate": can_operate},
        status=status,
    )
