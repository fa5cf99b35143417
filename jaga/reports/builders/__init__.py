"""The report builders: one module each, behind one registry (a new report is a module plus one line)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jaga.core.registry import Registry
from jaga.reports.builders.base import Builder

REGISTRY: Registry[Builder] = Registry("report builder", attribute="BUILDER", noun=_("jenis laporan"))

REGISTRY.register(
    "situation",
    "jaga.reports.builders.situation",
    label=_("Laporan situasi dan kondisi website"),
    description=_(
        "Ketersediaan, kesegaran konten, integritas, cadangan, aktivitas pengunjung, perpanjangan, masalah dan "
        "kepatuhan SOP dalam satu periode, dengan simpulan dan saran (aktivitas 5 SOP)."
    ),
)
REGISTRY.register(
    "visitors",
    "jaga.reports.builders.visitors",
    label=_("Log aktivitas pengunjung"),
    description=_(
        "Permintaan, pengunjung, halaman, galat, bot dan deteksi keamanan per situs (output aktivitas 3 SOP)."
    ),
)
REGISTRY.register(
    "adk",
    "jaga.reports.builders.adk",
    label=_("Register ADK"),
    description=_(
        "Cadangan yang berhasil dan media luring (ADK) tempat cadangan itu disimpan (output aktivitas 2 SOP)."
    ),
)
REGISTRY.register(
    "compliance",
    "jaga.reports.builders.compliance",
    label=_("Rekapitulasi kepatuhan SOP"),
    description=_("Setiap aktivitas SOP: pelaksanaan, ketepatan waktu terhadap mutu baku, dan keterlambatan."),
)
REGISTRY.register(
    "overview",
    "jaga.reports.builders.overview",
    label=_("Ikhtisar satuan kerja (pengadilan tingkat banding)"),
    description=_("Satu laporan untuk semua satuan kerja yang diawasi: uptime, konten, cadangan dan kepatuhan SOP."),
)
