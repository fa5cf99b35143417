"""An external disk, checked before every use.

Its mount point must be mounted and hold the marker file Jaga wrote when the repository was created on it
(``.jaga-disk``, the repository's id). A disk that is not plugged in, or another disk mounted in its place,
is a :class:`MediumMissing`: a soft failure that alerts, never a crash and never a success — and never a
backup written into the empty mount folder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaga.backups.backends.base import BackendBase, MediumMissing
from jaga.core.lazyconfig import LazyConfig

if TYPE_CHECKING:
    from jaga.backups.models import Repository

DISK_MARKER = ".jaga-disk"


def mount_point(repository: Repository) -> Path:
    return Path(str((repository.options or {}).get("mount_point") or repository.location))


class DiskBackend(BackendBase):
    Config = LazyConfig("jaga.backups.backends.configs:DiskConfig")
    location_hint = gettext_noop("Folder repositori di disk, mis. /media/cadangan/jaga (disk terpasang saat dibuat).")

    def before_use(self, repository: Repository) -> None:
        mount = mount_point(repository)
        require_mount = bool((repository.options or {}).get("require_mount", True))
        if require_mount and not os.path.ismount(mount):
            raise MediumMissing(
                _("Disk eksternal tidak terpasang di %(mount)s: pasang disknya lalu ulangi.") % {"mount": mount},
                reason="not_mounted",
            )
        if repository.initialized_at is None:
            return  # the first use writes the marker
        try:
            found = json.loads((mount / DISK_MARKER).read_text()).get("repository")
        except (OSError, ValueError, AttributeError):
            found = None
        if found != repository.fingerprint:
            raise MediumMissing(
                _("Disk di %(mount)s bukan disk repositori ini (penanda %(marker)s tidak cocok).")
                % {"mount": mount, "marker": DISK_MARKER},
                reason="wrong_disk",
            )

    def after_init(self, repository: Repository) -> None:
        marker = mount_point(repository) / DISK_MARKER
        marker.write_text(json.dumps({"repository": repository.fingerprint, "name": repository.name}))


KIND = DiskBackend()
