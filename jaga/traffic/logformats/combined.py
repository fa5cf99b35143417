"""Apache/nginx combined: ``%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jaga.traffic.logformats.base import LogFormat

# The CSV reader splits on spaces, so "[01/Nov/2026:08:00:00 +0700]" arrives as two columns.
COMBINED_FIELDS = {
    "client": "c0",
    "user": "c2",
    "time": "c3 || ' ' || c4",
    "request": "c5",
    "status": "c6",
    "bytes": "c7",
    "referrer": "c8",
    "agent": "c9",
}


class Combined:
    label = _("Apache/nginx combined")

    def build(self, spec: str) -> LogFormat:
        return LogFormat(
            key="combined", reader="csv", columns=10, fields=COMBINED_FIELDS, time_formats=("[%d/%b/%Y:%H:%M:%S %z]",)
        )


KIND = Combined()
