"""The rate anomaly's baseline is the site's own history: the same hour of the same weekday in earlier weeks."""

from __future__ import annotations

from pathlib import Path

import pytest

from jaga.traffic import services
from jaga.traffic.models import Detection

pytestmark = pytest.mark.django_db

LINE = '{c} - - [{d:02d}/Nov/2026:{h:02d}:{m:02d}:{s:02d} +0700] "GET /?q={n} HTTP/1.1" 200 512 "-" "Mozilla/5.0"'
MONDAYS = (2, 9, 16, 23)  # 1 November 2026 is a Sunday
NEW_MONDAY = 30


def _minutes(day: int, hour: int, minutes: range, per_minute: int) -> list[str]:
    return [
        LINE.format(c=f"198.51.100.{n % 90 + 1}", d=day, h=hour, m=m, s=n * 60 // per_minute, n=n)
        for m in minutes
        for n in range(per_minute)
    ]


def _round(site, tmp_path: Path, name: str, lines: list[str]):  # type: ignore[no-untyped-def]
    log = tmp_path / name
    log.write_text("\n".join(lines) + "\n")
    services.traffic_ingest(site=site, sources=services.sources_for(site=site, paths=[str(log)]))
    return services.traffic_detect(site=site, record=False)


def _anomalies(result) -> list[Detection]:  # type: ignore[no-untyped-def]
    return [d for d in result.detections if d.rule_key == "rate-anomaly"]


def test_a_rush_is_judged_against_the_same_hour_of_earlier_weeks_when_the_round_alone_has_no_baseline(  # type: ignore[no-untyped-def]
    site, tmp_path: Path
) -> None:
    """Four Mondays of 30 requests a minute at 10.00; on the fifth, 400 in one minute. The round holds that
    minute alone (no usual traffic in the 12 hours before it): only the history says it is eight times the
    usual."""
    history = [line for day in MONDAYS for line in _minutes(day, 10, range(10), 30)]
    _round(site, tmp_path, "history.log", history)
    rush = _round(site, tmp_path, "today.log", _minutes(NEW_MONDAY, 10, range(1), 400))
    found = _anomalies(rush)
    assert [(d.key, d.scope) for d in found] == [("*", "site")]
    assert found[0].count == 400  # the new minute's lines, not the history's


def test_a_minute_as_busy_as_that_hour_usually_is_is_no_anomaly_though_the_round_before_it_was_quiet(  # type: ignore[no-untyped-def]
    site, tmp_path: Path
) -> None:
    """Four Mondays of 100 requests a minute at 10.00. On the fifth, an hour of one request a minute, then a
    minute of 400 at 10.00: far above the round's own quiet hour (what the baseline was before), not above
    the site's usual Monday morning."""
    history = [line for day in MONDAYS for line in _minutes(day, 10, range(10), 100)]
    _round(site, tmp_path, "history.log", history)
    today = _minutes(NEW_MONDAY, 9, range(60), 1) + _minutes(NEW_MONDAY, 10, range(1), 400)
    assert _anomalies(_round(site, tmp_path, "today.log", today)) == []


def test_without_history_the_round_is_its_own_baseline(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The same fifth Monday on a new site: the quiet hour is the baseline, and the minute of 400 stands out."""
    today = _minutes(NEW_MONDAY, 9, range(60), 1) + _minutes(NEW_MONDAY, 10, range(1), 400)
    assert [d.key for d in _anomalies(_round(site, tmp_path, "today.log", today))] == ["*"]
