"""Backup sources: one module each, the same functions in each (``SourceKind``), listed in ``REGISTRY``.

Files are backed up where they are (a local web root) or pulled first (a remote web root over SFTP);
databases are dumped to a file with the real client tool, checked (exit status, size, completion trailer,
readable) and only then snapshotted. A new source is a module with ``KIND`` plus one line here.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jaga.backups.sources.base import SourceKind
from jaga.core.registry import Registry

REGISTRY: Registry[SourceKind] = Registry("backup source", attribute="KIND", noun=_("jenis sumber cadangan"))

REGISTRY.register(
    "files",
    "jaga.backups.sources.files",
    label=_("Berkas situs (folder lokal)"),
    description=_("Folder web di server ini, tanpa cache, sesi dan folder tmp CMS."),
)
REGISTRY.register(
    "sftp",
    "jaga.backups.sources.sftp",
    label=_("Berkas situs di hosting (SFTP)"),
    description=_("Folder web di server hosting, ditarik melalui SFTP dengan kunci SSH situs; kunci host dipatok."),
)
REGISTRY.register(
    "mariadb",
    "jaga.backups.sources.mariadb",
    label=_("Basis data MariaDB / MySQL"),
    description=_("mariadb-dump --single-transaction --routines --events --triggers, diperiksa sebelum disimpan."),
)
REGISTRY.register(
    "postgresql",
    "jaga.backups.sources.postgresql",
    label=_("Basis data PostgreSQL"),
    description=_("pg_dump (format plain atau custom), diperiksa sebelum disimpan."),
)
REGISTRY.register(
    "sqlite",
    "jaga.backups.sources.sqlite",
    label=_("Basis data SQLite"),
    description=_("Salinan daring melalui API backup SQLite, diperiksa integritasnya."),
)
