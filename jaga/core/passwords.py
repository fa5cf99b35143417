"""Password rules, in Jaga's words, for every password set anywhere.

Django's four validators (length, similarity to the account, a list of common passwords, not only digits)
with messages written in Indonesian (English in the catalogue), and the common-password list extended with
words Indonesian offices use (``data/common-passwords-id.txt``: "bismillah", "pengadilan123", the
court's own name...). They run through ``AUTH_PASSWORD_VALIDATORS``, so the membership form, the password
change, the reset, the administrator's one-time password, Django's admin and ``jaga createsuperuser`` all
apply the same rules.

Also here: the administrator's one-time password is changed before anything else
(:class:`PasswordChangeRequiredMiddleware`), and whether a forgotten password is reset by e-mail.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import password_validation as django_validation
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jaga.core.middleware import gate_exempt_prefixes

INDONESIAN_COMMON_PASSWORDS = Path(__file__).resolve().parent / "data" / "common-passwords-id.txt"
SESSION_KEY = "jaga_password_change_required"


class MinimumLengthValidator(django_validation.MinimumLengthValidator):
    """At least ``JAGA_PASSWORD_MIN_LENGTH`` characters (read when checking: Django keeps validators)."""

    def __init__(self, min_length: int | None = None) -> None:
        self._fixed = min_length
        super().__init__(self._configured())

    def _configured(self) -> int:
        configured: int = getattr(settings, "JAGA_PASSWORD_MIN_LENGTH", 10)
        return self._fixed or configured

    def validate(self, password: str, user: Any = None) -> None:
        self.min_length = self._configured()
        super().validate(password, user)

    def get_error_message(self) -> str:
        return ngettext(
            "Kata sandi terlalu pendek: paling sedikit %(min_length)d karakter.",
            "Kata sandi terlalu pendek: paling sedikit %(min_length)d karakter.",
            self.min_length,
        ) % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        self.min_length = self._configured()
        return ngettext(
            "Paling sedikit %(min_length)d karakter.",
            "Paling sedikit %(min_length)d karakter.",
            self.min_length,
        ) % {"min_length": self.min_length}


class UserAttributeSimilarityValidator(django_validation.UserAttributeSimilarityValidator):
    def get_error_message(self) -> str:
        return _("Kata sandi terlalu mirip dengan %(verbose_name)s akun ini.")

    def get_help_text(self) -> str:
        return _("Tidak boleh mirip dengan nama pengguna, nama atau e-mail Anda.")


class CommonPasswordValidator(django_validation.CommonPasswordValidator):
    """Django's 20,000 common passwords plus the Indonesian list beside this module."""

    def __init__(self, password_list_path: Any = None) -> None:
        if password_list_path is None:
            super().__init__()
        else:
            super().__init__(password_list_path)
        words = INDONESIAN_COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
        self.passwords |= {word.strip().lower() for word in words if word.strip() and not word.startswith("#")}

    def get_error_message(self) -> str:
        return _("Kata sandi ini terlalu umum dan mudah ditebak.")

    def get_help_text(self) -> str:
        return _("Bukan kata sandi yang umum dipakai.")


class NumericPasswordValidator(django_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return _("Kata sandi tidak boleh hanya berisi angka.")

    def get_help_text(self) -> str:
        return _("Tidak hanya berisi angka.")


def reset_by_email_available() -> bool:
    """A forgotten password is reset by e-mail only when Jaga can send e-mail (``JAGA_EMAIL_URL``)."""
    return bool(getattr(settings, "JAGA_EMAIL_URL", ""))


class PasswordChangeRequiredMiddleware:
    """A user who signed in with an administrator's one-time password changes it before any other page.

    The flag is copied into the session at log-in (``UserProfile.password_change_required``), so ordinary
    requests cost no query. Comes after the 2FA requirement: the second step first, then the new password.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if (
            session is not None
            and session.get(SESSION_KEY)
            and request.user.is_authenticated
            and not request.path.startswith(gate_exempt_prefixes("core:password_change"))
        ):
            url = f"{reverse('core:password_change')}?{urlencode({'next': request.get_full_path()})}"
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = url
                return response
            return HttpResponseRedirect(url)
        return self.get_response(request)
