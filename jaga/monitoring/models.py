"""Monitors, their raw results, rollups, status changes, findings, maintenance windows and probes.

Storage stays small: raw results live ``JAGA_RESULTS_RETENTION_HOURS`` (48 h), rollups per minute,
hour and day carry uptime and response times, and every status change is kept for ever.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MonitorStatus(models.TextChoices):
    UNKNOWN = "unknown", _("Belum diperiksa")
    UP = "up", _("Naik")
    DOWN = "down", _("Turun")
    DEGRADED = "degraded", _("Terganggu")
    PROBE_OFFLINE = "probe_offline", _("Probe luring")
    PAUSED = "paused", _("Dijeda")
    MAINTENANCE = "maintenance", _("Pemeliharaan")


class Monitor(models.Model):
    INSTITUTION_PATH = "site__institution"
    # A change of any of these starts a new series (``settings_version``): results of checks that were
    # started with the old settings are kept but never move the status (no false alarm after an edit).
    SERIES_FIELDS = (
        "kind",
        "config",
        "interval_seconds",
        "timeout_seconds",
        "retries",
        "failures_before_down",
        "required_agreement",
        "enabled",
    )
    # Written by probes only: read-only in the admin, the columns of the probe's batch update.
    ENGINE_FIELDS = (
        "status",
        "status_since",
        "status_reason",
        "consecutive_failures",
        "next_check_at",
        "claimed_by",
        "claim_token",
        "claimed_until",
        "confirm_exclude_probe",
        "confirm_until",
        "last_checked_at",
        "last_response_ms",
        "state",
    )

    site = models.ForeignKey("core.Site", on_delete=models.CASCADE, related_name="monitors")
    name = models.CharField(_("nama"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=40)  # a key of jaga.monitoring.kinds.REGISTRY
    config = models.JSONField(_("konfigurasi"), default=dict)  # validated by the kind's Config model
    interval_seconds = models.PositiveIntegerField(_("selang (detik)"), default=60)
    timeout_seconds = models.FloatField(_("batas waktu (detik)"), default=10.0)
    retries = models.PositiveSmallIntegerField(_("ulangi saat gagal"), default=1)
    failures_before_down = models.PositiveSmallIntegerField(_("gagal berturut-turut sebelum turun"), default=2)
    required_agreement = models.PositiveSmallIntegerField(
        _("probe yang harus setuju"),
        default=1,
        help_text=_("2 = gangguan dinyatakan hanya bila dua probe berbeda setuju."),
    )
    enabled = models.BooleanField(_("aktif"), default=True)
    is_public = models.BooleanField(_("tampil di halaman status publik"), default=False)

    # Engine state (written by probes only).
    status = models.CharField(max_length=20, choices=MonitorStatus.choices, default=MonitorStatus.UNKNOWN)
    status_since = models.DateTimeField(null=True, blank=True)
    status_reason = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    # The due time. A claim leaves it as it is (the lag of a check is measured from it); a result moves it on.
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    # The claiming probe process (random per process): a result is written only while this still matches.
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)  # the lease, renewed while the check runs
    settings_version = models.PositiveIntegerField(default=1)
    # Agreement of two probes: after a failure seen by one probe, another probe must check next.
    confirm_exclude_probe = models.CharField(max_length=100, blank=True)
    confirm_until = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_response_ms = models.FloatField(null=True, blank=True)
    state = models.JSONField(default=dict, blank=True)  # kind-owned memory between checks
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["site_id", "name"]
        indexes = [models.Index(fields=["enabled", "next_check_at"], name="monitor_due_idx")]
        verbose_name = _("monitor")
        verbose_name_plural = _("monitor")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if self.pk is not None and (update_fields is None or set(update_fields) & set(self.SERIES_FIELDS)):
            self.settings_version = (self.settings_version or 0) + 1
            if update_fields is not None:
                kwargs["update_fields"] = [*update_fields, "settings_version"]
        if self.enabled and self.next_check_at is None:
            # The probes claim through an index range on the due time: an enabled monitor always has one.
            from jaga.core import clock

            self.next_check_at = clock.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = [*kwargs["update_fields"], "next_check_at"]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("monitoring:monitor_detail", kwargs={"pk": self.pk})


class CheckResult(models.Model):
    """One raw check by one probe. Kept JAGA_RESULTS_RETENTION_HOURS, then only rollups remain.

    Kept small (a row of a 60-second monitor is written 1,440 times a day): one index, on (monitor,
    checked_at); the rollups read new rows by primary key and pruning goes monitor by monitor, so there
    is no index on the time alone. The probe writes ``checked_at`` to the second and the scheduling lag in
    its own column; ``details`` carries only what the kind found worth keeping.
    """

    AUDIT = False
    INSTITUTION_PATH = "monitor__site__institution"

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="results", db_index=False)
    probe = models.CharField(max_length=100)
    checked_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=MonitorStatus.choices)
    response_ms = models.FloatField(null=True, blank=True)
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    lag_ms = models.PositiveIntegerField(null=True, blank=True)  # due time to start of the check

    class Meta:
        indexes = [models.Index(fields=["monitor", "checked_at"], name="result_monitor_time_idx")]

    def __str__(self) -> str:
        return f"{self.monitor_id} {self.status} @ {self.checked_at:%Y-%m-%d %H:%M:%S}"


class Rollup(models.Model):
    """Checks aggregated per minute, hour or day. Uptime figures are read from here."""

    AUDIT = False
    INSTITUTION_PATH = "monitor__site__institution"

    class Period(models.TextChoices):
        MINUTE = "m", _("menit")
        HOUR = "h", _("jam")
        DAY = "d", _("hari")

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="rollups")
    period = models.CharField(max_length=1, choices=Period.choices)
    bucket = models.DateTimeField()  # start of the minute / hour / day (UTC)
    checks = models.PositiveIntegerField(default=0)
    up = models.PositiveIntegerField(default=0)  # up or degraded: the site answered
    down = models.PositiveIntegerField(default=0)
    maintenance = models.PositiveIntegerField(default=0)  # checks inside a maintenance window (left out of uptime)
    response_ms_sum = models.FloatField(default=0)
    response_ms_count = models.PositiveIntegerField(default=0)
    response_ms_min = models.FloatField(null=True, blank=True)
    response_ms_max = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["monitor", "period", "bucket"], name="rollup_unique_bucket")]
        # Rollups are computed, pruned and watermarked per period across all monitors (jaga.monitoring.rollups).
        indexes = [models.Index(fields=["period", "bucket"], name="rollup_period_bucket_idx")]

    def __str__(self) -> str:
        return f"{self.monitor_id} {self.period} {self.bucket:%Y-%m-%d %H:%M}"


class RollupCursor(models.Model):
    """How far raw results have been rolled up into minutes: the highest ``CheckResult.id`` counted.

    Moved with a compare-and-swap in the same transaction as the rollups it stands for, so that two rollup
    runs never count a result twice.
    """

    AUDIT = False

    name = models.CharField(max_length=40, primary_key=True)
    position = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} @ {self.position}"


class UptimeSummary(models.Model):
    """A monitor's uptime windows as of the last rollup run, so that a dashboard of thousands reads one row each.

    Written only by ``jaga.monitoring.rollups.uptime_summaries_refresh``; ``parts`` keeps the day and hour
    sums with the bucket ranges they cover, so that they are recomputed only when those ranges move.
    """

    AUDIT = False
    INSTITUTION_PATH = "monitor__site__institution"

    monitor = models.OneToOneField(Monitor, on_delete=models.CASCADE, primary_key=True, related_name="uptime_summary")
    until = models.DateTimeField()  # the windows end here (the end of the newest complete minute rolled up)
    parts = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.monitor_id} @ {self.until:%Y-%m-%d %H:%M}"


class StatusChange(models.Model):
    """Every change of a monitor's status, kept for ever (the outage history)."""

    AUDIT = False
    INSTITUTION_PATH = "monitor__site__institution"

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="status_changes")
    at = models.DateTimeField(db_index=True)
    from_status = models.CharField(max_length=20, choices=MonitorStatus.choices)
    to_status = models.CharField(max_length=20, choices=MonitorStatus.choices)
    reason = models.TextField(blank=True)
    probes = models.JSONField(default=list, blank=True)  # names of the probes that agreed
    in_maintenance = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.monitor_id}: {self.from_status} → {self.to_status} @ {self.at:%Y-%m-%d %H:%M:%S}"


class Finding(models.Model):
    """Evidence from content checks (stale page, gambling spam, hidden link, cloaking...)."""

    AUDIT = False
    INSTITUTION_PATH = "monitor__site__institution"

    class Severity(models.TextChoices):
        INFO = "info", _("info")
        WARNING = "warning", _("peringatan")
        CRITICAL = "critical", _("kritis")

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="findings")
    code = models.CharField(max_length=60)
    fingerprint = models.CharField(max_length=64)  # sha256 of code+location+evidence: one row per distinct finding
    message = models.TextField()
    location = models.TextField(blank=True)
    evidence = models.TextField(blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.WARNING)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    pages = models.JSONField(default=list, blank=True)  # every page showing the same evidence (capped)
    # The message as data ({"id": Indonesian msgid, "args": {...}}), read in each reader's language; empty for
    # a finding of an older version (``message`` then).
    text = models.JSONField(default=dict, blank=True)
    # A finding a person must see (a page nobody made, a changed structure): open until acknowledged.
    needs_ack = models.BooleanField(default=False)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["monitor", "fingerprint"], name="finding_unique")]
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return f"{self.code}: {self.message[:80]}"


class MaintenanceWindow(models.Model):
    """Planned work: alerts are suppressed and checks inside are left out of uptime."""

    INSTITUTION_PATH = "site__institution"

    class Recurrence(models.TextChoices):
        NONE = "none", _("sekali")
        DAILY = "daily", _("setiap hari")
        WEEKLY = "weekly", _("setiap minggu")
        MONTHLY = "monthly", _("setiap bulan")

    site = models.ForeignKey("core.Site", on_delete=models.CASCADE, related_name="maintenance_windows")
    monitor = models.ForeignKey(
        Monitor,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="maintenance_windows",
        help_text=_("Kosong = semua monitor situs ini."),
    )
    title = models.CharField(_("judul"), max_length=200)
    starts_at = models.DateTimeField(_("mulai"))
    ends_at = models.DateTimeField(_("selesai"))
    recurrence = models.CharField(_("berulang"), max_length=10, choices=Recurrence.choices, default=Recurrence.NONE)
    repeat_until = models.DateTimeField(_("berulang sampai"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return self.title


class Probe(models.Model):
    """A running ``jaga probe``: its heartbeat and whether it can reach its control target."""

    AUDIT = False

    name = models.CharField(max_length=100, unique=True)
    location = models.CharField(max_length=200, blank=True)
    last_seen = models.DateTimeField(null=True, blank=True)
    control_ok = models.BooleanField(default=True)
    control_checked_at = models.DateTimeField(null=True, blank=True)
    version = models.CharField(max_length=40, blank=True)
    checks_total = models.PositiveBigIntegerField(default=0)
    # How the probe keeps up, as of its last heartbeat: scheduling lag over the last minute, checks due but
    # not started yet (it is behind), and results waiting for the database.
    lag_p50_ms = models.PositiveIntegerField(null=True, blank=True)
    lag_p99_ms = models.PositiveIntegerField(null=True, blank=True)
    lag_max_ms = models.PositiveIntegerField(null=True, blank=True)
    checks_last_minute = models.PositiveIntegerField(default=0)
    behind = models.PositiveIntegerField(default=0)
    unwritten = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name
