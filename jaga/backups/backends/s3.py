"""S3-compatible object storage: the access key id in ``options``, the secret key as the credentials."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_noop as _

from jaga.backups.backends.base import BackendBase
from jaga.core.lazyconfig import LazyConfig

if TYPE_CHECKING:
    from jaga.backups.models import Repository


class S3Backend(BackendBase):
    Config = LazyConfig("jaga.backups.backends.configs:S3Config")
    credentials_label = _("Kunci rahasia S3")
    location_hint = _("s3:https://host/bucket/folder")

    def environment(self, repository: Repository) -> tuple[dict[str, str], list[str]]:
        options = repository.options or {}
        env = {
            "AWS_ACCESS_KEY_ID": str(options.get("access_key_id", "")),
            "AWS_SECRET_ACCESS_KEY": repository.credentials,
        }
        if options.get("region"):
            env["AWS_DEFAULT_REGION"] = str(options["region"])
        return env, [repository.credentials]


KIND = S3Backend()
