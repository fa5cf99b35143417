"""Core middleware: the visitor's address behind a proxy, the audit context, the institution's time zone,
and the 2FA requirement."""

from __future__ import annotations

import contextlib
import ipaddress
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


def client_address(remote_addr: str, forwarded_for: str, trusted: list[str]) -> str:
    """The visitor's address: walk X-Forwarded-For from the right past our own proxies.

    Only a request that arrives from a trusted proxy has its header believed; the first address from the
    right that is not a trusted proxy is the visitor (anything left of it may be forged by the visitor).
    """
    networks = [ipaddress.ip_network(net) for net in trusted]

    def is_trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in networks)

    if not networks or not forwarded_for or not is_trusted(remote_addr):
        return remote_addr
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote_addr  # a malformed hop: keep the proxy's address rather than guess
    # Every hop is one of ours: the visitor is on a trusted network; the right-most hop was written by our
    # own proxy, so it is the one address here that cannot be forged.
    return hops[-1] if hops else remote_addr


class TrustedProxyMiddleware:
    """Sets ``REMOTE_ADDR`` to the visitor's address when the request came through JAGA_TRUSTED_PROXIES.

    Runs first, so django-axes (which reads ``REMOTE_ADDR`` only), the audit trail and ``/metrics``'s
    loopback rule all see the visitor, not the proxy.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        trusted: list[str] = getattr(settings, "JAGA_TRUSTED_PROXIES", [])
        if trusted:
            remote = request.META.get("REMOTE_ADDR", "")
            visitor = client_address(remote, request.META.get("HTTP_X_FORWARDED_FOR", ""), trusted)
            if visitor != remote:
                request.META["REMOTE_ADDR"] = visitor
                request.META.pop("HTTP_X_FORWARDED_FOR", None)
        return self.get_response(request)


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
