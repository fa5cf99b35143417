from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from jaga.monitoring import services
from jaga.monitoring.models import Monitor, MonitorStatus, StatusChange
from jaga.sop.selectors import ledger_notes_text


def test_it_creates_a_monitor_with_normalised_config(site):
    monitor = services.monitor_create(site=site, name=" Beranda ", kind="http", config={"url": " https://pn.example/ "})
    monitor.refresh_from_db()
    assert monitor.name == "Beranda"
    assert monitor.config == {"url": "https://pn.example/"}
    assert monitor.status == MonitorStatus.UNKNOWN
    assert monitor.next_check_at is not None


@pytest.mark.parametrize(
    ("kind", "config", "field", "text"),
    [
        ("nope", {}, "kind", "Jenis tidak dikenal: nope"),
        ("http", {}, "config.url", "Wajib diisi."),
        ("http", {"url": "ftp://x"}, "config.url", "http://"),
        ("http", {"url": "https://x", "colour": "red"}, "config.colour", "Kunci tidak dikenal."),
        ("http", {"url": "https://x", "expected_status": ["abc"]}, "config.expected_status", "abc"),
        ("http", {"url": "https://x", "required_headers": {"X": "("}}, "config.required_headers", "X"),
        ("http", {"url": "https://x", "keyword": "a\x00b"}, "config.keyword", "NUL"),
    ],
)
def test_it_rejects_bad_config_saying_what_and_where(site, kind, config, field, text):
    with pytest.raises(ValidationError) as caught:
        services.monitor_create(site=site, name="x", kind=kind, config=config)
    assert field in caught.value.message_dict
    assert text in " ".join(caught.value.message_dict[field])
    assert not Monitor.objects.exists()


def test_it_rejects_a_timeout_longer_than_the_interval(site):
    with pytest.raises(ValidationError) as caught:
        services.monitor_create(
            site=site, name="x", kind="http", config={"url": "https://x"}, interval_seconds=10, timeout_seconds=20
        )
    assert "timeout_seconds" in caught.value.message_dict


def test_it_schedules_the_monitoring_round_when_a_monitor_is_created(site):
    from jaga.core.models import Schedule

    services.monitor_create(site=site, name="x", kind="http", config={"url": "https://x"})
    services.monitor_create(site=site, name="y", kind="http", config={"url": "https://y"})
    schedule = Schedule.objects.get()
    assert schedule.key == f"monitoring-round:{site.id}"
    assert schedule.task_path == "jaga.monitoring.tasks.monitoring_round_record"
    assert schedule.interval_seconds == 7200
    assert schedule.kwargs == {"site_id": site.id}
    assert schedule.institution == site.institution
    assert schedule.owner == site


def test_a_deleted_site_takes_its_monitoring_round_with_it(site, institution):
    from jaga.core.models import Schedule, Site

    services.monitor_create(site=site, name="x", kind="http", config={"url": "https://x"})
    other = Site.objects.create(institution=institution, name="Situs lain", base_url="http://127.0.0.1:9/lain/")
    services.monitor_create(site=other, name="y", kind="http", config={"url": "https://y"})

    site.delete()

    assert list(Schedule.objects.values_list("key", flat=True)) == [f"monitoring-round:{other.id}"]


def test_it_keeps_one_schedule_per_site(site):
    from jaga.core.models import Schedule

    services.monitor_create(site=site, name="a", kind="http", config={"url": "https://x"})
    services.monitor_create(site=site, name="b", kind="tcp", config={"host": "x", "port": 80})
    assert Schedule.objects.filter(key=f"monitoring-round:{site.id}").count() == 1


def test_it_updates_and_revalidates_config(site):
    monitor = services.monitor_create(site=site, name="x", kind="http", config={"url": "https://x"})
    services.monitor_update(monitor=monitor, config={"url": "https://y", "keyword": "Beranda"})
    monitor.refresh_from_db()
    assert monitor.config["keyword"] == "Beranda"
    with pytest.raises(ValidationError):
        services.monitor_update(monitor=monitor, config={"url": "nope"})
    with pytest.raises(ValidationError):
        services.monitor_update(monitor=monitor, status="up")
    monitor.refresh_from_db()
    assert monitor.config["url"] == "https://y"


def test_it_pauses_and_resumes_keeping_the_status_history(site):
    monitor = services.monitor_create(site=site, name="x", kind="http", config={"url": "https://x"})
    services.monitor_pause(monitor=monitor)
    monitor.refresh_from_db()
    assert (monitor.enabled, monitor.status, monitor.next_check_at) == (False, MonitorStatus.PAUSED, None)
    services.monitor_pause(monitor=monitor, paused=False)
    monitor.refresh_from_db()
    assert monitor.enabled
    assert monitor.status == MonitorStatus.UNKNOWN
    assert monitor.next_check_at is not None
    assert list(StatusChange.objects.values_list("to_status", flat=True).order_by("at", "id")) == ["paused", "unknown"]


def test_it_records_the_two_hour_round_in_the_sop_ledger(site):
    from django.utils import timezone

    from jaga.monitoring.kinds.base import CheckOutcome, Finding, Status
    from jaga.monitoring.tasks import monitoring_round_record
    from jaga.sop.models import LedgerEntry
    from jaga.sop.services import sop_seed_default

    sop_seed_default()
    up = services.monitor_create(site=site, name="Beranda", kind="http", config={"url": "https://x"})
    bad = services.monitor_create(
        site=site, name="Jadwal", kind="http", config={"url": "https://y"}, failures_before_down=1
    )
    now = timezone.now()
    services.results_write_batch(
        probe_name="p",
        records=[
            services.ResultRecord(
                monitor_id=up.pk, probe="p", checked_at=now, outcome=CheckOutcome(Status.UP, "HTTP 200")
            ),
            services.ResultRecord(
                monitor_id=bad.pk,
                probe="p",
                checked_at=now,
                outcome=CheckOutcome(Status.DOWN, "HTTP 503 dari https://y", findings=[Finding("x", "Judi online")]),
            ),
        ],
    )
    entry_id = monitoring_round_record.call(site_id=site.pk)
    entry = LedgerEntry.objects.get(pk=entry_id)
    assert entry.outcome == "partial"
    assert entry.performed_by is None
    notes = ledger_notes_text(entry.notes)  # stored as sentences, read in the reader's language
    assert "2 pemeriksaan, 1 gagal" in notes
    assert "Jadwal [HTTP(S)]: turun (HTTP 503" in notes
    assert "Judi online" in notes
    with translation.override("en"):
        english = ledger_notes_text(entry.notes)
    assert "2 checks, 1 failed" in english
    assert "Jadwal [HTTP(S)]: down (HTTP 503" in english
    assert "pemeriksaan" not in english
    assert (entry.ended_at - entry.started_at).total_seconds() == 7200


def test_it_records_a_round_with_no_checks_as_a_failure(site):
    from jaga.monitoring.tasks import monitoring_round_record
    from jaga.sop.models import LedgerEntry
    from jaga.sop.services import sop_seed_default

    sop_seed_default()
    services.monitor_create(site=site, name="Beranda", kind="http", config={"url": "https://x"})
    entry = LedgerEntry.objects.get(pk=monitoring_round_record.call(site_id=site.pk))
    assert entry.outcome == "failure"
    assert "periksa apakah probe berjalan" in ledger_notes_text(entry.notes)
