"""From the S3-compatible bucket alone (moto's server on loopback, the local store deleted): the visitor-activity
page, its CSV and the visitor activity log read the same figures DuckDB reads there."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from typing import Any

import pytest
from django.test import Client

from jaga.traffic import s3store
from jaga.traffic.ingest import store
from jaga.traffic.tests.test_s3store import bucket, ingested  # noqa: F401 - the fixtures

pytestmark = pytest.mark.django_db


def _tips(page: str) -> list[str]:
    return re.findall(r'<g class="col"><title>([^<]+)</title>', page)


def test_the_page_the_csv_and_the_visitor_log_read_the_bucket_alone(ingested, bucket, settings, staff) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from jaga.reports.document import Period
    from jaga.reports.services import report_build, report_create

    site = ingested
    client = Client()
    client.force_login(staff)
    url = f"/traffic/{site.institution.slug}/situs/{site.pk}/?dari=2026-11-01&sampai=2026-11-01"
    here = client.get(url).content.decode()
    assert "Minggu, 1 November 2026: 415 permintaan" in " ".join(_tips(here))

    s3store.store_sync(site=site)
    shutil.rmtree(store.site_dir(site.pk))
    settings.JAGA_TRAFFIC_S3_QUERY = True
    there = client.get(url).content.decode()
    assert _tips(there) == _tips(here)  # the per-day and per-hour charts, from the bucket
    assert "/berita/1" in there  # the pages panel
    assert "1 November 2026" in client.get(f"/traffic/{site.institution.slug}/").content.decode()  # days held
    rows = client.get(url + "&panel=daily").content.decode().splitlines()
    assert rows[1].startswith("2026-11-01,415,")

    report = report_create(
        institution=site.institution, kind="visitors", period=Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    )
    document = report_build(report=report)
    facts: dict[str, Any] = {label: value for section in document.sections for label, value in section.facts}
    assert facts["Permintaan"] == "415"
    tables = {t.title for section in document.sections for t in section.tables}
    assert "Halaman yang diminta" in tables  # the log's panels, read there too
