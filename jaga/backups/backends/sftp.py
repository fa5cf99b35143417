"""Another server over SFTP: restic's ``sftp:user@host:/path``, with the Jaga user's SSH key."""

from __future__ import annotations

from jaga.backups.backends.base import BackendBase

KIND = BackendBase()
