"""CrowdSec: a list of decisions for ``cscli decisions import -i FILE.json``, each a ``ban`` of an ``ip`` or a
``range`` for the time left until the block expires."""

from __future__ import annotations

import json
from datetime import datetime

from jaga.traffic.blocklists import remaining_seconds
from jaga.traffic.selectors import BlockEntry


class CrowdSec:
    media_type = "application/json"
    extension = "json"

    def render(self, entries: list[BlockEntry], *, now: datetime) -> str:
        decisions = [
            {
                "duration": f"{remaining_seconds(e, now)}s",
                "reason": f"jaga/{e.rules}",
                "scope": "range" if "/" in e.value else "ip",
                "type": "ban",
                "value": e.value,
            }
            for e in entries
        ]
        return json.dumps(decisions, indent=1) + "\n"


KIND = CrowdSec()
