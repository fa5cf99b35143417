"""The IANA RDAP bootstrap registry for domains (RFC 9224): which server answers for which TLD.

Jaga carries a copy (``jaga/renewals/data/rdap-dns.json``); ``jaga renewals rdap-bootstrap-refresh`` fetches
IANA's current file into the data folder (``JAGA_DATA_DIR/rdap/dns.json``), which is then used instead. A
refreshed file that is not a valid bootstrap document is refused and the one in use stays.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

PACKAGED = Path(__file__).resolve().parent.parent / "data" / "rdap-dns.json"
IANA_URL = "https://data.iana.org/rdap/dns.json"


class BootstrapError(Exception):
    """A bootstrap document that cannot be used. ``str()`` is a bilingual sentence."""


class NoRdapServer(LookupError):
    """No RDAP server is listed for the domain's TLD."""

    def __init__(self, domain: str, tld: str) -> None:
        super().__init__(
            f"Tidak ada server RDAP untuk .{tld} di daftar IANA; isi alamat server RDAP atau tanggal berakhir "
            f"secara manual / no RDAP server is listed for .{tld} ({domain})"
        )
        self.domain = domain
        self.tld = tld


@dataclass(frozen=True)
class Bootstrap:
    publication: str
    services: dict[str, tuple[str, ...]] = field(default_factory=dict)  # suffix -> base URLs, https first
    path: str = ""

    def base_urls(self, domain: str) -> tuple[str, ...]:
        """The servers for ``domain`` by the longest matching suffix (``go.id`` before ``id``)."""
        labels = domain.lower().rstrip(".").split(".")
        for start in range(len(labels)):
            suffix = ".".join(labels[start:])
            urls = self.services.get(suffix)
            if urls:
                return urls
        raise NoRdapServer(domain, labels[-1] if labels else domain)


def bootstrap_parse(raw: bytes | str, *, source: str = "") -> Bootstrap:
    """Read a bootstrap document; :class:`BootstrapError` names what is wrong."""
    try:
        document = json.loads(raw)
    except ValueError as exc:
        raise BootstrapError(f"{source}: bukan JSON yang sah / not valid JSON ({exc})") from None
    if not isinstance(document, dict) or not isinstance(document.get("services"), list):
        raise BootstrapError(f"{source}: tidak ada daftar 'services' / no 'services' list")
    services: dict[str, tuple[str, ...]] = {}
    for number, entry in enumerate(document["services"], start=1):
        if (
            not isinstance(entry, list)
            or len(entry) < 2
            or not all(isinstance(part, list) for part in entry[:2])
            or not all(isinstance(item, str) for part in entry[:2] for item in part)
        ):
            raise BootstrapError(f"{source}: layanan ke-{number} tidak berbentuk [[TLD...], [URL...]] / bad entry")
        suffixes, urls = entry[0], entry[1]
        usable = [url if url.endswith("/") else f"{url}/" for url in urls if url.startswith(("https://", "http://"))]
        # RFC 9224 §3: prefer https when a service lists both.
        usable.sort(key=lambda url: not url.startswith("https://"))
        if not usable:
            continue
        for suffix in suffixes:
            services[suffix.lower().strip(".")] = tuple(usable)
    if not services:
        raise BootstrapError(f"{source}: tidak ada satu pun server RDAP / no RDAP server at all")
    return Bootstrap(publication=str(document.get("publication", "")), services=services, path=source)


def refreshed_path() -> Path:
    return Path(settings.DATA_DIR) / "rdap" / "dns.json"


_lock = threading.Lock()
_cached: tuple[str, float, Bootstrap] | None = None


def bootstrap_current() -> Bootstrap:
    """The refreshed copy in the data folder when there is a usable one, else the copy carried with Jaga."""
    global _cached
    candidates = [refreshed_path(), PACKAGED]
    for path in candidates:
        try:
            mtime = path.stat().st_mtime
        except OSError:
            continue
        with _lock:
            if _cached is not None and _cached[0] == str(path) and _cached[1] == mtime:
                return _cached[2]
        try:
            loaded = bootstrap_parse(path.read_bytes(), source=str(path))
        except (OSError, BootstrapError):
            if path == PACKAGED:
                raise
            continue
        with _lock:
            _cached = (str(path), mtime, loaded)
        return loaded
    raise BootstrapError(f"{PACKAGED}: berkas bootstrap RDAP tidak ada / the RDAP bootstrap file is missing")


def bootstrap_store(raw: bytes) -> Bootstrap:
    """Check ``raw`` and make it the bootstrap in use (written whole, or not at all)."""
    target = refreshed_path()
    parsed = bootstrap_parse(raw, source=IANA_URL)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".dns-", suffix=".json")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(raw)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Bootstrap(publication=parsed.publication, services=parsed.services, path=str(target))


def bootstrap_summary(bootstrap: Bootstrap) -> dict[str, Any]:
    return {"path": bootstrap.path, "publication": bootstrap.publication, "suffixes": len(bootstrap.services)}
