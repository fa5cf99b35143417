"""Runbooks: seeded once, edited by administrators (admin → Runbook), shown on the incidents of their kinds."""

from __future__ import annotations

from typing import Any

from jaga.incidents.data.runbooks import RUNBOOKS


def runbooks_seed(runbook_model: Any = None) -> int:
    """Create the seeded runbooks that do not exist yet (an edited one is left as it is).

    ``runbook_model`` is the historical model when called from a migration. Returns how many were created."""
    if runbook_model is None:
        from jaga.incidents.models import Runbook

        runbook_model = Runbook
    created = 0
    for item in RUNBOOKS:
        _obj, was_created = runbook_model.objects.get_or_create(slug=item["slug"], defaults=dict(item))
        created += was_created
    return created
