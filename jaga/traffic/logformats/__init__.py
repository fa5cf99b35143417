"""The registry of log formats: one module per format, each with ``KIND`` (a :class:`~.base.FormatKind`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jaga.core.registry import Registry
from jaga.traffic.logformats.base import FormatError, FormatKind, LogFormat

FORMATS: Registry[FormatKind] = Registry("log format", noun=_("format log"))

FORMATS.register(
    "combined",
    "jaga.traffic.logformats.combined",
    label=_("Apache/nginx combined"),
    description=_(
        "Format bawaan nginx dan format 'combined' Apache: alamat, waktu, permintaan, status, ukuran, "
        "perujuk, user agent."
    ),
)
FORMATS.register(
    "common",
    "jaga.traffic.logformats.common",
    label=_("Apache common (CLF)"),
    description=_("Common Log Format: tanpa perujuk dan user agent."),
)
FORMATS.register(
    "vhost_combined",
    "jaga.traffic.logformats.vhost_combined",
    label=_("Apache vhost_combined"),
    description=_("Seperti combined, diawali nama host virtual dan port."),
)
FORMATS.register(
    "json",
    "jaga.traffic.logformats.jsonlines",
    label=_("JSON per baris"),
    description=_(
        "Satu objek JSON per baris (log_format nginx escape=json, Caddy, Traefik); nama kunci umum "
        "dikenali, yang lain dapat dipetakan."
    ),
)
FORMATS.register(
    "nginx",
    "jaga.traffic.logformats.nginx",
    label=_("log_format nginx"),
    description=_("Format khusus: salin baris log_format dari konfigurasi nginx."),
)
FORMATS.register(
    "goaccess",
    "jaga.traffic.logformats.goaccess",
    label=_("String format GoAccess"),
    description=_("Format khusus dalam bahasa GoAccess (log-format, date-format, time-format)."),
)


def format_build(key: str, spec: str = "") -> LogFormat:
    """The format ``key`` built from ``spec`` (custom formats); :class:`FormatError` when it cannot be used."""
    return FORMATS.get(key).build(spec)


__all__ = ["FORMATS", "FormatError", "LogFormat", "format_build"]
