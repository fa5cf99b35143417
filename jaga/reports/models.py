"""Reports to the Secretary: each report made (its period, number, content as issued and PDF as sent) and the
institution's letter-number sequence.

A report starts as a draft (no number: its content is built from live data whenever it is shown). Issuing it
takes the next number of the institution's sequence, freezes its content (``content``) and stores the PDF as
it goes out (``pdf``, with its SHA-256); an issued report is never re-rendered.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jaga.core.models.fields import person_field
from jaga.core.models.schedules import ScheduleRelation


class LetterSequence(models.Model):
    """The last letter number an institution gave in a year. Numbers are never reused (a row lock per year)."""

    INSTITUTION_PATH = "institution"
    AUDIT = False  # a counter; every number given is in the report it went to

    institution = models.ForeignKey("core.Institution", on_delete=models.CASCADE, related_name="letter_sequences")
    year = models.PositiveSmallIntegerField(_("tahun"))
    last = models.PositiveIntegerField(_("nomor terakhir"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "year"], name="letter_sequence_unique_year"),
        ]
        verbose_name = _("urutan nomor surat")
        verbose_name_plural = _("urutan nomor surat")

    def __str__(self) -> str:
        return f"{self.institution_id} · {self.year} · {self.last}"


def report_pdf_upload_to(instance: Report, filename: str) -> str:
    return f"reports/{instance.institution.slug}/{instance.period_start:%Y}/{filename}"


class Report(models.Model):
    INSTITUTION_PATH = "institution"
    AUDIT_IGNORE_FIELDS = ("reminded_at",)

    class Language(models.TextChoices):
        INDONESIAN = "id", _("Bahasa Indonesia")
        ENGLISH = "en", _("Bahasa Inggris")

    institution = models.ForeignKey("core.Institution", on_delete=models.CASCADE, related_name="reports")
    site = models.ForeignKey(
        "core.Site",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("situs"),
        help_text=_("Kosong: semua situs instansi."),
    )
    kind = models.CharField(_("jenis laporan"), max_length=40)  # a key of jaga.reports.builders.REGISTRY
    period_start = models.DateField(_("awal periode"))
    period_end = models.DateField(_("akhir periode"))
    language = models.CharField(_("bahasa"), max_length=8, choices=Language.choices, default=Language.INDONESIAN)
    conclusions = models.TextField(
        _("simpulan dan saran"),
        blank=True,
        help_text=_("Disusun Jaga dari data; boleh diubah sebelum dikirim. Satu butir per baris."),
    )
    conclusions_edited = models.BooleanField(default=False)
    signer_name = models.CharField(_("nama penanda tangan"), max_length=120, blank=True)
    signer_position = models.CharField(_("jabatan penanda tangan"), max_length=200, blank=True)
    signer_nip = models.CharField(_("NIP penanda tangan"), max_length=30, blank=True)
    # Issued: the letter number, the content as it was issued and the PDF as it went out.
    sequence = models.PositiveIntegerField(_("nomor urut"), null=True, blank=True)
    number = models.CharField(_("nomor surat"), max_length=120, blank=True)
    issued_at = models.DateTimeField(_("diterbitkan"), null=True, blank=True)
    content = models.JSONField(_("isi"), default=dict, blank=True)
    pdf = models.FileField(_("PDF"), upload_to=report_pdf_upload_to, max_length=500, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_size = models.PositiveBigIntegerField(null=True, blank=True)
    # When someone (or a schedule) opened the draft: the start of SOP activity 5's ledger entry.
    opened_at = models.DateTimeField(_("konsep dibuka"), null=True, blank=True)
    sent_at = models.DateTimeField(_("dikirim"), null=True, blank=True)
    sent_by = person_field(_("dikirim oleh"))
    reminded_at = models.DateTimeField(_("terakhir diingatkan"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("diketahui"), null=True, blank=True)
    acknowledged_by = person_field(_("diketahui oleh"))
    disposition = models.TextField(_("disposisi"), blank=True)
    schedule = models.ForeignKey(
        "reports.ReportSchedule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("jadwal"),
    )
    created_by = person_field(_("dibuat oleh"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start", "-pk"]
        verbose_name = _("laporan")
        verbose_name_plural = _("laporan")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "number"], condition=~models.Q(number=""), name="report_unique_number"
            ),
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")), name="report_period"),
            # A scheduled run that runs twice (a killed worker) finds the report of its period, never makes two.
            models.UniqueConstraint(
                fields=["schedule", "period_start", "period_end"],
                condition=models.Q(schedule__isnull=False),
                name="report_unique_scheduled_period",
            ),
        ]
        indexes = [models.Index(fields=["institution", "kind", "-period_start"], name="report_inst_kind")]

    def __str__(self) -> str:
        return self.number or f"{self.kind} {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("reports:report_detail", kwargs={"slug": self.institution.slug, "report_id": self.pk})

    @property
    def is_issued(self) -> bool:
        return bool(self.number)

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None


class ReportSchedule(models.Model):
    """A report made and sent by Jaga itself on a calendar: every week (the last full Monday–Sunday) or every
    month (the month before), at a time of day in the institution's zone."""

    INSTITUTION_PATH = "institution"

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", _("Setiap pekan, untuk pekan sebelumnya (Senin–Minggu)")
        MONTHLY = "monthly", _("Setiap bulan, untuk bulan sebelumnya")

    institution = models.ForeignKey("core.Institution", on_delete=models.CASCADE, related_name="report_schedules")
    kind = models.CharField(_("jenis laporan"), max_length=40)
    site = models.ForeignKey(
        "core.Site",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="report_schedules",
        verbose_name=_("situs"),
        help_text=_("Kosong: semua situs instansi."),
    )
    language = models.CharField(_("bahasa"), max_length=8, choices=Report.Language.choices, default="id")
    cadence = models.CharField(_("kekerapan"), max_length=10, choices=Cadence.choices, default=Cadence.MONTHLY)
    at = models.TimeField(_("pukul"), default=dt.time(7, 30))
    is_active = models.BooleanField(_("aktif"), default=True)
    created_by = person_field()
    created_at = models.DateTimeField(auto_now_add=True)
    schedules = ScheduleRelation()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("jadwal laporan")
        verbose_name_plural = _("jadwal laporan")

    def __str__(self) -> str:
        return f"{self.kind} · {self.cadence} · {self.at:%H.%M}"


class Supervision(models.Model):
    """A court under a high court's supervision: the high court's overview report covers the institutions it
    supervises (set by a Jaga administrator in the admin site)."""

    INSTITUTION_PATH = "supervisor"

    supervisor = models.ForeignKey(
        "core.Institution", on_delete=models.CASCADE, related_name="supervisions", verbose_name=_("pengawas")
    )
    institution = models.ForeignKey(
        "core.Institution", on_delete=models.CASCADE, related_name="supervised_by", verbose_name=_("satuan kerja")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["supervisor", "institution__name"]
        verbose_name = _("pengawasan satuan kerja")
        verbose_name_plural = _("pengawasan satuan kerja")
        constraints = [
            models.UniqueConstraint(fields=["supervisor", "institution"], name="supervision_unique_pair"),
            models.CheckConstraint(condition=~models.Q(supervisor=models.F("institution")), name="supervision_other"),
        ]

    def __str__(self) -> str:
        return f"{self.supervisor} → {self.institution}"


def evidence_pack_upload_to(instance: EvidencePack, filename: str) -> str:
    return f"evidence-packs/{instance.institution.slug}/{filename}"


class EvidencePack(models.Model):
    """An accreditation evidence pack asked for on the web: built by a worker (its progress kept while it is),
    then kept to be downloaded as it was made."""

    INSTITUTION_PATH = "institution"

    class State(models.TextChoices):
        QUEUED = "queued", _("Menunggu worker")
        RUNNING = "running", _("Sedang disusun")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    institution = models.ForeignKey("core.Institution", on_delete=models.CASCADE, related_name="evidence_packs")
    period_start = models.DateField(_("awal periode"))
    period_end = models.DateField(_("akhir periode"))
    language = models.CharField(_("bahasa"), max_length=8, choices=Report.Language.choices, default="id")
    state = models.CharField(_("keadaan"), max_length=10, choices=State.choices, default=State.QUEUED)
    # Progress while it is built: the SOP activities packed of all of them (written with update(), unaudited).
    steps_done = models.PositiveSmallIntegerField(default=0)
    steps_total = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(_("berkas"), upload_to=evidence_pack_upload_to, max_length=500, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    files_count = models.PositiveIntegerField(_("berkas di dalamnya"), null=True, blank=True)
    executions = models.PositiveIntegerField(_("pelaksanaan"), null=True, blank=True)
    error = models.TextField(_("galat"), blank=True)
    requested_by = person_field(_("diminta oleh"))
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Who builds it (jaga.core.liveness.process_identity): the sweep fails a pack whose builder died.
    owner_process = models.CharField(max_length=64, blank=True)
    owner_host = models.CharField(max_length=255, blank=True)
    owner_pid = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("paket bukti akreditasi")
        verbose_name_plural = _("paket bukti akreditasi")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="evidence_pack_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} · {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("reports:evidence_detail", kwargs={"slug": self.institution.slug, "pack_id": self.pk})

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def percent(self) -> int:
        return round(100 * self.steps_done / self.steps_total) if self.steps_total else 0
