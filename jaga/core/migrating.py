"""Helpers for data migrations. A migration that ran on a user's database must keep doing the same thing when it
runs on the next one, so what is here does not change its behaviour: a new need is a new function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

BATCH = 1000


def rows_rewrite(rows: Any, field: str, rewrite: Callable[[str], str | None]) -> None:
    """Give ``field`` of each of ``rows`` (a historical model's queryset) the value ``rewrite`` makes of it,
    leaving the rows it answers None for as they are; read in chunks, written in batches of :data:`BATCH`."""
    model = rows.model
    batch = []
    for row in rows.only("pk", field).iterator(chunk_size=2 * BATCH):
        new = rewrite(getattr(row, field))
        if new is not None:
            setattr(row, field, new)
            batch.append(row)
        if len(batch) >= BATCH:
            model.objects.bulk_update(batch, [field])
            batch = []
    if batch:
        model.objects.bulk_update(batch, [field])
