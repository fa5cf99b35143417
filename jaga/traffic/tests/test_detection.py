"""Detection rounds over ingested logs: detections, exactly-once counting, allow-list, incidents, ledger."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from jaga.core.http import user_agent
from jaga.incidents.models import Incident
from jaga.sop.models import LedgerEntry
from jaga.sop.selectors import ledger_notes_text
from jaga.traffic import services
from jaga.traffic.models import AllowedNetwork, Detection, IngestBatch

BENIGN = (
    '198.51.100.{n} - - [01/Nov/2026:09:{m:02d}:{s:02d} +0700] "GET /berita/{n} HTTP/1.1" 200 5120 "-" '
    '"Mozilla/5.0 (Windows NT 10.0) Chrome/130.0"\n'
)
SQLI = (
    '203.0.113.66 - - [01/Nov/2026:09:10:{s:02d} +0700] "GET /perkara?id=1%27%20UNION%20SELECT%20user,pass%20FROM'
    '%20users-- HTTP/1.1" 200 900 "-" "sqlmap/1.7"\n'
)
JOOMLA = (
    '203.0.113.77 - - [01/Nov/2026:09:20:{s:02d} +0700] "POST /administrator/index.php HTTP/1.1" 303 0 "-" '
    '"Mozilla/5.0"\n'
)


def _log(path: Path, *, attacks: bool = True) -> None:
    text = "".join(BENIGN.format(n=i % 200 + 1, m=i % 60, s=i % 60) for i in range(400))
    if attacks:
        text += "".join(SQLI.format(s=i) for i in range(3))
        text += "".join(JOOMLA.format(s=i * 2) for i in range(12))
    path.write_text(text)


def _round(site, log: Path):  # type: ignore[no-untyped-def]
    services.traffic_ingest(site=site, sources=services.sources_for(site=site, paths=[str(log)]))
    return services.traffic_detect(site=site)


@pytest.mark.django_db
def test_a_round_finds_the_attacks_and_counts_each_line_once(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "access.log"
    _log(log)
    result = _round(site, log)
    assert result.lines == 415
    found = {(d.rule_key, d.key): d.count for d in Detection.objects.filter(site=site)}
    assert found[("sqli-probe", "203.0.113.66")] == 3
    assert found[("scanner-agent", "203.0.113.66")] == 3
    assert found[("login-bruteforce-joomla", "203.0.113.77")] >= 6
    assert not any(key.startswith("198.51.100.") for _rule, key in found)  # the readers are left alone
    assert IngestBatch.objects.filter(analysed=False).count() == 0

    again = services.traffic_detect(site=site)  # nothing new: nothing counted twice
    assert again.lines == 0
    assert Detection.objects.get(site=site, rule_key="sqli-probe").count == 3

    with log.open("a") as handle:  # two more probes from the same client add two
        handle.write(SQLI.format(s=40) + SQLI.format(s=41))
    _round(site, log)
    assert Detection.objects.get(site=site, rule_key="sqli-probe").count == 5


def _found(site):  # type: ignore[no-untyped-def]
    return {(d.rule_key, d.key): (d.count, d.first_seen, d.last_seen) for d in Detection.objects.filter(site=site)}


@pytest.mark.django_db
def test_a_round_after_ingestion_in_the_same_process_finds_what_a_round_from_the_files_finds(  # type: ignore[no-untyped-def]
    site, tmp_path: Path
) -> None:
    from jaga.core.models import Site
    from jaga.traffic.ingest import store

    other = Site.objects.create(institution=site.institution, name="Situs kedua", base_url="http://127.0.0.1:9/")
    log = tmp_path / "access.log"
    _log(log)
    for round_number in range(2):
        services.traffic_ingest(site=site, sources=services.sources_for(site=site, paths=[str(log)]))
        new = list(
            IngestBatch.objects.filter(source_file__source__site=site, analysed=False).values_list("pk", flat=True)
        )
        assert store.recent_lines(new) is not None  # the lines just written are still in memory
        services.traffic_detect(site=site)
        assert store.recent_lines(new) is None  # and let go once analysed

        # The other site's round reads its new lines back from the Parquet files, as another process would.
        services.traffic_ingest(site=other, sources=services.sources_for(site=other, paths=[str(log)]))
        store.recent_forget(
            list(IngestBatch.objects.filter(source_file__source__site=other).values_list("pk", flat=True))
        )
        services.traffic_detect(site=other)

        assert _found(site) == _found(other)
        assert _found(site)[("sqli-probe", "203.0.113.66")][0] == 3 * (round_number + 1)
        with log.open("a") as handle:  # the second round: new lines, the first round's as context from the files
            handle.write("".join(SQLI.format(s=40 + i) for i in range(3)))


@pytest.mark.django_db
def test_a_detection_opens_one_incident_per_rule_and_the_round_is_in_the_ledger(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "access.log"
    _log(log)
    _round(site, log)
    incidents = Incident.objects.filter(site=site, kind="traffic_detection")
    causes = set(incidents.values_list("cause_key", flat=True))
    assert {"traffic:sqli-probe", "traffic:login-bruteforce-joomla"} <= causes
    sqli = incidents.get(cause_key="traffic:sqli-probe")
    assert sqli.severity == "tinggi"
    assert "203.0.113.66" in sqli.summary
    assert Detection.objects.get(site=site, rule_key="sqli-probe").incident_id == sqli.pk
    entry = LedgerEntry.objects.filter(site=site).latest("started_at")
    assert entry.activity_key == "traffic"
    # Stored as a sentence: each reader reads the round's line in his language.
    assert re.fullmatch(r"415 baris baru dianalisis, \d+ temuan", ledger_notes_text(entry.notes))
    with translation.override("en"):
        assert re.fullmatch(r"415 new lines analysed, \d+ findings", ledger_notes_text(entry.notes))


@pytest.mark.django_db
def test_a_round_tells_a_routed_channel_once_per_rule_and_nobody_when_none_is_routed(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from jaga.core.models import NotificationChannel, NotificationDelivery, NotificationRoute

    log = tmp_path / "access.log"
    _log(log)
    _round(site, log)
    assert not NotificationDelivery.objects.exists()  # no route: the round asked once and told nobody
    channel = NotificationChannel.objects.create(
        institution=site.institution, name="Webhook", url="json://127.0.0.1:9/"
    )
    NotificationRoute.objects.create(institution=site.institution, channel=channel, event_type="traffic.detection")
    with log.open("a") as handle:
        handle.write("".join(SQLI.format(s=40 + i) for i in range(3)))
    result = _round(site, log)
    told = NotificationDelivery.objects.filter(event_type="traffic.detection")
    assert told.count() == len({d.rule_key for d in result.detections}) >= 1


@pytest.mark.django_db
def test_allowed_networks_and_jagas_own_probe_are_not_detected(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    AllowedNetwork.objects.create(institution=site.institution, network="203.0.113.64/29", note="kantor")
    log = tmp_path / "access.log"
    _log(log)
    probe = f'192.0.2.10 - - [01/Nov/2026:09:30:00 +0700] "GET /.env HTTP/1.1" 404 0 "-" "{user_agent()}"\n'
    with log.open("a") as handle:
        handle.write(probe * 20)
    _round(site, log)
    keys = set(Detection.objects.filter(site=site).values_list("key", flat=True))
    assert "203.0.113.66" not in keys  # in the office's /29
    assert "203.0.113.77" in keys  # .77 is outside it
    assert "192.0.2.10" not in keys


@pytest.mark.django_db
def test_the_detections_command_writes_one_csv_row_per_detection(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "access.log"
    _log(log)
    out = io.StringIO()
    call_command("traffic", "ingest", "--site", site.name, str(log), stdout=out)
    assert "415" in out.getvalue()
    out = io.StringIO()
    call_command("traffic", "detections", "--site", str(site.pk), "--format", "csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == Detection.objects.filter(site=site).count() >= 3
    sqli = next(r for r in rows if r["rule"] == "sqli-probe")
    assert sqli["client"] == "203.0.113.66"
    assert sqli["severity"] == "tinggi"
    assert sqli["count"] == "3"
    assert sqli["first_seen"].startswith("2026-11-01T02:10:00")
