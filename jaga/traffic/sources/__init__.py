"""Where a log source's files are: one module per kind behind one registry (this machine, SFTP on shared hosting).

A kind answers :meth:`SourceKind.files_pattern`, the local glob that ingestion reads (a remote kind first pulls
the remote files into a local mirror), and :meth:`SourceKind.after_ingest`, called once the files were read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.utils.translation import gettext_lazy as _

from jaga.core.registry import Registry

if TYPE_CHECKING:
    from jaga.traffic.models import LogSource


class SourceKind(Protocol):
    def files_pattern(self, source: LogSource) -> str: ...

    def after_ingest(self, source: LogSource) -> None: ...


class SourcePullError(Exception):
    """A remote source that could not be pulled, in words the user reads (the host key, the connection)."""


SOURCE_KINDS: Registry[SourceKind] = Registry("log source kind", noun=_("jenis sumber log"))
SOURCE_KINDS.register("local", "jaga.traffic.sources.local", label=_("Berkas di mesin ini"))
SOURCE_KINDS.register(
    "sftp",
    "jaga.traffic.sources.sftp",
    label=_("Berkas di server hosting (SFTP)"),
    description=_("Ditarik melalui SFTP dengan kunci SSH situs; kunci host server dipatok pada pemakaian pertama."),
)


def location_parse(line: str) -> tuple[str, str]:
    """A line of the site's "lokasi log akses": ``sftp:/home/pn/logs/access.log*`` is on the site's server
    (pulled with its SSH settings), any other a path on this machine."""
    if line.startswith("sftp:"):
        return "sftp", line.removeprefix("sftp:").strip()
    return "local", line


def source_kind(source: LogSource) -> SourceKind:
    return SOURCE_KINDS.get(source.kind)
