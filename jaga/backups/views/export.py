"""Export to offline media from the web: Administrator and Kasubbag PTIP only (the set carries the whole site).

The export is queued for a worker like every long run; the plan's page shows it waiting, then its progress,
and the run's page the ADK register entry it made."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jaga.backups.forms import ExportForm
from jaga.backups.views.common import can_export, plan_for
from jaga.core.fields import encrypt


@login_required
def export(request: HttpRequest, slug: str, plan_id: int) -> HttpResponse:
    from jaga.backups import tasks

    plan = plan_for(request, slug, plan_id, "operate")
    if not can_export(request, plan.site.institution):
        raise PermissionDenied
    form = ExportForm(request.POST or None, initial={"snapshot": request.GET.get("snapshot") or "latest"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        tasks.backup_export.enqueue(
            plan_id=plan.pk,
            to=data["target"],
            medium=data["medium"],
            label=data["label"].strip(),
            kept_at=data["kept_at"].strip(),
            passphrase=encrypt(data["passphrase"]) if data["passphrase"] else "",
            snapshot=data["snapshot"],
            user_id=request.user.pk,
        )
        messages.success(
            request,
            _("Ekspor ke %(dir)s dijadwalkan; kemajuannya tampil di sini, lalu catatannya di register ADK.")
            % {"dir": data["target"]},
        )
        return redirect(plan.get_absolute_url())
    context = {"institution": plan.site.institution, "plan": plan, "form": form}
    return render(request, "backups/export.html", context)
