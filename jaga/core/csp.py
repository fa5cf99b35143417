"""Content-Security-Policy: every page may use only what Jaga itself serves.

Every script, style sheet, image and font comes from Jaga's own static files, so the policy is strict: no
inline ``<script>``, no ``<style>`` block or ``style=""`` attribute, no ``on...=`` handler, no ``eval``, no
outside host, no framing, forms post only to Jaga. An injected ``<script>`` that slipped past escaping does not
run. A page that needs more (ReDoc builds its styles at run time) says so with :func:`csp_widen` on its
response, which widens only the directives it names and only for that response.

``tests/test_csp.py`` renders the pages and fails on any inline script, style or handler; the browser tests
fail on any CSP violation report.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:"),  # the institution's logo in a letter is inlined
    "font-src": ("'self'",),
    "connect-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'none'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}
HEADER = "Content-Security-Policy"
_EXTRA_ATTRIBUTE = "_jaga_csp_extra"


def policy_text(extra: dict[str, tuple[str, ...]] | None = None) -> str:
    directives = {name: list(values) for name, values in POLICY.items()}
    for name, values in (extra or {}).items():
        directives.setdefault(name, list(POLICY["default-src"]))
        directives[name] += [value for value in values if value not in directives[name]]
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def csp_widen(response: HttpResponse, **extra: tuple[str, ...]) -> HttpResponse:
    """Widen the policy of this response only: ``csp_widen(response, style_src=("'unsafe-inline'",))``."""
    setattr(response, _EXTRA_ATTRIBUTE, {name.replace("_", "-"): values for name, values in extra.items()})
    return response


class ContentSecurityPolicyMiddleware:
    """Puts the policy on every response that does not carry one already."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.default = policy_text()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if HEADER not in response.headers:
            extra = getattr(response, _EXTRA_ATTRIBUTE, None)
            response.headers[HEADER] = policy_text(extra) if extra else self.default
        return response
