from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _own_store(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Each test's analytics store is its own folder."""
    settings.JAGA_TRAFFIC_DIR = tmp_path / "traffic-store"
