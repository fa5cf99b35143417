"""The traffic app's reads: detections (the analytics panels read the Parquet store, see ``panels``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from jaga.core.models import Site
from jaga.traffic.models import Detection


def detections_for(*, site: Site, since: dt.date | None = None) -> QuerySet[Detection]:
    """The site's detections, latest first; with ``since``, those seen on or after that day."""
    found = Detection.objects.filter(site=site)
    if since is not None:
        found = found.filter(last_seen__date__gte=since)
    return found.order_by("-last_seen", "rule_key", "key")
