"""Apache vhost_combined: ``%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jaga.traffic.logformats.base import LogFormat


class VhostCombined:
    label = _("Apache vhost_combined")

    def build(self, spec: str) -> LogFormat:
        fields = {
            "vhost": "regexp_replace(c0, ':[0-9]+$', '')",  # "host:port", the port dropped
            "client": "c1",
            "user": "c3",
            "time": "c4 || ' ' || c5",
            "request": "c6",
            "status": "c7",
            "bytes": "c8",
            "referrer": "c9",
            "agent": "c10",
        }
        return LogFormat(
            key="vhost_combined", reader="csv", columns=11, fields=fields, time_formats=("[%d/%b/%Y:%H:%M:%S %z]",)
        )


KIND = VhostCombined()
