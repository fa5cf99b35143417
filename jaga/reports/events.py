"""The reports app's notification event types (declared from ``ReportsConfig.ready()``).

Route ``report.ready`` to the Sekretaris (an e-mail channel sends the PDF as an attachment) and
``report.unacknowledged`` to the Sekretaris and Kasubbag PTIP (docs/notifications.md).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jaga.core.notifications import event_type_register

EVENT_TYPES = (
    ("report.ready", _("Laporan siap untuk Sekretaris"), "info",
     _("Laporan bernomor dikirim kepada Sekretaris, dengan PDF-nya sebagai lampiran (aktivitas 5 SOP).")),
    ("report.unacknowledged", _("Laporan belum diketahui"), "warning",
     _("Laporan yang dikirim belum ditandai Mengetahui oleh Sekretaris.")),
    ("report.acknowledged", _("Laporan diketahui Sekretaris"), "success",
     _("Sekretaris menandai laporan Mengetahui, dengan disposisinya bila ada.")),
    ("report.failed", _("Laporan terjadwal gagal"), "failure",
     _("Laporan terjadwal tidak dapat disusun atau dikirim; alasannya ada di pesan.")),
)  # fmt: skip


def report_event_types_register() -> None:
    for key, label, severity, description in EVENT_TYPES:
        event_type_register(key, label=label, severity=severity, description=description)
