from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jaga.core.confirm import confirmation_page
from jaga.core.forms import ApiTokenForm
from jaga.core.models import ApiToken
from jaga.core.permissions import get_for_user, user_can
from jaga.core.selectors import api_tokens_visible
from jaga.core.services import api_token_create, api_token_revoke
from jaga.core.views.common import institution_for


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Your API tokens in this institution (administrators see everyone's). The raw token is shown once."""
    institution = institution_for(request, slug, "operate")
    form = ApiTokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        _token, raw = api_token_create(user=request.user, institution=institution, name=form.cleaned_data["name"])
        form = ApiTokenForm()
    tokens = api_tokens_visible(
        user=request.user, institution=institution, all_tokens=user_can(request.user, institution, "admin")
    )
    return render(
        request, "core/token_list.html", {"institution": institution, "tokens": tokens, "form": form, "raw": raw}
    )


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    token = get_for_user(request.user, ApiToken, action="operate", pk=pk, institution__slug=slug)
    if token.user_id != request.user.pk and not user_can(request.user, token.institution, "admin"):
        raise PermissionDenied
    asked = confirmation_page(
        request,
        title=_("Cabut token API"),
        question=_("Cabut token %(name)s milik %(user)s?") % {"name": token.name, "user": token.user.get_username()},
        consequences=_("Program yang memakai token ini langsung ditolak. Pencabutan tidak dapat dibatalkan."),
        confirm_label=_("Ya, cabut token"),
        cancel_url=reverse("core:token_list", kwargs={"slug": slug}),
        extra={"institution": token.institution},
    )
    if asked is not None:
        return asked
    api_token_revoke(token=token)
    messages.success(request, _("Token %(name)s dicabut.") % {"name": token.name})
    return redirect("core:token_list", slug=slug)
