"""Rounds over sites: the worker's scheduled one, and ``jaga traffic follow``'s loop (``tail -F``).

The worker's round reads each site's configured log sources, then runs a detection round.

``traffic_sites_round`` is what the schedule ``traffic:ingest`` runs every ``JAGA_TRAFFIC_INTERVAL`` seconds. A
site whose ingestion fails (a file it may not read, a format that does not fit) is logged, its run recorded as
failed, and the other sites still go on: one bad source never stops the round.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q

from jaga.core.models import Site
from jaga.traffic import s3store
from jaga.traffic.services.detection import traffic_detect
from jaga.traffic.services.ingest import sources_for, store_connection, traffic_ingest

logger = logging.getLogger("jaga.traffic")


@dataclass
class SitesRound:
    sites: int = 0
    lines: int = 0
    findings: int = 0
    failed: list[str] = field(default_factory=list)


def traffic_sites_round() -> SitesRound:
    """Ingest and analyse every active site that has log sources; what was read and found, and which failed."""
    result = SitesRound()
    sites = (
        Site.objects.filter(is_active=True)
        .filter(Q(log_sources__is_active=True) | ~Q(access_log_paths=""))
        .select_related("institution")
        .distinct()
    )
    for site in sites:
        try:
            sources = sources_for(site=site)
            if not sources:
                continue
            with store_connection() as con:
                run = traffic_ingest(site=site, sources=sources, con=con)
                detected = traffic_detect(site=site, con=con)
            s3store.store_sync(site=site)  # the bucket's copy, when JAGA_TRAFFIC_S3_URL is set
        except Exception as exc:
            logger.exception("pembacaan log situs %s gagal / ingesting site %s failed", site.pk, site.pk)
            result.failed.append(f"{site.name}: {exc}")
            continue
        result.sites += 1
        result.lines += run.lines_stored
        result.findings += detected.findings
    return result


def traffic_follow(
    *,
    sites: list[Site],
    interval: float = 2.0,
    rounds: int | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    on_round: Callable[[Site, int, int], None] | None = None,
) -> int:
    """``tail -F`` for access logs: every ``interval`` seconds, each site's sources are read from their cursors
    and the new lines analysed, until ``should_stop()`` (or after ``rounds``). A rotated file is finished
    before the new one is begun; a truncated one is read again from its start (see ``traffic_ingest``).
    ``on_round(site, lines, findings)`` hears of each site's round; how many rounds ran."""
    done = 0
    while not should_stop() and (rounds is None or done < rounds):
        started = time.monotonic()
        for site in sites:
            sources = sources_for(site=site)
            if not sources:
                continue
            with store_connection() as con:
                run = traffic_ingest(site=site, sources=sources, con=con)
                detected = traffic_detect(site=site, con=con) if run.lines_stored else None
            if on_round is not None:
                on_round(site, run.lines_stored, detected.findings if detected else 0)
        done += 1
        if rounds is not None and done >= rounds:
            break
        while not should_stop() and time.monotonic() - started < interval:
            time.sleep(min(0.2, interval))
    return done
