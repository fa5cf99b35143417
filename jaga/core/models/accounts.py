from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserProfile(models.Model):
    """What Jaga keeps about a person beside Django's user: the language they chose and whether the password
    they hold was set by an administrator (a one-time password, to be changed at the next log-in)."""

    AUDIT_IGNORE_FIELDS = ("language",)  # a preference, not a decision about the system

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jaga_profile", verbose_name=_("pengguna")
    )
    language = models.CharField(
        _("bahasa"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Kosong: bahasa bawaan Jaga."),
    )
    password_change_required = models.BooleanField(
        _("wajib ganti kata sandi"),
        default=False,
        help_text=_("Kata sandi sekali pakai dari administrator: harus diganti saat masuk berikutnya."),
    )

    class Meta:
        verbose_name = _("profil pengguna")
        verbose_name_plural = _("profil pengguna")

    def __str__(self) -> str:
        return str(self.user)
