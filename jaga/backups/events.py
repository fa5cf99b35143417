"""The backups app's notification event types (declared from ``BackupsConfig.ready()``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jaga.core.notifications import event_type_register

EVENT_TYPES = (
    ("backup.failed", _("Pencadangan gagal"), "failure",
     _("Sebuah pencadangan gagal (termasuk dump yang terpotong atau disk eksternal yang tidak terpasang).")),
    ("backup.warning", _("Pencadangan dengan peringatan"), "warning",
     _("Snapshot tersimpan tetapi sebagian berkas tidak dapat dibaca (restic kode 3).")),
    ("backup.recovered", _("Pencadangan pulih"), "success",
     _("Pencadangan berhasil lagi setelah gagal.")),
    ("backup.check_failed", _("Pemeriksaan repositori gagal"), "failure",
     _("restic check menemukan kesalahan atau repositori tidak dapat dibuka.")),
    ("backup.drill_failed", _("Latihan pemulihan gagal"), "failure",
     _("Snapshot terbaru tidak dapat dipulihkan atau jumlah baris basis data berbeda.")),
    ("backup.sheet_unprinted", _("Lembar pemulihan belum dicetak"), "warning",
     _("Pengingat harian sampai seseorang mengonfirmasi bahwa lembar pemulihan repositori sudah dicetak.")),
)  # fmt: skip


def backup_event_types_register() -> None:
    for key, label, severity, description in EVENT_TYPES:
        event_type_register(key, label=label, severity=severity, description=description)
