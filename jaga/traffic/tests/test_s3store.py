"""The analytics store on a real S3-compatible server on loopback (moto's), and the panels read there by DuckDB."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from jaga.core.tests.processes_helpers import JAGA, jaga_env
from jaga.traffic import panels, s3store, services
from jaga.traffic.ingest import store
from jaga.traffic.models import IngestBatch, TrafficDay
from jaga.traffic.tests.test_detection import _log

DAY = dt.date(2026, 11, 1)


@pytest.fixture
def bucket(s3: Any, settings: Any) -> Any:
    import boto3  # type: ignore[import-untyped]

    boto3.client(
        "s3", endpoint_url=s3.endpoint, aws_access_key_id=s3.access_key,
        aws_secret_access_key=s3.secret_key, region_name="us-east-1",
    ).create_bucket(Bucket="jaga-traffic")  # fmt: skip
    settings.JAGA_TRAFFIC_S3_URL = f"{s3.endpoint}/jaga-traffic/pn-bangil"
    settings.JAGA_TRAFFIC_S3_ACCESS_KEY, settings.JAGA_TRAFFIC_S3_SECRET_KEY = s3.access_key, s3.secret_key
    return s3


@pytest.fixture
def ingested(site: Any, tmp_path: Path) -> Any:
    log = tmp_path / "access.log"
    _log(log)
    services.traffic_ingest(site=site, sources=services.sources_for(site=site, paths=[str(log)]))
    services.traffic_detect(site=site, record=False)
    return site


def _local(site: Any) -> list[str]:
    return sorted(f"site={site.pk}/{p.parent.name}/{p.name}" for p in store.site_dir(site.pk).glob("day=*/*.parquet"))


@pytest.mark.django_db
def test_the_bucket_holds_the_committed_files_and_the_panels_read_them_there(ingested, bucket, settings) -> None:  # type: ignore[no-untyped-def]
    site = ingested
    here = panels.panels_read(site=site, start=DAY, end=DAY)
    # A batch still being written (its process died before the commit) is never copied.
    known = IngestBatch.objects.get()
    pending = IngestBatch.objects.create(
        source_file=known.source_file, start_offset=0, end_offset=1, created_at=known.created_at
    )
    stray = store.site_dir(site.pk) / f"day={DAY}" / f"b{pending.pk}_0.parquet"
    shutil.copy(next(store.site_dir(site.pk).glob("day=*/*.parquet")), stray)
    committed = [name for name in _local(site) if f"/b{pending.pk}_" not in name]

    first = s3store.store_sync(site=site)
    assert first.uploaded == len(committed)
    assert sorted(bucket.keys("jaga-traffic")) == [f"pn-bangil/{name}" for name in committed]
    assert s3store.store_sync(site=site).uploaded == 0  # nothing twice

    # The local store gone, the panels read the bucket through DuckDB and say the same.
    settings.JAGA_TRAFFIC_S3_QUERY = True
    shutil.rmtree(store.site_dir(site.pk))
    there = panels.panels_read(site=site, start=DAY, end=DAY)
    assert there.summary == here.summary
    assert there.summary.hits == 415
    assert there.panel("pages").rows == here.panel("pages").rows
    assert panels.days_with_lines(site) == (DAY, DAY)

    # A local store that lost its files (a replaced disk) does not empty the bucket: it may be the only copy.
    assert s3store.store_sync(site=site).deleted == 0
    assert len(bucket.keys("jaga-traffic")) == len(committed)
    # A day retention deleted (its summary kept) is deleted in the bucket too.
    TrafficDay.objects.create(site=site, day=DAY)
    assert s3store.store_sync(site=site).deleted == len(committed)
    assert bucket.keys("jaga-traffic") == []


@pytest.mark.django_db
def test_the_command_copies_every_site(ingested, bucket) -> None:  # type: ignore[no-untyped-def]
    call_command("traffic", "s3-sync")
    assert len(bucket.keys("jaga-traffic")) == len(_local(ingested))


def test_a_bucket_without_its_keys_stops_jaga_with_a_message(tmp_path: Path) -> None:
    result = subprocess.run(
        [JAGA, "check"],
        env=jaga_env(tmp_path, JAGA_TRAFFIC_S3_URL="https://s3.example.go.id/jaga-traffic"),
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "JAGA_TRAFFIC_S3_URL diisi tanpa JAGA_TRAFFIC_S3_ACCESS_KEY" in result.stderr
