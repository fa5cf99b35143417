"""From a :class:`Repository` row to what restic needs, and the checks made before restic is called.

What differs per kind of repository lives in its back end (:mod:`jaga.backups.backends`): credentials in
restic's environment, the external disk's marker check. These functions are what the rest of the app calls.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jaga.backups.backends import BACKENDS
from jaga.backups.backends.base import MediumMissing
from jaga.backups.backends.disk import DISK_MARKER, mount_point
from jaga.backups.models import Repository
from jaga.backups.restic import Restic, Target

__all__ = [
    "DISK_MARKER",
    "MediumMissing",
    "disk_marker_write",
    "disk_mount_point",
    "medium_check",
    "options_validate",
    "restic_for",
    "target_for",
]


def options_validate(kind: str, options: dict[str, Any] | None) -> dict[str, Any]:
    """A repository's ``options`` checked by its back end; ``ValidationError`` per field."""
    if kind not in BACKENDS:
        raise ValidationError({"kind": [_("Jenis repositori tidak dikenal: %(kind)s") % {"kind": kind}]})
    return BACKENDS.get(kind).validate(options or {})


def target_for(repository: Repository) -> Target:
    backend = BACKENDS.get(repository.kind)
    env, secrets = backend.environment(repository)
    return Target(
        location=repository.location,
        password=repository.password,
        env=env,
        options=backend.restic_options(repository),
        secrets=tuple(secret for secret in secrets if secret),
    )


def restic_for(repository: Repository) -> Restic:
    return Restic(target_for(repository))


def disk_mount_point(repository: Repository) -> Path:
    return mount_point(repository)


def medium_check(repository: Repository) -> None:
    """Raise :class:`MediumMissing` when the repository's medium is not the one Jaga expects; else nothing."""
    BACKENDS.get(repository.kind).before_use(repository)


def disk_marker_write(repository: Repository) -> None:
    """After the restic repository exists: what its back end records (an external disk's marker)."""
    BACKENDS.get(repository.kind).after_init(repository)
