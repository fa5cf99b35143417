"""The tests' light restic keys (restic_keys.py, put in place by the root conftest.py): restic opens such a
repository with its password only, and the master key, hence the data, is the one ``restic init`` made."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from jaga.backups import services
from jaga.backups.repositories import restic_for
from jaga.backups.restic import Restic, ResticError
from jaga.backups.tests.restic_keys import LIGHT

pytestmark = pytest.mark.django_db


def test_a_test_repository_has_a_light_key_that_opens_with_its_password_only(institution: Any, tmp_path: Path) -> None:
    repository = services.repository_create(
        institution=institution, name="Lokal", location=str(tmp_path / "repo"), password="kata-sandi-repo-123"
    )
    [key] = [json.loads(path.read_text()) for path in (tmp_path / "repo" / "keys").iterdir()]
    assert (key["N"], key["r"], key["p"]) == LIGHT
    restic = restic_for(repository)
    assert restic.repository_id() == repository.fingerprint  # the id init printed: the same repository opens
    wrong = Restic(dataclasses.replace(restic.target, password="kata-sandi-salah"))
    with pytest.raises(ResticError):
        wrong.repository_id()
