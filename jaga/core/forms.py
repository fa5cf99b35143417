from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from jaga.core import notify_transport
from jaga.core.models import Institution, NotificationChannel, NotificationRoute, Role, Site
from jaga.core.notifications import event_type_choices


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


class MembershipForm(forms.Form):
    username = forms.CharField(
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
                try:
                    validate_password(password)
                except forms.ValidationError as exc:
                    self.add_error("password", exc)
        return cleaned


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
    actor = forms.ModelChoiceField(label=_("pelaku"), queryset=get_user_model()._default_manager.none(), required=False)
    date_from = forms.DateField(label=_("dari tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("sampai tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = (  # type: ignore[attr-defined]
            get_user_model()
            ._default_manager.filter(memberships__institution=institution)
            .distinct()
            .order_by("username")
        )
