"""nftables: the table ``inet jaga`` with sets whose elements carry their own ``timeout``, so that the kernel
drops each block when it expires, and a chain that drops their traffic. ``nft -f FILE`` loads it again in one
transaction (the file deletes the table first).

Addresses and ranges are in separate sets (``blocked_v4`` and ``blocked_v4_nets``, the same for IPv6): a set
of intervals refuses overlapping elements, and an address is often blocked with its own /24 (a client's
detection and its subnet's), which made ``nft`` reject the whole file, every block with it.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime

from jaga.traffic.blocklists import remaining_seconds
from jaga.traffic.selectors import BlockEntry


def _ranges_apart(entries: list[BlockEntry]) -> list[BlockEntry]:
    """The ranges without those inside another listed range (the interval set refuses them)."""
    ranges = sorted(
        (e for e in entries if "/" in e.value), key=lambda e: ipaddress.ip_network(e.value, strict=False).prefixlen
    )
    kept: list[BlockEntry] = []
    for entry in ranges:
        network = ipaddress.ip_network(entry.value, strict=False)
        if not any(
            network.version == k.version and network.subnet_of(ipaddress.ip_network(k.value))  # type: ignore[arg-type]
            for k in kept
        ):
            kept.append(entry)
    return kept


class Nftables:
    media_type = "text/plain"
    extension = "nft"

    def render(self, entries: list[BlockEntry], *, now: datetime) -> str:
        ranges = _ranges_apart(entries)

        def elements(chosen: list[BlockEntry]) -> str:
            listed = ", ".join(f"{e.value} timeout {remaining_seconds(e, now)}s" for e in chosen)
            return f"        elements = {{ {listed} }}\n" if chosen else ""

        sets = ""
        for version, kind in ((4, "ipv4_addr"), (6, "ipv6_addr")):
            addresses = [e for e in entries if e.version == version and "/" not in e.value]
            networks = [e for e in ranges if e.version == version]
            sets += f"    set blocked_v{version} {{\n        type {kind}\n        flags timeout\n"
            sets += f"{elements(addresses)}    }}\n"
            sets += f"    set blocked_v{version}_nets {{\n        type {kind}\n        flags interval, timeout\n"
            sets += f"{elements(networks)}    }}\n"
        return (
            f"# Jaga: {len(entries)} blocks, {now:%Y-%m-%d %H:%M %Z}; load with nft -f\n"
            "table inet jaga\n"
            "delete table inet jaga\n"
            "table inet jaga {\n"
            f"{sets}"
            "    chain input {\n"
            "        type filter hook input priority -10; policy accept;\n"
            "        ip saddr @blocked_v4 drop\n"
            "        ip saddr @blocked_v4_nets drop\n"
            "        ip6 saddr @blocked_v6 drop\n"
            "        ip6 saddr @blocked_v6_nets drop\n"
            "    }\n"
            "}\n"
        )


KIND = Nftables()
