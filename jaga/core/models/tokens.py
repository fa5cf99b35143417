from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A bearer token acting as ``user`` within ``institution``. Only its SHA-256 is stored."""

    INSTITUTION_PATH = "institution"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    institution = models.ForeignKey("core.Institution", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nama"), max_length=120)
    prefix = models.CharField(_("awalan"), max_length=16, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True)
    revoked = models.BooleanField(_("dicabut"), default=False)
    revoked_at = models.DateTimeField(_("waktu dicabut"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("token API")
        verbose_name_plural = _("token API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
