"""The restore form (which snapshot, and where: a new folder, or over the live site after typing its name) and
the export form (which snapshot, onto which medium, into which empty folder, labelled and kept where)."""

from __future__ import annotations

import os
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jaga.backups.models import Medium, Plan
from jaga.backups.services import live_confirmation_text


def snapshot_clean(value: object) -> str:
    text = str(value).strip()
    if text != "latest" and not (4 <= len(text) <= 64 and all(ch in "0123456789abcdef" for ch in text)):
        raise forms.ValidationError(_("Tulis awal id snapshot (huruf a–f dan angka) atau latest."))
    return text


def new_folder_clean(value: object) -> str:
    """An absolute folder that does not exist yet or is empty (nothing there is overwritten)."""
    target = str(value or "").strip()
    if not target or not os.path.isabs(target):
        raise forms.ValidationError(_("Tulis folder lengkap, diawali /."))
    if os.path.isdir(target) and os.listdir(target):
        raise forms.ValidationError(_("Folder ini tidak kosong; pilih folder baru."))
    if os.path.exists(target) and not os.path.isdir(target):
        raise forms.ValidationError(_("Ini sebuah berkas, bukan folder; pilih folder baru."))
    return os.path.normpath(target)


class RestoreForm(forms.Form):
    MODES = (
        ("folder", _("Ke folder baru di server (situs tidak disentuh)")),
        ("live", _("Di atas situs yang berjalan (snapshot pengaman diambil dulu)")),
    )

    snapshot = forms.CharField(
        label=_("Snapshot"), initial="latest", max_length=80, help_text=_("Awal id snapshot, atau latest (terbaru).")
    )
    mode = forms.ChoiceField(label=_("Tujuan"), choices=MODES, widget=forms.RadioSelect, initial="folder")
    target = forms.CharField(
        label=_("Folder tujuan"), required=False, max_length=500, help_text=_("Folder kosong, diawali /.")
    )
    confirmation = forms.CharField(label=_("Ketik nama situs untuk memulihkan di atasnya"), required=False)

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["confirmation"].help_text = _("Ketik persis: %(name)s") % {"name": live_confirmation_text(plan)}

    def clean_snapshot(self) -> str:
        return snapshot_clean(self.cleaned_data["snapshot"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == "folder":
            try:
                data["target"] = new_folder_clean(data.get("target"))
            except forms.ValidationError as exc:
                self.add_error("target", exc)
                data["target"] = ""
        elif data.get("mode") == "live" and str(data.get("confirmation") or "").strip() != live_confirmation_text(
            self.plan
        ):
            self.add_error(
                "confirmation", _("Tidak cocok. Ketik persis %(name)s.") % {"name": live_confirmation_text(self.plan)}
            )
        return data


class ExportForm(forms.Form):
    """An export to offline media: the set is written into ``target`` (the mounted disk, or a folder to burn)."""

    PASSPHRASE_MIN = 12

    snapshot = forms.CharField(
        label=_("Snapshot"), initial="latest", max_length=80, help_text=_("Awal id snapshot, atau latest (terbaru).")
    )
    medium = forms.ChoiceField(label=_("Media"), choices=Medium.choices, initial=Medium.DISK)
    target = forms.CharField(
        label=_("Folder tujuan"),
        max_length=500,
        help_text=_(
            "Folder kosong di server, diawali /: disk eksternal yang terpasang, atau folder untuk dibakar ke CD/DVD."
        ),
    )
    label = forms.CharField(
        label=_("Label media"), required=False, max_length=200, help_text=_("Tulisan di media; kosong: nama folder.")
    )
    kept_at = forms.CharField(
        label=_("Tempat penyimpanan"), required=False, max_length=300, help_text=_("Misalnya: lemari arsip ruang PTIP.")
    )
    passphrase = forms.CharField(
        label=_("Frasa sandi (pilihan)"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Bila diisi, berkas dienkripsi; tanpa frasa ini media tidak dapat dipulihkan. Minimal 12 karakter."
        ),
    )
    passphrase_again = forms.CharField(
        label=_("Ulangi frasa sandi"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_snapshot(self) -> str:
        return snapshot_clean(self.cleaned_data["snapshot"])

    def clean_target(self) -> str:
        return new_folder_clean(self.cleaned_data["target"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        passphrase = str(data.get("passphrase") or "")
        if passphrase and len(passphrase) < self.PASSPHRASE_MIN:
            self.add_error("passphrase", _("Frasa sandi minimal 12 karakter."))
        elif passphrase != str(data.get("passphrase_again") or ""):
            self.add_error("passphrase_again", _("Kedua frasa sandi tidak sama."))
        return data


class PlanForm(forms.ModelForm):  # type: ignore[type-arg]
    """A plan: which site, into which repository, how often, how long kept, how checked and drilled.

    Editing (``instance`` given) also offers *active*; once the plan has backups its site and repository are
    shown but fixed (the runs name snapshots of that repository)."""

    class Meta:
        model = Plan
        fields = [
            "site", "name", "repository", "interval_hours", "keep_last", "keep_daily", "keep_weekly",
            "keep_monthly", "keep_yearly", "check_interval_days", "read_cycle_checks", "drill_interval_days",
            "is_active",
        ]  # fmt: skip

    def __init__(self, *args: Any, institution: Any, fixed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["is_active"]
        site_field = self.fields["site"]
        repository_field = self.fields["repository"]
        assert isinstance(site_field, forms.ModelChoiceField)
        assert isinstance(repository_field, forms.ModelChoiceField)
        site_field.queryset = institution.sites.filter(is_active=True).order_by("name")
        site_field.label = _("Situs")
        site_field.empty_label = _("— pilih situs —")
        repository_field.queryset = institution.backup_repositories.filter(removed_at__isnull=True).order_by("name")
        repository_field.label = _("Repositori tujuan")
        repository_field.empty_label = _("— pilih repositori —")
        for name in ("interval_hours", "read_cycle_checks"):
            self.fields[name].min_value = 1  # type: ignore[attr-defined]
            self.fields[name].widget.attrs["min"] = "1"
        if fixed:
            for name in ("site", "repository"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "Tetap setelah rencana ini punya cadangan; untuk yang lain buat rencana baru."
                )


def _secret(field: forms.Field, label: str, *, multiline: bool) -> None:
    """A secret typed once and stored encrypted: a key pasted in a box, or a password."""
    field.label = gettext(label)
    field.help_text = _("Disimpan terenkripsi; tidak pernah ditampilkan lagi.")
    field.widget = (
        forms.Textarea(attrs={"rows": 4, "autocomplete": "off"})
        if multiline
        else forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


class SourceForm(forms.Form):
    """A source's own name and secret; its kind's settings are the kind's configuration form beside it.

    Editing (``source`` given): an empty secret keeps the stored one; the name is fixed once the plan has
    backups (a drill finds the source in a snapshot by its name)."""

    name = forms.SlugField(
        label=_("Nama"), max_length=60, help_text=_("Nama pendek tanpa spasi (huruf, angka, -): folder dalam snapshot.")
    )
    secret = forms.CharField(required=False, strip=False)

    def __init__(
        self, *args: Any, plan: Plan, kind: Any, source: Any = None, name_fixed: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.source = source
        if name_fixed:
            self.fields["name"].disabled = True
            self.fields["name"].help_text = _(
                "Tetap setelah ada cadangan: latihan pemulihan mencarinya dengan nama ini."
            )
        field = self.fields["secret"]
        if not kind.secret_label:
            del self.fields["secret"]
            return
        _secret(field, kind.secret_label, multiline=kind.secret_multiline)
        if source is not None and source.secret:
            field.help_text = _("Tersimpan terenkripsi. Kosongkan untuk tetap memakai yang tersimpan.")

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"])
        others = self.plan.sources.filter(name=name)
        if self.source is not None:
            others = others.exclude(pk=self.source.pk)
        if others.exists():
            raise forms.ValidationError(_("Rencana ini sudah punya sumber bernama %(name)s.") % {"name": name})
        return name


class RepositoryForm(forms.Form):
    """A new restic repository: where, its password (twice), and its kind's credentials when it has any."""

    PASSWORD_MIN = 12

    name = forms.CharField(label=_("Nama"), max_length=200)
    location = forms.CharField(label=_("Lokasi"), max_length=500)
    password = forms.CharField(
        label=_("Kata sandi repositori baru"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Minimal 12 karakter. Tanpa kata sandi ini cadangan tidak dapat dipulihkan: cetak lembar pemulihannya."
        ),
    )
    password_again = forms.CharField(
        label=_("Ulangi kata sandi"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    credentials = forms.CharField(required=False, strip=False)

    def __init__(self, *args: Any, backend: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if backend.location_hint:
            self.fields["location"].help_text = gettext(backend.location_hint)
        field = self.fields["credentials"]
        if not backend.credentials_label:
            del self.fields["credentials"]
            return
        _secret(field, backend.credentials_label, multiline=backend.credentials_multiline)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password = str(data.get("password") or "")
        if password and len(password) < self.PASSWORD_MIN:
            self.add_error("password", _("Kata sandi repositori minimal 12 karakter."))
        elif password and password != str(data.get("password_again") or ""):
            self.add_error("password_again", _("Kedua kata sandi tidak sama."))
        return data


class RepositoryEditForm(forms.Form):
    """A repository's name, location and credentials; its password stays (it is on the recovery sheet)."""

    name = forms.CharField(label=_("Nama"), max_length=200)
    location = forms.CharField(
        label=_("Lokasi"),
        max_length=500,
        help_text=_(
            "Bila diubah, Jaga memeriksa bahwa repositori di lokasi baru adalah repositori ini (id yang sama)."
        ),
    )
    credentials = forms.CharField(required=False, strip=False)

    def __init__(self, *args: Any, backend: Any, has_credentials: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["credentials"]
        if not backend.credentials_label:
            del self.fields["credentials"]
            return
        _secret(field, backend.credentials_label, multiline=backend.credentials_multiline)
        if has_credentials:
            field.help_text = _("Tersimpan terenkripsi. Kosongkan untuk tetap memakai yang tersimpan.")


class RemoveForm(forms.Form):
    """A removal confirmed by typing the name of what goes; a repository's also asks about its restic data."""

    confirmation = forms.CharField(label=_("Ketik namanya untuk mengonfirmasi"), max_length=300)
    delete_data = forms.BooleanField(
        label=_("Hapus juga data restic di lokasinya (semua snapshot; tidak dapat dibatalkan)"), required=False
    )

    def __init__(self, *args: Any, name: str, data_choice: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expected = name
        self.fields["confirmation"].help_text = _("Ketik persis: %(name)s") % {"name": name}
        if not data_choice:
            del self.fields["delete_data"]

    def clean_confirmation(self) -> str:
        typed = str(self.cleaned_data["confirmation"]).strip()
        if typed != self.expected:
            raise forms.ValidationError(_("Tidak cocok. Ketik persis %(name)s.") % {"name": self.expected})
        return typed
