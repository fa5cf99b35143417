"""Tests' restic repositories with a cheap key: restic derives its key from the password with scrypt on every
command (about 0.3 CPU seconds, calibrated at ``restic init`` to take half a second), as strong hashing of test
users' passwords would cost on every log-in. The root conftest.py re-seals a local test repository's key with
light scrypt parameters right after ``restic init``; restic itself reads the key as it would any other (the
format of restic's design document: AES-256-CTR and Poly1305-AES). The master key, the repository's data and
its encryption are unchanged."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

from cryptography.hazmat.primitives import poly1305
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

LIGHT = (1024, 8, 1)  # scrypt's N, r and p


def _derived(password: str, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, bytes, bytes]:
    """restic's KDF: 64 bytes of scrypt, the AES-256 key, then the MAC's AES-128 key K and its r."""
    keys = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=64)
    return keys[:32], keys[32:48], keys[48:64]


def _mac(ciphertext: bytes, nonce: bytes, mac_k: bytes, mac_r: bytes) -> bytes:
    encryptor = Cipher(algorithms.AES(mac_k), modes.ECB()).encryptor()  # one block: Poly1305-AES's s
    s = encryptor.update(nonce) + encryptor.finalize()
    return poly1305.Poly1305.generate_tag(mac_r + s, ciphertext)


def _opened(sealed: bytes, keys: tuple[bytes, bytes, bytes]) -> bytes:
    nonce, ciphertext, tag = sealed[:16], sealed[16:-16], sealed[-16:]
    if _mac(ciphertext, nonce, keys[1], keys[2]) != tag:
        raise ValueError("the restic key file does not open with this password")
    decryptor = Cipher(algorithms.AES(keys[0]), modes.CTR(nonce)).decryptor()
    return decryptor.update(ciphertext) + decryptor.finalize()


def _sealed(plaintext: bytes, keys: tuple[bytes, bytes, bytes]) -> bytes:
    nonce = os.urandom(16)
    encryptor = Cipher(algorithms.AES(keys[0]), modes.CTR(nonce)).encryptor()
    ciphertext = encryptor.update(plaintext) + encryptor.finalize()
    return nonce + ciphertext + _mac(ciphertext, nonce, keys[1], keys[2])


def restic_key_lightened(repository: Path, password: str) -> None:
    """Re-seal each key of the local ``repository`` with :data:`LIGHT` scrypt parameters (same master key)."""
    for path in sorted((repository / "keys").iterdir()):
        key = json.loads(path.read_bytes())
        master = _opened(
            base64.b64decode(key["data"]),
            _derived(password, base64.b64decode(key["salt"]), key["N"], key["r"], key["p"]),
        )
        salt = os.urandom(64)
        key.update(N=LIGHT[0], r=LIGHT[1], p=LIGHT[2], salt=base64.b64encode(salt).decode())
        key["data"] = base64.b64encode(_sealed(master, _derived(password, salt, *LIGHT))).decode()
        content = json.dumps(key).encode()
        renamed = path.with_name(hashlib.sha256(content).hexdigest())  # a key file is named by its hash
        renamed.write_bytes(content)
        renamed.chmod(path.stat().st_mode & 0o777)
        if renamed != path:
            path.unlink()
