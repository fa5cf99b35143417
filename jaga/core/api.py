"""The one REST API (django-ninja) at ``/api/``: one object, one token authentication, one OpenAPI document.

Each app adds its own router from its ``AppConfig.ready()``; core names none of them::

    from jaga.core.api_routers import api_router_register
    api_router_register("<prefix>", "<app package>.api.router")   # served under /api/<prefix>/...

The dotted path names a ``ninja.Router``; it is imported when the URL configuration is first loaded
(``api_urls()``), after every app is ready, so an app's ``api.py`` may import its models freely.

Authentication: ``Authorization: Bearer <token>`` with a token made in Jaga (``jaga.core.models.ApiToken``).
A token is valid only while it is not revoked, its user is active and its user is still a member of the
token's institution (``jaga.core.services.api_token_authenticate``, also used by ``/metrics``). A token acts
as its user within its institution only. The OpenAPI document is ``/api/openapi.json``; ``/api/docs`` shows
it with ReDoc served from this server (no CDN).

Errors: 401 without a valid token, 403 when the token's role does not allow the action (``api_require``),
404 for what is not the institution's, 422 with ``{"detail": [{"loc": [...], "msg": ..., "type": ...}]}``
for bad input (``ApiInvalid`` or a Django ``ValidationError`` raised by a service).
"""

from __future__ import annotations

import threading
from importlib import import_module
from pathlib import Path
from typing import Any

import ninja
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.conf import settings as ninja_settings
from ninja.openapi.docs import DocsBase
from ninja.pagination import LimitOffsetPagination
from ninja.security import HttpBearer

from jaga.core.api_routers import api_routers
from jaga.core.csp import csp_widen
from jaga.core.models import ApiToken
from jaga.core.permissions import Action, user_can

REDOC_JS = Path(ninja.__file__).parent / "static" / "ninja" / "redoc.standalone.js"


class LocalRedoc(DocsBase):
    """ReDoc with its script served by Jaga itself (ninja would fall back to a CDN outside INSTALLED_APPS)."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        response = render(
            request,
            "core/api_docs.html",
            {"api": api, "openapi_json_url": self.get_openapi_url(api, kwargs), "script_url": reverse("api_docs_js")},
        )
        # ReDoc writes its styles into <style> elements at run time and searches in a blob: worker; scripts
        # stay Jaga's own files.
        return csp_widen(response, style_src=("'unsafe-inline'",), worker_src=("'self'", "blob:"))


def redoc_script(request: HttpRequest) -> FileResponse:
    return FileResponse(REDOC_JS.open("rb"), content_type="text/javascript")


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        from jaga.core.services import api_token_authenticate

        return api_token_authenticate(token)  # None: unknown, revoked, user inactive or no longer a member


api = NinjaAPI(
    title="Jaga API",
    version="1",
    description=(
        "Jaga: monitor situs, layanan dan perpanjangan, dan kemampuan lain, satu dokumen. / "
        "Jaga's monitors, renewals and other capabilities in one document. "
        "Otentikasi / authentication: `Authorization: Bearer <token>`."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs=LocalRedoc(),
    docs_url="/docs",
)


# --- the routers of the apps ----------------------------------------------------------------------

_mounted: set[str] = set()
_lock = threading.Lock()


def _router_load(dotted_path: str) -> ninja.Router:
    module_path, _sep, name = dotted_path.rpartition(".")
    router = getattr(import_module(module_path), name)
    if not isinstance(router, ninja.Router):
        raise TypeError(f"{dotted_path} is not a ninja.Router")
    return router


def api_urls() -> tuple[list[Any], str, str]:
    """The API's URL patterns with every registered router mounted (for ``path("api/", api_urls())``)."""
    with _lock:
        for prefix, dotted_path in api_routers().items():
            if prefix not in _mounted:
                api.add_router(prefix, _router_load(dotted_path))
                _mounted.add(prefix)
    return api.urls


# --- helpers for the routers ----------------------------------------------------------------------


class ApiInvalid(Exception):
    """Bad input with the place of each error: answered 422 ``{"detail": errors}``.

    ``errors`` is a list of ``{"loc": ["body", "field", ...], "msg": "...", "type": "value_error"}``."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("invalid")
        self.errors = errors


def api_token(request: HttpRequest) -> ApiToken:
    """The token the request was authenticated with."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    return token


def api_require(request: HttpRequest, action: Action) -> ApiToken:
    """The request's token if its user may do ``action`` in its institution, else 403."""
    token = api_token(request)
    if not user_can(token.user, token.institution, action):
        raise PermissionDenied
    return token


# Both bounds keep offset + limit inside a 64-bit integer: a larger number is a 422, not a database error.
PAGE_OFFSET_MAX = 10**15


class Pagination(LimitOffsetPagination):
    """``?limit=&offset=`` → ``{"items": [...], "count": n}``, for ``@paginate(Pagination)`` on every list."""

    class Input(Schema):
        limit: int = Field(ninja_settings.PAGINATION_PER_PAGE, ge=1, le=PAGE_OFFSET_MAX)
        offset: int = Field(0, ge=0, le=PAGE_OFFSET_MAX)


# --- errors ---------------------------------------------------------------------------------------


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": _("Peran Anda tidak mengizinkan tindakan ini.")}, status=403)


@api.exception_handler(ApiInvalid)
def _invalid(request: HttpRequest, exc: ApiInvalid) -> HttpResponse:
    return api.create_response(request, {"detail": exc.errors}, status=422)


@api.exception_handler(ValidationError)
def _service_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail: list[dict[str, Any]] = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                # the one validator names a configuration field by its path: config.pages.2.key
                loc = ["body", *field.split(".")] if field.startswith("config.") else ["body", field]
                detail.append({"loc": loc, "msg": " ".join(error.messages), "type": "value_error"})
    else:
        detail = [{"loc": ["body"], "msg": " ".join(exc.messages), "type": "value_error"}]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def _out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A number beyond what the database stores (an id or ``limit`` past 2^63 on SQLite), a value it refuses
    (out of range, NUL bytes on PostgreSQL): the input is wrong, not the server."""
    message = _("Nilai di luar batas yang dapat disimpan (angka terlalu besar atau karakter yang tidak diizinkan).")
    return api.create_response(
        request, {"detail": [{"loc": ["query"], "msg": message, "type": "value_error"}]}, status=422
    )
