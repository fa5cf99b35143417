from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from jaga.core.forms import OtpCodeForm
from jaga.core.models import AuditAction, Institution
from jaga.core.permissions import institutions_for
from jaga.core.services import audit_security_event
from jaga.core.twofactor import (
    backup_codes_create,
    otp_has_device,
    otp_match,
    otp_required_for,
    qr_svg,
    totp_device_confirm,
    totp_device_pending,
    totp_secret_text,
)
from jaga.core.views.common import safe_next


@login_required
def home(request: HttpRequest) -> HttpResponse:
    institutions: list[Institution] = list(institutions_for(request.user).prefetch_related("sites"))
    return render(request, "core/home.html", {"institutions": institutions})


def _is_verified(request: HttpRequest) -> bool:
    user = request.user
    return bool(hasattr(user, "is_verified") and user.is_verified())


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: QR code + secret, confirmed by a code; then backup codes, shown once."""
    user = request.user
    verified = _is_verified(request)
    if otp_has_device(user) and not verified:
        # Re-enrolling must not be a way around the second step.
        return redirect(f"{reverse('core:otp_verify')}?{urlencode({'next': request.get_full_path()})}")
    next_url = safe_next(request, reverse("core:home"))

    if request.method == "POST" and request.POST.get("action") == "backup_codes" and verified:
        codes = backup_codes_create(user=user)
        return render(request, "core/otp_codes.html", {"codes": codes, "next": next_url})

    enrolled = otp_has_device(user)
    if enrolled and not request.GET.get("ulang") and request.method == "GET":
        return render(request, "core/otp_status.html", {"required": otp_required_for(user), "next": next_url})

    device = totp_device_pending(user=user)
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        new_codes = totp_device_confirm(device=device, code=form.cleaned_data["code"])
        if new_codes is not None:
            confirmed = TOTPDevice.objects.get(pk=device.pk)
            otp_login(request, confirmed)
            audit_security_event(action=AuditAction.OTP_ENROLLED, user=user)
            return render(request, "core/otp_codes.html", {"codes": new_codes, "next": next_url})
        form.add_error("code", _("Kode salah atau sudah kedaluwarsa. Periksa jam ponsel lalu coba kode berikutnya."))
    return render(
        request,
        "core/otp_setup.html",
        {
            "form": form,
            "qr_svg": qr_svg(device.config_url),
            "secret": totp_secret_text(device),
            "required": otp_required_for(user),
            "next": next_url,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second login step: a code from the app, or one backup code."""
    user = request.user
    next_url = safe_next(request, reverse("core:home"))
    if not otp_has_device(user):
        return redirect(f"{reverse('core:otp_setup')}?{urlencode({'next': next_url})}")
    if _is_verified(request):
        return redirect(next_url)
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = otp_match(user=user, code=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            audit_security_event(action=AuditAction.OTP_VERIFIED, user=user)
            return redirect(next_url)
        audit_security_event(action=AuditAction.OTP_FAILED, user=user)
        form.add_error("code", _("Kode salah atau sudah dipakai."))
    return render(request, "core/otp_verify.html", {"form": form, "next": next_url})
