"""Forms of the incidents pages. They only collect and check input; the services decide and store."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jaga.core.models import Site
from jaga.core.widgets import DayInput
from jaga.incidents.kinds import REGISTRY
from jaga.incidents.kinds.base import Severity
from jaga.incidents.models import EntryKind, Incident, State, Tier, Vendor
from jaga.incidents.selectors import OPEN, IncidentFilter
from jaga.incidents.services.vendors import VENDOR_FIELDS
from jaga.incidents.uploads import attachment_check

DATE = DayInput()
ATTACH_ACCEPT = {"accept": "image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain,.log,.txt"}


class AttachmentField(forms.FileField):
    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload:
            attachment_check(upload)
        return upload


class FilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    jenis = forms.ChoiceField(label=_("Jenis"), required=False)
    keparahan = forms.ChoiceField(label=_("Tingkat keparahan"), required=False)
    situs = forms.ChoiceField(label=_("Situs"), required=False)
    dari = forms.DateField(label=_("Dari tanggal"), required=False, widget=DATE)
    sampai = forms.DateField(label=_("Sampai tanggal"), required=False, widget=DATE)

    def __init__(self, *args: Any, sites: list[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: Any = self.fields
        choices["status"].choices = [(OPEN, _("Belum selesai")), ("", _("Semua")), *State.choices]
        choices["jenis"].choices = [("", _("Semua")), *REGISTRY.choices()]
        choices["keparahan"].choices = [("", _("Semua")), *Severity.choices]
        choices["situs"].choices = [("", _("Semua")), *((str(s.pk), s.name) for s in sites)]

    def filters(self) -> IncidentFilter:
        if not self.is_bound:
            return IncidentFilter()
        if not self.is_valid():
            return IncidentFilter()
        data = self.cleaned_data
        return IncidentFilter(
            state=(data.get("status") or "") if "status" in self.data else OPEN,
            kind=data.get("jenis") or "",
            severity=data.get("keparahan") or "",
            site_id=int(data["situs"]) if data.get("situs") else None,
            start=data.get("dari"),
            end=data.get("sampai"),
        )


class ManualIncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis masalah"))
    summary = forms.CharField(label=_("Ringkasan"), max_length=500)
    description = forms.CharField(
        label=_("Uraian"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Apa yang terlihat, sejak kapan, apa yang sudah dicoba."),
    )  # fmt: skip
    severity = forms.ChoiceField(
        label=_("Tingkat keparahan"), required=False,
        help_text=_("Kosongkan untuk memakai tingkat bawaan jenisnya."),
    )  # fmt: skip
    attachment = AttachmentField(
        label=_("Lampiran"), required=False, widget=forms.ClearableFileInput(attrs=ATTACH_ACCEPT),
        help_text=_("Tangkapan layar, PDF atau log; paling besar 10 MB."),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["kind"].choices = REGISTRY.choices()
        fields["kind"].initial = "manual"
        fields["severity"].choices = [("", _("Bawaan jenisnya")), *Severity.choices]


class EntryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Jenis entri"), widget=forms.RadioSelect, initial=EntryKind.NOTE,
        choices=[(EntryKind.NOTE, EntryKind.NOTE.label), (EntryKind.ACTION, EntryKind.ACTION.label)],
    )  # fmt: skip
    text = forms.CharField(label=_("Isi"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_alternative = forms.BooleanField(
        label=_("Tindakan ini alternatif pemecahan masalah"), required=False,
        help_text=_("Dicantumkan di laporan keadaan kepada Sekretaris."),
    )  # fmt: skip
    worked = forms.ChoiceField(
        label=_("Hasilnya"), required=False,
        choices=[("", _("Belum diketahui")), ("yes", _("Berhasil")), ("no", _("Tidak berhasil"))],
    )  # fmt: skip
    attachment = AttachmentField(
        label=_("Lampiran"), required=False, widget=forms.ClearableFileInput(attrs=ATTACH_ACCEPT),
        help_text=_("Tangkapan layar, PDF atau log; paling besar 10 MB."),
    )  # fmt: skip
    is_public = forms.BooleanField(label=_("Tampilkan di halaman status publik"), required=False)
    public_text = forms.CharField(
        label=_("Teks untuk publik"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kosongkan untuk memakai isi di atas. Jangan tulis rincian teknis atau rahasia."),
    )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("text") or "").strip() and not data.get("attachment"):
            raise ValidationError(_("Tulis isinya atau lampirkan berkas."))
        if data.get("is_alternative") and data.get("kind") != EntryKind.ACTION:
            self.add_error("is_alternative", _("Hanya tindakan yang dapat menjadi alternatif pemecahan masalah."))
        return data

    def worked_value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("worked") or "")


class StateForm(forms.Form):
    to_state = forms.ChoiceField(label=_("Status baru"), choices=State.choices)
    note = forms.CharField(label=_("Catatan"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class EscalateForm(forms.Form):
    to_tier = forms.TypedChoiceField(label=_("Naik ke"), coerce=int)
    reason = forms.CharField(label=_("Alasan"), widget=forms.Textarea(attrs={"rows": 2}))
    vendor = forms.ModelChoiceField(
        label=_("Vendor (tingkat 3)"), required=False, queryset=Vendor.objects.none(),
        empty_label=_("— belum dipilih —"),
    )  # fmt: skip
    vendor_ticket = forms.CharField(label=_("Nomor tiket vendor"), required=False, max_length=200)

    def __init__(self, *args: Any, incident: Incident, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["to_tier"].choices = [(t.value, t.label) for t in Tier if t.value > incident.tier]
        fields["vendor"].queryset = Vendor.objects.filter(institution_id=incident.site.institution_id)


class VendorTicketForm(forms.Form):
    vendor = forms.ModelChoiceField(label=_("Vendor"), required=False, queryset=Vendor.objects.none())
    vendor_ticket = forms.CharField(label=_("Nomor tiket vendor"), required=False, max_length=200)

    def __init__(self, *args: Any, incident: Incident, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        vendor: Any = self.fields["vendor"]
        vendor.queryset = Vendor.objects.filter(institution_id=incident.site.institution_id)


class ReviewForm(forms.Form):
    what = forms.CharField(label=_("Apa yang terjadi"), widget=forms.Textarea(attrs={"rows": 2}))
    cause = forms.CharField(label=_("Penyebab"), widget=forms.Textarea(attrs={"rows": 2}))
    done = forms.CharField(label=_("Apa yang dilakukan"), widget=forms.Textarea(attrs={"rows": 2}))
    prevention = forms.CharField(label=_("Pencegahan agar tidak terulang"), widget=forms.Textarea(attrs={"rows": 2}))


class VendorForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Vendor
        fields = list(VENDOR_FIELDS)
        widgets = {
            "services": forms.Textarea(attrs={"rows": 2}),
            "contacts": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "contract_ends_on": DATE,
        }


class MaintenanceUpdateForm(forms.Form):
    window = forms.TypedChoiceField(label=_("Pemeliharaan"), coerce=int, widget=forms.HiddenInput)
    stage = forms.ChoiceField(label=_("Tahap"))
    text = forms.CharField(
        label=_("Isi"), widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Tulis isi pembaruannya.")},
    )  # fmt: skip
    is_public = forms.BooleanField(label=_("Tampilkan di halaman status publik"), required=False)
    public_text = forms.CharField(
        label=_("Teks untuk publik"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kosongkan untuk memakai isi di atas. Jangan tulis rincian teknis atau rahasia."),
    )  # fmt: skip

    def __init__(self, *args: Any, windows: list[Any], **kwargs: Any) -> None:
        from jaga.incidents.models import MaintenanceStage

        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["window"].choices = [(w.pk, w.title) for w in windows]
        fields["stage"].choices = MaintenanceStage.choices
