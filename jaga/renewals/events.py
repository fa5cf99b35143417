"""The renewals app's notification event types (declared from ``RenewalsConfig.ready()``).

Each step tells the role that acts next: route ``renewal.verification_needed`` to Kasubbag Umum dan
Keuangan, ``renewal.approval_needed`` to the Sekretaris, and so on (docs/notifications.md).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jaga.core.notifications import event_type_register

EVENT_TYPES = (
    ("renewal.due", _("Perpanjangan segera jatuh tempo"), "warning",
     _("Sebuah layanan berakhir dalam 90, 60, 30, 14, 7, 3 atau 1 hari: Staff P2TI meminta tagihan.")),
    ("renewal.verification_needed", _("Tagihan perlu diverifikasi"), "info",
     _("Tagihan perpanjangan diunggah: Kasubbag Umum dan Keuangan memverifikasi.")),
    ("renewal.approval_needed", _("Perpanjangan perlu persetujuan"), "info",
     _("Tagihan diverifikasi Keuangan: Sekretaris menyetujui.")),
    ("renewal.payment_needed", _("Perpanjangan perlu dibayar"), "info",
     _("Sekretaris menyetujui: Kasubbag Umum dan Keuangan membayar dan mengunggah bukti.")),
    ("renewal.paid", _("Perpanjangan dibayar"), "info",
     _("Bukti pembayaran diunggah: Staff P2TI memastikan tanggal berakhir yang baru.")),
    ("renewal.rejected", _("Langkah perpanjangan ditolak"), "warning",
     _("Sebuah langkah ditolak dengan alasannya; kasus kembali ke langkah sebelumnya.")),
    ("renewal.renewed", _("Perpanjangan dipastikan"), "success",
     _("Tanggal berakhir yang baru sudah terlihat (RDAP, monitor TLS, atau diisi dengan bukti).")),
    ("renewal.closed", _("Kasus perpanjangan selesai"), "success",
     _("Kasus ditutup dan dicatat di buku catatan SOP dengan tagihan dan bukti bayar.")),
    ("renewal.overdue", _("Perpanjangan terlambat"), "failure",
     _("Tenggat lewat tanpa pembayaran: dieskalasi ke Sekretaris dan dibuka sebagai insiden.")),
    ("renewal.expired", _("Layanan sudah berakhir"), "failure",
     _("Tanggal berakhir lewat tanpa perpanjangan: situs dapat terputus.")),
)  # fmt: skip


def renewal_event_types_register() -> None:
    for key, label, severity, description in EVENT_TYPES:
        event_type_register(key, label=label, severity=severity, description=description)
