"""Log-in throttling: django-axes, counted per user name *and* address, plus a limit per address.

- ``JAGA_LOGIN_ATTEMPTS`` failures for one user name from one address lock that pair for
  ``JAGA_LOCKOUT_MINUTES``. The same user signs in from any address that has not failed, so nobody can lock
  the Secretary out by failing from many addresses.
- ``JAGA_LOGIN_ADDRESS_ATTEMPTS`` failures from one address, whatever the user names, lock that address:
  a spray of 40 user names from one address stops after the limit.

The address is the visitor's (``TrustedProxyMiddleware`` sets ``REMOTE_ADDR`` behind a trusted proxy).
Every time axes reads goes through :mod:`jaga.core.clock` (``request.axes_attempt_time``), so tests move it.
The lock page answers 429 and says which lock applies.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jaga.core import clock

SCOPE_ADDRESS = "address"
SCOPE_ACCOUNT = "account"


def address_limit() -> int:
    return int(getattr(settings, "JAGA_LOGIN_ADDRESS_ATTEMPTS", 20))


def account_limit() -> int:
    return int(settings.AXES_FAILURE_LIMIT)


def address_failures(*, ip_address: str | None, since: Any) -> int:
    if not ip_address:
        return 0
    total = AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return int(total or 0)


class LoginThrottleHandler(AxesDatabaseHandler):  # type: ignore[misc]
    """axes' database handler with the per-address limit beside the per user-and-address one."""

    @staticmethod
    def _now(request: Any) -> None:
        if request is not None:
            request.axes_attempt_time = clock.now()

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        # axes compares one number with one limit (JAGA_LOGIN_ATTEMPTS); a full address counts as a full pair.
        pair = int(super().get_failures(request, credentials))
        cool_off: timedelta | None = get_cool_off(request)
        since = request.axes_attempt_time - cool_off if cool_off else None
        from_address = address_failures(ip_address=request.axes_ip_address, since=since) if since else 0
        if from_address >= address_limit():
            request.jaga_lock_scope = SCOPE_ADDRESS
            return max(pair, account_limit())
        if pair >= account_limit():
            request.jaga_lock_scope = SCOPE_ACCOUNT
        return pair

    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        self._now(request)
        return bool(super().is_locked(request, credentials))

    def user_login_failed(self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
        self._now(request)
        was_locked = bool(getattr(request, "axes_locked_out", False))
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and not was_locked and getattr(request, "axes_locked_out", False):
            _record_lock(request, credentials)

    def user_logged_in(self, sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        self._now(request)
        super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        self._now(request)
        super().user_logged_out(sender, request, user, **kwargs)


def _record_lock(request: HttpRequest, credentials: dict[str, Any] | None) -> None:
    """The moment a lock begins is in the audit trail (the attempts themselves are too, as failed log-ins)."""
    from django.contrib.auth import get_user_model

    from jaga.core.audit import audit_record
    from jaga.core.models import AuditAction

    username = str(get_client_username(request, credentials) or "")[:150]
    account = get_user_model()._default_manager.filter(**{get_user_model().USERNAME_FIELD: username}).first()
    scope = getattr(request, "jaga_lock_scope", SCOPE_ACCOUNT)
    audit_record(
        action=AuditAction.LOCKED_OUT,
        request=request,
        actor=account,
        actor_name=username,
        changes={"lock": [None, scope]},
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the lock page (429) in Jaga's layout, saying which lock applies."""
    scope = getattr(request, "jaga_lock_scope", SCOPE_ACCOUNT)
    context = {
        "scope": scope,
        "failure_limit": address_limit() if scope == SCOPE_ADDRESS else account_limit(),
        "cooloff_timedelta": get_cool_off(request),
    }
    return render(request, "core/locked_out.html", context, status=429)
