"""The traffic app's reads: detections, log sources, and the analytics panels (the Parquet store, see ``panels``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet

from jaga.core.models import Site
from jaga.traffic import panels
from jaga.traffic.detection.base import Rule
from jaga.traffic.detection.rules import rule_get
from jaga.traffic.models import Detection, LogSource


def detections_for(*, site: Site, since: dt.date | None = None) -> QuerySet[Detection]:
    """The site's detections, latest first; with ``since``, those seen on or after that day."""
    found = Detection.objects.filter(site=site)
    if since is not None:
        found = found.filter(last_seen__date__gte=since)
    return found.order_by("-last_seen", "rule_key", "key")


def detections_between(*, sites: Iterable[Site], since: dt.datetime, until: dt.datetime) -> QuerySet[Detection]:
    """The detections of ``sites`` seen at some time in ``[since, until)``, most requests first."""
    return (
        Detection.objects.filter(site__in=list(sites), last_seen__gte=since, first_seen__lt=until)
        .select_related("site")
        .order_by("-count", "site__name", "rule_key", "key")
    )


def log_sources_active(*, sites: Iterable[Site]) -> QuerySet[LogSource]:
    return LogSource.objects.filter(site__in=list(sites), is_active=True).order_by("site__name", "path")


def visitor_activity(
    *, site: Site, start: dt.date, end: dt.date, keys: tuple[str, ...] = panels.PANEL_KEYS
) -> panels.Report:
    """The site's analytics panels (``keys``) for the days ``start`` to ``end``, with this period's summary and
    the previous one's (for reports: the same reads as the traffic pages)."""
    return panels.panels_read(site=site, start=start, end=end, keys=keys)


def rule_for(key: str) -> Rule | None:
    """The detection rule ``key`` (its label, explanation and advice in both languages), or None."""
    return rule_get(key)
