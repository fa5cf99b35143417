"""The calendar feeds: a person's secret addresses (made, shown once, revoked) and the feed itself."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from jaga.core.confirm import confirmation_page
from jaga.core.permissions import get_for_user
from jaga.renewals.models import CalendarFeed
from jaga.renewals.services.feeds import feed_create, feed_for_token, feed_render, feed_revoke
from jaga.renewals.views.common import institution_for


@login_required
def feed_list(request: HttpRequest, slug: str) -> HttpResponse:
    institution = institution_for(request, slug)
    token = ""
    if request.method == "POST":
        _feed, token = feed_create(user=request.user, institution=institution)
        messages.success(request, _("Alamat kalender dibuat. Salin sekarang: alamat ini hanya ditampilkan sekali."))
    context = {
        "institution": institution,
        "feeds": CalendarFeed.objects.filter(user_id=int(request.user.pk or 0), institution=institution),
        "new_url": request.build_absolute_uri(reverse("renewals:feed", kwargs={"token": token})) if token else "",
    }
    return render(request, "renewals/feeds.html", context)


@login_required
@require_http_methods(["GET", "POST"])  # a GET (a link) only asks
def feed_revoke_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    feed = get_for_user(request.user, CalendarFeed, pk=pk, institution__slug=slug)  # type: ignore[arg-type]
    if feed.user_id != request.user.pk:
        raise Http404  # someone else's address is not even shown
    asked = confirmation_page(
        request,
        title=_("Cabut alamat kalender"),
        question=_("Cabut alamat kalender %(prefix)s…?") % {"prefix": feed.prefix},
        consequences=_(
            "Aplikasi kalender yang memakai alamat ini tidak dapat membacanya lagi. Pencabutan tidak dapat dibatalkan."
        ),
        confirm_label=_("Ya, cabut alamat"),
        cancel_url=reverse("renewals:feeds", kwargs={"slug": slug}),
        extra={"institution": feed.institution},
    )
    if asked is not None:
        return asked
    feed_revoke(feed=feed)
    messages.success(request, _("Alamat kalender dicabut; aplikasi kalender tidak dapat membacanya lagi."))
    return redirect("renewals:feeds", slug=slug)


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """Public on purpose: calendar programs cannot log in. The secret token is the key; 404 otherwise."""
    found = feed_for_token(token)
    if found is None:
        raise Http404
    body = feed_render(feed=found, language=get_language() or "id")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="jaga-perpanjangan.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
