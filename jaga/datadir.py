"""The data directory and the keys generated in it on first run.

The folder and everything in it are for Jaga's own user only (0700 folders, 0600 files): it holds the
database, the keys and uploaded evidence. Processes started by ``jaga`` create files with umask 077
(``private_umask``); the SQLite file is created 0600 before SQLite opens it, and a folder or database file left
readable by others by an older version is tightened at start.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import os
import secrets
import tempfile
from pathlib import Path

from jaga.conf import ConfigError


def ensure_data_dir(path: Path) -> Path:
    """Create the data directory if missing and check that it is writable."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise ConfigError(
            f"JAGA_DATA_DIR: folder data {path} tidak dapat dibuat ({exc.strerror}) / "
            f"cannot create the data folder {path}"
        ) from None
    if not path.is_dir():
        raise ConfigError(f"JAGA_DATA_DIR: {path} bukan folder / is not a folder")
    if not os.access(path, os.W_OK | os.X_OK):
        raise ConfigError(
            f"JAGA_DATA_DIR: folder data {path} tidak dapat ditulisi; periksa pemilik dan izinnya / "
            f"the data folder {path} is not writable; check its owner and permissions"
        )
    _tighten(path)
    return path


PRIVATE_UMASK = 0o077


def private_umask() -> None:
    """Whatever this process and its programs create (media, backups, dumps) is readable by Jaga's user only."""
    os.umask(PRIVATE_UMASK)


def _tighten(path: Path) -> None:
    """Take away group and other permissions from a path of ours; someone else's is left as it is."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return
    if status.st_uid == os.geteuid() and status.st_mode & 0o077:
        try:
            os.chmod(path, status.st_mode & 0o700)
        except OSError as exc:
            if exc.errno != errno.EROFS:
                raise
            # A read-only disk: nothing can change there; SQLite then says the database is read-only.


def ensure_sqlite_file(path: Path) -> None:
    """Create the SQLite file 0600 (an empty file is an empty database); tighten it and its WAL files."""
    if path.parent.is_dir():
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        _tighten(candidate)


def read_or_create_key(path: Path, *, fernet: bool = False) -> str:
    """Read a key file, generating it (mode 0600) the first time. Never logs the key."""
    if path.exists():
        try:
            key = path.read_text().strip()
        except OSError as exc:
            raise ConfigError(f"{path}: kunci tidak dapat dibaca ({exc.strerror}) / cannot read key") from None
        if not key:
            raise ConfigError(f"{path}: berkas kunci kosong / the key file is empty")
        return key
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode() if fernet else secrets.token_urlsafe(50)
    # A temporary name of this process's own: two processes starting at once must not write, link and
    # remove one shared temporary file under each other.
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    try:
        # link() fails if another process created the key meanwhile; then that one wins.
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_text().strip()
