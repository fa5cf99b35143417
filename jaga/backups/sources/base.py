"""What every backup source module offers (``KIND``), and what it gives back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

Log = Callable[[str], None]


class SourceError(Exception):
    """A source that cannot be backed up, in words: which check failed and the tool's stderr (masked).

    ``check`` names the failed check for a database dump (``exit status``, ``size``, ``trailer``,
    ``readable``) or what went wrong for files (``missing``, ``connection``).
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


@dataclass
class DrillResult:
    ok: bool
    figures: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


class SourceKind(Protocol):
    is_database: bool

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
