"""The SOP as data (Sop and its parts) and the ledger of its executions.

An SOP with no institution is a template: every institution without its own SOP works under it.
Each activity may carry a stable key (``monitoring``, ``backup`` ... see :mod:`jaga.sop.keys`) under
which Jaga records its work, whatever the activity's number in that SOP. Ledger entries carry the key and
the activity number as well as the activity, so that an institution's history stays comparable when its
SOP is revised (a new Sop row with new Activity rows).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jaga.core.models import Role
from jaga.core.models.fields import person_field
from jaga.sop.keys import validate_activity_key


class Sop(models.Model):
    INSTITUTION_PATH = "institution"

    institution = models.ForeignKey(
        "core.Institution",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sops",
        verbose_name=_("instansi"),
        help_text=_("Kosongkan untuk SOP templat yang berlaku bagi instansi tanpa SOP sendiri."),
    )
    number = models.CharField(_("nomor SOP"), max_length=120, help_text=_("Contoh: W14.U21/10/SOP/09/2016"))
    title = models.CharField(_("judul"), max_length=200)
    created_date = models.DateField(_("tanggal pembuatan"), null=True, blank=True)
    revision_date = models.DateField(_("tanggal revisi"), null=True, blank=True)
    effective_date = models.DateField(_("tanggal efektif"), null=True, blank=True)
    approved_by = models.CharField(_("disahkan oleh"), max_length=200, blank=True)
    warning = models.TextField(_("peringatan"), blank=True)
    related_sops = models.TextField(_("keterkaitan"), blank=True, help_text=_("SOP terkait, satu per baris."))
    is_active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["institution__name", "-effective_date", "number"]
        verbose_name = _("SOP")
        verbose_name_plural = _("SOP")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "number"],
                name="sop_unique_number_per_institution",
            ),
            models.UniqueConstraint(
                fields=["number"],
                condition=models.Q(institution__isnull=True),
                name="sop_unique_template_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.title}"

    @property
    def is_template(self) -> bool:
        return self.institution_id is None


class SopPart(models.Model):
    """An ordered line of an SOP: a legal basis, a qualification, a piece of equipment."""

    order = models.PositiveSmallIntegerField(_("urutan"), default=1)
    text = models.TextField(_("teks"))

    class Meta:
        abstract = True
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text


class LegalBasis(SopPart):
    INSTITUTION_PATH = "sop__institution"

    sop = models.ForeignKey(Sop, on_delete=models.CASCADE, related_name="legal_bases")
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("diganti oleh"),
    )

    class Meta(SopPart.Meta):
        verbose_name = _("dasar hukum")
        verbose_name_plural = _("dasar hukum")

    def clean(self) -> None:
        if self.replaced_by_id is not None:
            if self.pk is not None and self.replaced_by_id == self.pk:
                raise ValidationError({"replaced_by": _("Dasar hukum tidak dapat menggantikan dirinya sendiri.")})
            if self.replaced_by is not None and self.replaced_by.sop_id != self.sop_id:
                raise ValidationError({"replaced_by": _("Pengganti harus dasar hukum dari SOP yang sama.")})


class Qualification(SopPart):
    INSTITUTION_PATH = "sop__institution"

    sop = models.ForeignKey(Sop, on_delete=models.CASCADE, related_name="qualifications")

    class Meta(SopPart.Meta):
        verbose_name = _("kualifikasi pelaksana")
        verbose_name_plural = _("kualifikasi pelaksana")


class Equipment(SopPart):
    INSTITUTION_PATH = "sop__institution"

    sop = models.ForeignKey(Sop, on_delete=models.CASCADE, related_name="equipment")

    class Meta(SopPart.Meta):
        verbose_name = _("peralatan/perlengkapan")
        verbose_name_plural = _("peralatan/perlengkapan")


def validate_executors(value: Any) -> None:
    valid = set(Role.values)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_("Pelaksana harus berupa daftar kode peran."))
    unknown = [item for item in value if item not in valid]
    if unknown:
        raise ValidationError(
            _("Peran tidak dikenal: %(unknown)s. Pilihan: %(valid)s."),
            params={"unknown": ", ".join(unknown), "valid": ", ".join(sorted(valid))},
        )


MIN_RECURRENCE = dt.timedelta(minutes=5)
MAX_RECURRENCE = dt.timedelta(days=366)


class Activity(models.Model):
    """One row of the SOP's activity table.

    ``time_standard`` is the SOP's "Waktu" column (None = "Relatif"). ``recurrence`` is how often Jaga
    expects the activity to be done (None = no fixed rhythm, shown as "last done"); the SOP does not
    say it, Jaga reads it from the time standard of activities 1 and 2, and an administrator may edit it.
    """

    INSTITUTION_PATH = "sop__institution"

    sop = models.ForeignKey(Sop, on_delete=models.CASCADE, related_name="activities")
    number = models.PositiveSmallIntegerField(_("nomor"))
    key = models.CharField(
        _("kunci aktivitas"),
        max_length=40,
        blank=True,
        default="",
        validators=[validate_activity_key],
        help_text=_("Pekerjaan Jaga yang dicatat pada aktivitas ini, mis. backup; kosong untuk aktivitas lain."),
    )
    description = models.TextField(_("aktivitas"))
    executors = models.JSONField(
        _("pelaksana"),
        default=list,
        blank=True,
        validators=[validate_executors],
        help_text=_('Daftar kode peran, mis. ["staff_p2ti", "kasubbag_ptip"].'),
    )
    requirements = models.TextField(_("persyaratan/perlengkapan"), blank=True)
    time_standard = models.DurationField(
        _("waktu (mutu baku)"), null=True, blank=True, help_text=_("Kosong berarti Relatif.")
    )
    time_standard_label = models.CharField(_("label waktu"), max_length=60, blank=True, help_text=_("Mis. 2 jam"))
    output = models.TextField(_("output"), blank=True)
    recurrence = models.DurationField(
        _("pengulangan"),
        null=True,
        blank=True,
        help_text=_("Seberapa sering aktivitas harus dilakukan; kosong berarti tidak berjadwal (relatif)."),
    )

    class Meta:
        ordering = ["sop", "number"]
        verbose_name = _("aktivitas")
        verbose_name_plural = _("aktivitas")
        constraints = [
            models.UniqueConstraint(fields=["sop", "number"], name="activity_unique_number_per_sop"),
            models.UniqueConstraint(
                fields=["sop", "key"], condition=~models.Q(key=""), name="activity_unique_key_per_sop"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.description[:80]}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.number is not None and self.number < 1:
            errors["number"] = _("Nomor aktivitas harus 1 atau lebih.")
        if self.time_standard is not None and self.time_standard <= dt.timedelta(0):
            errors["time_standard"] = _("Waktu mutu baku harus positif (lebih dari 0), atau kosong untuk Relatif.")
        if self.recurrence is not None and not MIN_RECURRENCE <= self.recurrence <= MAX_RECURRENCE:
            errors["recurrence"] = _("Pengulangan harus antara 5 menit dan 366 hari, atau kosong untuk relatif.")
        if errors:
            raise ValidationError(errors)

    @property
    def executor_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [str(labels.get(code, code)) for code in self.executors]

    @property
    def is_relative(self) -> bool:
        return self.time_standard is None

    @property
    def time_standard_words(self) -> str:
        """The time standard in the reader's language ("2 jam" / "2 hours"; "Relatif" / "Relative"): the label
        is the SOP's own words, Indonesian, so a page reads the duration itself."""
        from jaga.core.templatetags.jaga_format import durasi

        if self.time_standard is None:
            return gettext("Relatif")
        return durasi(self.time_standard)


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Berhasil")
    PARTIAL = "partial", _("Sebagian")
    FAILURE = "failure", _("Gagal")
    INTERRUPTED = "interrupted", _("Terputus")  # the process doing it died before it ended
    RUNNING = "running", _("Sedang berjalan")  # opened with ledger_open, not closed yet


# Outcomes that mean the activity was not done: the rhythm counts from the last entry that is none of these.
NOT_DONE = (Outcome.FAILURE, Outcome.INTERRUPTED, Outcome.RUNNING)


class LedgerEntry(models.Model):
    """One execution of an SOP activity, by a person or by Jaga itself (``performed_by`` None).

    Long work is opened (outcome ``running``, no end yet, its owner process recorded) and closed when it
    ends; if the owner dies first, a sweep closes it as ``interrupted`` (jaga.sop.services).
    """

    INSTITUTION_PATH = "institution"

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="ledger_entries")
    activity_number = models.PositiveSmallIntegerField(_("nomor aktivitas"), db_index=True)
    activity_key = models.CharField(_("kunci aktivitas"), max_length=40, blank=True, default="")
    institution = models.ForeignKey("core.Institution", on_delete=models.CASCADE, related_name="ledger_entries")
    site = models.ForeignKey(
        "core.Site", on_delete=models.SET_NULL, null=True, blank=True, related_name="ledger_entries"
    )
    performed_by = person_field(_("pelaksana"), related_name="ledger_entries")
    started_at = models.DateTimeField(_("mulai"))
    ended_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    duration = models.DurationField(_("durasi"), null=True, blank=True)
    time_standard = models.DurationField(_("waktu mutu baku"), null=True, blank=True)
    met_standard = models.BooleanField(_("memenuhi mutu baku"), null=True, blank=True)
    outcome = models.CharField(_("hasil"), max_length=12, choices=Outcome.choices)
    output_content_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True)
    output_object_id = models.PositiveBigIntegerField(null=True, blank=True)
    output = GenericForeignKey("output_content_type", "output_object_id")
    output_repr = models.CharField(_("output"), max_length=300, blank=True)
    notes = models.TextField(_("catatan"), blank=True)
    # Who does the work while it runs (jaga.core.liveness): a worker's process id, or host and PID.
    owner_process = models.CharField(_("proses pelaksana"), max_length=64, blank=True)
    owner_host = models.CharField(_("mesin pelaksana"), max_length=255, blank=True)
    owner_pid = models.PositiveIntegerField(_("PID pelaksana"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("catatan pelaksanaan")
        verbose_name_plural = _("buku catatan pelaksanaan SOP")
        indexes = [
            models.Index(fields=["institution", "activity_number", "-ended_at"], name="ledger_inst_activity_ended"),
            models.Index(fields=["site", "activity_number", "-ended_at"], name="ledger_site_activity_ended"),
            models.Index(fields=["institution", "activity_key", "-ended_at"], name="ledger_inst_key_ended"),
            models.Index(fields=["site", "activity_key", "-ended_at"], name="ledger_site_key_ended"),
            models.Index(fields=["output_content_type", "output_object_id"], name="ledger_output"),
            models.Index(fields=["outcome"], condition=models.Q(outcome="running"), name="ledger_running"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_number} · {self.institution_id} · {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_running(self) -> bool:
        return self.outcome == Outcome.RUNNING

    @property
    def performer_label(self) -> str:
        if self.performed_by is None:
            return "Jaga"
        return self.performed_by.get_full_name() or self.performed_by.get_username()


def evidence_upload_to(instance: EvidenceFile, filename: str) -> str:
    entry = instance.entry
    # The month folder follows the institution's calendar, not the server's.
    moment = timezone.localtime(entry.started_at, ZoneInfo(entry.institution.time_zone))
    return f"evidence/{entry.institution.slug}/{moment:%Y}/{moment:%m}/{filename}"


class EvidenceFile(models.Model):
    INSTITUTION_PATH = "entry__institution"

    entry = models.ForeignKey(LedgerEntry, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("berkas"), upload_to=evidence_upload_to, max_length=500)
    original_name = models.CharField(_("nama asli"), max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(_("ukuran"))
    uploaded_by = person_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("berkas bukti")
        verbose_name_plural = _("berkas bukti")

    def __str__(self) -> str:
        return self.original_name
