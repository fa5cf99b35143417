"""The evidence pack pages: ask for a pack (operators), watch it being built, download it (every member, the
auditor first of all). Every fetch goes through the permission helper."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jaga.core.models import Institution
from jaga.core.permissions import Action, get_for_user, user_can
from jaga.reports import packs
from jaga.reports.forms import EvidencePackForm, previous_month
from jaga.reports.models import EvidencePack
from jaga.reports.views import institution_today


def _institution(request: HttpRequest, slug: str, action: Action = "view") -> Institution:
    return get_for_user(request.user, Institution, action=action, slug=slug)  # type: ignore[arg-type]


def _pack(request: HttpRequest, slug: str, pack_id: int) -> EvidencePack:
    return get_for_user(  # type: ignore[no-any-return]
        request.user,  # type: ignore[arg-type]
        EvidencePack.objects.select_related("institution", "requested_by"),
        pk=pack_id,
        institution__slug=slug,
    )


@login_required
def evidence_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The packs made, and (for an operator) the form that asks for one; a POST asks."""
    institution = _institution(request, slug, "operate" if request.method == "POST" else "view")
    can_operate = user_can(request.user, institution, "operate")  # type: ignore[arg-type]
    period = previous_month(institution_today(institution))
    form = None
    if can_operate:
        initial = {"period_start": period.start, "period_end": period.end, "language": "id"}
        form = EvidencePackForm(request.POST or None, initial=initial)
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            pack = packs.evidence_pack_request(
                institution=institution,
                period=form.period,
                language=form.cleaned_data["language"],
                requested_by=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Paket bukti sedang disusun; halaman ini menunjukkan kemajuannya."))
            return redirect(pack.get_absolute_url())
    context = {
        "institution": institution,
        "form": form,
        "packs": EvidencePack.objects.filter(institution=institution).select_related("requested_by")[:50],
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "reports/evidence_list.html", context, status=status)


@login_required
def evidence_detail(request: HttpRequest, slug: str, pack_id: int) -> HttpResponse:
    pack = _pack(request, slug, pack_id)
    return render(request, "reports/evidence_detail.html", {"institution": pack.institution, "pack": pack})


@login_required
def evidence_download(request: HttpRequest, slug: str, pack_id: int) -> FileResponse:
    pack = _pack(request, slug, pack_id)
    if pack.state != EvidencePack.State.DONE or not pack.file:
        raise Http404
    name = str(pack.file.name).rsplit("/", 1)[-1]
    response = FileResponse(pack.file.open("rb"), as_attachment=True, filename=name, content_type="application/zip")
    response["X-Content-SHA256"] = pack.sha256
    return response
