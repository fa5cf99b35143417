from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProcessBeat(models.Model):
    """A running Jaga process (a worker) and its last sign of life, so that its work is not lost if it dies.

    A worker writes a row when it starts, renews ``beat_at`` every few seconds from a thread, and sets
    ``stopped_at`` when it stops cleanly. Work that it left running (a task, an open ledger entry) is
    taken back when the row says the process is gone; see :mod:`jaga.core.liveness`.
    """

    AUDIT = False  # machine bookkeeping renewed every few seconds, not a change anyone decided

    process_id = models.CharField(_("proses"), max_length=64, unique=True)
    role = models.CharField(_("peran proses"), max_length=30)
    host = models.CharField(_("mesin"), max_length=255)
    pid = models.PositiveIntegerField(_("PID"))
    queues = models.JSONField(_("antrean"), default=list, blank=True)
    started_at = models.DateTimeField(_("mulai"))
    beat_at = models.DateTimeField(_("tanda hidup terakhir"), db_index=True)
    stopped_at = models.DateTimeField(_("berhenti"), null=True, blank=True)

    class Meta:
        ordering = ["-beat_at"]
        verbose_name = _("proses Jaga")
        verbose_name_plural = _("proses Jaga")

    def __str__(self) -> str:
        return self.process_id
