"""What a log format is: how the raw text is read, and one SQL expression per field of a line.

Every format ends as a :class:`LogFormat`: the ingestion pipeline reads a chunk of the log with DuckDB
(``reader``), then selects each field with the format's SQL expression. Nothing is parsed line by line in
Python: the formats are data for one vectorised query (see docs/traffic.md, "How a line is read").

- ``csv``: Apache/nginx lines are space-separated with double-quoted fields, which DuckDB's CSV reader
  splits at memory speed; the columns are ``c0``, ``c1``...
- ``line``: the whole line as ``line``; custom formats pull their fields out with one regular expression.
- ``json``: the whole line as ``line``, which must be a JSON object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from django_stubs_ext import StrOrPromise

# The fields a format may give, as text; the pipeline turns them into the normalised line.
FIELDS = (
    "client",
    "user",
    "time",
    "request",
    "method",
    "target",
    "protocol",
    "status",
    "bytes",
    "referrer",
    "agent",
    "vhost",
    "xff",
    "duration",
)

APACHE_TIME = "%d/%b/%Y:%H:%M:%S %z"
ISO_TIME = "%Y-%m-%dT%H:%M:%S%z"


class FormatError(ValueError):
    """A custom format that cannot be used; ``str()`` says what is wrong in Indonesian and English."""


@dataclass(frozen=True)
class LogFormat:
    key: str
    reader: Literal["csv", "line", "json"]
    fields: dict[str, str]  # field -> SQL expression over the raw relation
    time_formats: tuple[str, ...] = (APACHE_TIME,)  # strptime formats tried in turn
    time_has_zone: bool = True  # False: the time is the site's wall-clock time
    columns: int = 0  # csv: how many columns a good line has
    regex: str = ""  # line: the pattern whose named groups ``fields`` reads
    epoch: bool = False  # the time is seconds since 1970 ($msec)
    notes: tuple[str, ...] = field(default_factory=tuple)


class FormatKind(Protocol):
    label: StrOrPromise

    def build(self, spec: str) -> LogFormat: ...


def sql_quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
