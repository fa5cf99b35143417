"""Error pages in Jaga's layout and the reader's language, each with a way back (home, the previous page).

400 and 500 are rendered without the request context: no context processor runs, nothing reads the
session, the user or the database, so the 500 page still renders when the database is what failed, and the
400 page when the request's host is what was wrong. 403 and 404 get the full layout (menu, user).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme


def _back_url(request: HttpRequest) -> str:
    """The previous page, when it is one of ours (the Referer, checked like a ``next``)."""
    referer = str(request.META.get("HTTP_REFERER", "") or "")
    try:
        host = request.get_host()
    except Exception:  # a disallowed Host header: no "back" link rather than a second error
        return ""
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={host}, require_https=request.is_secure()):
        return referer
    return ""


def _bare(template_name: str, status: int, request: HttpRequest, **context: Any) -> HttpResponse:
    body = loader.get_template(template_name).render({"back_url": _back_url(request), "bare": True, **context})
    return HttpResponse(body, status=status)


def _full(template_name: str, status: int, request: HttpRequest, **context: Any) -> HttpResponse:
    body = loader.render_to_string(template_name, {"back_url": _back_url(request), **context}, request=request)
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _bare("400.html", 400, request)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _full("403.html", 403, request)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _full("404.html", 404, request, request_path=request.path)


def server_error(request: HttpRequest) -> HttpResponse:
    return _bare("500.html", 500, request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its token (most often: a page left open past the session's end)."""
    return _full("403_csrf.html", 403, request)
