"""The register's domain look-up: RDAP through the bootstrap (or the service's own server), cached per domain.

The cache keeps the last answer for a time that shrinks as the expiry nears: a week while the domain has
more than four months left, less than a day inside the last four months (the daily run always asks again),
an hour after a failure. A fresh answer always replaces the stored one, whatever it says: a renewal (the
expiry moving forward) is seen at the next daily run, and an old date cannot outlive its cache entry the
way it did in Uptime Kuma's bug #7189. ``force`` (the "Periksa sekarang" button, the renewal check) skips
the cache.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from jaga.core import clock
from jaga.renewals.kinds.base import ExpiryFinding
from jaga.renewals.models import ExpirySource, LookupStatus, RdapCache
from jaga.renewals.rdap.bootstrap import BootstrapError, NoRdapServer, bootstrap_current
from jaga.renewals.rdap.client import domain_query

FAR = dt.timedelta(days=120)
FRESH_FAR = dt.timedelta(days=7)
FRESH_NEAR = dt.timedelta(hours=20)
FRESH_UNKNOWN = dt.timedelta(hours=20)
FRESH_FAILED = dt.timedelta(hours=1)


def fresh_for(*, status: str, expires_at: dt.datetime | None, now: dt.datetime) -> dt.timedelta:
    if status == LookupStatus.FAILED:
        return FRESH_FAILED
    if status == LookupStatus.UNKNOWN or expires_at is None:
        return FRESH_UNKNOWN
    return FRESH_FAR if expires_at - now > FAR else FRESH_NEAR


def _finding_from_cache(entry: RdapCache) -> ExpiryFinding:
    return ExpiryFinding(
        source=ExpirySource.RDAP,
        status=entry.status,
        expires_at=entry.expires_at,
        registrar=entry.registrar,
        statuses=list(entry.statuses),
        nameservers=list(entry.nameservers),
        url=entry.url,
        error=entry.error,
        from_cache=True,
    )


def domain_expiry(*, domain: str, server: str = "", institution: Any = None, force: bool = False) -> ExpiryFinding:
    """The expiry of ``domain`` from its registry (``server``: an RDAP base URL instead of the bootstrap's)."""
    now = clock.now()
    cached = RdapCache.objects.filter(domain=domain).first()
    if not force and cached is not None and cached.fresh_until > now and (not server or cached.url.startswith(server)):
        return _finding_from_cache(cached)
    finding = _query(domain=domain, server=server, institution=institution)
    RdapCache.objects.update_or_create(
        domain=domain,
        defaults={
            "fetched_at": now,
            "fresh_until": now + fresh_for(status=finding.status, expires_at=finding.expires_at, now=now),
            "status": finding.status,
            "expires_at": finding.expires_at,
            "registrar": finding.registrar,
            "statuses": finding.statuses,
            "nameservers": finding.nameservers,
            "url": finding.url[:500],
            "error": finding.error,
        },
    )
    return finding


def _query(*, domain: str, server: str, institution: Any) -> ExpiryFinding:
    failed = ExpiryFinding(source=ExpirySource.RDAP, status=LookupStatus.FAILED)
    if server:
        bases: tuple[str, ...] = (server,)
    else:
        try:
            bases = bootstrap_current().base_urls(domain)
        except (NoRdapServer, BootstrapError) as exc:
            failed.error = str(exc)
            return failed
    answer = None
    for base in bases:  # the bootstrap may list several servers for a TLD: the next one when one fails
        answer = domain_query(base_url=base, domain=domain, institution=institution)
        if answer.parsed is not None or answer.code == "not_found":
            break
    assert answer is not None
    if answer.parsed is None:
        failed.error, failed.url = answer.error, answer.url
        return failed
    parsed = answer.parsed
    return ExpiryFinding(
        source=ExpirySource.RDAP,
        status=LookupStatus.FOUND if parsed.expires_at is not None else LookupStatus.UNKNOWN,
        expires_at=parsed.expires_at,
        registrar=parsed.registrar,
        statuses=parsed.statuses,
        nameservers=parsed.nameservers,
        url=answer.url,
        error=""
        if parsed.expires_at is not None
        else "Registri tidak memberi tanggal berakhir (tidak ada peristiwa 'expiration') / the registry gives no "
        "expiration event",
    )
