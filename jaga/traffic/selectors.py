"""The traffic app's reads: detections, the block list made of them, log sources, and the analytics panels (the
Parquet store, see ``panels``)."""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from jaga.core import clock
from jaga.core.models import Site
from jaga.traffic import panels
from jaga.traffic.detection.base import Rule
from jaga.traffic.detection.rules import rule_get
from jaga.traffic.models import AllowedNetwork, Detection, LogSource, TrafficDay


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


def traffic_days_between(*, site: Site, start: dt.date, end: dt.date) -> QuerySet[TrafficDay]:
    """The daily summaries kept for the site's days ``start`` to ``end`` whose lines retention deleted (the
    panels read the lines of the days still held)."""
    return TrafficDay.objects.filter(site=site, day__gte=start, day__lte=end).order_by("day")


def rule_for(key: str) -> Rule | None:
    """The detection rule ``key`` (its label, explanation and advice in both languages), or None."""
    return rule_get(key)


@dataclass(frozen=True)
class BlockEntry:
    value: str  # an address or a network (203.0.113.7, 203.0.113.0/24, 2001:db8::/64)
    version: int  # 4 or 6
    rules: str  # the rules that found it, comma-separated
    count: int  # lines of those detections
    last_seen: dt.datetime
    expires_at: dt.datetime  # last seen + JAGA_TRAFFIC_BLOCK_HOURS: a detection seen again renews it


def blocklist_entries(*, site: Site, now: dt.datetime | None = None) -> list[BlockEntry]:
    """The addresses and subnets to block for the site: its detections of a client or a subnet by a rule that
    opens incidents, seen within the last JAGA_TRAFFIC_BLOCK_HOURS, without private addresses (a proxy's, most
    likely) and without anything on the institution's allow-list. One entry per address or subnet."""
    from jaga.traffic.detection.rules import rules_all

    now = now or clock.now()
    hours = dt.timedelta(hours=int(settings.JAGA_TRAFFIC_BLOCK_HOURS))
    blocking = [rule.key for rule in rules_all() if rule.incident]
    allowed = [
        ipaddress.ip_network(n, strict=False)
        for n in AllowedNetwork.objects.filter(institution_id=site.institution_id).values_list("network", flat=True)
    ]
    merged: dict[str, list[Detection]] = {}
    found = Detection.objects.filter(
        site=site,
        scope__in=(Detection.Scope.CLIENT, Detection.Scope.SUBNET),
        rule_key__in=blocking,
        private=False,
        last_seen__gt=now - hours,
    )
    for detection in found.order_by("key", "rule_key"):
        try:
            network = ipaddress.ip_network(detection.key, strict=False)
        except ValueError:
            continue  # not an address (a log with host names in the client field): nothing a firewall can use
        if any(network.version == a.version and network.overlaps(a) for a in allowed):  # type: ignore[arg-type]
            continue
        value = str(network.network_address) if network.num_addresses == 1 else str(network)
        merged.setdefault(value, []).append(detection)
    entries = []
    for value, detections in merged.items():
        last_seen = max(d.last_seen for d in detections)
        entries.append(
            BlockEntry(
                value=value,
                version=ipaddress.ip_network(value, strict=False).version,
                rules=",".join(sorted({d.rule_key for d in detections})),
                count=sum(d.count for d in detections),
                last_seen=last_seen,
                expires_at=last_seen + hours,
            )
        )
    return sorted(entries, key=lambda e: (e.version, ipaddress.ip_network(e.value, strict=False)))
