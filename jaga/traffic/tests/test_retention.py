"""Retention: days of lines past the retention period are summed into a summary kept for ever, then deleted;
a day not analysed yet waits; a run that died after summing adds nothing twice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from jaga.traffic import services
from jaga.traffic.ingest import store
from jaga.traffic.models import IngestBatch, TrafficDay
from jaga.traffic.services.retention import traffic_retention_apply

LINE = '203.0.113.{c} - - [{d:02d}/Nov/2026:09:00:{s:02d} +0700] "GET /p/{n} HTTP/1.1" {st} 1048576 "-" "{a}"\n'


def _log(path: Path) -> None:
    lines = [LINE.format(c=n % 3, d=1, s=n, n=n, st=404 if n == 0 else 200, a="Mozilla/5.0") for n in range(6)]
    lines.append(LINE.format(c=9, d=1, s=50, n=50, st=503, a="Googlebot/2.1 (+http://www.google.com/bot.html)"))
    lines += [LINE.format(c=1, d=20, s=n, n=n, st=200, a="Mozilla/5.0") for n in range(4)]
    path.write_text("".join(lines))


def _days(site_id: int) -> list[str]:
    return sorted(d.name for d in store.site_dir(site_id).glob("day=*"))


@pytest.mark.django_db
def test_old_days_are_summed_then_deleted_and_recent_ones_kept(site, tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.JAGA_TRAFFIC_RETENTION_DAYS = 10
    log = tmp_path / "access.log"
    _log(log)
    services.traffic_ingest(site=site, sources=services.sources_for(site=site, paths=[str(log)]))
    now = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)  # 1 November is 24 days back, 20 November 5

    waiting = traffic_retention_apply(now=now)  # nothing analysed yet: every line still waits for detection
    assert waiting.days_deleted == []
    assert waiting.days_waiting == [(site.pk, dt.date(2026, 11, 1))]

    services.traffic_detect(site=site, record=False)
    done = traffic_retention_apply(now=now)
    assert done.days_deleted == [(site.pk, dt.date(2026, 11, 1))]
    assert _days(site.pk) == ["day=2026-11-20"]
    day = TrafficDay.objects.get(site=site, day=dt.date(2026, 11, 1))
    assert (day.hits, day.visitors, day.not_found, day.errors, day.crawler_hits) == (7, 4, 1, 1, 1)
    assert day.megabytes == pytest.approx(7.0)
    assert traffic_retention_apply(now=now).days_deleted == []  # again: nothing more


@pytest.mark.django_db
def test_a_run_that_died_after_summing_adds_nothing_twice(site, tmp_path: Path, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings.JAGA_TRAFFIC_RETENTION_DAYS = 10
    log = tmp_path / "access.log"
    _log(log)
    services.traffic_ingest(site=site, sources=services.sources_for(site=site, paths=[str(log)]))
    IngestBatch.objects.update(analysed=True)
    now = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)

    import shutil

    def dies(_path: object) -> None:
        raise OSError("killed")

    monkeypatch.setattr(shutil, "rmtree", dies)
    with pytest.raises(OSError, match="killed"):
        traffic_retention_apply(now=now)
    monkeypatch.undo()
    assert TrafficDay.objects.get(site=site).hits == 7  # summed, but the lines are still there
    traffic_retention_apply(now=now)
    assert TrafficDay.objects.get(site=site).hits == 7
    assert _days(site.pk) == ["day=2026-11-20"]
