"""The data directory and the keys generated in it on first run."""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from jaga.conf import ConfigError


def ensure_data_dir(path: Path) -> Path:
    """Create the data directory if missing and check that it is writable."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o750)
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
    return path


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
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
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
