"""What every backup source module offers (``KIND``), and what it gives back.

A source's configuration is a :class:`~jaga.core.kindconfig.KindConfig` (``Config`` on the source), checked
by core's one validator. The models live in :mod:`jaga.backups.sources.configs`, named by each source and
imported when read (a backup run uses its stored configuration and never loads pydantic); the two web roots
share ``WebRootConfig`` there, the database sources ``DatabaseConfig``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from django.utils.translation import gettext

from jaga.core.lazyconfig import LazyConfig
from jaga.core.ssh import Endpoint

if TYPE_CHECKING:
    from jaga.core.kindconfig import KindConfig

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
    """A source as its module sees it: its name, its validated configuration and its secret.

    ``server`` and ``server_key`` are the site's web server and its stored SSH key, for a database that only
    that server reaches (:mod:`jaga.backups.sources.tunnel`)."""

    name: str
    config: dict[str, Any]
    secret: str = ""
    server: Endpoint | None = None
    server_key: str = ""


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
    Config: ClassVar[LazyConfig]
    secret_label: ClassVar[str] = ""  # what the source's secret is, for its form (none: no secret field)
    secret_multiline: ClassVar[bool] = False  # a private key (several lines), not a password

    def validate(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """The cleaned configuration (every field, defaults filled in); ``ValidationError`` per field."""
        from jaga.core.kindconfig import config_model_validate

        cleaned: dict[str, Any] = config_model_validate(self.Config, config).model_dump(mode="json")
        return cleaned


def absolute_path(value: str, message: str) -> str:
    """``value`` normalised when it is an absolute path; ``ValueError(message)`` (translated) otherwise."""
    if not value or not os.path.isabs(value):
        raise ValueError(gettext(message))
    return os.path.normpath(value)


# What a restore never needs and what changes all the time (patterns relative to the web root).
CMS_EXCLUDES: dict[str, tuple[str, ...]] = {
    "wordpress": (
        "wp-content/cache",
        "wp-content/upgrade",
        "wp-content/upgrade-temp-backup",
        "wp-content/wflogs",
        "wp-content/uploads/cache",
        "wp-content/w3tc-config/tmp",
    ),
    "joomla": ("cache", "tmp", "administrator/cache", "administrator/logs"),
    "drupal": ("sites/*/files/css", "sites/*/files/js", "sites/*/files/php", "sites/*/files/tmp"),
    "static": (),
    "other": (),
}
ALWAYS_EXCLUDES = ("*.swp", ".DS_Store", "Thumbs.db")


def web_root_drill(copy: Path, *, files: int | None = None) -> DrillResult:
    """A restored web root is verified when its folder is there and holds files (restic checked their content).

    ``files`` is its share of the files ``restic restore --verify`` verified, when the drill could tell it;
    otherwise the restored folder is walked to count them."""
    if not copy.is_dir():
        return DrillResult(
            ok=False, problems=[gettext("Folder %(path)s tidak ada di hasil pemulihan.") % {"path": copy}]
        )
    if files is not None:
        with os.scandir(copy) as entries:
            count = files if any(True for _entry in entries) else 0
    else:
        count = sum(len(names) for _root, _dirs, names in os.walk(copy))
    return DrillResult(ok=count > 0, figures={"files": count}, problems=[] if count else [gettext("Tidak ada berkas.")])


def web_root_patterns(config: Mapping[str, Any]) -> list[str]:
    """The CMS's patterns and the plan's own, relative to the web root (each back end anchors them its way)."""
    return [*CMS_EXCLUDES.get(config.get("cms") or "other", ()), *config.get("excludes", [])]
