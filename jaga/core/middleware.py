"""Core middleware: the audit context, the institution's time zone, and the 2FA requirement."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from jaga.core.audit import audit_context_reset, audit_context_set
from jaga.core.models import Institution
from jaga.core.twofactor import otp_has_device, otp_required_for

Handler = Callable[[HttpRequest], HttpResponse]


class AuditContextMiddleware:
    """Makes the request (its user and address) known to the audit signal handlers."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = audit_context_set(request)
        try:
            return self.get_response(request)
        finally:
            audit_context_reset(token)


class InstitutionTimeZoneMiddleware:
    """Under an institution's URL (a ``slug`` URL argument), dates show in its time zone (WIB/WITA/WIT)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: dict[str, Any]) -> None:
        slug = view_kwargs.get("slug")
        if not isinstance(slug, str):
            return
        name = Institution.objects.filter(slug=slug).values_list("time_zone", flat=True).first()
        if name:
            with contextlib.suppress(ZoneInfoNotFoundError, ValueError):
                timezone.activate(ZoneInfo(name))


def _exempt_prefixes() -> tuple[str, ...]:
    return (
        reverse("core:login"),
        reverse("core:logout"),
        reverse("core:otp_setup"),
        reverse("core:otp_verify"),
        str(settings.STATIC_URL),
        "/i18n/",
        "/favicon.ico",
    )


class RequireTwoFactorMiddleware:
    """Administrators, Sekretaris and superusers (and anyone who enrolled a device) must pass 2FA first.

    Must come after ``django_otp.middleware.OTPMiddleware``. ``settings.JAGA_REQUIRE_2FA = False``
    switches it off (the shared test configuration does, so that other apps' view tests can log in
    with ``force_login``; the core tests switch it back on).
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = getattr(request, "user", None)
        if (
            getattr(settings, "JAGA_REQUIRE_2FA", True)
            and user is not None
            and user.is_authenticated
            and not (hasattr(user, "is_verified") and user.is_verified())
            and not request.path.startswith(_exempt_prefixes())
            and (otp_has_device(user) or otp_required_for(user))
        ):
            target = "core:otp_verify" if otp_has_device(user) else "core:otp_setup"
            url = f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}"
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = url
                return response
            return HttpResponseRedirect(url)
        return self.get_response(request)
