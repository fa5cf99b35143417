from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jaga.core.confirm import confirmation_page
from jaga.core.forms import NotificationChannelForm, NotificationRouteForm
from jaga.core.models import DeliveryStatus, NotificationChannel, NotificationDelivery, NotificationRoute
from jaga.core.notifications import (
    base_url_configured,
    delivery_enqueue,
    event_type_label,
    notification_channel_test,
)
from jaga.core.notify_deliveries import notification_deliveries_recent, notification_delivery_resend
from jaga.core.permissions import get_for_user, user_can
from jaga.core.views.common import institution_for

RECENT_DELIVERIES = 5


@login_required
def channel_list(request: HttpRequest, slug: str) -> HttpResponse:
    institution = institution_for(request, slug)
    can_admin = user_can(request.user, institution, "admin")
    channels = list(NotificationChannel.objects.filter(institution=institution).select_related("institution"))
    recent = notification_deliveries_recent(channels=channels, limit=RECENT_DELIVERIES)
    for channel in channels:
        channel.recent_deliveries = recent[channel.pk]  # type: ignore[attr-defined]
        for delivery in channel.recent_deliveries:  # type: ignore[attr-defined]
            delivery.event_label = event_type_label(delivery.event_type)
    routes = list(NotificationRoute.objects.filter(institution=institution).select_related("channel"))
    for route in routes:
        route.event_label = event_type_label(route.event_type)  # type: ignore[attr-defined]
    return render(
        request,
        "core/channel_list.html",
        {
            "institution": institution,
            "channels": channels,
            "routes": routes,
            "route_form": NotificationRouteForm(institution=institution) if can_admin else None,
            "can_admin": can_admin,
            "base_url_missing": not base_url_configured(),
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
    delivery = notification_channel_test(channel=channel, language=translation.get_language())
    ok = delivery.status == DeliveryStatus.SENT
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
        question=_("Hapus rute %(event)s → %(channel)s?")
        % {"event": event_type_label(route.event_type), "channel": route.channel.name},
        cancel_url=reverse("core:channel_list", kwargs={"slug": slug}),
        extra={"institution": route.institution},
    )
    if asked is not None:
        return asked
    route.delete()
    messages.success(request, _("Rute dihapus."))
    return redirect("core:channel_list", slug=slug)


@login_required
@require_POST
def delivery_resend(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Send a given-up delivery again (after the channel was fixed), with a fresh round of retries."""
    delivery = get_for_user(request.user, NotificationDelivery, action="admin", pk=pk, institution__slug=slug)
    if notification_delivery_resend(delivery=delivery):
        delivery_enqueue(delivery)
        messages.success(request, _("Pesan %(title)s dikirim ulang.") % {"title": delivery.title})
    else:
        messages.error(request, _("Pesan ini tidak dapat dikirim ulang: hanya pesan yang gagal terkirim."))
    return redirect("core:channel_list", slug=slug)
