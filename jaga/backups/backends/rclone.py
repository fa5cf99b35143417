"""Any rclone remote: restic's ``rclone:remote:path``, configured in rclone's own configuration file."""

from __future__ import annotations

from jaga.backups.backends.base import BackendBase

KIND = BackendBase()
