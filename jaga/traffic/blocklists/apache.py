"""Apache 2.4: a ``<RequireAll>`` block with one ``Require not ip`` a line, for ``Include`` in a ``<Directory>``
or ``<Location>``; the expiry in a comment (regenerate the file and reload)."""

from __future__ import annotations

from datetime import datetime

from jaga.traffic.selectors import BlockEntry


class Apache:
    media_type = "text/plain"
    extension = "conf"

    def render(self, entries: list[BlockEntry], *, now: datetime) -> str:
        lines = [f"# Jaga: {len(entries)} blocks, {now:%Y-%m-%d %H:%M %Z}", "<RequireAll>", "    Require all granted"]
        for entry in entries:
            lines.append(f"    # {entry.rules} until {entry.expires_at:%Y-%m-%dT%H:%M:%S%z}")
            lines.append(f"    Require not ip {entry.value}")
        lines.append("</RequireAll>")
        return "\n".join(lines) + "\n"


KIND = Apache()
