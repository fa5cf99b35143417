# ruff: noqa: S608 - SQL over DuckDB built from paths under the store, never from a request
"""Retention of the analytics store: a site's normalised lines older than JAGA_TRAFFIC_RETENTION_DAYS are
deleted day by day, after the day's summary (:class:`TrafficDay`: requests, unique visitors, data, 404s, 5xx,
crawler requests) is written; the summaries are kept for ever. A day that still holds lines no detection
round has analysed is left for the next run."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings

from jaga.core import clock
from jaga.core.models import Site
from jaga.traffic.ingest import store
from jaga.traffic.logformats.base import sql_quote
from jaga.traffic.models import IngestBatch, TrafficDay
from jaga.traffic.panels import VISITOR

_BATCH = re.compile(r"^b(\d+)_")


@dataclass
class RetentionResult:
    days_deleted: list[tuple[int, dt.date]] = field(default_factory=list)  # (site id, day)
    days_waiting: list[tuple[int, dt.date]] = field(default_factory=list)  # lines not analysed yet


def _summarise(files: list[Path]) -> dict[str, float]:
    import duckdb

    listed = "[" + ", ".join(sql_quote(str(f)) for f in files) + "]"
    con = duckdb.connect(config={"memory_limit": "256MB", "threads": 1})
    try:
        row = con.execute(f"""
            SELECT count(*), count(DISTINCT {VISITOR}), coalesce(sum(bytes), 0) / 1048576.0,
                   count(*) FILTER (status = 404), count(*) FILTER (status >= 500), count(*) FILTER (crawler <> '')
            FROM read_parquet({listed}, hive_partitioning=true)
        """).fetchall()[0]
    finally:
        con.close()
    keys = ("hits", "visitors", "megabytes", "not_found", "errors", "crawler_hits")
    return dict(
        zip(keys, (float(v) if k == "megabytes" else int(v) for k, v in zip(keys, row, strict=True)), strict=True)
    )


def traffic_retention_apply(*, now: dt.datetime | None = None) -> RetentionResult:
    """Delete every site's days of lines older than the retention period, each after its summary is stored.

    A day whose lines come in after it was deleted (an old log ingested late) is summed into the same
    summary: its unique visitors are then added, not counted again as one set."""
    now = now or clock.now()
    keep = int(settings.JAGA_TRAFFIC_RETENTION_DAYS)
    result = RetentionResult()
    pending = set(IngestBatch.objects.filter(analysed=False).values_list("pk", flat=True))
    for site_folder in sorted(store.store_root().glob("site=*")):
        site = Site.objects.select_related("institution").filter(pk=int(site_folder.name[5:])).first()
        if site is None:
            continue  # a folder of a deleted site: left for the administrator, never guessed at
        cutoff = now.astimezone(ZoneInfo(site.institution.time_zone)).date() - dt.timedelta(days=keep)
        for day_folder in sorted(site_folder.glob("day=*")):
            day = dt.date.fromisoformat(day_folder.name[4:])
            if day >= cutoff:
                continue
            files = list(day_folder.glob("*.parquet"))
            batches = {int(m[1]) for f in files if (m := _BATCH.match(f.name))}
            if batches & pending:
                result.days_waiting.append((site.pk, day))
                continue
            stored, _created = TrafficDay.objects.get_or_create(site=site, day=day)
            fresh = [f for f in files if (m := _BATCH.match(f.name)) and int(m[1]) not in set(stored.batches)]
            if fresh:
                for key, value in _summarise(fresh).items():
                    setattr(stored, key, getattr(stored, key) + value)
                stored.batches = sorted({*stored.batches, *(int(m[1]) for f in fresh if (m := _BATCH.match(f.name)))})
                stored.save()
            shutil.rmtree(day_folder)
            result.days_deleted.append((site.pk, day))
    return result
