"""Restore from the web: Administrator and Kasubbag PTIP only; queued for a worker like every long run."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jaga.backups.forms import RestoreForm
from jaga.backups.views.common import can_restore, plan_for


@login_required
def restore(request: HttpRequest, slug: str, plan_id: int) -> HttpResponse:
    from jaga.backups import tasks

    plan = plan_for(request, slug, plan_id, "operate")
    if not can_restore(request, plan.site.institution):
        raise PermissionDenied
    initial = {"snapshot": request.GET.get("snapshot") or "latest"}
    form = RestoreForm(request.POST or None, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        tasks.backup_restore.enqueue(
            plan_id=plan.pk,
            snapshot=data["snapshot"],
            target=data["target"] if data["mode"] == "folder" else "",
            confirmation=data["confirmation"] if data["mode"] == "live" else "",
            user_id=request.user.pk,
        )
        if data["mode"] == "live":
            messages.warning(request, _("Pemulihan di atas situs dijadwalkan; snapshot pengaman diambil lebih dulu."))
        else:
            messages.success(request, _("Pemulihan ke %(dir)s dijadwalkan.") % {"dir": data["target"]})
        return redirect(plan.get_absolute_url())
    context = {"institution": plan.site.institution, "plan": plan, "form": form}
    return render(request, "backups/restore.html", context)
