"""The interface language: Indonesian (or ``JAGA_LANGUAGE``) unless the person chose otherwise.

Django's ``LocaleMiddleware`` follows the browser's ``Accept-Language``; many court computers run an
English browser, and a Jaga page that opens in English because of it is not what the court asked for.
Here the language is, in order:

1. the choice a signed-in user saved (``UserProfile.language``, copied into the session at log-in and
   whenever they switch, so an ordinary request costs no query);
2. the language cookie the switcher sets (a visitor who chose before signing in);
3. ``settings.LANGUAGE_CODE`` (``JAGA_LANGUAGE``, default ``id``).

The browser's ``Accept-Language`` is never read.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

SESSION_KEY = "jaga_language"


def language_supported(code: object) -> bool:
    return isinstance(code, str) and code in {lang for lang, _name in settings.LANGUAGES}


def language_for(request: HttpRequest) -> str:
    session = getattr(request, "session", None)
    if session is not None:
        chosen = session.get(SESSION_KEY)
        if language_supported(chosen):
            return str(chosen)
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if language_supported(cookie):
        return str(cookie)
    return str(settings.LANGUAGE_CODE)


class LanguageMiddleware:
    """Activates :func:`language_for`; replaces ``django.middleware.locale.LocaleMiddleware``.

    Comes after the session middleware. The response says its language (``Content-Language``) and does
    not vary on ``Accept-Language``, which it ignores.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
