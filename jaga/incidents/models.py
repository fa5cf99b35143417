"""Incidents and their timelines.

An :class:`Incident` is one problem of one site, opened for one cause (``site`` + ``kind`` + ``cause_key``):
while it is open, a repeat of the cause adds a :class:`TimelineEntry` to it instead of a second incident
(a partial unique constraint holds that under concurrency). Its states follow the Statuspage model,
Investigating → Identified → Monitoring → Resolved; the SOP's three tiers of troubleshooting are ``tier``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jaga.incidents.kinds.base import Severity


class State(models.TextChoices):
    INVESTIGATING = "investigating", _("Investigasi")
    IDENTIFIED = "identified", _("Penyebab diketahui")
    MONITORING = "monitoring", _("Dipantau")
    RESOLVED = "resolved", _("Selesai")


class Tier(models.IntegerChoices):
    """The SOP's activity 7: troubleshoot independently, with the maintenance section, or a third party."""

    MANDIRI = 1, _("Tingkat 1: mandiri (Staff P2TI)")
    UMUM = 2, _("Tingkat 2: Subbag Umum dan Keuangan")
    VENDOR = 3, _("Tingkat 3: pihak ketiga")


OPEN_STATES = (State.INVESTIGATING, State.IDENTIFIED, State.MONITORING)


class Incident(models.Model):
    INSTITUTION_PATH = "site__institution"
    # Kept up to date by the reporting apps, not decided by a person.
    AUDIT_IGNORE_FIELDS = ("last_seen_at", "occurrences", "details")

    site = models.ForeignKey("core.Site", on_delete=models.CASCADE, related_name="incidents")
    kind = models.CharField(_("jenis"), max_length=40)  # a key of jaga.incidents.kinds.REGISTRY
    cause_key = models.CharField(_("kunci penyebab"), max_length=200)
    summary = models.CharField(_("ringkasan"), max_length=500)
    details = models.JSONField(_("rincian"), default=dict, blank=True)
    source = models.CharField(_("sumber"), max_length=40, blank=True)
    severity = models.CharField(_("tingkat keparahan"), max_length=10, choices=Severity.choices)
    state = models.CharField(_("status"), max_length=20, choices=State.choices, default=State.INVESTIGATING)
    tier = models.PositiveSmallIntegerField(_("tingkat penanganan"), choices=Tier.choices, default=Tier.MANDIRI)
    tier_since = models.DateTimeField(_("di tingkat ini sejak"))
    opened_at = models.DateTimeField(_("dibuka"))
    last_seen_at = models.DateTimeField(_("terakhir dilaporkan"))
    occurrences = models.PositiveIntegerField(_("jumlah laporan"), default=1)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("dibuka oleh"),
    )  # fmt: skip
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("ditangani oleh"),
    )  # fmt: skip
    acknowledged_at = models.DateTimeField(_("ditangani sejak"), null=True, blank=True)
    cause_cleared_at = models.DateTimeField(_("penyebab hilang"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("diselesaikan oleh"),
    )  # fmt: skip
    resolution_note = models.TextField(_("catatan penyelesaian"), blank=True)
    version = models.PositiveIntegerField(default=1)  # optimistic locking for the changes people make

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("insiden")
        verbose_name_plural = _("insiden")
        constraints = [
            # One open incident per cause: the dedup holds when two probes report the same outage at once.
            models.UniqueConstraint(
                fields=["site", "kind", "cause_key"],
                condition=~Q(state="resolved"),
                name="incident_one_open_per_cause",
            ),
        ]
        indexes = [
            models.Index(fields=["site", "state"], name="incident_site_state"),
            models.Index(fields=["state", "tier_since"], name="incident_state_tier"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.summary}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("incidents:detail", kwargs={"slug": self.site.institution.slug, "incident_id": self.pk})

    @property
    def is_open(self) -> bool:
        return self.state != State.RESOLVED

    def kind_label(self) -> Any:
        from jaga.incidents.kinds import REGISTRY

        return REGISTRY.entry(self.kind).label if self.kind in REGISTRY else self.kind


class EntryKind(models.TextChoices):
    NOTE = "note", _("Catatan")
    ACTION = "action", _("Tindakan")
    STATE = "state", _("Perubahan status")
    ACKNOWLEDGE = "acknowledge", _("Ditangani")
    ESCALATION = "escalation", _("Eskalasi")
    ATTACHMENT = "attachment", _("Lampiran")
    DIAGNOSTIC = "diagnostic", _("Diagnostik")
    SYSTEM = "system", _("Peristiwa sistem")


def attachment_path(instance: TimelineEntry, filename: str) -> str:
    return f"incidents/{instance.incident_id}/{filename}"


class TimelineEntry(models.Model):
    """One line of an incident's timeline: who, when, what."""

    INSTITUTION_PATH = "incident__site__institution"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(_("waktu"))
    kind = models.CharField(_("jenis"), max_length=20, choices=EntryKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("oleh"),
    )  # fmt: skip
    text = models.TextField(_("isi"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    # An action tried as an alternative solution ("alternatif pemecahan masalah"), and whether it worked.
    is_alternative = models.BooleanField(_("alternatif pemecahan masalah"), default=False)
    worked = models.BooleanField(_("berhasil"), null=True, blank=True)
    attachment = models.FileField(_("lampiran"), upload_to=attachment_path, blank=True, max_length=300)
    # A person chooses which updates the public status page shows, and in which words.
    is_public = models.BooleanField(_("tampil di halaman status publik"), default=False)
    public_text = models.TextField(_("teks untuk publik"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("entri linimasa")
        verbose_name_plural = _("entri linimasa")
        indexes = [models.Index(fields=["incident", "at"], name="timeline_incident_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
