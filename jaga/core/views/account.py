"""The signed-in person's own account: the account page, the password change, the language switch, and the
forgotten-password pages (by e-mail when Jaga can send e-mail, otherwise a page that says to ask an
Administrator)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from jaga.core import language, passwords
from jaga.core.forms import JagaPasswordChangeForm, JagaPasswordResetForm, JagaSetPasswordForm, LoginForm
from jaga.core.selectors import memberships_of_user, profile_of
from jaga.core.services import password_changed, profile_language_set
from jaga.core.twofactor import otp_has_device
from jaga.core.views.common import safe_next


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["reset_by_email"] = passwords.reset_by_email_available()
        return context


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    profile = profile_of(user=user)
    return render(
        request,
        "core/account.html",
        {
            "profile": profile,
            "memberships": memberships_of_user(user=user),
            "otp_enrolled": otp_has_device(user),
            "languages": settings.LANGUAGES,
            "default_language": settings.LANGUAGE_CODE,
        },
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Every user changes their own password here; a one-time password from an Administrator leads here."""

    template_name = "core/password_change.html"
    form_class = JagaPasswordChangeForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["required"] = bool(self.request.session.get(passwords.SESSION_KEY))
        context["next"] = safe_next(self.request, "")
        return context

    def form_valid(self, form: Form) -> HttpResponse:
        user = form.save()  # type: ignore[attr-defined]
        update_session_auth_hash(self.request, user)  # this session stays signed in; the others end
        password_changed(user=user)
        self.request.session.pop(passwords.SESSION_KEY, None)
        messages.success(self.request, _("Kata sandi Anda sudah diganti."))
        return HttpResponseRedirect(safe_next(self.request, reverse("core:account")))


class PasswordResetView(auth_views.PasswordResetView):
    """Forgotten password. With e-mail (``JAGA_EMAIL_URL``): a link by e-mail. Without: the page explains that
    an Administrator gives a one-time password, and asks nothing."""

    template_name = "core/password_reset.html"
    form_class = JagaPasswordResetForm
    email_template_name = "core/email/password_reset.txt"
    subject_template_name = "core/email/password_reset_subject.txt"
    success_url = reverse_lazy("core:password_reset_done")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not passwords.reset_by_email_available():
            return render(request, "core/password_reset_admin.html", status=200)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        base = str(getattr(settings, "JAGA_BASE_URL", "") or "")
        if base:  # links point at the address people use, not at whatever Host the request carried
            scheme, _sep, rest = base.partition("://")
            self.extra_email_context = {"protocol": scheme or "https"}
            self.domain_override = rest.rstrip("/") or None
            self.use_https = scheme == "https"
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "core/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "core/password_reset_confirm.html"
    form_class = JagaSetPasswordForm
    success_url = reverse_lazy("core:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        password_changed(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "core/password_reset_complete.html"


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch (cookie), plus the signed-in user's saved choice."""
    response = django_set_language(request)
    code = request.POST.get("language")
    if language.language_supported(code) and request.user.is_authenticated:
        profile_language_set(user=request.user, language=str(code))
        request.session[language.SESSION_KEY] = str(code)
    return response
