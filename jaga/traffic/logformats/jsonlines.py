"""JSON lines: one object per line, as nginx (``escape=json``), Caddy or Traefik write them.

The usual key names are recognised; a spec maps others, one ``field=key`` a line (``client=ip``), where
a key may be a JSON path (``request.uri``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jaga.traffic.logformats.base import APACHE_TIME, FIELDS, ISO_TIME, FormatError, LogFormat, sql_quote

KNOWN_KEYS = {
    "client": ("remote_addr", "client_ip", "client", "ip", "remote_ip"),
    "user": ("remote_user", "user"),
    "time": ("time_local", "time_iso8601", "time", "timestamp", "@timestamp", "ts"),
    "request": ("request",),
    "method": ("request_method", "method"),
    "target": ("request_uri", "uri", "path", "url"),
    "protocol": ("server_protocol", "protocol", "proto"),
    "status": ("status", "status_code"),
    "bytes": ("body_bytes_sent", "bytes_sent", "bytes", "size"),
    "referrer": ("http_referer", "referer", "referrer"),
    "agent": ("http_user_agent", "user_agent", "agent"),
    "vhost": ("host", "server_name", "vhost"),
    "xff": ("http_x_forwarded_for", "x_forwarded_for"),
    "duration": ("request_time", "duration"),
}


def _path(key: str) -> str:
    return sql_quote("$." + ".".join(f'"{part}"' for part in key.split(".")))


class JsonLines:
    label = _("JSON per baris")

    def build(self, spec: str) -> LogFormat:
        keys = {name: list(candidates) for name, candidates in KNOWN_KEYS.items()}
        for number, raw in enumerate(spec.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            name, sep, key = (part.strip() for part in line.partition("="))
            if not sep or name not in FIELDS or not key:
                raise FormatError(
                    f"baris {number}: tulis 'kolom=kunci' dengan kolom salah satu dari {', '.join(FIELDS)} / "
                    f"line {number}: write 'field=key' with a field among {', '.join(FIELDS)}: {line!r}"
                )
            keys[name] = [key]
        fields = {
            name: "coalesce(" + ", ".join(f"json_extract_string(line, {_path(k)})" for k in candidates) + ")"
            for name, candidates in keys.items()
        }
        return LogFormat(
            key="json",
            reader="json",
            fields=fields,
            time_formats=(APACHE_TIME, ISO_TIME, "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%d %H:%M:%S%z"),
        )


KIND = JsonLines()
