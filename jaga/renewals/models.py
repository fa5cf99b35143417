"""The register of what must be renewed, its expiry look-ups, the renewal cases, their documents and feeds.

A :class:`Service` is one thing an institution rents: a domain, hosting, an internet connection, a TLS
certificate, another subscription. Its ``expires_on`` is the date in force, wherever it came from (entered by
hand, looked up through RDAP, read from the TLS monitor, or a manual override with its reason); every look-up
is kept as an :class:`ExpiryLookup`. A :class:`RenewalCase` carries one renewal through the SOP's chain (Staff
→ Kasubbag Umum dan Keuangan → Sekretaris → payment → renewed → closed); each step is a :class:`CaseStep`.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ExpirySource(models.TextChoices):
    NONE = "", _("belum diketahui")
    MANUAL = "manual", _("diisi petugas")
    RDAP = "rdap", _("RDAP (registri domain)")
    TLS = "tls", _("sertifikat TLS (monitor)")
    OVERRIDE = "override", _("ditetapkan manual (dengan alasan)")


class BillingPeriod(models.TextChoices):
    MONTHLY = "monthly", _("bulanan")
    QUARTERLY = "quarterly", _("triwulanan")
    HALF_YEARLY = "half_yearly", _("semesteran")
    YEARLY = "yearly", _("tahunan")
    TWO_YEARLY = "two_yearly", _("dua tahunan")
    OTHER = "other", _("lainnya")


class Service(models.Model):
    """One entry of the register: something the institution must renew with a provider."""

    INSTITUTION_PATH = "institution"
    # Kept up to date by the look-ups, not decided by a person: a change to only these is not in the trail.
    AUDIT_IGNORE_FIELDS = ("expiry_checked_at", "last_lookup")

    institution = models.ForeignKey("core.Institution", on_delete=models.CASCADE, related_name="renewal_services")
    kind = models.CharField(_("jenis layanan"), max_length=20)  # a key of jaga.renewals.kinds.REGISTRY
    name = models.CharField(_("nama"), max_length=200)
    identifier = models.CharField(
        _("nama domain / host"),
        max_length=253,
        blank=True,
        help_text=_("Untuk domain: nama domain (mis. pn-bangil.go.id). Untuk sertifikat: nama host situs."),
    )
    rdap_url = models.URLField(
        _("server RDAP (opsional)"),
        blank=True,
        help_text=_("Hanya bila registri domain tidak tercantum di daftar IANA; kosongkan untuk memakai daftar IANA."),
    )
    provider = models.CharField(_("penyedia"), max_length=200, blank=True)
    account = models.CharField(_("nomor akun / pelanggan"), max_length=120, blank=True)
    contract_number = models.CharField(_("nomor kontrak"), max_length=120, blank=True)
    cost = models.DecimalField(_("biaya (Rp)"), max_digits=14, decimal_places=2, null=True, blank=True)
    billing_period = models.CharField(
        _("periode tagihan"), max_length=20, choices=BillingPeriod.choices, default=BillingPeriod.YEARLY
    )
    started_on = models.DateField(_("tanggal mulai"), null=True, blank=True)
    expires_on = models.DateField(_("tanggal berakhir"), null=True, blank=True, db_index=True)
    expiry_source = models.CharField(
        _("sumber tanggal berakhir"), max_length=10, choices=ExpirySource.choices, blank=True, default=""
    )
    expiry_checked_at = models.DateTimeField(_("terakhir diperiksa"), null=True, blank=True)
    auto_renew = models.BooleanField(_("diperpanjang otomatis"), default=False)
    contacts = models.TextField(_("kontak penyedia"), blank=True, help_text=_("Nama, telepon, e-mail; satu per baris."))
    notes = models.TextField(_("catatan"), blank=True)
    sites = models.ManyToManyField(
        "core.Site", blank=True, related_name="renewal_services", verbose_name=_("situs yang dilayani")
    )
    is_active = models.BooleanField(_("aktif"), default=True)
    override_expires_on = models.DateField(_("tanggal berakhir (manual)"), null=True, blank=True)
    override_reason = models.TextField(_("alasan penetapan manual"), blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    override_at = models.DateTimeField(null=True, blank=True)
    last_lookup = models.ForeignKey(
        "renewals.ExpiryLookup", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["expires_on", "name"]
        indexes = [models.Index(fields=["institution", "is_active", "expires_on"], name="renewal_service_due")]
        verbose_name = _("layanan")
        verbose_name_plural = _("layanan")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("renewals:service_detail", kwargs={"slug": self.institution.slug, "service_id": self.pk})


class LookupStatus(models.TextChoices):
    FOUND = "found", _("ditemukan")
    UNKNOWN = "unknown", _("registri tidak memberi tanggal berakhir")
    FAILED = "failed", _("gagal")


class ExpiryLookup(models.Model):
    """One automatic look-up of a service's expiry (RDAP or the TLS monitor), kept as the service's history."""

    AUDIT = False
    INSTITUTION_PATH = "service__institution"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="lookups")
    at = models.DateTimeField(db_index=True)
    source = models.CharField(max_length=10, choices=ExpirySource.choices)
    status = models.CharField(max_length=10, choices=LookupStatus.choices)
    expires_at = models.DateTimeField(null=True, blank=True)
    registrar = models.CharField(max_length=300, blank=True)
    statuses = models.JSONField(default=list, blank=True)
    nameservers = models.JSONField(default=list, blank=True)
    url = models.CharField(max_length=500, blank=True)  # where it was read
    error = models.TextField(blank=True)
    from_cache = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.service_id} {self.source} {self.status} @ {self.at:%Y-%m-%d %H:%M}"


class RdapCache(models.Model):
    """The last RDAP answer for a domain name, shared by every service that names it (not institution data).

    ``fresh_until`` shrinks as the expiry nears, so a renewal is seen within a day when it matters (the stale
    date of Uptime Kuma's bug #7189 cannot outlive it).
    """

    AUDIT = False

    domain = models.CharField(max_length=253, unique=True)
    fetched_at = models.DateTimeField()
    fresh_until = models.DateTimeField()
    status = models.CharField(max_length=10, choices=LookupStatus.choices)
    expires_at = models.DateTimeField(null=True, blank=True)
    registrar = models.CharField(max_length=300, blank=True)
    statuses = models.JSONField(default=list, blank=True)
    nameservers = models.JSONField(default=list, blank=True)
    url = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.domain} ({self.status})"


class CaseState(models.TextChoices):
    DUE = "due", _("segera berakhir")
    INVOICE_REQUESTED = "invoice_requested", _("tagihan diminta")
    INVOICE_RECEIVED = "invoice_received", _("tagihan diterima")
    VERIFIED = "verified", _("diverifikasi Keuangan")
    APPROVED = "approved", _("disetujui Sekretaris")
    PAID = "paid", _("dibayar")
    RENEWED = "renewed", _("diperpanjang")
    CLOSED = "closed", _("selesai")


OPEN_STATES = tuple(state for state in CaseState.values if state != CaseState.CLOSED)


class RenewalCase(models.Model):
    """One renewal of one service, from "due soon" to "closed". ``version`` guards concurrent steps."""

    INSTITUTION_PATH = "institution"
    AUDIT_IGNORE_FIELDS = ("version", "reminders_sent")

    institution = models.ForeignKey("core.Institution", on_delete=models.CASCADE, related_name="renewal_cases")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cases")
    state = models.CharField(_("tahap"), max_length=20, choices=CaseState.choices, default=CaseState.DUE)
    version = models.PositiveIntegerField(default=1)
    state_since = models.DateTimeField(_("sejak"))
    opened_at = models.DateTimeField(_("dibuka"))
    closed_at = models.DateTimeField(_("ditutup"), null=True, blank=True)
    expires_on_before = models.DateField(_("berakhir (sebelum perpanjangan)"), null=True, blank=True)
    expires_on_after = models.DateField(_("berakhir (setelah perpanjangan)"), null=True, blank=True)
    renewal_source = models.CharField(
        _("perpanjangan dipastikan dari"), max_length=10, choices=ExpirySource.choices, blank=True, default=""
    )
    invoice_number = models.CharField(_("nomor tagihan"), max_length=120, blank=True)
    invoice_amount = models.DecimalField(
        _("jumlah tagihan (Rp)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    invoice_due_on = models.DateField(_("jatuh tempo tagihan"), null=True, blank=True)
    reminders_sent = models.JSONField(default=list, blank=True)  # the day marks already announced (90, 60, ...)
    escalated_at = models.DateTimeField(_("dieskalasi"), null=True, blank=True)
    expired_reported_at = models.DateTimeField(null=True, blank=True)
    ledger_entry = models.ForeignKey(
        "sop.LedgerEntry", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["service"], condition=~models.Q(state="closed"), name="renewal_case_one_open_per_service"
            )
        ]
        indexes = [models.Index(fields=["institution", "state"], name="renewal_case_state")]
        verbose_name = _("kasus perpanjangan")
        verbose_name_plural = _("kasus perpanjangan")

    def __str__(self) -> str:
        return str(_("Perpanjangan %(service)s") % {"service": self.service.name})

    def get_absolute_url(self) -> str:
        return reverse("renewals:case_detail", kwargs={"slug": self.institution.slug, "case_id": self.pk})

    @property
    def is_open(self) -> bool:
        return self.state != CaseState.CLOSED

    @property
    def deadline(self) -> Any:
        """The date the case must be done by: the invoice's due date when it comes first, else the expiry."""
        dates = [d for d in (self.invoice_due_on, self.service.expires_on) if d is not None]
        return min(dates) if dates else None


class StepAction(models.TextChoices):
    OPEN = "open", _("kasus dibuka")
    REQUEST_INVOICE = "request_invoice", _("tagihan diminta kepada penyedia")
    RECEIVE_INVOICE = "receive_invoice", _("tagihan diterima dan diunggah")
    VERIFY = "verify", _("tagihan diverifikasi Keuangan")
    APPROVE = "approve", _("disetujui Sekretaris")
    PAY = "pay", _("dibayar, bukti diunggah")
    RENEW = "renew", _("perpanjangan dipastikan")
    CLOSE = "close", _("kasus ditutup")
    REJECT = "reject", _("ditolak, dikembalikan")
    REMINDER = "reminder", _("pengingat dikirim")
    ESCALATE = "escalate", _("terlambat, dieskalasi ke Sekretaris")
    NOTE = "note", _("catatan")


class CaseStep(models.Model):
    """One step of a case: who did what, from which stage to which, with its reason or note."""

    INSTITUTION_PATH = "case__institution"

    case = models.ForeignKey(RenewalCase, on_delete=models.CASCADE, related_name="steps")
    at = models.DateTimeField(_("waktu"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("langkah"), max_length=20, choices=StepAction.choices)
    from_state = models.CharField(max_length=20, choices=CaseState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=CaseState.choices, blank=True)
    note = models.TextField(_("catatan / alasan"), blank=True)
    data = models.JSONField(default=dict, blank=True)  # a note Jaga wrote: its message key and values
    document = models.ForeignKey(
        "renewals.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("langkah kasus")
        verbose_name_plural = _("langkah kasus")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.action} @ {self.at:%Y-%m-%d %H:%M}"

    @property
    def note_text(self) -> str:
        """The note in the reader's language (a note Jaga wrote), or as its writer wrote it."""
        from jaga.renewals.step_notes import note_text

        return note_text(note=self.note, data=self.data)


class DocumentKind(models.TextChoices):
    CONTRACT = "contract", _("kontrak")
    INVOICE = "invoice", _("tagihan (invoice)")
    PAYMENT_PROOF = "payment_proof", _("bukti pembayaran")
    RENEWAL_EVIDENCE = "renewal_evidence", _("bukti perpanjangan")
    OTHER = "other", _("dokumen lain")


def document_upload_to(instance: Document, filename: str) -> str:
    # A random name on disk: the original name is kept in the row, never trusted as a path.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"renewals/{instance.service.institution_id}/{instance.service_id}/{uuid.uuid4().hex}{suffix}"


class Document(models.Model):
    """A file of the register or of a case: contracts, invoices, proofs of payment, renewal evidence."""

    INSTITUTION_PATH = "service__institution"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="documents")
    case = models.ForeignKey(RenewalCase, on_delete=models.CASCADE, null=True, blank=True, related_name="documents")
    kind = models.CharField(_("jenis dokumen"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("judul"), max_length=200, blank=True)
    file = models.FileField(_("berkas"), upload_to=document_upload_to, max_length=500)
    original_name = models.CharField(_("nama asli"), max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(_("ukuran"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("diunggah"))
    superseded = models.BooleanField(_("diganti"), default=False)  # a rejected invoice stays, marked replaced

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("dokumen")
        verbose_name_plural = _("dokumen")

    def __str__(self) -> str:
        return self.title or self.original_name


class CalendarFeed(models.Model):
    """A person's secret iCalendar address for their renewal deadlines. Only the token's SHA-256 is kept."""

    INSTITUTION_PATH = "institution"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="renewal_feeds")
    institution = models.ForeignKey("core.Institution", on_delete=models.CASCADE, related_name="renewal_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("awalan"), max_length=12)
    created_at = models.DateTimeField(_("dibuat"))
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)
    last_fetched_at = models.DateTimeField(_("terakhir dibaca"), null=True, blank=True)

    AUDIT_IGNORE_FIELDS = ("last_fetched_at",)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("kalender tenggat")
        verbose_name_plural = _("kalender tenggat")

    def __str__(self) -> str:
        return f"{self.user} · {self.prefix}…"
