from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from jaga.core.models import Institution
from jaga.core.permissions import Action, get_for_user, user_can


def institution_for(request: HttpRequest, slug: str, action: Action = "view") -> Institution:
    return get_for_user(request.user, Institution, action=action, slug=slug)  # type: ignore[arg-type]


def can(request: HttpRequest, institution: Institution, action: Action) -> bool:
    return user_can(request.user, institution, action)  # type: ignore[arg-type]


def first_error(exc: Any) -> str:
    messages = getattr(exc, "messages", None)
    return "; ".join(str(m) for m in messages) if messages else str(exc)
