from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from jaga.core import clock


class AuditAction(models.TextChoices):
    CREATE = "create", _("buat")
    UPDATE = "update", _("ubah")
    DELETE = "delete", _("hapus")
    LOGIN = "login", _("masuk")
    LOGIN_FAILED = "login_failed", _("gagal masuk")
    LOGOUT = "logout", _("keluar")
    OTP_ENROLLED = "otp_enrolled", _("2FA didaftarkan")
    OTP_VERIFIED = "otp_verified", _("2FA diverifikasi")
    OTP_FAILED = "otp_failed", _("kode 2FA salah")
    TOKEN_CREATED = "token_created", _("token API dibuat")
    TOKEN_REVOKED = "token_revoked", _("token API dicabut")
    LOCKED_OUT = "locked_out", _("dikunci karena gagal masuk")
    PASSWORD_RESET_REQUESTED = "password_reset_requested", _("reset kata sandi diminta")


class AuditEvent(models.Model):
    """One thing a person or Jaga did. Never edited; the actor and institution keep their ids after deletion.

    ``actor_name`` is the user name, or "Jaga" for the system; ``via`` says through what the change came:
    ``token: <name>`` for the API, ``worker``, ``scheduler``, ``probe``, ``command: <name>`` for Jaga.

    ``actor`` and ``institution`` have no database constraint: the trail must outlive the user or
    institution it talks about (the deletion itself is an event that references them).
    """

    INSTITUTION_PATH = "institution"
    AUDIT = False

    at = models.DateTimeField(_("waktu"), default=clock.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pelaku"),
    )
    actor_name = models.CharField(_("nama pelaku"), max_length=150, blank=True)
    via = models.CharField(_("melalui"), max_length=150, blank=True)
    institution = models.ForeignKey(
        "core.Institution",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("instansi"),
    )
    action = models.CharField(_("tindakan"), max_length=32, choices=AuditAction.choices, db_index=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("jenis objek")
    )
    object_id = models.CharField(_("id objek"), max_length=64, blank=True)
    object_repr = models.CharField(_("objek"), max_length=255, blank=True)
    changes = models.JSONField(_("perubahan"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("alamat IP"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["institution", "-at"], name="audit_institution_at")]
        verbose_name = _("jejak audit")
        verbose_name_plural = _("jejak audit")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or '-'} {self.action} {self.object_repr}"
