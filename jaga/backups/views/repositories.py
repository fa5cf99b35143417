"""A repository's page, its recovery sheet (page and PDF) and the confirmation that it was printed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jaga.backups.services import repository_sheet_confirm
from jaga.backups.sheet import sheet_context, sheet_pdf
from jaga.backups.views.common import can, repository_for


@login_required
def repository_detail(request: HttpRequest, slug: str, repo_id: int) -> HttpResponse:
    repository = repository_for(request, slug, repo_id)
    context = {
        "institution": repository.institution,
        "repository": repository,
        "plans": repository.plans.select_related("site"),
        "can_sheet": can(request, repository.institution, "admin"),
    }
    return render(request, "backups/repository_detail.html", context)


@login_required
def recovery_sheet(request: HttpRequest, slug: str, repo_id: int) -> HttpResponse:
    """The sheet holds the repository's password: only an administrator sees it."""
    repository = repository_for(request, slug, repo_id, "admin")
    if request.GET.get("format") == "pdf":
        response = HttpResponse(sheet_pdf(repository), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="lembar-pemulihan-{repository.pk}.pdf"'
        response["Cache-Control"] = "no-store"
        return response
    context = {**sheet_context(repository), "can_sheet": True}
    response = render(request, "backups/recovery_sheet.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def recovery_sheet_confirm(request: HttpRequest, slug: str, repo_id: int) -> HttpResponse:
    repository = repository_for(request, slug, repo_id, "admin")
    repository_sheet_confirm(repository=repository, user=request.user)
    messages.success(request, _("Tercatat: lembar pemulihan %(name)s sudah dicetak.") % {"name": repository.name})
    return redirect(repository.get_absolute_url())
