from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from jaga.core import clock
from jaga.core.models import Institution, Role, Site
from jaga.core.widgets import DayInput, MomentInput
from jaga.sop.keys import activity_key_choices
from jaga.sop.models import Activity, Outcome

MAX_EVIDENCE_BYTES = 25 * 1024 * 1024
FUTURE_SLACK = dt.timedelta(minutes=5)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[Any]]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class LedgerRecordForm(forms.Form):
    started_at = forms.DateTimeField(label=_("Mulai"), widget=MomentInput())
    ended_at = forms.DateTimeField(label=_("Selesai"), widget=MomentInput())
    site = forms.ModelChoiceField(
        label=_("Situs"), queryset=Site.objects.none(), required=False, empty_label=_("— tidak untuk satu situs —")
    )
    outcome = forms.ChoiceField(
        label=_("Hasil"),
        choices=[(value, label) for value, label in Outcome.choices if value != Outcome.RUNNING],
        initial=Outcome.SUCCESS,
    )
    notes = forms.CharField(label=_("Catatan"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    evidence = MultipleFileField(
        label=_("Berkas bukti"),
        required=False,
        help_text=_("Boleh lebih dari satu berkas, masing-masing paling besar 25 MB."),
    )

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.filter(institution=institution, is_active=True)  # type: ignore[attr-defined]

    def clean_evidence(self) -> list[UploadedFile[Any]]:
        files: list[UploadedFile[Any]] = self.cleaned_data.get("evidence") or []
        for upload in files:
            if (upload.size or 0) > MAX_EVIDENCE_BYTES:
                raise forms.ValidationError(
                    _("Berkas %(name)s lebih besar dari 25 MB."), params={"name": upload.name}, code="too_large"
                )
        return files

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        started, ended = data.get("started_at"), data.get("ended_at")
        if started and ended and ended < started:
            self.add_error("ended_at", _("Waktu selesai tidak boleh sebelum waktu mulai."))
        if ended and ended > clock.now() + FUTURE_SLACK:
            self.add_error("ended_at", _("Waktu selesai tidak boleh di masa depan."))
        return data


class PeriodForm(forms.Form):
    dari = forms.DateField(label=_("Dari"), required=False, widget=DayInput())
    sampai = forms.DateField(label=_("Sampai"), required=False, widget=DayInput())

    MAX_DAYS = 366

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("dari"), data.get("sampai")
        if start and end:
            if end < start:
                self.add_error("sampai", _("Tanggal akhir tidak boleh sebelum tanggal awal."))
            elif (end - start).days >= self.MAX_DAYS:
                self.add_error("sampai", _("Periode paling panjang 366 hari."))
        return data


# --- admin -----------------------------------------------------------------------------------------


class ActivityAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    executors = forms.MultipleChoiceField(
        label=_("Pelaksana"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    key = forms.ChoiceField(
        label=_("Kunci aktivitas"),
        choices=activity_key_choices,
        required=False,
        help_text=_("Pekerjaan Jaga yang dicatat pada aktivitas ini, apa pun nomornya dalam SOP ini."),
    )

    class Meta:
        model = Activity
        fields = [
            "number",
            "key",
            "description",
            "executors",
            "requirements",
            "time_standard",
            "time_standard_label",
            "output",
            "recurrence",
        ]
        help_texts = {
            "time_standard": _("Format JJ:MM:DD, mis. 02:00:00 untuk 2 jam; kosong berarti Relatif."),
            "recurrence": _("Format JJ:MM:DD atau 'H JJ:MM:DD' untuk hari; kosong berarti tidak berjadwal."),
        }

    def clean_executors(self) -> list[str]:
        return list(self.cleaned_data.get("executors") or [])


class ActivityInlineFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    """Activity numbers are unique within one SOP; say which form repeats which number."""

    def clean(self) -> None:
        # Checked before Django's own unique check, which only says "duplicate data for number".
        if self._mark_duplicate_numbers():
            return
        super().clean()

    def _mark_duplicate_numbers(self) -> bool:
        found = False
        seen: dict[tuple[str, Any], int] = {}
        for index, form in enumerate(self.forms, start=1):
            if not hasattr(form, "cleaned_data") or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            for field in ("number", "key"):
                value = form.cleaned_data.get(field)
                if value is None or value == "":
                    continue
                if (field, value) in seen:
                    row = seen[(field, value)]
                    if field == "number":
                        message = _("Nomor aktivitas %(number)s sudah dipakai di baris %(row)s.") % {
                            "number": value,
                            "row": row,
                        }
                    else:
                        message = _("Kunci aktivitas %(key)s sudah dipakai di baris %(row)s.") % {
                            "key": value,
                            "row": row,
                        }
                    form.add_error(field, message)
                    found = True
                else:
                    seen[(field, value)] = index
        return found
