"""What every backup source module offers (``KIND``), and what it gives back.

A source's configuration is a :class:`~jaga.core.kindconfig.KindConfig` (``Config`` on the source), checked
by core's one validator; the database sources share :class:`DatabaseConfig` (host, port, database, user).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _
from pydantic import ConfigDict, ValidationInfo, field_validator

from jaga.core.kindconfig import KindConfig, config_model_validate, setting

Log = Callable[[str], None]


class SourceError(Exception):
    """A source that cannot be backed up, in words: which check failed and the tool's stderr (masked).

    ``check`` names the failed check for a database dump (``exit status``, ``size``, ``trailer``,
    ``readable``) or what went wrong for files (``missing``, ``connection``, ``host_key``).
    """

    def __init__(self, message: str, *, check: str = "", detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.check = check
        self.detail = detail

    def __str__(self) -> str:
        return self.message + (f"\n{self.detail}" if self.detail else "")


@dataclass(frozen=True)
class SourceSpec:
    """A source as its module sees it: its name, its validated configuration and its secret."""

    name: str
    config: dict[str, Any]
    secret: str = ""


@dataclass
class Prepared:
    """What a source hands to restic: the paths to snapshot, patterns to leave out, and facts for the run."""

    paths: list[Path]
    excludes: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    config_update: dict[str, Any] = field(default_factory=dict)  # kept in the source's configuration (a pinned key)


@dataclass
class DrillResult:
    ok: bool
    figures: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


class SourceKind(Protocol):
    is_database: bool
    Config: type[KindConfig]

    def validate(self, config: dict[str, Any]) -> dict[str, Any]:
        """The cleaned configuration; ``django.core.exceptions.ValidationError`` per field when wrong."""

    def describe(self, spec: SourceSpec) -> str:
        """One line for pages and the recovery sheet (no secret)."""

    def prepare(self, spec: SourceSpec, *, staging: Path, log: Log) -> Prepared:
        """Make the source ready to snapshot (dump, pull); :class:`SourceError` when it cannot be."""

    def drill(self, spec: SourceSpec, *, restored: Path, facts: dict[str, Any], log: Log) -> DrillResult:
        """Verify a restored copy (row counts in a scratch database, files present)."""

    def restore_live(self, spec: SourceSpec, *, restored: Path, facts: dict[str, Any], log: Log) -> dict[str, Any]:
        """Put the restored copy back in place of the live one; figures for the run; SourceError when it cannot."""


class SourceBase:
    """The part every source shares: its configuration checked by core's one validator."""

    is_database: ClassVar[bool] = False
    Config: ClassVar[type[KindConfig]]

    def validate(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """The cleaned configuration (every field, defaults filled in); ``ValidationError`` per field."""
        cleaned: dict[str, Any] = config_model_validate(self.Config, config).model_dump(mode="json")
        return cleaned


def absolute_path(value: str, message: str) -> str:
    """``value`` normalised when it is an absolute path; ``ValueError(message)`` (translated) otherwise."""
    if not value or not os.path.isabs(value):
        raise ValueError(gettext(message))
    return os.path.normpath(value)


class DatabaseConfig(KindConfig):
    """Where a database server is and who logs in (the password is the source's secret, never here)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    host: str = setting("127.0.0.1", label=_("Host basis data"), help=_("Nama atau alamat server basis data."))
    port: int = setting(3306, ge=1, le=65535, label=_("Port"))
    database: str = setting(label=_("Nama basis data"))
    user: str = setting(label=_("Pengguna basis data"))

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
