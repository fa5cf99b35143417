"""Repository back ends (where restic keeps a repository): one module each with ``KIND``, listed here.

A back end says what restic needs besides ``-r`` (credentials in the environment), what must be true
before a repository is used (an external disk must be the one Jaga marked), and what its ``options`` are
(a :class:`~jaga.core.kindconfig.KindConfig`). A new back end is a module plus one line here.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jaga.backups.backends.base import Backend
from jaga.core.registry import Registry

BACKENDS: Registry[Backend] = Registry("repository back end", attribute="KIND", noun=_("jenis repositori"))

BACKENDS.register(
    "local",
    "jaga.backups.backends.local",
    label=_("folder lokal"),
    description=_("Folder di server ini (sebaiknya di disk lain dari situs)."),
)
BACKENDS.register(
    "disk",
    "jaga.backups.backends.disk",
    label=_("disk eksternal"),
    description=_("Disk yang dipasang saat pencadangan; diperiksa penandanya sebelum setiap pemakaian."),
)
BACKENDS.register(
    "sftp",
    "jaga.backups.backends.sftp",
    label=_("SFTP"),
    description=_("Server lain melalui SFTP (kunci SSH pengguna Jaga)."),
)
BACKENDS.register(
    "s3",
    "jaga.backups.backends.s3",
    label=_("penyimpanan S3"),
    description=_("Penyimpanan objek yang kompatibel dengan S3 (MinIO, Wasabi, AWS)."),
)
BACKENDS.register(
    "rclone",
    "jaga.backups.backends.rclone",
    label=_("rclone"),
    description=_("Tujuan apa pun yang dikenal rclone (Google Drive, OneDrive, ...), melalui konfigurasi rclone."),
)
