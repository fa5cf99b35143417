"""A folder on this machine; its parent is created before the repository is."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from django.utils.translation import gettext_noop

from jaga.backups.backends.base import BackendBase

if TYPE_CHECKING:
    from jaga.backups.models import Repository


class LocalBackend(BackendBase):
    location_hint = gettext_noop("Folder lengkap di server ini, diawali / (sebaiknya di disk lain dari situs).")

    def before_use(self, repository: Repository) -> None:
        if repository.initialized_at is None:
            Path(repository.location).parent.mkdir(parents=True, exist_ok=True)


KIND = LocalBackend()
