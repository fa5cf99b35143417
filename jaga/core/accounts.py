"""What a log-in brings into the session: the language the user chose and whether their password is an
administrator's one-time password (``UserProfile``). Read once at log-in, so that the language middleware
and the password-change requirement cost no query on ordinary requests."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest

from jaga.core import language, passwords
from jaga.core.models import UserProfile


def _on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    profile = UserProfile.objects.filter(user_id=user.pk).first()
    if profile is not None and language.language_supported(profile.language):
        session[language.SESSION_KEY] = profile.language
    if profile is not None and profile.password_change_required:
        session[passwords.SESSION_KEY] = True


def connect() -> None:
    user_logged_in.connect(_on_logged_in, dispatch_uid="jaga_accounts_logged_in")
