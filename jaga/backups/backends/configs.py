"""The repository back ends' options (pydantic models): what each back end's ``Config`` names.

Apart from the back ends' own modules, so that a backup run, which uses the repository's options as they
were validated when saved, never imports pydantic (:class:`~jaga.core.lazyconfig.LazyConfig`).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop
from pydantic import field_validator

from jaga.core.kindconfig import KindConfig, setting


class NoOptions(KindConfig):
    pass


class DiskConfig(KindConfig):
    mount_point: str = setting(
        "",
        label=gettext_noop("Titik kait disk"),
        help=gettext_noop("Folder tempat disk dipasang; kosongkan bila sama dengan lokasi."),
    )
    require_mount: bool = setting(
        True,
        label=gettext_noop("Wajib terpasang"),
        help=gettext_noop("Tolak pencadangan bila folder itu bukan titik kait disk."),
    )


class S3Config(KindConfig):
    access_key_id: str = setting("", label=gettext_noop("ID kunci akses"), max_length=200)
    region: str = setting(
        "",
        label=gettext_noop("Wilayah"),
        help=gettext_noop("Kosongkan bila penyedia tidak memintanya."),
        max_length=100,
    )


class SftpConfig(KindConfig):
    port: int = setting(22, label=gettext_noop("Port SSH"), ge=1, le=65535)
    known_hosts: str = setting(
        "",
        label=gettext_noop("Kunci host yang dipatok"),
        help=gettext_noop("Diisi otomatis pada pemakaian pertama; kosongkan hanya bila server memang diganti."),
    )

    @field_validator("port", mode="before")
    @classmethod
    def _blank_port(cls, value: Any) -> Any:
        return 22 if value in (None, "") else value
