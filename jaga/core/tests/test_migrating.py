"""The data migrations' shared rewrite: every row it has a new value for is written, the others are left alone."""

from __future__ import annotations

import pytest

from jaga.core import migrating
from jaga.monitoring.models import Monitor


@pytest.mark.django_db
def test_it_rewrites_the_rows_it_has_a_value_for_across_several_batches(site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(migrating, "BATCH", 2)  # five rows to rewrite: batches of two, two and one
    monitors = Monitor.objects.bulk_create(
        Monitor(site=site, name=f"m{n}", kind="http", config={}, status_reason=f"old {n}" if n % 3 else "keep")
        for n in range(8)
    )
    migrating.rows_rewrite(
        Monitor.objects.filter(pk__in=[m.pk for m in monitors]),
        "status_reason",
        lambda old: old.replace("old", "new") if old.startswith("old") else None,
    )
    assert dict(Monitor.objects.values_list("name", "status_reason")) == {
        f"m{n}": f"new {n}" if n % 3 else "keep" for n in range(8)
    }
