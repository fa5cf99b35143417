"""What every report builder gets and gives.

A builder is a module with ``BUILDER``: an object with ``key``, ``classification`` (the letter's classification
code) and ``build(ctx) -> Document``. It reads other apps only through their selectors (the sources in
:mod:`jaga.reports.sources`), and runs inside ``translation.override(ctx.language)``: every string it puts in
the document is already in the report's language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from jaga.core.models import Institution, Site
from jaga.reports.document import Document, Period


@dataclass
class BuildContext:
    institution: Institution
    period: Period
    language: str
    now: dt.datetime
    site: Site | None = None  # one site, or the institution's active sites
    sites: list[Site] = field(default_factory=list)
    signer: dict[str, str] = field(default_factory=dict)  # position, name, nip
    number: str = ""
    conclusions_text: str = ""  # the person's edited conclusions, when there are any
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.institution.time_zone)

    @property
    def since(self) -> dt.datetime:
        return dt.datetime.combine(self.period.start, dt.time.min, tzinfo=self.tz)

    @property
    def until(self) -> dt.datetime:
        """The end of the period's last day, or now when the period is not over yet."""
        end = dt.datetime.combine(self.period.end + dt.timedelta(days=1), dt.time.min, tzinfo=self.tz)
        return min(end, self.now)


class Builder(Protocol):
    key: str
    classification: str

    def build(self, ctx: BuildContext) -> Document: ...
