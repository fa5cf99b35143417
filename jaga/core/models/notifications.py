from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from jaga.core import clock
from jaga.core.fields import EncryptedTextField
from jaga.core.models.institutions import Role


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
        _("jenis peristiwa"),
        max_length=64,
        help_text=_("Satu jenis peristiwa, '*' untuk semua, atau satu bidang seperti 'bidang.*'."),
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


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("menunggu")
    SENDING = "sending", _("sedang dikirim")
    SENT = "sent", _("terkirim")
    PARTIAL = "partial", _("terkirim sebagian")
    FAILED = "failed", _("gagal")


class NotificationDelivery(models.Model):
    """One message to one channel for one audience in one language: the evidence that someone was told.

    Written by ``notify()`` before anything is sent, so that a send that never happens (a dead worker, a
    queue that refused it) is still on record. The text is the text sent, in ``language``; a failed attempt
    is retried with back-off (``next_attempt_at``) until it succeeds or is given up (``failed``).
    """

    INSTITUTION_PATH = "institution"
    AUDIT = False  # machine bookkeeping, and itself the record: the audit trail holds people's changes

    institution = models.ForeignKey(
        "core.Institution", on_delete=models.CASCADE, related_name="notification_deliveries"
    )
    # Kept when the channel is deleted: the record of who was told outlives the channel.
    channel = models.ForeignKey(
        NotificationChannel, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    channel_name = models.CharField(_("saluran"), max_length=120)
    event_type = models.CharField(_("jenis peristiwa"), max_length=64)
    severity = models.CharField(_("tingkat"), max_length=10, default="info")
    site = models.ForeignKey("core.Site", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    subject_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject_id = models.CharField(max_length=64, blank=True)
    link = models.CharField(_("tautan"), max_length=500, blank=True)
    language = models.CharField(_("bahasa"), max_length=8)
    roles = models.JSONField(_("peran"), default=list, blank=True)
    recipients = models.JSONField(_("penerima"), default=list, blank=True)
    title = models.TextField(_("judul"))
    body = models.TextField(_("isi"), blank=True)
    attachments = models.JSONField(_("lampiran"), default=list, blank=True)
    status = models.CharField(
        _("hasil"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING, db_index=True
    )
    # Why a send reached only part of its audience (a role nobody can be mailed for): never a plain success.
    shortfall = models.TextField(_("kekurangan"), blank=True)
    error = models.TextField(_("galat"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    max_attempts = models.PositiveSmallIntegerField(default=5)
    history = models.JSONField(default=list, blank=True)  # [{"at": iso, "error": "..."}], one per attempt
    created_at = models.DateTimeField(_("waktu"), default=clock.now, db_index=True)
    last_attempt_at = models.DateTimeField(_("percobaan terakhir"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("dicoba lagi"), null=True, blank=True, db_index=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("waktu terkirim"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["channel", "-created_at"], name="delivery_channel_recent")]
        verbose_name = _("pengiriman notifikasi")
        verbose_name_plural = _("pengiriman notifikasi")

    def __str__(self) -> str:
        return f"{self.event_type} → {self.channel_name} ({self.status})"

    @property
    def is_retrying(self) -> bool:
        """Failed at least once, another attempt is planned."""
        return self.status == DeliveryStatus.PENDING and self.attempts > 0 and self.next_attempt_at is not None

    @property
    def subject(self) -> Any:
        """The object the message is about (a monitor, a backup run...), or None when gone or never given."""
        if self.subject_type is None or not self.subject_id:
            return None
        model = self.subject_type.model_class()
        if model is None:
            return None
        return model._default_manager.filter(pk=self.subject_id).first()
