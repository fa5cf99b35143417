"""Apache common log format (CLF): ``%h %l %u %t "%r" %>s %b``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jaga.traffic.logformats.base import LogFormat
from jaga.traffic.logformats.combined import COMBINED_FIELDS


class Common:
    label = _("Apache common (CLF)")

    def build(self, spec: str) -> LogFormat:
        fields = {k: v for k, v in COMBINED_FIELDS.items() if k not in ("referrer", "agent")}
        return LogFormat(key="common", reader="csv", columns=8, fields=fields, time_formats=("[%d/%b/%Y:%H:%M:%S %z]",))


KIND = Common()
