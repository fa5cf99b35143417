from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Evidence files of a test land in its own folder, not in the developer's data dir."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # Test users need no strong hashing; PBKDF2 costs ~0.25 s per user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def template(db):  # type: ignore[no-untyped-def]
    from jaga.sop.services import sop_seed_default

    return sop_seed_default()
