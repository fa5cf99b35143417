"""The worker's scheduled round: every site's configured access logs read and analysed; a bad site fails loudly."""

from __future__ import annotations

from pathlib import Path

import pytest

from jaga.core.models import Schedule, Site
from jaga.core.scheduling import schedules_declare_startup
from jaga.traffic import tasks
from jaga.traffic.models import Detection, IngestRun

LINE = '198.51.100.{n} - - [01/Nov/2026:09:00:{s:02d} +0700] "GET /berita HTTP/1.1" 200 512 "-" "Mozilla/5.0"\n'
PROBE = '203.0.113.9 - - [01/Nov/2026:09:01:{s:02d} +0700] "GET /.git/config HTTP/1.1" 404 0 "-" "curl/8"\n'


@pytest.mark.django_db
def test_the_schedule_is_declared_at_start_and_off_at_zero(settings) -> None:  # type: ignore[no-untyped-def]
    settings.JAGA_TRAFFIC_INTERVAL = 120
    assert schedules_declare_startup() == []
    schedule = Schedule.objects.get(key=tasks.SCHEDULE_KEY)
    assert schedule.interval_seconds == 120
    assert schedule.task_path == "jaga.traffic.tasks.traffic_sites_ingest"
    settings.JAGA_TRAFFIC_INTERVAL = 0
    tasks.traffic_schedules_ensure()
    assert not Schedule.objects.filter(key=tasks.SCHEDULE_KEY).exists()


@pytest.mark.django_db
def test_the_round_reads_each_sites_sources_and_a_bad_one_fails_the_task_after_the_others(  # type: ignore[no-untyped-def]
    site, tmp_path: Path
) -> None:
    log = tmp_path / "access.log"
    log.write_text("".join(LINE.format(n=i, s=i) for i in range(20)) + PROBE.format(s=1))
    site.access_log_paths = str(tmp_path / "access.log*")
    site.save()
    assert tasks.traffic_sites_ingest.call() == "1 sites, 21 lines, 1 findings"
    assert Detection.objects.get(site=site, rule_key="sensitive-files").key == "203.0.113.9"

    with log.open("a") as handle:  # the next round reads only what was added
        handle.write(PROBE.format(s=2))
    broken = Site.objects.create(
        institution=site.institution, name="rusak", base_url="https://rusak.example/", access_log_paths=str(tmp_path)
    )
    broken.log_sources.create(path=str(tmp_path / "*.log"), format_key="nginx", format_spec="$nothing")
    with pytest.raises(RuntimeError, match="rusak"):
        tasks.traffic_sites_ingest.call()
    assert Detection.objects.get(site=site, rule_key="sensitive-files").count == 2
    assert IngestRun.objects.filter(site=site).count() == 2
