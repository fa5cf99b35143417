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


def forwarded_for_hops(*, x_forwarded_for: str, forwarded: str) -> list[str]:
    """The ``for`` addresses of ``X-Forwarded-For``, or else of RFC 7239 ``Forwarded``, left to right.

    ``Forwarded: for=203.0.113.9;proto=https, for="[2001:db8::1]:4711"`` gives ``203.0.113.9``, ``2001:db8::1``;
    an obfuscated or unknown hop (``for=_hidden``, ``for=unknown``) stays in as written, so that it is
    refused as malformed rather than skipped.
    """
    if x_forwarded_for.strip():
        return [hop.strip() for hop in x_forwarded_for.split(",") if hop.strip()]
    hops: list[str] = []
    for element in forwarded.split(","):
        for pair in element.split(";"):
            name, _, value = pair.strip().partition("=")
            if name.strip().lower() != "for":
                continue
            value = value.strip().strip('"')
            if value.startswith("["):  # [IPv6] or [IPv6]:port
                value = value[1:].partition("]")[0]
            elif value.count(":") == 1:  # IPv4:port
                value = value.partition(":")[0]
            hops.append(value)
    return hops


def client_address(remote_addr: str, forwarded_for: str, trusted: list[str], *, forwarded: str = "") -> str:
    """The visitor's address: walk X-Forwarded-For (or Forwarded) from the right past our own proxies.

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

    hops = forwarded_for_hops(x_forwarded_for=forwarded_for, forwarded=forwarded)
    if not networks or not hops or not is_trusted(remote_addr):
        return remote_addr
    for hop in reversed(hops):
        if not is_trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote_addr  # a malformed hop: keep the proxy's address rather than guess
    # Every hop is one of ours: the visitor is on a trusted network; the right-most hop was written by our
    # own proxy, so it is the one address here that cannot be forged.
    return hops[-1]


# The forwarding headers as Django names them. ``jaga web`` tells waitress to pass them on untouched (it would
# otherwise drop them and every proxied request would look local); this middleware is the one place that
# decides what they mean.
FORWARDING_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_FORWARDED",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_BY",
)


def _is_trusted_proxy(address: str, trusted: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net) for net in trusted)


class TrustedProxyMiddleware:
    """Sets ``REMOTE_ADDR`` to the visitor's address when the request came through JAGA_TRUSTED_PROXIES.

    Runs first, so django-axes (which reads ``REMOTE_ADDR`` only), the audit trail and ``/metrics``'s
    loopback rule all see the visitor, not the proxy. From any other address the forwarding headers are left
    for ``/metrics`` to see that the request was proxied (it never takes one for a local request), but
    ``X-Forwarded-Proto`` and the like are removed: only a trusted proxy says that the visitor used HTTPS
    (Django reads it through ``SECURE_PROXY_SSL_HEADER``).
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        trusted: list[str] = getattr(settings, "JAGA_TRUSTED_PROXIES", [])
        x_forwarded_for = meta.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = meta.get("HTTP_FORWARDED", "")
        remote = meta.get("REMOTE_ADDR", "")
        if trusted and _is_trusted_proxy(remote, trusted):
            meta["REMOTE_ADDR"] = client_address(remote, x_forwarded_for, trusted, forwarded=forwarded)
            for name in ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED"):
                meta.pop(name, None)
        else:
            # Not from one of our proxies: nothing it says about the visitor or the scheme is believed.
            for name in FORWARDING_HEADERS:
                if name not in ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED"):
                    meta.pop(name, None)
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


def gate_exempt_prefixes(*views: str) -> tuple[str, ...]:
    """The paths a user held at a gate (the second step, a new password) may still reach: the gate's own
    ``views``, signing out, the second step's pages, the static files and the language switch."""
    always = ("core:logout", "core:otp_setup", "core:otp_verify")
    return (*(reverse(name) for name in (*views, *always)), str(settings.STATIC_URL), "/i18n/", "/favicon.ico")


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
            and not request.path.startswith(gate_exempt_prefixes("core:login"))
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
