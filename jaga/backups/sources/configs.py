"""The backup sources' configurations (pydantic models): what each source's ``Config`` names.

Apart from the sources' own modules, so that a backup run, which uses its stored configuration as it was
validated when saved, never imports pydantic (:class:`~jaga.core.lazyconfig.LazyConfig`). Validation, the
forms and the masks read ``kind.Config`` and import this module then.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from django.utils.translation import gettext, gettext_noop
from pydantic import ConfigDict, ValidationInfo, field_validator

from jaga.backups.sources.base import absolute_path
from jaga.core.kindconfig import KindConfig, setting


class DatabaseConfig(KindConfig):
    """Where a database server is and who logs in (the password is the source's secret, never here)."""

    model_config = ConfigDict(str_strip_whitespace=True)
    prefill: ClassVar[Mapping[str, str]] = {
        "host": "db_host",
        "port": "db_port",
        "database": "db_name",
        "user": "db_user",
    }

    host: str = setting(
        "127.0.0.1", label=gettext_noop("Host basis data"), help=gettext_noop("Nama atau alamat server basis data.")
    )
    port: int = setting(3306, ge=1, le=65535, label=gettext_noop("Port"))
    database: str = setting(label=gettext_noop("Nama basis data"))
    user: str = setting(label=gettext_noop("Pengguna basis data"))
    tunnel: bool = setting(
        False,
        label=gettext_noop("Melalui terowongan SSH ke server web"),
        help=gettext_noop(
            "Untuk basis data yang hanya dapat dihubungi dari server web: Jaga membuka terowongan SSH dengan "
            "server, pengguna dan kunci SSH situs, lalu melakukan dump melaluinya. Host dan port di atas "
            "dilihat dari server web (biasanya 127.0.0.1)."
        ),
    )
    tunnel_known_hosts: str = setting(
        "",
        label=gettext_noop("Kunci host server web yang dipatok"),
        help=gettext_noop("Diisi otomatis pada pemakaian pertama; kosongkan hanya bila server memang diganti."),
    )

    @field_validator("host", "port", mode="before")
    @classmethod
    def _blank_is_default(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return cls.model_fields[str(info.field_name)].default
        return value

    @field_validator("database", "user")
    @classmethod
    def _filled(cls, value: str, info: ValidationInfo) -> str:
        if not value:
            raise ValueError(
                gettext("Isi nama basis data.")
                if info.field_name == "database"
                else gettext("Isi pengguna basis data.")
            )
        return value


class WebRootConfig(KindConfig):
    """A site's web folder (here or on the server), its CMS and the patterns left out."""

    model_config = ConfigDict(str_strip_whitespace=True)
    prefill: ClassVar[Mapping[str, str]] = {"path": "web_root", "cms": "cms"}  # from the site's page
    path_hint: ClassVar[str] = gettext_noop("Tulis folder lengkap, diawali /.")

    path: str = setting(label=gettext_noop("Folder web"), help=gettext_noop("Folder lengkap di server ini, diawali /."))
    cms: Literal["wordpress", "joomla", "drupal", "static", "other"] = setting(
        "other",
        label=gettext_noop("CMS"),
        help=gettext_noop("Folder cache, sesi dan tmp CMS ini tidak ikut dicadangkan."),
        choices={
            "wordpress": "WordPress",
            "joomla": "Joomla",
            "drupal": "Drupal",
            "static": gettext_noop("Situs statis"),
            "other": gettext_noop("Lainnya"),
        },
    )
    excludes: list[str] = setting(
        default_factory=list,
        label=gettext_noop("Pola yang dikecualikan"),
        help=gettext_noop("Satu pola per baris, relatif ke folder web."),
    )

    @field_validator("path", mode="before")
    @classmethod
    def _path(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            raise ValueError(gettext("Isi folder web yang dicadangkan."))
        return absolute_path(value.strip(), cls.path_hint) if isinstance(value, str) else value

    @field_validator("cms", mode="before")
    @classmethod
    def _cms(cls, value: Any) -> Any:
        return value or "other"

    @field_validator("excludes", mode="before")
    @classmethod
    def _excludes(cls, value: Any) -> Any:
        if value is None or value == "":
            return []
        if isinstance(value, str):
            value = value.splitlines()
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValueError(gettext("Satu pola per baris."))
        return [item.strip() for item in value if item.strip()]


class FilesConfig(WebRootConfig):
    pass  # the folder on this server: the base's labels and checks as they are


class MariadbConfig(DatabaseConfig):
    pass  # MariaDB's port is the base's default, 3306


class PostgresqlConfig(DatabaseConfig):
    port: int = setting(5432, ge=1, le=65535, label=gettext_noop("Port"))
    format: Literal["plain", "custom"] = setting(
        "plain",
        label=gettext_noop("Format dump"),
        help=gettext_noop("plain: berkas SQL yang dapat dibaca; custom: arsip pg_restore yang lebih kecil."),
        choices={"plain": gettext_noop("SQL biasa (plain)"), "custom": gettext_noop("Arsip pg_dump (custom)")},
    )

    @field_validator("format", mode="before")
    @classmethod
    def _blank_format(cls, value: Any) -> Any:
        return value or "plain"


class SqliteConfig(KindConfig):
    path: str = setting(
        label=gettext_noop("Berkas SQLite"), help=gettext_noop("Lokasi lengkap berkas basis data, diawali /.")
    )

    @field_validator("path", mode="before")
    @classmethod
    def _path(cls, value: Any) -> Any:
        if isinstance(value, str):
            return absolute_path(value.strip(), gettext_noop("Tulis lokasi lengkap berkas SQLite, diawali /."))
        return value


class SftpServer(KindConfig):
    """The hosting server and who logs in (the private key is the source's secret, never here)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    host: str = setting(label=gettext_noop("Host SFTP"), help=gettext_noop("Nama atau alamat server hosting."))
    port: int = setting(22, ge=1, le=65535, label=gettext_noop("Port SSH"))
    user: str = setting(label=gettext_noop("Pengguna SSH"))

    @field_validator("host", "user")
    @classmethod
    def _filled(cls, value: str) -> str:
        if not value:
            raise ValueError(gettext("Isi kolom ini."))
        return value

    @field_validator("port", mode="before")
    @classmethod
    def _blank_port(cls, value: Any) -> Any:
        return 22 if value in (None, "") else value


class SftpConfig(WebRootConfig, SftpServer):  # Server last in the bases: a form asks for the server before the folder
    prefill: ClassVar[Mapping[str, str]] = {
        "host": "server_host", "port": "server_port", "user": "server_user", "path": "web_root", "cms": "cms",
        "site_key": "server_key",
    }  # fmt: skip

    path_hint: ClassVar[str] = gettext_noop("Tulis folder lengkap di server, diawali /.")

    path: str = setting(
        label=gettext_noop("Folder web di server"), help=gettext_noop("Folder lengkap di server, diawali /.")
    )
    known_hosts: str = setting(
        "",
        label=gettext_noop("Kunci host yang dipatok"),
        help=gettext_noop("Diisi otomatis pada pemakaian pertama; kosongkan hanya bila server memang diganti."),
    )
    # Last: the key box (the source's secret) follows it on the form.
    site_key: bool = setting(
        False,
        label=gettext_noop("Pakai kunci SSH situs"),
        help=gettext_noop(
            "Kunci SSH privat yang tersimpan di halaman situs (server web); kolom kunci di bawah boleh kosong."
        ),
    )
