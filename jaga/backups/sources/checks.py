"""The checks of a database dump, shared by the database sources: each failure names its check.

A dump is snapshotted only when the tool exited 0, the file is not empty, it ends with the tool's
completion trailer (a dump cut short by a full disk, a killed tool or a dropped connection has none), and
it reads as what the tool writes (its header). The most common backup disaster is a truncated dump
recorded as success; these checks are why Jaga never records one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from jaga.backups.sources.base import SourceError
from jaga.core import execute

TAIL_BYTES = 4096
HEAD_BYTES = 4096

CHECK_LABELS = {
    "exit status": "status keluar / exit status",
    "size": "ukuran / size",
    "trailer": "penanda selesai / completion trailer",
    "readable": "dapat dibaca / readable",
}


# How the dump tools say that the disk is full: mariadb-dump "Got errno 28 on write", pg_dump "No space left
# on device", SQLite "database or disk is full".
DISK_FULL = ("no space left on device", "errno 28", "disk is full")


def check_failed(check: str, message: str, *, detail: str = "") -> SourceError:
    label = CHECK_LABELS.get(check, check)
    text = _("Dump gagal pemeriksaan «%(check)s»: %(message)s") % {"check": label, "message": message}
    if any(needle in f"{message}\n{detail}".lower() for needle in DISK_FULL):
        text += " " + _("Ruang penyimpanan penuh: dump tidak muat di folder kerja.")
    return SourceError(text, check=check, detail=detail)


def tool_failed(tool: str, error: execute.ExecuteError) -> SourceError:
    """A dump tool that exited non-zero or could not start: the exit-status check, with its stderr."""
    if error.returncode is None:
        return check_failed("exit status", _("%(tool)s tidak dapat dijalankan.") % {"tool": tool}, detail=error.message)
    if isinstance(error, execute.ExecuteTimeout):
        return check_failed(
            "exit status", _("%(tool)s melewati batas waktu.") % {"tool": tool}, detail=error.stderr_tail
        )
    return check_failed(
        "exit status",
        _("%(tool)s keluar dengan kode %(code)s.") % {"tool": tool, "code": error.returncode},
        detail=error.stderr_tail,
    )


def text_dump_check(path: Path, *, headers: tuple[bytes, ...], trailer: bytes, tool: str) -> dict[str, Any]:
    """Size, trailer and header of a text dump; returns its facts (size)."""
    try:
        size = path.stat().st_size
    except OSError:
        raise check_failed("size", _("berkas dump tidak ada.")) from None
    if size == 0:
        raise check_failed("size", _("berkas dump kosong (0 bita)."))
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
        handle.seek(max(0, size - TAIL_BYTES))
        tail = handle.read()
    if trailer not in tail:
        raise check_failed(
            "trailer",
            _("penanda selesai %(trailer)s dari %(tool)s tidak ada di akhir berkas: dump terpotong.")
            % {"trailer": trailer.decode(), "tool": tool},
        )
    if not any(head.startswith(header) or header in head[:512] for header in headers):
        raise check_failed("readable", _("awal berkas bukan dump %(tool)s.") % {"tool": tool})
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # a multi-byte character cut by the read is fine
            raise check_failed("readable", _("berkas dump bukan teks UTF-8.")) from None
    return {"size": size}


def facts_write(path: Path, facts: dict[str, Any]) -> None:
    """The dump's facts (row counts at dump time) beside it, so that the snapshot carries them to the drill."""
    path.write_text(json.dumps(facts, indent=1, sort_keys=True))


def facts_read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def counts_compare(expected: dict[str, int], found: dict[str, int]) -> list[str]:
    """The tables whose row count differs between the source at dump time and the restored copy."""
    problems = []
    for table in sorted(set(expected) | set(found)):
        if table not in found:
            problems.append(_("tabel %(table)s tidak ada di salinan") % {"table": table})
        elif table not in expected:
            problems.append(_("tabel %(table)s tidak ada di sumber") % {"table": table})
        elif expected[table] != found[table]:
            problems.append(
                _("tabel %(table)s: %(expected)d baris di sumber, %(found)d di salinan")
                % {"table": table, "expected": expected[table], "found": found[table]}
            )
    return problems
