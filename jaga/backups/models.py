"""Backups of a site: restic repositories, plans with their sources, runs, and the register of offline media.

A :class:`Repository` is one restic repository (a local folder, an external disk, SFTP, S3-compatible
storage, an rclone remote) with its password stored encrypted. A :class:`Plan` backs up the
:class:`Source` rows of one site into one repository on a schedule, keeps snapshots by its retention, checks
the repository and drills a restore on their own schedules. Every execution is a :class:`Run` (backup,
check, drill, restore, export) with its state, log, figures and the snapshot it made or used. An
:class:`MediaExport` is one entry of the ADK register (arsip data komputer): a self-contained set written to
a CD, DVD or external disk.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jaga.core.fields import EncryptedTextField
from jaga.core.models.schedules import ScheduleRelation


class RepositoryKind(models.TextChoices):
    LOCAL = "local", _("folder lokal")
    DISK = "disk", _("disk eksternal")
    SFTP = "sftp", _("SFTP")
    S3 = "s3", _("penyimpanan S3")
    RCLONE = "rclone", _("rclone")


class Repository(models.Model):
    """One restic repository. ``location`` is what restic calls the repository (``-r``)."""

    INSTITUTION_PATH = "institution"
    AUDIT_IGNORE_FIELDS = ("initialized_at", "fingerprint", "last_checked_at")

    institution = models.ForeignKey("core.Institution", on_delete=models.CASCADE, related_name="backup_repositories")
    name = models.CharField(_("nama"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=10, choices=RepositoryKind.choices, default=RepositoryKind.LOCAL)
    location = models.CharField(
        _("lokasi"),
        max_length=500,
        help_text=_("Folder, sftp:pengguna@host:/folder, s3:http://host/bucket/folder atau rclone:remote:folder."),
    )
    password = EncryptedTextField(_("kata sandi repositori"))
    # Kind-specific settings (disk: mount point and the marker expected on it; sftp: port, known host key;
    # s3: access key id). Secrets among them are in ``credentials``.
    options = models.JSONField(_("pengaturan"), default=dict, blank=True)
    credentials = EncryptedTextField(_("kredensial"), blank=True, help_text=_("Kunci rahasia S3 atau kunci SSH."))
    initialized_at = models.DateTimeField(null=True, blank=True)
    fingerprint = models.CharField(_("sidik jari repositori"), max_length=100, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    sheet_confirmed_at = models.DateTimeField(_("lembar pemulihan dicetak"), null=True, blank=True)
    sheet_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Removed from Jaga: no plan may use it any more; the row stays so that the old plans' history and the
    # recovery sheet (its password) are still there. ``data_removed_at``: its restic data was deleted too.
    removed_at = models.DateTimeField(_("dilepas"), null=True, blank=True)
    data_removed_at = models.DateTimeField(_("data restic dihapus"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("repositori cadangan")
        verbose_name_plural = _("repositori cadangan")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("backups:repository", kwargs={"slug": self.institution.slug, "repo_id": self.pk})


class Plan(models.Model):
    """What of a site goes into which repository, when, how long it is kept, how it is checked and drilled."""

    INSTITUTION_PATH = "site__institution"

    site = models.ForeignKey("core.Site", on_delete=models.CASCADE, related_name="backup_plans")
    name = models.CharField(_("nama"), max_length=200)
    repository = models.ForeignKey(Repository, on_delete=models.PROTECT, related_name="plans")
    interval_hours = models.PositiveIntegerField(
        _("selang pencadangan (jam)"), default=6, help_text=_("Standar waktu SOP: 6 jam.")
    )
    keep_last = models.PositiveIntegerField(_("simpan terakhir"), default=4)
    keep_daily = models.PositiveIntegerField(_("simpan harian"), default=7)
    keep_weekly = models.PositiveIntegerField(_("simpan mingguan"), default=4)
    keep_monthly = models.PositiveIntegerField(_("simpan bulanan"), default=12)
    keep_yearly = models.PositiveIntegerField(_("simpan tahunan"), default=3)
    check_interval_days = models.PositiveIntegerField(_("selang pemeriksaan (hari)"), default=7)
    read_cycle_checks = models.PositiveIntegerField(
        _("siklus baca data (jumlah pemeriksaan)"),
        default=4,
        help_text=_("Setiap pemeriksaan membaca 1/N data repositori; semua data terbaca dalam N pemeriksaan."),
    )
    check_counter = models.PositiveIntegerField(default=0)
    drill_interval_days = models.PositiveIntegerField(_("selang latihan pemulihan (hari)"), default=30)
    is_active = models.BooleanField(
        _("aktif"), default=True, help_text=_("Rencana nonaktif tidak dijalankan jadwalnya; riwayatnya tetap.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Removed with a history: archived (inactive, no schedules), its runs, ledger entries and ADK entries kept.
    removed_at = models.DateTimeField(_("diarsipkan"), null=True, blank=True)
    schedules = ScheduleRelation()

    class Meta:
        ordering = ["site__name", "name"]
        verbose_name = _("rencana pencadangan")
        verbose_name_plural = _("rencana pencadangan")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("backups:plan", kwargs={"slug": self.site.institution.slug, "plan_id": self.pk})

    @property
    def institution(self):  # type: ignore[no-untyped-def]
        return self.site.institution


class Source(models.Model):
    """One thing a plan backs up: files or a database. ``kind`` is a key of ``jaga.backups.sources.REGISTRY``."""

    INSTITUTION_PATH = "plan__site__institution"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sources")
    kind = models.CharField(_("jenis"), max_length=20)
    name = models.SlugField(_("nama"), max_length=60, help_text=_("Nama pendek: folder dalam snapshot."))
    config = models.JSONField(_("pengaturan"), default=dict, blank=True)
    secret = EncryptedTextField(_("kata sandi / kunci"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "name"], name="backup_source_name_unique")]
        verbose_name = _("sumber cadangan")
        verbose_name_plural = _("sumber cadangan")

    def __str__(self) -> str:
        return self.name


class RunKind(models.TextChoices):
    BACKUP = "backup", _("pencadangan")
    CHECK = "check", _("pemeriksaan repositori")
    DRILL = "drill", _("latihan pemulihan")
    RESTORE = "restore", _("pemulihan")
    EXPORT = "export", _("ekspor ke media")


class RunState(models.TextChoices):
    RUNNING = "running", _("berjalan")
    SUCCESS = "success", _("berhasil")
    WARNING = "warning", _("berhasil dengan peringatan")
    FAILED = "failed", _("gagal")
    INTERRUPTED = "interrupted", _("terputus")


class Run(models.Model):
    """One execution of a plan's work. A run is ``running`` until it ends; a dead process's run is interrupted."""

    AUDIT = False
    INSTITUTION_PATH = "plan__site__institution"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="runs")
    kind = models.CharField(_("jenis"), max_length=10, choices=RunKind.choices, default=RunKind.BACKUP)
    state = models.CharField(_("status"), max_length=12, choices=RunState.choices, default=RunState.RUNNING)
    trigger = models.CharField(_("pemicu"), max_length=20, default="schedule")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    started_at = models.DateTimeField(_("mulai"), db_index=True)
    ended_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    process_id = models.CharField(max_length=200, blank=True)
    host = models.CharField(max_length=200, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    phase = models.CharField(_("tahap"), max_length=200, blank=True)
    percent = models.FloatField(_("kemajuan"), default=0.0)
    snapshot_id = models.CharField(_("snapshot"), max_length=80, blank=True)
    files_new = models.BigIntegerField(_("berkas baru"), default=0)
    files_changed = models.BigIntegerField(_("berkas berubah"), default=0)
    files_processed = models.BigIntegerField(_("berkas diproses"), default=0)
    bytes_added = models.BigIntegerField(_("data ditambahkan"), default=0)
    bytes_processed = models.BigIntegerField(_("data diproses"), default=0)
    error = models.TextField(_("galat"), blank=True)
    warnings = models.JSONField(_("peringatan"), default=list, blank=True)
    details = models.JSONField(default=dict, blank=True)  # dumps' facts, drill figures, export paths
    log = models.TextField(_("log"), blank=True)
    ledger_entry_id = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["plan", "kind", "-started_at"], name="backup_run_plan_kind")]
        verbose_name = _("eksekusi pencadangan")
        verbose_name_plural = _("eksekusi pencadangan")

    def __str__(self) -> str:
        return f"{self.plan} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("backups:run", kwargs={"slug": self.plan.site.institution.slug, "run_id": self.pk})

    @property
    def is_done(self) -> bool:
        return self.state != RunState.RUNNING

    @property
    def duration_seconds(self) -> float | None:
        if self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds()


class Medium(models.TextChoices):
    CD = "cd", _("CD (700 MB)")
    DVD = "dvd", _("DVD (4,7 GB)")
    DISK = "disk", _("disk eksternal")


class MediaExport(models.Model):
    """One entry of the ADK register: a self-contained set of a snapshot on offline media."""

    INSTITUTION_PATH = "plan__site__institution"
    AUDIT_IGNORE_FIELDS = ("verified_at",)

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="exports")
    run = models.OneToOneField(Run, on_delete=models.SET_NULL, null=True, blank=True, related_name="export")
    snapshot_id = models.CharField(_("snapshot"), max_length=80)
    medium = models.CharField(_("media"), max_length=10, choices=Medium.choices, default=Medium.DISK)
    label = models.CharField(_("label media"), max_length=200)
    path = models.CharField(_("folder tujuan"), max_length=500)
    volumes = models.PositiveIntegerField(_("jumlah keping"), default=1)
    total_bytes = models.BigIntegerField(_("ukuran"), default=0)
    checksums = models.TextField(_("SHA256SUMS"), blank=True)
    kept_at = models.CharField(_("tempat penyimpanan"), max_length=300, blank=True)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(_("dibuat"))
    verified_at = models.DateTimeField(_("diverifikasi"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("arsip data komputer (ADK)")
        verbose_name_plural = _("register ADK")

    def __str__(self) -> str:
        return self.label
