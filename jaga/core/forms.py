from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
    UsernameField,
)
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from jaga.core import notify_transport
from jaga.core.models import Institution, Membership, NotificationChannel, NotificationRoute, Role, Site
from jaga.core.notifications import event_type_choices
from jaga.core.widgets import DayInput


class WriteOnlyTextarea(forms.Textarea):
    """Never renders the stored value back into the page."""

    def format_value(self, value: Any) -> str | None:
        return None


class WriteOnlyMixin:
    """Secret fields: blank keeps the stored value; a 'clear' box empties it."""

    write_only: tuple[str, ...] = ()

    def setup_write_only(self) -> None:
        form: Any = self
        for name in self.write_only:
            field = form.fields[name]
            field.required = False
            stored = bool(getattr(form.instance, name, ""))
            if stored:
                field.help_text = _("Tersimpan. Kosongkan untuk tetap memakai nilai lama.")
                form.fields[f"clear_{name}"] = forms.BooleanField(
                    label=_("Hapus nilai tersimpan untuk: %(field)s") % {"field": field.label}, required=False
                )

    def clean(self) -> dict[str, Any]:
        form: Any = self
        cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        for name in self.write_only:
            if cleaned.get(f"clear_{name}"):
                cleaned[name] = ""
            elif not cleaned.get(name):
                cleaned[name] = getattr(form.instance, name, "") or ""
        return cleaned


class InstitutionForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Institution
        fields = [
            "name",
            "slug",
            "address",
            "city",
            "phone",
            "email",
            "website",
            "logo",
            "time_zone",
            "letter_prefix",
            "secretary_name",
            "secretary_nip",
            "head_name",
            "head_nip",
        ]


def form_errors_add(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's ``ValidationError`` on ``form``: each field's messages on that field, the rest (and the errors
    of fields the form does not have) above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def blank_choice_label(field: Any, label: Any) -> None:
    """Name the empty choice of a select in words ("— none —") instead of Django's "---------"."""
    if isinstance(field, forms.ModelChoiceField):
        field.empty_label = label
    elif isinstance(field, forms.ChoiceField):
        choices: list[tuple[Any, Any]] = list(field.choices)  # type: ignore[arg-type]
        field.choices = [("", label) if value == "" else (value, text) for value, text in choices]


class SiteForm(WriteOnlyMixin, forms.ModelForm):  # type: ignore[type-arg]
    write_only = ("server_ssh_key", "db_password")

    class Meta:
        model = Site
        fields = [
            "name",
            "base_url",
            "cms",
            "hosting",
            "server_host",
            "server_port",
            "server_user",
            "server_ssh_key",
            "web_root",
            "db_engine",
            "db_host",
            "db_port",
            "db_name",
            "db_user",
            "db_password",
            "access_log_paths",
            "error_log_paths",
            "is_active",
        ]
        widgets = {
            "server_ssh_key": WriteOnlyTextarea(attrs={"rows": 4, "autocomplete": "off"}),
            "db_password": forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
            "access_log_paths": forms.Textarea(attrs={"rows": 2}),
            "error_log_paths": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_write_only()
        blank_choice_label(self.fields["db_engine"], _("— tanpa basis data —"))


class MembershipForm(forms.Form):
    username = UsernameField(
        label=_("nama pengguna"),
        max_length=150,
        help_text=_("Pengguna yang sudah ada, atau akun baru (isi kata sandi)."),
    )
    role = forms.ChoiceField(label=_("peran"), choices=Role.choices)
    full_name = forms.CharField(label=_("nama lengkap (akun baru)"), max_length=150, required=False)
    email = forms.EmailField(label=_("e-mail (akun baru)"), required=False)
    password = forms.CharField(
        label=_("kata sandi (akun baru)"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        username = cleaned.get("username", "")
        if username and not get_user_model()._default_manager.filter(username=username).exists():
            password = cleaned.get("password", "")
            if not password:
                self.add_error(
                    "password", _("Pengguna '%(name)s' belum ada: isi kata sandi untuk akun baru.") % {"name": username}
                )
            else:
                # The new account as it will be, so that "too similar to the name" can be judged.
                first, _sep, last = str(cleaned.get("full_name") or "").strip().partition(" ")
                candidate = get_user_model()(
                    username=username, email=cleaned.get("email") or "", first_name=first, last_name=last
                )
                try:
                    validate_password(password, candidate)
                except forms.ValidationError as exc:
                    self.add_error("password", exc)
        return cleaned


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("peran baru"), choices=Role.choices)

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership

    def clean_role(self) -> str:
        role = str(self.cleaned_data["role"])
        held = Membership.objects.filter(user=self.membership.user, institution=self.membership.institution)
        if role != self.membership.role and held.filter(role=role).exists():
            raise ValidationError(
                _("%(user)s sudah memegang peran %(role)s di instansi ini."),
                params={"user": self.membership.user.get_username(), "role": Role(role).label},
            )
        return role


# --- accounts: log-in and passwords ----------------------------------------------------------------


def _username_max_length() -> int:
    field = get_user_model()._meta.get_field(get_user_model().USERNAME_FIELD)
    return int(getattr(field, "max_length", None) or 150)


class LoginForm(AuthenticationForm):
    """Django's log-in form with Jaga's words, and a user name too long for any account refused as a form
    error before anything is looked up or counted (a 300-character name was a server error on PostgreSQL:
    the failed-log-in record could not hold it)."""

    username = UsernameField(
        label=_("nama pengguna"), widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
    password = forms.CharField(
        label=_("kata sandi"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    error_messages = {
        "invalid_login": _("Nama pengguna atau kata sandi salah. Perhatikan huruf besar dan kecil."),
        "inactive": _("Akun ini nonaktif. Hubungi administrator instansi Anda."),
    }

    def clean_username(self) -> str:
        username = str(self.cleaned_data["username"])
        limit = _username_max_length()
        if len(username) > limit:
            raise ValidationError(
                _("Nama pengguna terlalu panjang: paling banyak %(limit)d karakter, yang diisi %(length)d."),
                code="max_length",
                params={"limit": limit, "length": len(username)},
            )
        return username


PASSWORD_ERROR_MESSAGES = {
    "password_mismatch": _("Kedua kata sandi baru tidak sama."),
    "password_incorrect": _("Kata sandi lama salah. Silakan isi lagi."),
}


class _PasswordWords:
    """Jaga's labels and mismatch message for Django's password forms."""

    def use_jaga_words(self) -> None:
        form: Any = self
        form.error_messages = {**form.error_messages, **PASSWORD_ERROR_MESSAGES}
        form.fields["new_password1"].label = _("kata sandi baru")
        form.fields["new_password2"].label = _("ulangi kata sandi baru")
        form.fields["new_password2"].help_text = _("Ketik sekali lagi untuk memastikan.")
        if "old_password" in form.fields:
            form.fields["old_password"].label = _("kata sandi sekarang")


class JagaPasswordChangeForm(_PasswordWords, PasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.use_jaga_words()


class JagaSetPasswordForm(_PasswordWords, SetPasswordForm):  # type: ignore[type-arg,misc]
    """A new password without the old one: the reset link, and the administrator's one-time password."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.use_jaga_words()


class OneTimePasswordForm(JagaSetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("kata sandi sekali pakai")
        self.fields["new_password2"].label = _("ulangi kata sandi sekali pakai")


class JagaPasswordResetForm(PasswordResetForm):
    """The reset e-mail, written in the language the user chose (the interface's default otherwise)."""

    email = forms.EmailField(
        label=_("e-mail akun Anda"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def get_users(self, email: str) -> Any:
        """The accounts to write to, less those that were sent a link a moment ago (no inbox flooding)."""
        from jaga.core.services import password_reset_request_allow

        for user in super().get_users(email):
            if password_reset_request_allow(user=user):
                yield user

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        from jaga.core.selectors import profile_language_of

        language = profile_language_of(user=context["user"]) or settings.LANGUAGE_CODE
        with translation.override(language):
            super().send_mail(
                subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name
            )


class NotificationChannelForm(WriteOnlyMixin, forms.ModelForm):  # type: ignore[type-arg]
    write_only = ("url",)

    class Meta:
        model = NotificationChannel
        fields = ["name", "url", "enabled"]
        widgets = {"url": forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_write_only()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        url = cleaned.get("url", "")
        if not url:
            self.add_error("url", _("URL apprise wajib diisi."))
        elif not notify_transport.url_is_valid(url):
            scheme = url.split("://", 1)[0] if "://" in url else url[:10]
            self.add_error(
                "url",
                _("URL apprise tidak dikenali (skema '%(scheme)s'). Lihat docs/notifications.md.") % {"scheme": scheme},
            )
        return cleaned


class NotificationRouteForm(forms.ModelForm):  # type: ignore[type-arg]
    """A route: the event types are those the apps declared (``event_type_register``), their areas, or all."""

    event_type = forms.ChoiceField(label=_("jenis peristiwa"))

    class Meta:
        model = NotificationRoute
        fields = ["event_type", "channel", "role"]

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = NotificationChannel.objects.filter(  # type: ignore[attr-defined]
            institution=institution
        )
        blank_choice_label(self.fields["channel"], _("— pilih saluran —"))
        blank_choice_label(self.fields["role"], _("— tanpa peran: sesuai URL saluran —"))
        field: Any = self.fields["event_type"]
        field.choices = event_type_choices()
        field.help_text = _("Satu jenis peristiwa, semua peristiwa satu bidang (bidang.*), atau semuanya (*).")
        field.error_messages["invalid_choice"] = _(
            "Jenis peristiwa '%(value)s' tidak dikenal: pilih salah satu dari daftar."
        )


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("nama token"), max_length=120, help_text=_("Untuk apa token ini dipakai."))


class OtpCodeForm(forms.Form):
    code = forms.CharField(
        label=_("kode"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class AuditFilterForm(forms.Form):
    actor = forms.ModelChoiceField(
        label=_("pelaku"), queryset=get_user_model()._default_manager.none(), required=False, empty_label=_("semua")
    )
    source = forms.ChoiceField(
        label=_("asal perubahan"),
        required=False,
        choices=[
            ("", _("semua")),
            ("person", _("orang, lewat web")),
            ("api", _("API (token)")),
            ("system", _("Jaga sendiri (proses otomatis)")),
        ],
    )
    date_from = forms.DateField(label=_("dari tanggal"), required=False, widget=DayInput())
    date_to = forms.DateField(label=_("sampai tanggal"), required=False, widget=DayInput())

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = (  # type: ignore[attr-defined]
            get_user_model()
            ._default_manager.filter(memberships__institution=institution)
            .distinct()
            .order_by("username")
        )
