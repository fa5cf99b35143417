"""A custom format in GoAccess's language, as in goaccess.conf or on its command line.

The spec is either the format string alone (``%h %^[%d:%t %^] "%r" %s %b "%R" "%u"``), one of GoAccess's
predefined names (``COMBINED``, ``VCOMBINED``, ``COMMON``), or up to three lines as in goaccess.conf::

    log-format %h %^[%d:%t %^] "%r" %s %b "%R" "%u"
    date-format %d/%b/%Y
    time-format %H:%M:%S

GoAccess reads the date and time without their zone (``%^`` skips it), so the time is the site's own.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jaga.traffic.logformats.base import FormatError, LogFormat
from jaga.traffic.logformats.template import SKIP, Part, template_regex

PREDEFINED = {
    "COMBINED": '%h %^[%d:%t %^] "%r" %s %b "%R" "%u"',
    "VCOMBINED": '%v:%^ %h %^[%d:%t %^] "%r" %s %b "%R" "%u"',
    "COMMON": '%h %^[%d:%t %^] "%r" %s %b',
}
SPECIFIERS = {
    "h": "client",
    "d": "date",
    "t": "clock",
    "r": "request",
    "m": "method",
    "U": "target",
    "H": "protocol",
    "s": "status",
    "b": "bytes",
    "R": "referrer",
    "u": "agent",
    "v": "vhost",
    "e": "user",
    "T": "duration",
    "^": SKIP,
}


def _spec_lines(spec: str) -> tuple[str, str, str]:
    log_format, date_format, time_format = "", "%d/%b/%Y", "%H:%M:%S"
    for raw in spec.strip().splitlines():
        line = raw.strip()
        for prefix in ("log-format", "log_format"):
            if line.startswith(prefix):
                log_format = line[len(prefix) :].strip()
                break
        else:
            if line.startswith(("date-format", "date_format")):
                date_format = line.split(None, 1)[1] if " " in line else date_format
            elif line.startswith(("time-format", "time_format")):
                time_format = line.split(None, 1)[1] if " " in line else time_format
            elif line and not log_format:
                log_format = line
    return PREDEFINED.get(log_format.upper(), log_format), date_format, time_format


class GoAccess:
    label = _("String format GoAccess")

    def build(self, spec: str) -> LogFormat:
        log_format, date_format, time_format = _spec_lines(spec)
        parts: list[Part] = []
        literal: list[str] = []
        index = 0
        while index < len(log_format):
            char = log_format[index]
            if char == "%" and index + 1 < len(log_format):
                code = log_format[index + 1]
                if code not in SPECIFIERS:
                    raise FormatError(f"penentu %{code} tidak dikenal / unknown specifier %{code} in {log_format!r}")
                if literal:
                    parts.append(Part(literal="".join(literal)))
                    literal = []
                parts.append(Part(field=SPECIFIERS[code]))
                index += 2
                continue
            literal.append(char)
            index += 1
        if literal:
            parts.append(Part(literal="".join(literal)))
        fields = {p.field for p in parts if p.field}
        if not {"client", "date", "clock"} <= fields or not ({"request", "target"} & fields):
            raise FormatError("format harus memuat %h, %d, %t dan %r / the format needs %h, %d, %t and %r")
        regex, names = template_regex(parts)
        sql = {name: f"m.{name}" for name in names if name not in ("date", "clock")}
        sql["time"] = "m.date || ' ' || m.clock"
        return LogFormat(
            key="goaccess",
            reader="line",
            regex=regex,
            fields=sql,
            time_formats=(f"{date_format} {time_format}",),
            time_has_zone=False,
        )


KIND = GoAccess()
