"""CrowdSec: a list of decisions for ``cscli decisions import -i FILE.json``, each a ``ban`` of an ``Ip`` or a
``Range`` for the time left until the block expires, in the fields of CrowdSec's decision model (``value``,
``scope``, ``type``, ``duration``, ``origin``, ``scenario``) plus ``reason``, the name ``cscli`` imports."""

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
                "origin": "jaga",
                "reason": f"jaga/{e.rules}",
                "scenario": f"jaga/{e.rules.split(',')[0]}",
                "scope": "Range" if "/" in e.value else "Ip",
                "type": "ban",
                "value": e.value,
            }
            for e in entries
        ]
        return json.dumps(decisions, indent=1) + "\n"


KIND = CrowdSec()
