from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from jaga.core.models import Institution
from jaga.core.permissions import Action, get_for_user


def institution_for(request: HttpRequest, slug: str, action: Action = "view") -> Institution:
    """The institution at ``slug``: 404 for non-members, 403 when the role may not do ``action``."""
    return get_for_user(request.user, Institution, action=action, slug=slug)


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` of the request when it leads back into Jaga (same host, no downgrade to http), else default.

    Every redirect or link built from ``next`` goes through here: ``next=https://evil.example``,
    ``//evil.example``, ``/\\evil.example`` or ``javascript:...`` give ``default``.
    """
    target: Any = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        str(target), allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return str(target)
    return default
