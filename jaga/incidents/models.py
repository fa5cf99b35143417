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


REVIEWED_SEVERITIES = ("kritis", "tinggi")
OPEN_STATES = (State.INVESTIGATING, State.IDENTIFIED, State.MONITORING)


class Vendor(models.Model):
    """A third party the institution calls on at tier 3: the hosting company, the CMS developer, the ISP."""

    INSTITUTION_PATH = "institution"

    institution = models.ForeignKey("core.Institution", on_delete=models.CASCADE, related_name="vendors")
    name = models.CharField(_("nama"), max_length=200)
    services = models.TextField(_("layanan yang disediakan"), blank=True)
    contacts = models.TextField(
        _("kontak"), blank=True, help_text=_("Nama, telepon, surel, portal tiket; satu per baris.")
    )
    contract_reference = models.CharField(_("nomor kontrak"), max_length=200, blank=True)
    contract_ends_on = models.DateField(_("kontrak berakhir"), null=True, blank=True)
    support_hours = models.CharField(_("jam layanan dukungan"), max_length=200, blank=True)
    notes = models.TextField(_("catatan"), blank=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("vendor")
        verbose_name_plural = _("vendor")
        constraints = [models.UniqueConstraint(fields=["institution", "name"], name="vendor_unique_name")]

    def __str__(self) -> str:
        return self.name


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
    # Tier 3: the vendor called on and its ticket. The name is kept, so deleting the vendor loses nothing.
    vendor = models.ForeignKey(
        Vendor, on_delete=models.SET_NULL, null=True, blank=True, related_name="incidents", verbose_name=_("vendor"),
    )  # fmt: skip
    vendor_name = models.CharField(_("nama vendor"), max_length=200, blank=True)
    vendor_ticket = models.CharField(_("nomor tiket vendor"), max_length=200, blank=True)
    # Jaga's proposal to go to the next tier, made once per tier when the time in it passed the threshold.
    escalation_proposed_at = models.DateTimeField(_("eskalasi diusulkan"), null=True, blank=True)
    # The post-incident review, asked for Kritis and Tinggi incidents.
    review_what = models.TextField(_("apa yang terjadi"), blank=True)
    review_cause = models.TextField(_("penyebab"), blank=True)
    review_done = models.TextField(_("apa yang dilakukan"), blank=True)
    review_prevention = models.TextField(_("pencegahan agar tidak terulang"), blank=True)
    reviewed_at = models.DateTimeField(_("ditinjau"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("ditinjau oleh"),
    )  # fmt: skip
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

    @property
    def review_needed(self) -> bool:
        """Kritis and Tinggi incidents get a post-incident review once they are resolved."""
        return self.severity in REVIEWED_SEVERITIES and not self.is_open and self.reviewed_at is None

    @property
    def title(self) -> str:
        """What a page calls the incident, in the reader's language when its kind can say it (the summary is
        stored once, as the reporting app wrote it); the summary otherwise."""
        from jaga.core.sentences import said

        sentence = self.title_sentence()
        if isinstance(sentence, dict):
            try:
                return said(sentence)
            except (KeyError, TypeError, ValueError):  # a translation whose placeholders do not fit: the source
                return said(sentence, translate=False)
        from jaga.incidents.kinds import REGISTRY

        if self.kind in REGISTRY:
            titled = REGISTRY.get(self.kind).title
            if titled is not None:
                try:
                    return titled(self.details or {}, self.summary) or self.summary
                except (KeyError, TypeError, ValueError):  # details of an older shape: the summary says it
                    return self.summary
        return self.summary

    def title_sentence(self) -> Any:
        """The title as a sentence (``jaga.core.sentences``) when the kind words it from the details; else the
        summary (a string, as the reporting app wrote it)."""
        from jaga.incidents.kinds import REGISTRY

        if self.kind in REGISTRY:
            worded = REGISTRY.get(self.kind).sentence
            if worded is not None:
                try:
                    return worded(self.details or {}) or self.summary
                except (KeyError, TypeError, ValueError):
                    return self.summary
        return self.summary

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


class Runbook(models.Model):
    """A known problem with its steps, in Indonesian and English, shown on the incidents of its kinds."""

    slug = models.SlugField(_("kode"), max_length=80, unique=True)
    kinds = models.JSONField(
        _("jenis insiden"), default=list, blank=True, help_text=_("Kunci jenis insiden, mis. outage.")
    )
    title_id = models.CharField(_("judul (Indonesia)"), max_length=200)
    title_en = models.CharField(_("judul (Inggris)"), max_length=200, blank=True)
    steps_id = models.TextField(_("langkah (Indonesia)"), help_text=_("Satu langkah per baris."))
    steps_en = models.TextField(_("langkah (Inggris)"), blank=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    class Meta:
        ordering = ["title_id"]
        verbose_name = _("runbook")
        verbose_name_plural = _("runbook")

    def __str__(self) -> str:
        return self.title_id

    def title(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title_id

    def steps(self, language: str) -> list[str]:
        text = self.steps_en if language == "en" and self.steps_en else self.steps_id
        return [line.strip() for line in text.splitlines() if line.strip()]


class DiagnosticRequest(models.Model):
    """The first-response diagnostics asked of one probe for one incident, until the probe answers.

    The worker writes one per live probe (:func:`jaga.incidents.services.diagnostics.incident_diagnose_now`);
    the probe claims it with a conditional update, runs the steps from where it stands and writes its
    answer on the timeline (:mod:`jaga.incidents.probe_errand`). A request nobody answered in time is marked
    expired by the sweep, on the timeline too.
    """

    AUDIT = False
    INSTITUTION_PATH = "incident__site__institution"

    class RequestState(models.TextChoices):
        PENDING = "pending", _("menunggu probe")
        RUNNING = "running", _("sedang dijalankan")
        DONE = "done", _("selesai")
        EXPIRED = "expired", _("tidak dijawab")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="diagnostic_requests")
    probe = models.CharField(_("probe"), max_length=100)
    requested_at = models.DateTimeField(_("diminta"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("diminta oleh"),
    )  # fmt: skip
    trigger = models.CharField(max_length=20, default="opened")  # "opened" or "person"
    state = models.CharField(max_length=10, choices=RequestState.choices, default=RequestState.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    entry = models.ForeignKey(TimelineEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["requested_at", "pk"]
        indexes = [models.Index(fields=["probe", "state"], name="diagrequest_probe_state")]

    def __str__(self) -> str:
        return f"#{self.incident_id} @ {self.probe}: {self.state}"


class MaintenanceStage(models.TextChoices):
    """Where planned work stands, as the public status page says it (the Statuspage model)."""

    SCHEDULED = "scheduled", _("Dijadwalkan")
    IN_PROGRESS = "in_progress", _("Sedang berlangsung")
    VERIFYING = "verifying", _("Diverifikasi")
    COMPLETED = "completed", _("Selesai")


class MaintenanceUpdate(models.Model):
    """An update on a scheduled maintenance (a monitoring maintenance window): its stage and what is said.

    As on an incident's timeline, a person chooses whether the public status page shows it, and in which
    words (``public_text``; empty: ``text``)."""

    INSTITUTION_PATH = "window__site__institution"

    window = models.ForeignKey(
        "monitoring.MaintenanceWindow", on_delete=models.CASCADE, related_name="updates", verbose_name=_("pemeliharaan")
    )
    at = models.DateTimeField(_("waktu"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("oleh"),
    )  # fmt: skip
    stage = models.CharField(_("tahap"), max_length=20, choices=MaintenanceStage.choices)
    text = models.TextField(_("isi"))
    is_public = models.BooleanField(_("tampil di halaman status publik"), default=False)
    public_text = models.TextField(_("teks untuk publik"), blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("pembaruan pemeliharaan")
        verbose_name_plural = _("pembaruan pemeliharaan")
        indexes = [models.Index(fields=["window", "at"], name="maintupdate_window_at")]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.at:%Y-%m-%d %H:%M}"
