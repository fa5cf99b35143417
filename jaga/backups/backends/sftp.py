"""Another server over SFTP: restic's ``sftp:user@host:/path``, with the repository's own SSH key.

The private key is the repository's credentials (stored encrypted). The server's host key is pinned on
first use (kept in ``options["known_hosts"]``) and checked by Jaga before every later use
(:mod:`jaga.core.ssh`): another server answering at that address is refused in one sentence, and never
used; restic's ssh then connects with ``StrictHostKeyChecking=yes`` against the pinned keys only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaga.backups.backends.base import BackendBase, MediumMissing
from jaga.core import ssh
from jaga.core.lazyconfig import LazyConfig

if TYPE_CHECKING:
    from jaga.backups.models import Repository


def endpoint_of(repository: Repository) -> ssh.Endpoint:
    try:
        user, host, _path = ssh.sftp_location_parse(repository.location)
    except ValueError:
        raise MediumMissing(
            _("Lokasi SFTP harus berbentuk sftp:pengguna@host:/folder, bukan %(loc)s.") % {"loc": repository.location},
            reason="location",
            soft=False,
        ) from None
    return ssh.Endpoint(host=host, port=int((repository.options or {}).get("port") or 22), user=user)


class SftpBackend(BackendBase):
    Config = LazyConfig("jaga.backups.backends.configs:SftpConfig")
    credentials_label = gettext_noop("Kunci SSH privat")
    credentials_multiline = True
    location_hint = gettext_noop("sftp:pengguna@host:/folder")

    def before_use(self, repository: Repository) -> None:
        """The server's host key: pinned on first use, compared on every later one."""
        options = repository.options or {}
        pinned = str(options.get("known_hosts") or "")
        try:
            keys = ssh.host_key_verify(endpoint_of(repository), pinned)
        except ssh.HostKeyError as exc:
            raise MediumMissing(exc.message, reason=exc.reason, soft=exc.reason == "unreachable") from None
        if keys != pinned:
            repository.options = {**options, "known_hosts": keys}
            if repository.pk:
                repository.save(update_fields=["options"])

    def restic_options(self, repository: Repository) -> tuple[str, ...]:
        endpoint = endpoint_of(repository)
        known, key = ssh.ssh_files(
            f"repo-{repository.pk}",
            pinned=str((repository.options or {}).get("known_hosts") or ""),
            private_key=repository.credentials,
        )
        return (f"sftp.command={ssh.sftp_command(endpoint, known, key)}",)


KIND = SftpBackend()
