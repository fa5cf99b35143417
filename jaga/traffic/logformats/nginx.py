"""A custom nginx format, given as its ``log_format`` line from the server's configuration.

    log_format main '$remote_addr - $remote_user [$time_local] "$request" '
                    '$status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"';

The ``log_format NAME`` prefix, the quotes around each piece and the final ``;`` are optional.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from jaga.traffic.logformats.base import APACHE_TIME, ISO_TIME, FormatError, LogFormat
from jaga.traffic.logformats.template import SKIP, Part, template_regex

VARIABLES = {
    "remote_addr": "client",
    "realip_remote_addr": "client",
    "binary_remote_addr": SKIP,
    "remote_user": "user",
    "time_local": "time",
    "time_iso8601": "time",
    "msec": "time",
    "request": "request",
    "request_method": "method",
    "request_uri": "target",
    "uri": "target",
    "server_protocol": "protocol",
    "status": "status",
    "body_bytes_sent": "bytes",
    "bytes_sent": "bytes",
    "http_referer": "referrer",
    "http_user_agent": "agent",
    "host": "vhost",
    "server_name": "vhost",
    "http_host": "vhost",
    "http_x_forwarded_for": "xff",
    "http_x_real_ip": "xff",
    "http_cf_connecting_ip": "xff",
    "request_time": "duration",
}
TIME_FORMATS = {"time_local": (APACHE_TIME,), "time_iso8601": (ISO_TIME,), "msec": ()}
_VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


def _template(spec: str) -> str:
    text = spec.strip().rstrip(";").strip()
    match = re.match(r"log_format\s+\S+\s+(?:escape=\S+\s+)?", text)
    if match:
        text = text[match.end() :]
    pieces = re.findall(r"'((?:[^'\\]|\\.)*)'", text)
    if pieces:
        return "".join(pieces)
    return text


class Nginx:
    label = _("log_format nginx")

    def build(self, spec: str) -> LogFormat:
        template = _template(spec)
        if not template:
            raise FormatError(
                "format kosong: salin baris log_format dari nginx / empty format: paste the log_format line from nginx"
            )
        parts: list[Part] = []
        position = 0
        time_variable = ""
        for match in _VARIABLE.finditer(template):
            if match.start() > position:
                parts.append(Part(literal=template[position : match.start()]))
            name = match.group(1) or match.group(2)
            field = VARIABLES.get(name, SKIP)
            if field == "time" and not time_variable:
                time_variable = name
            parts.append(Part(field=field))
            position = match.end()
        if position < len(template):
            parts.append(Part(literal=template[position:]))
        fields = {p.field for p in parts if p.field}
        if "client" not in fields or not time_variable or not ({"request", "target"} & fields):
            raise FormatError(
                "format harus memuat $remote_addr, waktu ($time_local, $time_iso8601 atau $msec) dan "
                "$request / the format needs $remote_addr, a time ($time_local, $time_iso8601 or $msec) and $request"
            )
        regex, names = template_regex(parts)
        return LogFormat(
            key="nginx",
            reader="line",
            regex=regex,
            fields={name: f"m.{name}" for name in names},
            time_formats=TIME_FORMATS[time_variable],
            epoch=time_variable == "msec",
        )


KIND = Nginx()
