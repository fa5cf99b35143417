"""The traffic app's records: log sources, the cursor of each file read, ingestion batches and runs.

The normalised lines themselves are not here: they are Parquet files in the analytics store
(:mod:`jaga.traffic.ingest.store`). The database holds what must be exact across restarts: where each
file was read up to, and which batches of Parquet files are committed.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jaga.core.models import Site


class LogSource(models.Model):
    """One place a site's access log is read from: a path or glob on this machine (rotated files included)."""

    INSTITUTION_PATH = "site__institution"
    AUDIT_IGNORE_FIELDS = ("last_ingest_at",)

    class Kind(models.TextChoices):
        LOCAL = "local", _("Berkas di mesin ini")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="log_sources")
    kind = models.CharField(_("jenis sumber"), max_length=20, choices=Kind.choices, default=Kind.LOCAL)
    path = models.CharField(
        _("lokasi"),
        max_length=1000,
        help_text=_("Path atau pola glob, mis. /var/log/nginx/access.log*; berkas rotasi .1 dan .gz ikut dibaca."),
    )
    format_key = models.CharField(_("format log"), max_length=40, default="combined")
    format_spec = models.TextField(
        _("definisi format"),
        blank=True,
        help_text=_("Untuk format khusus: baris log_format nginx atau string format GoAccess."),
    )
    is_active = models.BooleanField(_("aktif"), default=True)
    last_ingest_at = models.DateTimeField(_("terakhir dibaca"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["site", "path"]
        constraints = [models.UniqueConstraint(fields=["site", "path"], name="traffic_source_unique_path")]
        verbose_name = _("sumber log")
        verbose_name_plural = _("sumber log")

    def __str__(self) -> str:
        return f"{self.site} · {self.path}"


class SourceFile(models.Model):
    """The cursor of one file's content, known by a hash of its first bytes (it survives rotation and gzip).

    ``offset`` counts bytes of the (decompressed) content that are stored, always at a line's end.
    """

    AUDIT = False

    source = models.ForeignKey(LogSource, on_delete=models.CASCADE, related_name="files")
    head_len = models.PositiveIntegerField()
    head_hash = models.CharField(max_length=64)
    path = models.CharField(max_length=1000)
    inode = models.BigIntegerField(default=0)
    device = models.BigIntegerField(default=0)
    offset = models.BigIntegerField(default=0)
    lines = models.BigIntegerField(default=0)
    first_seen_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["source", "first_seen_at"]
        indexes = [models.Index(fields=["source", "head_hash"])]

    def __str__(self) -> str:
        return f"{self.path} @ {self.offset}"


class IngestBatch(models.Model):
    """One chunk of one file turned into Parquet files; ``committed`` moves the cursor in the same transaction.

    A batch left ``pending`` (the process died between writing its files and committing) is undone at the
    next ingestion: its files, named after it, are deleted, and the same bytes are read again.
    """

    AUDIT = False

    class State(models.TextChoices):
        PENDING = "pending", _("sedang ditulis")
        COMMITTED = "committed", _("tersimpan")

    source_file = models.ForeignKey(SourceFile, on_delete=models.CASCADE, related_name="batches")
    start_offset = models.BigIntegerField()
    end_offset = models.BigIntegerField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    lines = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"b{self.pk} {self.start_offset}-{self.end_offset} {self.state}"


class IngestRun(models.Model):
    """One round of ingestion of a site: what was read, what was stored, and the bad input per reason."""

    INSTITUTION_PATH = "site__institution"
    AUDIT = False

    class Outcome(models.TextChoices):
        RUNNING = "running", _("berjalan")
        SUCCESS = "success", _("berhasil")
        PARTIAL = "partial", _("sebagian")
        FAILURE = "failure", _("gagal")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="traffic_runs")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.RUNNING)
    files = models.JSONField(default=list)  # [{"path":..., "lines":..., "bytes":...}]
    bytes_read = models.BigIntegerField(default=0)
    lines_read = models.BigIntegerField(default=0)
    lines_stored = models.BigIntegerField(default=0)
    bad_counts = models.JSONField(default=dict)  # reason -> count
    bad_samples = models.JSONField(default=dict)  # reason -> [first lines, cut to 500 characters]
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("putaran pembacaan log")
        verbose_name_plural = _("putaran pembacaan log")

    def __str__(self) -> str:
        return f"{self.site} · {self.started_at:%Y-%m-%d %H:%M}"
