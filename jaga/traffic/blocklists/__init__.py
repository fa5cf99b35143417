"""Block lists of the addresses and subnets that detections found, one module per firewall or server format.

Each module's ``KIND`` has ``render(entries, *, now) -> str`` and ``media_type``; a new format is a new module
and one ``register`` line here. The entries are :func:`jaga.traffic.selectors.blocklist_entries`: every block
expires (``expires_at``) unless its detection is seen again, and each format carries the expiry in its own way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from django.utils.translation import gettext_lazy as _

from jaga.core.registry import Registry
from jaga.traffic.selectors import BlockEntry


class BlocklistFormat(Protocol):
    media_type: str
    extension: str

    def render(self, entries: list[BlockEntry], *, now: datetime) -> str: ...


BLOCKLIST_FORMATS: Registry[BlocklistFormat] = Registry("blocklist format", noun=_("format daftar blokir"))
BLOCKLIST_FORMATS.register("nginx", "jaga.traffic.blocklists.nginx", label=_("nginx: baris deny"))
BLOCKLIST_FORMATS.register("apache", "jaga.traffic.blocklists.apache", label=_("Apache: Require not ip"))
BLOCKLIST_FORMATS.register("nftables", "jaga.traffic.blocklists.nftables", label=_("nftables: set dengan batas waktu"))
BLOCKLIST_FORMATS.register("crowdsec", "jaga.traffic.blocklists.crowdsec", label=_("CrowdSec: keputusan (JSON)"))


def blocklist_render(format_key: str, entries: list[BlockEntry], *, now: datetime) -> str:
    return BLOCKLIST_FORMATS.get(format_key).render(entries, now=now)


def remaining_seconds(entry: BlockEntry, now: datetime) -> int:
    return max(1, int((entry.expires_at - now).total_seconds()))


__all__ = ["BLOCKLIST_FORMATS", "BlocklistFormat", "blocklist_render", "remaining_seconds"]
