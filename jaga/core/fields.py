"""A text field whose value is encrypted at rest with the deployment's encryption key."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models

if TYPE_CHECKING:
    from cryptography.fernet import Fernet


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    # Imported here: every model is loaded at every start, and most commands never read a secret.
    from cryptography.fernet import Fernet

    return Fernet(key.encode())


def encrypt(value: str) -> str:
    return _fernet(settings.JAGA_ENCRYPTION_KEY).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    from cryptography.fernet import InvalidToken

    try:
        return _fernet(settings.JAGA_ENCRYPTION_KEY).decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError(
            "rahasia tersimpan tidak dapat dibuka: kunci enkripsi (JAGA_ENCRYPTION_KEY) berbeda dari saat disimpan / "
            "a stored secret cannot be decrypted: the encryption key differs from the one it was stored with"
        ) from None


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Stores ``encrypt(value)``; reads give back the plain text. Empty stays empty."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value:
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(str(value))
