"""The analytics store on S3-compatible object storage (``JAGA_TRAFFIC_S3_URL``), and the panels read there.

The same Parquet files, in the same layout (``site=<id>/day=<YYYY-MM-DD>/b<batch>_<n>.parquet``), under the
bucket's prefix: a high court that gathers many courts' logs keeps them in one bucket, each installation under
its own prefix, and any DuckDB reads them there. ``store_sync`` copies the site's committed files to the
bucket (a batch still being written is never copied) and deletes there the days retention deleted (those with
a :class:`TrafficDay` summary), never merely what the local store lacks (a replaced disk must not empty the
bucket); the worker's round runs it after each site's detection round, the nightly retention after its
deletions, and ``jaga traffic s3-sync`` on demand. With ``JAGA_TRAFFIC_S3_QUERY`` the panels (pages, CSV,
API, reports) read the bucket through DuckDB instead of the local folder (:mod:`jaga.core.objectstore`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from jaga.core.models import Site
from jaga.core.objectstore import Bucket, ObjectStore
from jaga.traffic.ingest import store
from jaga.traffic.models import IngestBatch, TrafficDay

_BATCH = re.compile(r"^b(\d+)_")


def bucket() -> Bucket | None:
    url = str(getattr(settings, "JAGA_TRAFFIC_S3_URL", "") or "")
    if not url:
        return None
    return Bucket.from_url(
        url,
        access_key=settings.JAGA_TRAFFIC_S3_ACCESS_KEY,
        secret_key=settings.JAGA_TRAFFIC_S3_SECRET_KEY,
        region=settings.JAGA_TRAFFIC_S3_REGION,
    )


def configured() -> bool:
    return bucket() is not None


def querying() -> bool:
    return bool(getattr(settings, "JAGA_TRAFFIC_S3_QUERY", False)) and configured()


def _objects() -> ObjectStore:
    where = bucket()
    if where is None:
        raise RuntimeError("JAGA_TRAFFIC_S3_URL is not set")
    return ObjectStore(where)


@dataclass
class SyncResult:
    uploaded: int = 0
    deleted: int = 0


def store_sync(*, site: Site) -> SyncResult:
    """Copy the site's committed files that the bucket lacks; delete there what the local store no longer has."""
    if not configured():
        return SyncResult()
    objects = _objects()
    committed = set(
        IngestBatch.objects.filter(source_file__source__site=site, state=IngestBatch.State.COMMITTED).values_list(
            "pk", flat=True
        )
    )
    local = {}
    for path in store.site_dir(site.pk).glob("day=*/*.parquet"):
        found = _BATCH.match(path.name)
        if found and int(found[1]) in committed:
            local[f"site={int(site.pk)}/{path.parent.name}/{path.name}"] = path
    remote = objects.sizes(f"site={int(site.pk)}/")
    result = SyncResult()
    for key, path in sorted(local.items()):
        if remote.get(key) != path.stat().st_size:
            objects.upload(path, key)
            result.uploaded += 1
    # Only what retention deleted goes from the bucket (the day has its summary): a local store that is empty
    # or short (a replaced disk) must not empty the bucket, which may be the only copy left.
    retired = {f"day={day.isoformat()}" for day in TrafficDay.objects.filter(site=site).values_list("day", flat=True)}
    gone = sorted(key for key in remote if key not in local and key.split("/")[1] in retired)
    objects.delete(gone)
    result.deleted = len(gone)
    return result


def _days(site: Site) -> list[str]:
    keys = _objects().sizes(f"site={int(site.pk)}/")
    return sorted({key.split("/")[1].removeprefix("day=") for key in keys if key.count("/") == 2})


def day_files(*, site: Site, start: dt.date, end: dt.date) -> list[str]:
    """DuckDB's globs of the site's days from ``start`` to ``end`` in the bucket (register the filesystem)."""
    where = _objects().bucket
    return [
        where.url(f"site={int(site.pk)}/day={day}/*.parquet")
        for day in _days(site)
        if start.isoformat() <= day <= end.isoformat()
    ]


def days_held(site: Site) -> list[str]:
    return _days(site)


def register(con: Any) -> None:
    """Let the DuckDB connection read ``jagas3://`` paths (the bucket's files)."""
    con.register_filesystem(_objects().filesystem())
