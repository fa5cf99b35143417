"""The data folder's disk and the SQLite file: their trouble said in words (issue 6).

``storage_trouble(exc)`` names what a storage exception means (disk full, database damaged) with what to do;
``disk_space_warning()`` warns while the data folder's disk has less than ``JAGA_DISK_FREE_MIN_MB`` free. The
web answers a storage failure with a 503 page (``StorageErrorMiddleware``) instead of a 500, the dashboard
layout shows the warning as a banner (``storage_banner``), and ``jaga up`` says the cause when a child exits.
Nothing here writes to the disk or the database: both may be what failed.
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext as _

from jaga.core import clock
from jaga.core.dbcheck import database_trouble

logger = logging.getLogger("jaga.storage")

_DAMAGED = ("damaged", "io")  # database_trouble's causes that mean the file itself is bad


def disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` is the data folder's disk (or the database's) being full."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    if not isinstance(exc, DatabaseError | sqlite3.DatabaseError):
        return False
    cause, _sentence = database_trouble(exc)
    return cause == "disk_full" or (cause == "io" and _database_disk_full())


def storage_trouble(exc: BaseException) -> str | None:
    """What a storage failure means and what to do, in the reader's language; None for any other error.
    The cause is recognised by the one classifier of database failures, ``jaga.core.dbcheck``."""
    if disk_full(exc):
        return _disk_full()
    if not isinstance(exc, DatabaseError | sqlite3.DatabaseError):
        return None
    cause, _sentence = database_trouble(exc)
    if cause in _DAMAGED:
        return _(
            "Berkas basis data SQLite rusak. Periksa dengan `sqlite3 %(path)s 'PRAGMA integrity_check'` dan "
            'pulihkan dari cadangan terakhir (docs/operations.md, "Memulihkan basis data yang rusak").'
        ) % {"path": _database_path()}
    return None


def _disk_full() -> str:
    return _(
        "Disk folder data Jaga (%(folder)s) penuh. Kosongkan ruang (mis. log atau cadangan lama); Jaga "
        "melanjutkan sendiri begitu ada ruang dan tidak ada data tersimpan yang hilang."
    ) % {"folder": settings.DATA_DIR}


def _database_disk_full() -> bool:
    """Whether the disk that holds the database (the data folder's, for a server database) has no megabyte
    left. SQLite says a full disk as "disk I/O error" when it cannot even create the WAL index of a new
    connection (as ``jaga web`` opens one per request): that is a full disk, not a damaged file."""
    db = settings.DATABASES["default"]
    folder = Path(str(db.get("NAME", ""))).parent if db["ENGINE"].endswith("sqlite3") else Path(settings.DATA_DIR)
    try:
        return disk_free_mb(folder) == 0
    except OSError:
        return False


def _database_path() -> str:
    name = str(settings.DATABASES["default"].get("NAME", ""))
    return name if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") else "jaga.sqlite3"


def disk_free_mb(folder: Path | None = None) -> int:
    """Megabytes free for Jaga on the disk of ``folder`` (the data folder by default), read now."""
    stat = os.statvfs(folder or settings.DATA_DIR)
    return stat.f_bavail * stat.f_frsize // (1024 * 1024)


# Every page's banner asks for the free space; a disk does not fill in a few seconds, so one statvfs per
# folder serves every render of that many seconds (timed through the clock, so tests move it).
FREE_SPACE_MAX_AGE = timedelta(seconds=5)
_free_read: dict[str, tuple[datetime, int]] = {}
_free_lock = threading.Lock()


def disk_free_mb_recent(folder: Path | None = None) -> int:
    """:func:`disk_free_mb`, read again only when the last reading of ``folder`` is older than
    ``FREE_SPACE_MAX_AGE``."""
    key = str(folder or settings.DATA_DIR)
    at = clock.now()
    with _free_lock:
        last = _free_read.get(key)
    if last is not None and timedelta(0) <= at - last[0] < FREE_SPACE_MAX_AGE:
        return last[1]
    free = disk_free_mb(Path(key))
    with _free_lock:
        _free_read[key] = (at, free)
    return free


def disk_space_warning(folder: Path | None = None, *, recent: bool = True) -> str | None:
    """A warning while the data folder's disk has less than ``JAGA_DISK_FREE_MIN_MB`` free, else None.
    ``recent`` accepts a reading of the last few seconds (the banner); ``False`` reads the disk now."""
    minimum = int(settings.JAGA_DISK_FREE_MIN_MB)
    if minimum <= 0:
        return None  # the warning is off: no need to ask the disk
    try:
        free = disk_free_mb_recent(folder) if recent else disk_free_mb(folder)
    except OSError:
        return None  # a folder that cannot be read is said by the start-up checks
    if free >= minimum:
        return None
    return _(
        "Ruang disk folder data Jaga tinggal %(free)d MB (batas peringatan JAGA_DISK_FREE_MIN_MB: %(min)d MB). "
        "Kosongkan ruang sebelum disk penuh."
    ) % {"free": free, "min": minimum}


def exit_cause(last_lines: Sequence[str]) -> str | None:
    """Why a process of ``jaga up`` exited, when storage is the cause: from its last lines of output (the
    error it died of), else from the disk's free space now."""
    said = storage_trouble(DatabaseError("\n".join(last_lines)))
    if said is not None:
        return said
    try:
        if disk_free_mb() == 0:
            return _disk_full()
    except OSError:
        return None
    return disk_space_warning(recent=False)


def storage_banner(request: HttpRequest) -> dict[str, str | None]:
    """Context processor: the disk space warning for the layout's banner."""
    return {"storage_warning": disk_space_warning()}


class StorageErrorMiddleware:
    """A full disk or a damaged database answers 503 with the cause in words, not a 500 traceback page."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        cause = storage_trouble(exception)
        if cause is None:
            return None
        logger.error("penyimpanan bermasalah / storage failure: %s (%s)", cause, exception)
        body = loader.get_template("503.html").render({"cause": cause, "bare": True})
        return HttpResponse(body, status=503, headers={"Retry-After": "60"})
