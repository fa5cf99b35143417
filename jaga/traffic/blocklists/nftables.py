"""nftables: the table ``inet jaga`` with two sets (IPv4, IPv6) whose elements carry their own ``timeout``, so
that the kernel drops each block when it expires, and a chain that drops their traffic. ``nft -f FILE`` loads
it again in one transaction (the file deletes the table first)."""

from __future__ import annotations

from datetime import datetime

from jaga.traffic.blocklists import remaining_seconds
from jaga.traffic.selectors import BlockEntry


class Nftables:
    media_type = "text/plain"
    extension = "nft"

    def render(self, entries: list[BlockEntry], *, now: datetime) -> str:
        def elements(version: int) -> str:
            chosen = [f"{e.value} timeout {remaining_seconds(e, now)}s" for e in entries if e.version == version]
            return f"        elements = {{ {', '.join(chosen)} }}\n" if chosen else ""

        return (
            f"# Jaga: {len(entries)} blocks, {now:%Y-%m-%d %H:%M %Z}; load with nft -f\n"
            "table inet jaga\n"
            "delete table inet jaga\n"
            "table inet jaga {\n"
            "    set blocked_v4 {\n"
            "        type ipv4_addr\n"
            "        flags interval, timeout\n"
            f"{elements(4)}"
            "    }\n"
            "    set blocked_v6 {\n"
            "        type ipv6_addr\n"
            "        flags interval, timeout\n"
            f"{elements(6)}"
            "    }\n"
            "    chain input {\n"
            "        type filter hook input priority -10; policy accept;\n"
            "        ip saddr @blocked_v4 drop\n"
            "        ip6 saddr @blocked_v6 drop\n"
            "    }\n"
            "}\n"
        )


KIND = Nftables()
