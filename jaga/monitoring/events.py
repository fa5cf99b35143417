"""The notification event types of monitoring, and which one each monitor kind sends.

Each kind names its events in its registry line (``jaga.monitoring.kinds``): ``events=KindEvents(...)``.
A monitor that goes down sends ``monitor.down`` whatever its kind, and ``monitor.up`` when it is reachable
again; a problem short of an outage sends the kind's own event (stale content ``content.stale``, a
certificate near expiry ``tls.expiring``, injected gambling spam ``integrity.spam``...), and its end the
kind's recovery event (``content.fresh``, ``tls.renewed``...). The types are declared from
``MonitoringConfig.ready()`` and listed in docs/notifications.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

DOWN = "monitor.down"
UP = "monitor.up"
DEGRADED = "monitor.degraded"
REVIEW = "content.review"  # a finding that waits for a person (a page nobody made, a changed structure)


@dataclass(frozen=True)
class KindEvents:
    """The event types one monitor kind sends for a problem short of an outage and for its end.

    ``by_finding``: ``(event type, finding codes)`` in order of precedence; the first whose codes are among
    the monitor's open findings is sent instead of ``degraded`` (defacement before spam before links...).
    """

    degraded: str = DEGRADED
    recovered: str = UP
    by_finding: tuple[tuple[str, frozenset[str]], ...] = ()

    def problem_event(self, finding_codes: set[str]) -> str:
        for event_type, codes in self.by_finding:
            if codes & finding_codes:
                return event_type
        return self.degraded

    def event_types(self) -> list[str]:
        return [self.degraded, self.recovered, *(event_type for event_type, _codes in self.by_finding)]


@dataclass(frozen=True)
class MonitoringEvent:
    """One event type of monitoring: what a route shows, and the title of its message."""

    key: str
    label: StrOrPromise
    severity: str
    description: StrOrPromise
    title: StrOrPromise


# Titles take %(monitor)s (the monitor's name) and %(site)s (the site's name).
EVENTS: tuple[MonitoringEvent, ...] = (
    MonitoringEvent(
        DOWN,
        _("Situs tidak dapat diakses"),
        "failure",
        _("Sebuah monitor menyatakan situs atau layanannya turun (dikonfirmasi oleh probe yang harus setuju)."),
        _("%(monitor)s TURUN (%(site)s)"),
    ),
    MonitoringEvent(
        UP,
        _("Situs kembali dapat diakses"),
        "success",
        _("Monitor yang turun dapat diakses kembali."),
        _("%(monitor)s NAIK kembali (%(site)s)"),
    ),
    MonitoringEvent(
        DEGRADED,
        _("Pemeriksaan situs menemukan masalah"),
        "warning",
        _("Situs dapat diakses, tetapi bermasalah (mis. lambat menjawab)."),
        _("%(monitor)s TERGANGGU (%(site)s)"),
    ),
    MonitoringEvent(
        "content.stale",
        _("Konten situs tidak diperbarui"),
        "warning",
        _("Konten situs tidak diperbarui lebih lama dari batas yang ditentukan."),
        _("Konten %(site)s tidak diperbarui (%(monitor)s)"),
    ),
    MonitoringEvent(
        "content.fresh",
        _("Konten situs diperbarui kembali"),
        "success",
        _("Konten yang usang telah diperbarui."),
        _("Konten %(site)s diperbarui kembali (%(monitor)s)"),
    ),
    MonitoringEvent(
        "content.required_page_missing",
        _("Halaman wajib tidak ada atau usang"),
        "warning",
        _("Halaman wajib pengadilan tidak ditemukan, kosong, tidak lengkap atau tidak diperbarui."),
        _("Halaman wajib %(site)s bermasalah (%(monitor)s)"),
    ),
    MonitoringEvent(
        "content.required_pages_ok",
        _("Halaman wajib lengkap kembali"),
        "success",
        _("Semua halaman wajib ada dan terkini lagi."),
        _("Halaman wajib %(site)s lengkap kembali (%(monitor)s)"),
    ),
    MonitoringEvent(
        "integrity.defacement",
        _("Tanda deface pada situs"),
        "failure",
        _("Tampilan situs diubah oleh penyusup (tanda defacement ditemukan)."),
        _("Tanda deface di %(site)s (%(monitor)s)"),
    ),
    MonitoringEvent(
        "integrity.spam",
        _("Spam judi online pada situs"),
        "failure",
        _("Kata atau halaman judi online disisipkan ke situs."),
        _("Spam judi online di %(site)s (%(monitor)s)"),
    ),
    MonitoringEvent(
        "integrity.cloaking",
        _("Cloaking: konten lain untuk mesin pencari"),
        "failure",
        _("Mesin pencari diberi halaman yang berbeda dari yang dilihat pengunjung."),
        _("Cloaking di %(site)s (%(monitor)s)"),
    ),
    MonitoringEvent(
        "integrity.links",
        _("Tautan tersembunyi atau ke situs asing"),
        "warning",
        _("Tautan tersembunyi ke situs lain, atau tautan ke domain yang tidak diizinkan."),
        _("Tautan mencurigakan di %(site)s (%(monitor)s)"),
    ),
    MonitoringEvent(
        "integrity.suspicious",
        _("Perubahan konten mencurigakan"),
        "warning",
        _("Temuan integritas lain (judul berubah, halaman ditolak untuk mesin pencari...)."),
        _("Perubahan mencurigakan di %(site)s (%(monitor)s)"),
    ),
    MonitoringEvent(
        "integrity.clear",
        _("Temuan integritas sudah tidak ada"),
        "success",
        _("Pemeriksaan integritas tidak lagi menemukan masalah."),
        _("Tidak ada lagi temuan integritas di %(site)s (%(monitor)s)"),
    ),
    MonitoringEvent(
        REVIEW,
        _("Temuan menunggu diperiksa petugas"),
        "warning",
        _(
            "Pemeriksaan menemukan sesuatu yang harus dilihat orang (halaman baru yang tidak dibuat siapa pun, "
            "struktur halaman berubah); temuan tetap terbuka sampai petugas menandainya sudah diperiksa."
        ),
        _("Perlu diperiksa: %(what)s di %(site)s (%(monitor)s)"),
    ),
    MonitoringEvent(
        "tls.expiring",
        _("Sertifikat TLS segera habis"),
        "warning",
        _("Sertifikat HTTPS situs akan kedaluwarsa dalam batas hari yang ditentukan."),
        _("Sertifikat TLS %(site)s segera habis (%(monitor)s)"),
    ),
    MonitoringEvent(
        "tls.renewed",
        _("Sertifikat TLS sudah diperbarui"),
        "success",
        _("Sertifikat yang hampir habis sudah diganti."),
        _("Sertifikat TLS %(site)s sudah diperbarui (%(monitor)s)"),
    ),
)
EVENTS_BY_KEY = {event.key: event for event in EVENTS}


def monitoring_event_types_register() -> None:
    """Declare monitoring's event types (from ``MonitoringConfig.ready()``)."""
    from jaga.core.notifications import event_type_register

    for event in EVENTS:
        event_type_register(event.key, label=event.label, severity=event.severity, description=event.description)
