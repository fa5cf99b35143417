"""From a :class:`Repository` row to what restic needs, and the checks made before restic is called.

An external disk is checked before every use: its mount point must be mounted and hold the marker file
Jaga wrote when the repository was created on it (``.jaga-disk``, the repository's id). A disk that is
not plugged in, or another disk mounted in its place, is a :class:`MediumMissing`: a soft failure that
alerts, never a crash and never a success — and never a backup written into the empty mount folder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.utils.translation import gettext as _

from jaga.backups.models import Repository, RepositoryKind
from jaga.backups.restic import Restic, Target

DISK_MARKER = ".jaga-disk"


class MediumMissing(Exception):
    """The external disk is not there (not mounted, or another disk): a soft failure that alerts."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


def target_for(repository: Repository) -> Target:
    env: dict[str, str] = {}
    secrets: list[str] = []
    options = repository.options or {}
    if repository.kind == RepositoryKind.S3:
        env["AWS_ACCESS_KEY_ID"] = str(options.get("access_key_id", ""))
        env["AWS_SECRET_ACCESS_KEY"] = repository.credentials
        if options.get("region"):
            env["AWS_DEFAULT_REGION"] = str(options["region"])
        secrets.append(repository.credentials)
    return Target(location=repository.location, password=repository.password, env=env, secrets=tuple(secrets))


def restic_for(repository: Repository) -> Restic:
    return Restic(target_for(repository))


def disk_mount_point(repository: Repository) -> Path:
    return Path(str((repository.options or {}).get("mount_point") or repository.location))


def medium_check(repository: Repository) -> None:
    """Raise :class:`MediumMissing` when an external disk is not the one Jaga expects; else nothing."""
    if repository.kind != RepositoryKind.DISK:
        return
    mount = disk_mount_point(repository)
    require_mount = bool((repository.options or {}).get("require_mount", True))
    if require_mount and not os.path.ismount(mount):
        raise MediumMissing(
            _("Disk eksternal tidak terpasang di %(mount)s: pasang disknya lalu ulangi.") % {"mount": mount},
            reason="not_mounted",
        )
    marker = mount / DISK_MARKER
    if repository.initialized_at is None:
        return  # the first use writes the marker
    try:
        found = json.loads(marker.read_text()).get("repository")
    except (OSError, ValueError, AttributeError):
        found = None
    if found != repository.fingerprint:
        raise MediumMissing(
            _("Disk di %(mount)s bukan disk repositori ini (penanda %(marker)s tidak cocok).")
            % {"mount": mount, "marker": DISK_MARKER},
            reason="wrong_disk",
        )


def disk_marker_write(repository: Repository) -> None:
    if repository.kind == RepositoryKind.DISK:
        marker = disk_mount_point(repository) / DISK_MARKER
        marker.write_text(json.dumps({"repository": repository.fingerprint, "name": repository.name}))
