from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Schedule(models.Model):
    """A recurring job. ``jaga scheduler`` enqueues ``task_path`` when ``next_run_at`` is due.

    Claiming is a conditional UPDATE on ``next_run_at`` so that two schedulers, on two machines,
    never enqueue the same due run twice.
    """

    key = models.CharField(_("kunci"), max_length=200, unique=True, help_text=_("Nama unik, mis. backup-plan:12"))
    task_path = models.CharField(_("tugas"), max_length=200, help_text=_("Path Python dari tugas django-tasks."))
    kwargs = models.JSONField(default=dict, blank=True)
    interval_seconds = models.PositiveIntegerField(_("selang (detik)"))
    next_run_at = models.DateTimeField(_("jalan berikutnya"), db_index=True)
    last_run_at = models.DateTimeField(_("jalan terakhir"), null=True, blank=True)
    last_enqueued_id = models.CharField(max_length=64, blank=True)
    enabled = models.BooleanField(_("aktif"), default=True)
    institution = models.ForeignKey(
        "core.Institution", on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )

    class Meta:
        ordering = ["next_run_at"]
        verbose_name = _("jadwal")
        verbose_name_plural = _("jadwal")

    def __str__(self) -> str:
        return self.key
