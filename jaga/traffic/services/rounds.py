"""The worker's round over every site: read each one's configured log sources, then a detection round.

``traffic_sites_round`` is what the schedule ``traffic:ingest`` runs every ``JAGA_TRAFFIC_INTERVAL`` seconds. A
site whose ingestion fails (a file it may not read, a format that does not fit) is logged, its run recorded as
failed, and the other sites still go on: one bad source never stops the round.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db.models import Q

from jaga.core.models import Site
from jaga.traffic.services.detection import traffic_detect
from jaga.traffic.services.ingest import sources_for, traffic_ingest

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
            run = traffic_ingest(site=site, sources=sources)
            detected = traffic_detect(site=site)
        except Exception as exc:
            logger.exception("pembacaan log situs %s gagal / ingesting site %s failed", site.pk, site.pk)
            result.failed.append(f"{site.name}: {exc}")
            continue
        result.sites += 1
        result.lines += run.lines_stored
        result.findings += detected.findings
    return result
