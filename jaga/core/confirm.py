"""Ask before a delete, a revoke or a removal: a confirmation page that works without JavaScript.

A view fetches its object through the permission helper first (an outsider still gets 404, a role that may
not act 403), then::

    if (asked := confirmation_page(request, title=..., question=..., cancel_url=...)) is not None:
        return asked
    obj.delete()

Every existing button keeps posting to the same URL: the first POST (or a GET, from a link) answers with the
question; the page's own button posts again with ``confirm=yes``, which lets the action through.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jaga.core.views.common import safe_next

CONFIRM_FIELD = "confirm"
CONFIRM_VALUE = "yes"


def confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE


def confirmation_page(
    request: HttpRequest,
    *,
    title: str,
    question: str,
    cancel_url: str,
    consequences: str = "",
    confirm_label: str = "",
    extra: dict[str, Any] | None = None,
) -> HttpResponse | None:
    """None when the request carries the confirmation; otherwise the page that asks for it."""
    if confirmed(request):
        return None
    context = {
        "title": title,
        "question": question,
        "consequences": consequences,
        "confirm_label": confirm_label,
        "cancel_url": cancel_url,
        "action_url": request.path,
        "confirm_field": CONFIRM_FIELD,
        "confirm_value": CONFIRM_VALUE,
        "next": safe_next(request, ""),
        **(extra or {}),
    }
    return render(request, "core/confirm.html", context)
