"""Strict settings from environment variables.

Every setting Jaga reads is declared once in ``SETTINGS`` below, with its parser, default and a
one-line description; ``docs/settings.md`` documents each (a test checks), and the parsing errors
name the variable and what was wrong with it, in Indonesian and English.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class ConfigError(Exception):
    """A setting is wrong. The message is shown to the user as is (Indonesian / English)."""


class StartupError(Exception):
    """A process cannot start (port in use, database not migrated...). Shown as is; ``jaga`` exits 2."""


@dataclass(frozen=True)
class Setting:
    name: str
    parse: Callable[[str], Any]
    default: str | None
    help: str
    secret: bool = False


def parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on", "ya"}:
        return True
    if lowered in {"0", "false", "no", "off", "tidak", ""}:
        return False
    raise ValueError("bukan nilai ya/tidak (gunakan true/false) / not a boolean (use true/false)")


def parse_int(value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise ValueError("bukan bilangan bulat / not an integer") from None


def parse_positive_int(value: str) -> int:
    number = parse_int(value)
    if number < 1:
        raise ValueError("harus lebih dari 0 / must be greater than 0")
    return number


SEVERITIES = ("kritis", "tinggi", "sedang", "rendah")


def parse_escalation(value: str) -> dict[str, int]:
    """``kritis=30m,tinggi=2h,sedang=1d``: minutes in a tier before the next one is proposed, per severity.

    Units: ``m`` minutes, ``h`` (or ``j``, jam) hours, ``d`` days. A severity not named is never escalated by time."""
    result: dict[str, int] = {}
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        name, _eq, amount = part.partition("=")
        name, amount = name.strip().lower(), amount.strip().lower()
        if name not in SEVERITIES:
            raise ValueError(
                f"tingkat keparahan {name!r} tidak dikenal (kritis, tinggi, sedang, rendah) / unknown severity {name!r}"
            )
        unit = amount[-1:] if amount else ""
        if unit not in {"m", "h", "j", "d"} or not amount[:-1].isdigit() or int(amount[:-1]) < 1:
            raise ValueError(f"{part!r}: tulis lama seperti 30m, 2h atau 1d / write a duration such as 30m, 2h or 1d")
        result[name] = int(amount[:-1]) * {"m": 1, "h": 60, "j": 60, "d": 1440}[unit]
    return result


def parse_non_negative_int(value: str) -> int:
    number = parse_int(value)
    if number < 0:
        raise ValueError("tidak boleh negatif / must not be negative")
    return number


def parse_heartbeat_seconds(value: str) -> int:
    """Seconds between heartbeats: at least 1, and at most 20 so that three are missed before the minute after
    which a process is taken for dead (``jaga.core.liveness.STALE_AFTER``)."""
    number = parse_int(value)
    if not 1 <= number <= 20:
        raise ValueError("harus antara 1 dan 20 detik / must be between 1 and 20 seconds")
    return number


def parse_listen(value: str) -> tuple[str, int]:
    """``host:port``, ``[ipv6]:port`` or a bare port."""
    value = value.strip()
    if value.isdigit():
        host, port_text = "127.0.0.1", value
    elif value.startswith("["):
        host, _, port_text = value[1:].partition("]:")
    else:
        host, sep, port_text = value.rpartition(":")
        if not sep:
            raise ValueError("gunakan bentuk HOST:PORT, mis. 127.0.0.1:8000 / use HOST:PORT, e.g. 127.0.0.1:8000")
    port = parse_int(port_text)
    if not 1 <= port <= 65535:
        raise ValueError("port harus antara 1 dan 65535 / port must be between 1 and 65535")
    if not host:
        raise ValueError("alamat host kosong / empty host")
    return host, port


def parse_database_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ValueError(
            f"skema '{parts.scheme or '?'}' tidak didukung; gunakan sqlite:///PATH atau "
            f"postgresql://USER@HOST:PORT/NAMA / unsupported scheme; use sqlite:///PATH or postgresql://..."
        )
    if parts.scheme != "sqlite" and not parts.path.strip("/"):
        raise ValueError("nama basis data tidak ada di URL / the database name is missing from the URL")
    return value.strip()


def parse_path(value: str) -> Path:
    if not value.strip():
        raise ValueError("path kosong / empty path")
    return Path(value.strip()).expanduser().resolve()


def parse_str(value: str) -> str:
    return value.strip()


def parse_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def parse_networks(value: str) -> list[str]:
    """Comma-separated IP addresses or networks (``127.0.0.1``, ``10.0.0.0/8``, ``::1``)."""
    import ipaddress

    networks = []
    for item in parse_list(value):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ValueError(
                f"'{item}' bukan alamat IP atau jaringan (mis. 127.0.0.1 atau 10.0.0.0/8) / "
                f"'{item}' is not an IP address or network (e.g. 127.0.0.1 or 10.0.0.0/8)"
            ) from None
    return networks


def parse_bucket_url(value: str) -> str:
    """``http(s)://host[:port]/bucket[/prefix]`` or empty (off)."""
    if not value.strip():
        return ""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or not parts.path.strip("/"):
        raise ValueError("harus http(s)://host/bucket[/prefix] / must be http(s)://host/bucket[/prefix]")
    return value.strip()


def parse_base_url(value: str) -> str:
    """An http(s) address without a query, e.g. ``https://jaga.pn-bangil.go.id``; empty: not set."""
    value = value.strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(
            "gunakan alamat lengkap seperti https://jaga.pn-bangil.go.id / "
            "use a full address such as https://jaga.pn-bangil.go.id"
        )
    if parts.query or parts.fragment:
        raise ValueError("alamat tanpa ?... atau #... / an address without ?... or #...")
    return value.rstrip("/")


def parse_language(value: str) -> str:
    if value.strip() not in {"id", "en"}:
        raise ValueError("gunakan 'id' atau 'en' / use 'id' or 'en'")
    return value.strip()


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "JAGA_DATA_DIR",
        parse_path,
        "~/.local/share/jaga",
        "Folder for the SQLite database, generated keys, uploaded evidence and local backups.",
    ),
    Setting(
        "JAGA_DISK_FREE_MIN_MB",
        parse_non_negative_int,
        "500",
        "Warn (dashboard banner, jaga up) while the data folder's disk has fewer megabytes free. 0: never.",
    ),
    Setting(
        "DATABASE_URL",
        parse_database_url,
        None,
        "Database. Default: SQLite in JAGA_DATA_DIR. PostgreSQL: postgresql://USER:PASS@HOST:PORT/NAME.",
    ),
    Setting("JAGA_LISTEN", parse_listen, "127.0.0.1:8000", "Address and port of the web process (HOST:PORT)."),
    Setting("JAGA_DEBUG", parse_bool, "false", "Django debug mode. Never on a public server."),
    Setting(
        "JAGA_ALLOWED_HOSTS",
        parse_list,
        "localhost,127.0.0.1,[::1]",
        "Comma-separated host names the web process answers to.",
    ),
    Setting(
        "JAGA_CSRF_TRUSTED_ORIGINS",
        parse_list,
        "",
        "Comma-separated origins (https://jaga.example.go.id) allowed to post forms behind a proxy.",
    ),
    Setting(
        "JAGA_TRUSTED_PROXIES",
        parse_networks,
        "",
        "Comma-separated addresses or networks of reverse proxies in front of Jaga (e.g. 127.0.0.1). Only from "
        "these are X-Forwarded-For (or Forwarded) and X-Forwarded-Proto believed, so log-in throttling and the "
        "audit trail see the real visitor and Django knows the visitor used HTTPS.",
    ),
    Setting(
        "JAGA_SECURE_COOKIES",
        parse_bool,
        "false",
        "Send session and CSRF cookies only over HTTPS. Turn on when Jaga is served through HTTPS.",
    ),
    Setting(
        "JAGA_SSL_REDIRECT",
        parse_bool,
        "false",
        "Redirect every plain-HTTP request to HTTPS. Needs JAGA_TRUSTED_PROXIES: Jaga itself speaks plain HTTP, "
        "the TLS proxy in front tells it (X-Forwarded-Proto) that the visitor used HTTPS.",
    ),
    Setting(
        "JAGA_HSTS_SECONDS",
        parse_non_negative_int,
        "0",
        "Strict-Transport-Security: how long browsers must use only HTTPS for Jaga's host and its subdomains "
        "(31536000 = a year). 0: no header. Set it only once HTTPS works.",
    ),
    Setting(
        "JAGA_HSTS_PRELOAD",
        parse_bool,
        "false",
        "Add 'preload' to Strict-Transport-Security (consent to browsers' built-in HTTPS-only lists).",
    ),
    Setting(
        "JAGA_SESSION_HOURS",
        parse_positive_int,
        "12",
        "Hours a sign-in lasts; after that the person signs in again (also after closing the browser).",
    ),
    Setting(
        "JAGA_SECRET_KEY",
        parse_str,
        None,
        "Django secret key. Default: generated once into JAGA_DATA_DIR/secret_key. Also JAGA_SECRET_KEY_FILE.",
        secret=True,
    ),
    Setting(
        "JAGA_ENCRYPTION_KEY",
        parse_str,
        None,
        "Fernet key that encrypts stored secrets. Default: generated once into JAGA_DATA_DIR/encryption_key. "
        "Also JAGA_ENCRYPTION_KEY_FILE.",
        secret=True,
    ),
    Setting(
        "JAGA_LANGUAGE",
        parse_language,
        "id",
        "Interface language for everyone who has not chosen one: id or en. The browser's language is ignored.",
    ),
    Setting(
        "JAGA_TIME_ZONE",
        parse_str,
        "Asia/Jakarta",
        "Server time zone for logs; each institution has its own time zone for display.",
    ),
    Setting("JAGA_LOG_LEVEL", parse_str, "INFO", "Log level: DEBUG, INFO, WARNING, ERROR."),
    Setting(
        "JAGA_LOGIN_ATTEMPTS",
        parse_positive_int,
        "5",
        "Failed log-ins for one user name from one address before that pair is locked.",
    ),
    Setting(
        "JAGA_LOGIN_ADDRESS_ATTEMPTS",
        parse_positive_int,
        "20",
        "Failed log-ins from one address, whatever the user names, before that address is locked.",
    ),
    Setting(
        "JAGA_LOCKOUT_MINUTES", parse_positive_int, "15", "How long a lock after failed log-ins lasts, in minutes."
    ),
    Setting(
        "JAGA_PASSWORD_MIN_LENGTH", parse_positive_int, "10", "Fewest characters a password may have (every password)."
    ),
    Setting(
        "JAGA_WEB_THREADS", parse_positive_int, "8", "Threads of the web process that answer requests at the same time."
    ),
    Setting(
        "JAGA_WORKER_CONCURRENCY",
        parse_positive_int,
        "1",
        "Worker processes that `jaga up` starts for each queue (quick and long).",
    ),
    Setting("JAGA_PROBE_CONCURRENCY", parse_positive_int, "200", "Checks one probe runs at the same time."),
    Setting(
        "JAGA_PROBE_NAME",
        parse_str,
        "",
        "Name of this probe (its location) when several probes run. Default: the host name.",
    ),
    Setting(
        "JAGA_PROBE_CONTROL_URL",
        parse_str,
        "",
        "A URL the probe checks to prove its own connectivity (e.g. the court's gateway or a known-good site). "
        "When it fails, results are recorded as 'probe offline', not 'site down'. Empty: no control check.",
    ),
    Setting(
        "JAGA_RESULTS_RETENTION_HOURS",
        parse_positive_int,
        "48",
        "How long raw check results are kept; rollups per minute, hour and day remain.",
    ),
    Setting(
        "JAGA_ROLLUP_MINUTE_RETENTION_HOURS",
        parse_positive_int,
        "40",
        "How long per-minute rollups are kept (the 24-hour and 36-hour charts read them).",
    ),
    Setting(
        "JAGA_ROLLUP_HOUR_RETENTION_DAYS",
        parse_positive_int,
        "92",
        "How long per-hour rollups are kept (the 90-day bars read them); day rollups are kept for ever.",
    ),
    Setting(
        "JAGA_LIVE_SECONDS",
        parse_positive_int,
        "30",
        "How often the live pages (the monitor list, a monitor's page, the monitoring overview, the SOP "
        "dashboards, the incident list and an incident's page, and the public status page) draw themselves "
        "again, in seconds; the pages say it.",
    ),
    Setting(
        "JAGA_INCIDENT_RESOLVE_CHECKS",
        parse_positive_int,
        "3",
        "Checks in a row that must find a site up before its outage incident is resolved.",
    ),
    Setting(
        "JAGA_INCIDENT_ESCALATE_AFTER",
        parse_escalation,
        "kritis=30m,tinggi=2h,sedang=1d",
        "Time in a tier, per severity, after which Jaga proposes the next tier and notifies it.",
    ),
    Setting(
        "JAGA_PROBE_BODY_BUDGET_MB",
        parse_positive_int,
        "64",
        "Megabytes of response bodies one probe process may hold at once, over all its checks.",
    ),
    Setting(
        "JAGA_HTTP_ALLOW_PRIVATE",
        parse_bool,
        "false",
        "Allow monitors and look-ups to reach private address ranges (10.x, 172.16-31.x, 192.168.x, fc00::/7), "
        "e.g. a court's intranet site.",
    ),
    Setting(
        "JAGA_HTTP_ALLOW_INTERNAL",
        parse_bool,
        "false",
        "Allow every institution loopback, link-local and Jaga's own address. For tests and benchmarks on one "
        "machine only; in production allow it per institution in the admin.",
    ),
    Setting(
        "JAGA_TRAFFIC_RULES_DIR",
        parse_str,
        "",
        "A folder of custom detection rules (one YAML file per rule) read after Jaga's own.",
    ),
    Setting(
        "JAGA_TRAFFIC_INTERVAL",
        parse_non_negative_int,
        "300",
        "Seconds between the worker's rounds over every site's access logs (0: no scheduled round).",
    ),
    Setting(
        "JAGA_TRAFFIC_CRAWLER_DNS",
        parse_str,
        "system",
        "Who verifies claimed crawlers by reverse DNS: system (the machine's resolvers), off, or a nameserver "
        "IP[:PORT].",
    ),
    Setting(
        "JAGA_TRAFFIC_RETENTION_DAYS",
        parse_positive_int,
        "400",
        "Days of normalised access-log lines kept in the analytics store; each day's summary is kept for ever.",
    ),
    Setting(
        "JAGA_TRAFFIC_TRUSTED_PROXIES",
        parse_networks,
        "",
        "Reverse proxies (addresses or networks) whose forwarded-for field in the access log names the real client.",
    ),
    Setting(
        "JAGA_TRAFFIC_BLOCK_HOURS",
        parse_positive_int,
        "24",
        "How long an address or subnet stays on the exported block lists after its detection was last seen.",
    ),
    Setting(
        "JAGA_TRAFFIC_S3_URL",
        parse_bucket_url,
        "",
        "S3-compatible bucket the analytics store's Parquet files are copied to, as https://host/bucket[/prefix] "
        "(empty: off).",
    ),
    Setting("JAGA_TRAFFIC_S3_ACCESS_KEY", parse_str, "", "Access key for JAGA_TRAFFIC_S3_URL."),
    Setting(
        "JAGA_TRAFFIC_S3_SECRET_KEY",
        parse_str,
        "",
        "Secret key for JAGA_TRAFFIC_S3_URL. Also JAGA_TRAFFIC_S3_SECRET_KEY_FILE.",
        secret=True,
    ),
    Setting("JAGA_TRAFFIC_S3_REGION", parse_str, "us-east-1", "Region of JAGA_TRAFFIC_S3_URL's bucket."),
    Setting(
        "JAGA_TRAFFIC_S3_QUERY",
        parse_bool,
        "false",
        "The traffic panels read the Parquet files in the bucket (DuckDB over S3) instead of the local store.",
    ),
    Setting(
        "JAGA_USER_AGENT",
        parse_str,
        "Jaga/0.1 (+monitoring)",
        "The User-Agent of every HTTP request Jaga makes.",
    ),
    Setting(
        "JAGA_HEARTBEAT_SECONDS",
        parse_heartbeat_seconds,
        "10",
        "Seconds between the heartbeats of each worker and probe (1 to 20); one silent for a minute is taken for dead.",
    ),
    Setting("JAGA_SCHEDULER_INTERVAL", parse_positive_int, "5", "Seconds between the scheduler's looks for due work."),
    Setting("JAGA_PROCESSES", parse_list, "web,probe,worker,scheduler", "Processes that `jaga up` supervises."),
    Setting(
        "JAGA_EMAIL_URL",
        parse_str,
        "",
        "SMTP server for e-mail from Jaga itself, e.g. smtp://user:pass@mail.example:587 (empty: off).",
    ),
    Setting("JAGA_DEFAULT_FROM_EMAIL", parse_str, "jaga@localhost", "Sender address of e-mail from Jaga."),
    Setting(
        "JAGA_BASE_URL",
        parse_base_url,
        "",
        "The address where people open Jaga (https://jaga.example.go.id); notifications link back to it. "
        "Empty: messages carry no link and the channels page says so.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _hide_password(raw: str) -> str:
    """``scheme://user:secret@host`` -> ``scheme://user:***@host``, so that error messages never show it."""
    parts = urlsplit(raw.strip())
    if not parts.password:
        return raw
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def read(name: str, environ: dict[str, str] | None = None) -> Any:
    """Return the parsed value of one declared setting (``NAME`` or the contents of ``NAME_FILE``)."""
    env = os.environ if environ is None else environ
    setting = _BY_NAME[name]
    raw = env.get(name)
    if raw is None and setting.secret and env.get(f"{name}_FILE"):
        file_path = Path(env[f"{name}_FILE"])
        try:
            raw = file_path.read_text().strip()
        except OSError as exc:
            raise ConfigError(
                f"{name}_FILE: berkas {file_path} tidak dapat dibaca ({exc.strerror}) / cannot read file {file_path}"
            ) from None
    if raw is None:
        raw = setting.default
    if raw is None:
        return None
    try:
        return setting.parse(raw)
    except ValueError as exc:
        shown = "***" if setting.secret else repr(_hide_password(raw))
        raise ConfigError(f"{name}={shown}: {exc}") from None
