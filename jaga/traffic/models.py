"""The traffic app's records: log sources, the cursor of each file read, ingestion batches and runs.

The normalised lines themselves are not here: they are Parquet files in the analytics store
(:mod:`jaga.traffic.ingest.store`). The database holds what must be exact across restarts: where each
file was read up to, and which batches of Parquet files are committed.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jaga.core.models import Site
from jaga.incidents.kinds.base import Severity


class LogSource(models.Model):
    """One place a site's access log is read from: a path or glob on this machine (rotated files included), or
    on the site's server over SFTP (:mod:`jaga.traffic.sources`)."""

    INSTITUTION_PATH = "site__institution"
    AUDIT_IGNORE_FIELDS = ("last_ingest_at",)

    class Kind(models.TextChoices):
        LOCAL = "local", _("Berkas di mesin ini")
        SFTP = "sftp", _("Berkas di server hosting (SFTP)")

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
    known_hosts = models.TextField(
        _("kunci host yang dipatok"),
        blank=True,
        help_text=_("SFTP: diisi otomatis pada penarikan pertama; kosongkan hanya bila server memang diganti."),
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
    analysed = models.BooleanField(default=False)  # its lines went through a detection round

    class Meta:
        indexes = [models.Index(fields=["state", "analysed"])]

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


class Detection(models.Model):
    """What one rule found about one client, subnet or login endpoint of a site, accumulated over rounds.

    ``count`` only grows by lines not analysed before (see ``IngestBatch.analysed``): a round that reads
    earlier lines again as context for its buckets never counts them twice.
    """

    INSTITUTION_PATH = "site__institution"
    AUDIT = False

    class Scope(models.TextChoices):
        CLIENT = "client", _("alamat")
        SUBNET = "subnet", _("subnet")
        ENDPOINT = "endpoint", _("alamat login")
        SITE = "site", _("seluruh situs")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="traffic_detections")
    rule_key = models.CharField(_("aturan"), max_length=80)
    family = models.CharField(_("keluarga"), max_length=20)
    severity = models.CharField(_("tingkat keparahan"), max_length=10, choices=Severity.choices)
    scope = models.CharField(_("cakupan"), max_length=10, choices=Scope.choices, default=Scope.CLIENT)
    key = models.CharField(_("klien"), max_length=200)
    first_seen = models.DateTimeField(_("pertama terlihat"))
    last_seen = models.DateTimeField(_("terakhir terlihat"))
    count = models.BigIntegerField(_("jumlah"), default=0)
    clients = models.PositiveIntegerField(_("jumlah alamat"), default=1)
    addresses = models.JSONField(default=list)
    samples = models.JSONField(default=list)
    private = models.BooleanField(_("alamat privat"), default=False)
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_seen"]
        constraints = [models.UniqueConstraint(fields=["site", "rule_key", "key"], name="traffic_detection_unique_key")]
        indexes = [models.Index(fields=["site", "last_seen"])]
        verbose_name = _("deteksi")
        verbose_name_plural = _("deteksi")

    def __str__(self) -> str:
        return f"{self.rule_key} · {self.key}"

    @property
    def family_label(self) -> str:
        from jaga.traffic.detection.base import family_text

        return str(family_text(self.family))


class AllowedNetwork(models.Model):
    """An address or network whose lines no rule looks at: the office, a commissioned scanner, a monitor."""

    INSTITUTION_PATH = "institution"

    institution = models.ForeignKey(
        "core.Institution", on_delete=models.CASCADE, related_name="traffic_allowed_networks"
    )
    network = models.CharField(_("alamat atau jaringan"), max_length=64, help_text=_("Mis. 203.0.113.0/24."))
    note = models.CharField(_("keterangan"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["institution", "network"]
        verbose_name = _("alamat yang diizinkan")
        verbose_name_plural = _("alamat yang diizinkan")

    def __str__(self) -> str:
        return self.network


class TrafficDay(models.Model):
    """One day of a site's traffic, summed: written when retention deletes the day's lines, and kept for ever."""

    INSTITUTION_PATH = "site__institution"
    AUDIT = False

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="traffic_days")
    day = models.DateField(_("tanggal"))
    hits = models.BigIntegerField(_("permintaan"), default=0)
    visitors = models.BigIntegerField(_("pengunjung unik"), default=0)
    megabytes = models.FloatField(_("data (MB)"), default=0.0)
    not_found = models.BigIntegerField(_("tidak ditemukan (404)"), default=0)
    errors = models.BigIntegerField(_("galat server (5xx)"), default=0)
    crawler_hits = models.BigIntegerField(_("permintaan crawler"), default=0)
    # The ingestion batches already summed in: a run that died between the sum and the delete adds nothing twice.
    batches = models.JSONField(default=list)

    class Meta:
        ordering = ["site", "day"]
        constraints = [models.UniqueConstraint(fields=["site", "day"], name="traffic_day_unique")]
        verbose_name = _("ringkasan harian lalu lintas")
        verbose_name_plural = _("ringkasan harian lalu lintas")

    def __str__(self) -> str:
        return f"{self.site} · {self.day}"


class CustomRule(models.Model):
    """A detection rule added without code, from Jaga's pages (an institution's Administrator), the admin or a
    file (``jaga traffic rules --add FILE``): the same YAML as Jaga's own rules, checked and its test lines run
    before it is saved (:func:`jaga.traffic.services.rules.custom_rule_check`).

    Without an institution (the admin, the command) the rule holds for every site of the installation, and a key
    of Jaga's replaces that rule; with one (Jaga's pages) it holds for that institution's sites only and takes a
    key of its own, so that one court's Administrator never changes another court's detection."""

    INSTITUTION_PATH = "institution"

    key = models.CharField(_("kunci"), max_length=80, unique=True, editable=False)
    institution = models.ForeignKey(
        "core.Institution",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="traffic_custom_rules",
        verbose_name=_("institusi"),
        help_text=_("Kosong: berlaku untuk semua situs instalasi ini."),
    )
    text = models.TextField(
        _("aturan (YAML)"),
        help_text=_(
            "Bentuk yang sama dengan berkas aturan Jaga (lihat docs/traffic.md), dengan sedikitnya satu baris "
            "uji: semua uji dijalankan sebelum aturan disimpan."
        ),
    )
    is_active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("aturan deteksi khusus")
        verbose_name_plural = _("aturan deteksi khusus")

    def __str__(self) -> str:
        return self.key
