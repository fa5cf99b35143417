"""Any rclone remote: restic's ``rclone:remote:path``, configured in rclone's own configuration file."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from jaga.backups.backends.base import BackendBase


class RcloneBackend(BackendBase):
    location_hint = gettext_noop("rclone:remote:folder (remote dari konfigurasi rclone)")


KIND = RcloneBackend()
