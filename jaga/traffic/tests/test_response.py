"""What was done about each detection (its incident and the latest action there, the block list) on the detections
page and in the visitor activity log; the bad input of each ingestion round on the site page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.test import Client

from jaga.core import clock
from jaga.incidents.models import EntryKind
from jaga.incidents.services import timeline_add
from jaga.traffic import services
from jaga.traffic.models import Detection
from jaga.traffic.tests.test_detection import _log

pytestmark = pytest.mark.django_db
WIB = dt.timezone(dt.timedelta(hours=7))
SOON = dt.datetime(2026, 11, 1, 12, 0, tzinfo=WIB)  # three hours after the attacks: their blocks still hold


@pytest.fixture
def attacked(site, tmp_path: Path):  # type: ignore[no-untyped-def]
    log = tmp_path / "access.log"
    _log(log)
    # 203.0.113.0/24 is a documentation range, private to Python: the SQL injection comes from a public address.
    log.write_text(log.read_text().replace("203.0.113.66", "45.155.205.66"))
    with log.open("a") as more:
        more.write("\x00\x01\x02 binary junk\n")
        more.write("not a log line at all\n")
    services.traffic_ingest(site=site, sources=services.sources_for(site=site, paths=[str(log)]))
    services.traffic_detect(site=site, record=False)
    sqli = Detection.objects.get(site=site, rule_key="sqli-probe")
    assert sqli.incident is not None
    timeline_add(incident=sqli.incident, kind=EntryKind.ACTION, text="Alamat diblokir di firewall kantor.")
    return site


def test_the_detections_page_says_what_was_done_about_each(attacked, staff) -> None:  # type: ignore[no-untyped-def]
    site = attacked
    sqli = Detection.objects.get(site=site, rule_key="sqli-probe")
    client = Client()
    client.force_login(staff)
    with clock.frozen(SOON):
        page = client.get(f"/traffic/{site.institution.slug}/situs/{site.pk}/deteksi/").content.decode()
    assert f"Insiden #{sqli.incident_id} (Investigasi): Alamat diblokir di firewall kantor." in page
    assert "diblokir sampai 2 November 2026" in page  # last seen 1 November + JAGA_TRAFFIC_BLOCK_HOURS (24)
    assert "tidak diblokir: alamat privat" in page  # the Joomla guesser, 203.0.113.77
    assert f'href="/incidents/{site.institution.slug}/{sqli.incident_id}/"' in page
    later = clock.frozen(SOON + dt.timedelta(days=30))
    with later:
        page = client.get(f"/traffic/{site.institution.slug}/situs/{site.pk}/deteksi/").content.decode()
    assert "blokir sudah berakhir" in page


def test_the_visitor_activity_log_lists_what_was_done(attacked, settings) -> None:  # type: ignore[no-untyped-def]
    from jaga.reports.document import Period
    from jaga.reports.services import report_build, report_create

    site = attacked
    sqli = Detection.objects.get(site=site, rule_key="sqli-probe")
    with clock.frozen(SOON):
        report = report_create(
            institution=site.institution, kind="visitors", period=Period(dt.date(2026, 11, 1), dt.date(2026, 11, 1))
        )
        document = report_build(report=report)
    tables = [t for section in document.sections for t in section.tables if t.key == "detections"]
    assert tables
    assert tables[0].headers[-1] == "Yang sudah dilakukan"
    row = next(r for r in tables[0].rows if r[3] == "45.155.205.66" and r[1] == "Percobaan injeksi SQL")
    assert row[-1].startswith(f"Insiden #{sqli.incident_id} (Investigasi): Alamat diblokir di firewall kantor.")
    assert "diblokir sampai 2 November 2026" in row[-1]


def test_the_site_page_counts_the_bad_lines_per_reason_with_samples(attacked, staff, settings) -> None:  # type: ignore[no-untyped-def]
    site = attacked
    client = Client()
    client.force_login(staff)
    page = client.get(f"/traffic/{site.institution.slug}/situs/{site.pk}/").content.decode()
    section = page[page.index('id="pembacaan-log"') :]
    assert "tidak sesuai format log: 1" in section
    assert "data biner, bukan teks: 1" in section
    assert "not a log line at all" in section
