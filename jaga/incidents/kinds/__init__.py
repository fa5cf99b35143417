"""Incident kinds: one module each, listed in ``REGISTRY``. A new kind is a module plus one line here.

Every app that finds a problem opens its incident through
:func:`jaga.incidents.services.incident_open_or_update` with one of these keys.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jaga.core.registry import Registry
from jaga.incidents.kinds.base import IncidentKind

REGISTRY: Registry[IncidentKind] = Registry("incident kind", attribute="KIND", noun=_("jenis insiden"))

REGISTRY.register(
    "outage",
    "jaga.incidents.kinds.outage",
    label=_("Situs tidak dapat diakses"),
    description=_("Monitor ketersediaan (HTTP, DNS, TCP, TLS) melaporkan situs turun."),
)
REGISTRY.register(
    "content_stale",
    "jaga.incidents.kinds.content_stale",
    label=_("Konten tidak mutakhir"),
    description=_("Konten situs tidak diperbarui dalam jangka yang ditentukan."),
)
REGISTRY.register(
    "page_missing",
    "jaga.incidents.kinds.page_missing",
    label=_("Halaman wajib tidak ada"),
    description=_("Halaman wajib pengadilan hilang atau usang."),
)
REGISTRY.register(
    "integrity",
    "jaga.incidents.kinds.integrity",
    label=_("Temuan integritas"),
    description=_("Deface, spam judi yang disisipkan, atau cloaking."),
)
REGISTRY.register(
    "backup_failed",
    "jaga.incidents.kinds.backup_failed",
    label=_("Pencadangan gagal"),
    description=_("Pencadangan, pemeriksaan repositori, atau uji pemulihan gagal."),
)
REGISTRY.register(
    "traffic_detection",
    "jaga.incidents.kinds.traffic_detection",
    label=_("Aktivitas pengunjung mencurigakan"),
    description=_("Deteksi aktivitas pengunjung melewati ambang batasnya."),
)
REGISTRY.register(
    "renewal_due",
    "jaga.incidents.kinds.renewal_due",
    label=_("Perpanjangan terlambat"),
    description=_("Perpanjangan layanan (domain, hosting, koneksi) lewat tenggat atau layanan sudah berakhir."),
)
REGISTRY.register(
    "manual",
    "jaga.incidents.kinds.manual",
    label=_("Dilaporkan petugas"),
    description=_("Masalah yang dicatat oleh petugas dari halaman situs."),
)
