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
