from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from jaga.core.fields import EncryptedTextField
from jaga.core.models.institutions import Role

# The event types Jaga's apps send. A route may also name "*" (every event) or a prefix pattern
# like "monitor.*". Documented in docs/notifications.md.
EVENT_TYPES: list[tuple[str, StrOrPromise]] = [
    ("*", _("Semua peristiwa")),
    ("monitor.down", _("Situs tidak dapat diakses")),
    ("monitor.up", _("Situs kembali dapat diakses")),
    ("monitor.degraded", _("Pemeriksaan situs menemukan masalah")),
    ("content.stale", _("Konten situs tidak diperbarui")),
    ("integrity.defacement", _("Perubahan tampilan / konten mencurigakan")),
    ("backup.failed", _("Pencadangan gagal")),
    ("backup.succeeded", _("Pencadangan berhasil")),
    ("backup.check_failed", _("Pemeriksaan cadangan gagal")),
    ("traffic.detection", _("Aktivitas pengunjung mencurigakan")),
    ("renewal.due", _("Layanan akan berakhir")),
    ("renewal.approval_needed", _("Perpanjangan menunggu persetujuan")),
    ("incident.opened", _("Masalah baru dibuka")),
    ("incident.escalated", _("Masalah dieskalasi")),
    ("incident.resolved", _("Masalah diselesaikan")),
    ("report.ready", _("Laporan siap")),
    ("test", _("Uji kirim")),
]


class NotificationChannel(models.Model):
    """Where notifications go: one apprise URL (e-mail, Telegram, ntfy, webhook...)."""

    INSTITUTION_PATH = "institution"

    institution = models.ForeignKey("core.Institution", on_delete=models.CASCADE, related_name="notification_channels")
    name = models.CharField(_("nama"), max_length=120)
    url = EncryptedTextField(
        _("URL apprise"), help_text=_("Contoh: tgram://TOKEN_BOT/ID_CHAT, ntfys://ntfy.sh/topik, mailtos://...")
    )
    enabled = models.BooleanField(_("aktif"), default=True)
    last_success_at = models.DateTimeField(_("terakhir berhasil"), null=True, blank=True)
    last_error = models.TextField(_("galat terakhir"), blank=True)
    last_error_at = models.DateTimeField(_("waktu galat terakhir"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("saluran notifikasi")
        verbose_name_plural = _("saluran notifikasi")

    def __str__(self) -> str:
        return self.name

    @property
    def is_failing(self) -> bool:
        """The last attempt failed (an error newer than the last success)."""
        if self.last_error_at is None:
            return False
        return self.last_success_at is None or self.last_error_at >= self.last_success_at


class NotificationRoute(models.Model):
    """Event type X goes to channel C, for the holders of role R (blank: the channel as its URL says).

    An e-mail channel is sent to the role's active members' addresses; a group channel is the role's group."""

    INSTITUTION_PATH = "institution"

    institution = models.ForeignKey("core.Institution", on_delete=models.CASCADE, related_name="notification_routes")
    event_type = models.CharField(
        _("jenis peristiwa"), max_length=64, help_text=_("Mis. monitor.down; '*' untuk semua; 'backup.*' untuk awalan.")
    )
    role = models.CharField(_("peran"), max_length=32, choices=Role.choices, blank=True)
    channel = models.ForeignKey(NotificationChannel, on_delete=models.CASCADE, related_name="routes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event_type", "channel__name"]
        verbose_name = _("rute notifikasi")
        verbose_name_plural = _("rute notifikasi")

    def __str__(self) -> str:
        return f"{self.event_type} → {self.channel}"
