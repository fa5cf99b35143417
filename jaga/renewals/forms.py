"""Forms of the renewals pages. They only collect and check input; the services decide and store."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jaga.core.models import Institution, Site
from jaga.core.widgets import DayInput
from jaga.renewals.kinds import REGISTRY
from jaga.renewals.models import DocumentKind, Service, StepAction
from jaga.renewals.services.workflow import Step
from jaga.renewals.uploads import MAX_UPLOAD_BYTES, pdf_check

DATE = DayInput()
PDF_ACCEPT = {"accept": "application/pdf,.pdf"}


class ServiceForm(forms.ModelForm):  # type: ignore[type-arg]
    kind = forms.ChoiceField(label=_("Jenis layanan"), choices=())
    rdap_url = forms.URLField(
        label=_("Server RDAP (opsional)"),
        required=False,
        assume_scheme="https",
        help_text=Service._meta.get_field("rdap_url").help_text,
    )

    class Meta:
        model = Service
        fields = [
            "kind", "name", "identifier", "sites", "provider", "account", "contract_number", "cost",
            "billing_period", "started_on", "expires_on", "auto_renew", "contacts", "rdap_url", "notes", "is_active",
        ]  # fmt: skip
        widgets = {
            "started_on": DATE,
            "expires_on": DATE,
            "sites": forms.CheckboxSelectMultiple,
            "contacts": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind: Any = self.fields["kind"]
        kind.choices = REGISTRY.choices()
        sites: Any = self.fields["sites"]
        sites.queryset = Site.objects.filter(institution=institution)
        self.fields["expires_on"].help_text = _(
            "Untuk domain dan sertifikat, Jaga mengisinya sendiri dari registri atau monitor TLS."
        )


class OverrideForm(forms.Form):
    expires_on = forms.DateField(label=_("Tanggal berakhir"), widget=DATE)
    reason = forms.CharField(
        label=_("Alasan"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Mis.: registri tidak memberi tanggal; tanggal dari tagihan registrar nomor ..."),
    )


def _pdf_help_text() -> str:
    return gettext("PDF, paling besar %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // 1024 // 1024}


_pdf_help = lazy(_pdf_help_text, str)


class PdfField(forms.FileField):
    """A file that must be a real, inert PDF of at most 10 MB (checked on its bytes)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs=PDF_ACCEPT))
        kwargs.setdefault("help_text", _pdf_help())  # the field is built at import: the text is read per request
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload:
            pdf_check(upload)
        return upload


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Jenis dokumen"),
        choices=[(DocumentKind.CONTRACT, DocumentKind.CONTRACT.label), (DocumentKind.INVOICE, _("tagihan lama")),
                 (DocumentKind.OTHER, DocumentKind.OTHER.label)],
    )  # fmt: skip
    title = forms.CharField(label=_("Judul"), max_length=200, required=False)
    upload = PdfField(label=_("Berkas"))


class StepForm(forms.Form):
    """The fields the current step needs: the invoice's number, amount and due date, a PDF, a new date."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Catatan (opsional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, step: Step, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.step = step
        if step.action == StepAction.RECEIVE_INVOICE:
            self.fields["invoice_number"] = forms.CharField(label=_("Nomor tagihan"), max_length=120)
            self.fields["invoice_amount"] = forms.DecimalField(
                label=_("Jumlah tagihan (Rp)"), min_value=1, max_digits=14, decimal_places=2
            )
            self.fields["invoice_due_on"] = forms.DateField(label=_("Jatuh tempo"), widget=DATE)
        if step.action == StepAction.RENEW:
            self.fields["expires_on"] = forms.DateField(label=_("Tanggal berakhir yang baru"), widget=DATE)
        if step.document:
            labels: dict[str, Any] = {
                DocumentKind.INVOICE: _("Tagihan (PDF)"),
                DocumentKind.PAYMENT_PROOF: _("Bukti pembayaran (PDF)"),
                DocumentKind.RENEWAL_EVIDENCE: _("Bukti perpanjangan (PDF)"),
            }
            label = labels.get(step.document, _("Berkas (PDF)"))
            self.fields["upload"] = PdfField(label=label)
        self.order_fields(["invoice_number", "invoice_amount", "invoice_due_on", "expires_on", "upload", "note"])

    def clean_action(self) -> str:
        action = str(self.cleaned_data["action"])
        if action != self.step.action:
            raise ValidationError(_("Langkah ini sudah tidak berlaku; muat ulang halaman."))
        return action


class RejectForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Alasan penolakan"), widget=forms.Textarea(attrs={"rows": 2}))
