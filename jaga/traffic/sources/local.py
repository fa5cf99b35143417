"""A log source on this machine: its path (a glob) is read as it is."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jaga.traffic.models import LogSource


class LocalKind:
    def files_pattern(self, source: LogSource) -> str:
        return source.path

    def after_ingest(self, source: LogSource) -> None:
        return None


KIND = LocalKind()
