"""Forms of the report pages. They only collect and check input; the services decide and store."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jaga.core.models import Institution, Site
from jaga.core.widgets import DayInput
from jaga.reports.builders import REGISTRY
from jaga.reports.document import Period
from jaga.reports.models import Report, ReportSchedule

DATE = DayInput()
MAX_PERIOD_DAYS = 366


def previous_month(today: dt.date) -> Period:
    end = today.replace(day=1) - dt.timedelta(days=1)
    return Period(end.replace(day=1), end)


class PeriodForm(forms.Form):
    """A period from its first to its last day, at most MAX_PERIOD_DAYS long."""

    period_start = forms.DateField(label=_("Awal periode"), widget=DATE)
    period_end = forms.DateField(label=_("Akhir periode"), widget=DATE)
    too_long = _("Periode laporan paling lama 366 hari.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end:
            if end < start:
                self.add_error("period_end", _("Akhir periode sebelum awalnya."))
            elif (end - start).days >= MAX_PERIOD_DAYS:
                self.add_error("period_end", self.too_long)
        return data

    @property
    def period(self) -> Period:
        return Period(self.cleaned_data["period_start"], self.cleaned_data["period_end"])


class ReportCreateForm(PeriodForm):
    field_order = ("kind", "period_start", "period_end", "site", "language")

    kind = forms.ChoiceField(label=_("Jenis laporan"), choices=())
    site = forms.ModelChoiceField(
        label=_("Situs"), queryset=Site.objects.none(), required=False, empty_label=_("Semua situs instansi")
    )
    language = forms.ChoiceField(label=_("Bahasa laporan"), choices=Report.Language.choices)

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind: Any = self.fields["kind"]
        kind.choices = REGISTRY.choices()
        site: Any = self.fields["site"]
        site.queryset = Site.objects.filter(institution=institution, is_active=True).order_by("name")


class ReportEditForm(forms.Form):
    conclusions = forms.CharField(
        label=_("Simpulan dan saran"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Disusun Jaga dari data. Satu butir per baris; butir setelah baris “Saran:” menjadi saran. "
            "Kosongkan untuk kembali ke susunan Jaga."
        ),
    )
    signer_name = forms.CharField(label=_("Nama penanda tangan"), max_length=120, required=False)
    signer_position = forms.CharField(label=_("Jabatan penanda tangan"), max_length=200, required=False)
    signer_nip = forms.CharField(label=_("NIP penanda tangan"), max_length=30, required=False)

    def clean_signer_nip(self) -> str:
        nip = str(self.cleaned_data.get("signer_nip", "")).replace(" ", "")
        if nip and (not nip.isdigit() or len(nip) != 18):
            raise ValidationError(_("NIP terdiri atas 18 angka."))
        return nip


class AcknowledgeForm(forms.Form):
    disposition = forms.CharField(
        label=_("Disposisi (opsional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Arahan Sekretaris untuk tindak lanjut laporan ini."),
    )


class ReportScheduleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis laporan"), choices=())
    cadence = forms.ChoiceField(label=_("Kekerapan"), choices=ReportSchedule.Cadence.choices)
    at = forms.TimeField(
        label=_("Pukul"),
        initial=dt.time(7, 30),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Di zona waktu instansi. Pekanan: setiap Senin; bulanan: setiap tanggal 1."),
    )
    site = forms.ModelChoiceField(
        label=_("Situs"), queryset=Site.objects.none(), required=False, empty_label=_("Semua situs instansi")
    )
    language = forms.ChoiceField(label=_("Bahasa laporan"), choices=Report.Language.choices)

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind: Any = self.fields["kind"]
        kind.choices = REGISTRY.choices()
        site: Any = self.fields["site"]
        site.queryset = Site.objects.filter(institution=institution, is_active=True).order_by("name")


class EvidencePackForm(PeriodForm):
    too_long = _("Periode paket bukti paling lama 366 hari.")
    language = forms.ChoiceField(label=_("Bahasa"), choices=Report.Language.choices)
