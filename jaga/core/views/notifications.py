from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jaga.core.confirm import confirmation_page
from jaga.core.forms import NotificationChannelForm, NotificationRouteForm
from jaga.core.models import EVENT_TYPES, NotificationChannel, NotificationRoute
from jaga.core.notifications import notification_channel_send
from jaga.core.permissions import get_for_user, user_can
from jaga.core.views.common import institution_for


@login_required
def channel_list(request: HttpRequest, slug: str) -> HttpResponse:
    institution = institution_for(request, slug)
    can_admin = user_can(request.user, institution, "admin")
    return render(
        request,
        "core/channel_list.html",
        {
            "institution": institution,
            "channels": NotificationChannel.objects.filter(institution=institution),
            "routes": NotificationRoute.objects.filter(institution=institution).select_related("channel"),
            "route_form": NotificationRouteForm(institution=institution) if can_admin else None,
            "event_types": EVENT_TYPES,
            "can_admin": can_admin,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def channel_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    if pk is None:
        institution = institution_for(request, slug, "admin")
        channel = NotificationChannel(institution=institution)
    else:
        channel = get_for_user(request.user, NotificationChannel, action="admin", pk=pk, institution__slug=slug)
        institution = channel.institution
    form = NotificationChannelForm(request.POST or None, instance=channel)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saluran %(name)s disimpan.") % {"name": channel.name})
        return redirect("core:channel_list", slug=slug)
    title = _("Saluran notifikasi baru") if pk is None else _("Ubah saluran %(name)s") % {"name": channel.name}
    return render(request, "core/form.html", {"form": form, "institution": institution, "title": title})


@login_required
@require_http_methods(["GET", "POST"])
def channel_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    channel = get_for_user(request.user, NotificationChannel, action="admin", pk=pk, institution__slug=slug)
    asked = confirmation_page(
        request,
        title=_("Hapus saluran notifikasi"),
        question=_("Hapus saluran %(name)s?") % {"name": channel.name},
        consequences=_("Rute yang memakai saluran ini ikut dihapus; peristiwanya tidak lagi dikirim ke sana."),
        cancel_url=reverse("core:channel_list", kwargs={"slug": slug}),
        extra={"institution": channel.institution},
    )
    if asked is not None:
        return asked
    channel.delete()
    messages.success(request, _("Saluran dihapus."))
    return redirect("core:channel_list", slug=slug)


@login_required
@require_POST
def channel_test(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Send a test message now; answer with the channel's status (an htmx fragment, or the page)."""
    channel = get_for_user(request.user, NotificationChannel, action="admin", pk=pk, institution__slug=slug)
    ok = notification_channel_send(
        channel_id=channel.pk,
        title=_("Uji notifikasi Jaga"),
        body=_("Pesan uji dari Jaga untuk saluran %(name)s (%(institution)s).")
        % {"name": channel.name, "institution": channel.institution.name},
    )
    channel.refresh_from_db()
    if getattr(request, "htmx", False):
        return render(request, "core/_channel_status.html", {"channel": channel, "tested": True, "ok": ok})
    if ok:
        messages.success(request, _("Pesan uji terkirim lewat %(name)s.") % {"name": channel.name})
    else:
        messages.error(request, _("Pesan uji gagal: %(error)s") % {"error": channel.last_error})
    return redirect("core:channel_list", slug=slug)


@login_required
@require_POST
def route_create(request: HttpRequest, slug: str) -> HttpResponse:
    institution = institution_for(request, slug, "admin")
    form = NotificationRouteForm(
        request.POST, institution=institution, instance=NotificationRoute(institution=institution)
    )
    if form.is_valid():
        form.save()
        messages.success(request, _("Rute ditambahkan."))
    else:
        errors = "; ".join(f"{field}: {' '.join(str(e) for e in errs)}" for field, errs in form.errors.items())
        messages.error(request, _("Rute tidak disimpan: %(errors)s") % {"errors": errors})
    return redirect("core:channel_list", slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
def route_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    route = get_for_user(request.user, NotificationRoute, action="admin", pk=pk, institution__slug=slug)
    asked = confirmation_page(
        request,
        title=_("Hapus rute notifikasi"),
        question=_("Hapus rute %(event)s → %(channel)s?") % {"event": route.event_type, "channel": route.channel.name},
        cancel_url=reverse("core:channel_list", kwargs={"slug": slug}),
        extra={"institution": route.institution},
    )
    if asked is not None:
        return asked
    route.delete()
    messages.success(request, _("Rute dihapus."))
    return redirect("core:channel_list", slug=slug)
