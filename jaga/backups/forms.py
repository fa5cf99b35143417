"""The restore form: which snapshot, and where (a new folder, or over the live site after typing its name)."""

from __future__ import annotations

import os
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jaga.backups.models import Plan
from jaga.backups.services import live_confirmation_text


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
        value = str(self.cleaned_data["snapshot"]).strip()
        if value != "latest" and not (4 <= len(value) <= 64 and all(ch in "0123456789abcdef" for ch in value)):
            raise forms.ValidationError(_("Tulis awal id snapshot (huruf a–f dan angka) atau latest."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == "folder":
            target = str(data.get("target") or "").strip()
            if not target or not os.path.isabs(target):
                self.add_error("target", _("Tulis folder lengkap, diawali /."))
            elif os.path.isdir(target) and os.listdir(target):
                self.add_error("target", _("Folder ini tidak kosong; pilih folder baru."))
            data["target"] = os.path.normpath(target) if target else ""
        elif data.get("mode") == "live" and str(data.get("confirmation") or "").strip() != live_confirmation_text(
            self.plan
        ):
            self.add_error(
                "confirmation", _("Tidak cocok. Ketik persis %(name)s.") % {"name": live_confirmation_text(self.plan)}
            )
        return data
