from __future__ import annotations

import datetime as dt

from jaga.core.models import Site
from jaga.sop.selectors import State, activity_compliance, activity_status_list, ledger_last_by_activity
from jaga.sop.services import ledger_record

NOW = dt.datetime(2026, 11, 24, 7, 5, tzinfo=dt.UTC)  # 14.05 WIB
KEYS = {
    1: "monitoring",
    2: "backup",
    3: "traffic",
    4: "renewal",
    5: "report",
    6: "incident_action",
    7: "troubleshooting",
}


def _record(institution, number, ended_at, *, minutes=1, site=None, outcome="success"):  # type: ignore[no-untyped-def]
    return ledger_record(
        activity_key=KEYS[number], institution=institution, site=site, outcome=outcome,
        started_at=ended_at - dt.timedelta(minutes=minutes), ended_at=ended_at,
    )  # fmt: skip


def _states(institution, site=None):  # type: ignore[no-untyped-def]
    return {s.activity.number: s for s in activity_status_list(institution=institution, site=site, now=NOW)}


def test_it_says_never_when_nothing_was_recorded(institution, template) -> None:  # type: ignore[no-untyped-def]
    states = _states(institution)
    assert [s.state for s in states.values()] == [State.NEVER] * 7
    assert states[1].next_due is None


def test_it_computes_next_due_from_the_last_execution(institution, template) -> None:  # type: ignore[no-untyped-def]
    _record(institution, 1, NOW - dt.timedelta(minutes=30))
    status = _states(institution)[1]
    assert status.state == State.OK
    assert status.next_due == NOW - dt.timedelta(minutes=30) + dt.timedelta(hours=2)


def test_it_says_due_near_the_end_of_the_interval(institution, template) -> None:  # type: ignore[no-untyped-def]
    _record(institution, 2, NOW - dt.timedelta(hours=5, minutes=30))
    assert _states(institution)[2].state == State.DUE


def test_it_says_overdue_once_the_interval_passed(institution, template) -> None:  # type: ignore[no-untyped-def]
    _record(institution, 1, NOW - dt.timedelta(hours=2, minutes=1))
    assert _states(institution)[1].state == State.OVERDUE


def test_a_failure_does_not_reset_the_rhythm(institution, template) -> None:  # type: ignore[no-untyped-def]
    _record(institution, 1, NOW - dt.timedelta(hours=3))
    failed = _record(institution, 1, NOW - dt.timedelta(minutes=5), outcome="failure")
    status = _states(institution)[1]
    assert status.last == failed
    assert status.state == State.OVERDUE


def test_relative_activities_only_show_last_done(institution, template) -> None:  # type: ignore[no-untyped-def]
    _record(institution, 6, NOW - dt.timedelta(days=90))
    status = _states(institution)[6]
    assert status.state == State.DONE
    assert status.next_due is None


def test_it_keeps_sites_apart(institution, site, template) -> None:  # type: ignore[no-untyped-def]
    other = Site.objects.create(institution=institution, name="Situs kedua", base_url="http://127.0.0.1:9/b")
    _record(institution, 1, NOW - dt.timedelta(minutes=10), site=other)
    assert _states(institution, site)[1].state == State.NEVER
    assert _states(institution, other)[1].state == State.OK
    assert _states(institution)[1].state == State.OK


def test_it_picks_the_latest_record_per_activity(institution, other_institution, template) -> None:  # type: ignore[no-untyped-def]
    _record(institution, 1, NOW - dt.timedelta(hours=4))
    latest = _record(institution, 1, NOW - dt.timedelta(hours=1))
    _record(other_institution, 1, NOW)
    assert ledger_last_by_activity(institution=institution) == {1: latest}


def test_it_computes_the_on_time_rate_for_a_period(institution, template) -> None:  # type: ignore[no-untyped-def]
    day = dt.datetime(2026, 11, 10, 3, 0, tzinfo=dt.UTC)
    _record(institution, 5, day, minutes=10)  # met
    _record(institution, 5, day + dt.timedelta(hours=1), minutes=14)  # met
    _record(institution, 5, day + dt.timedelta(days=1), minutes=20)  # missed
    _record(institution, 5, day + dt.timedelta(days=3), minutes=30)  # missed
    _record(institution, 5, day - dt.timedelta(days=20), minutes=30)  # outside the period
    result = activity_compliance(
        institution=institution, activity_number=5, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30)
    )
    assert result.total == 4
    assert result.with_standard == 4
    assert result.on_time == 2
    assert result.rate == 0.5
    assert len(result.per_day) == 30
    assert dict(result.per_day)[dt.date(2026, 11, 10)] == 2
    assert dict(result.per_day)[dt.date(2026, 11, 11)] == 1


def test_it_counts_days_in_the_institutions_time_zone(institution, template) -> None:  # type: ignore[no-untyped-def]
    # 23.30 UTC on the 9th is 06.30 WIB on the 10th.
    _record(institution, 1, dt.datetime(2026, 11, 9, 23, 30, tzinfo=dt.UTC))
    result = activity_compliance(
        institution=institution, activity_number=1, start=dt.date(2026, 11, 10), end=dt.date(2026, 11, 10)
    )
    assert result.per_day == [(dt.date(2026, 11, 10), 1)]


def test_it_has_no_rate_for_relative_activities(institution, template) -> None:  # type: ignore[no-untyped-def]
    _record(institution, 7, NOW)
    result = activity_compliance(institution=institution, activity_number=7, start=NOW.date(), end=NOW.date())
    assert result.total == 1
    assert result.rate is None


def test_it_gives_every_site_the_same_statuses_in_one_go(  # type: ignore[no-untyped-def]
    institution, site, template, django_assert_max_num_queries
) -> None:
    from jaga.sop.selectors import activity_status_lists_by_site

    other = Site.objects.create(institution=institution, name="Situs kedua", base_url="http://127.0.0.1:9/b")
    _record(institution, 1, NOW - dt.timedelta(minutes=10), site=other)
    _record(institution, 1, NOW - dt.timedelta(minutes=5), site=other, outcome="failure")
    _record(institution, 2, NOW - dt.timedelta(days=3), site=site)

    with django_assert_max_num_queries(8):
        per_site = activity_status_lists_by_site(institution=institution, sites=[site, other], now=NOW)

    for each in (site, other):
        one_by_one = activity_status_list(institution=institution, site=each, now=NOW)
        assert [(s.activity.number, s.state, s.last, s.last_done, s.next_due) for s in per_site[each.pk]] == [
            (s.activity.number, s.state, s.last, s.last_done, s.next_due) for s in one_by_one
        ]
    last = per_site[other.pk][0].last
    assert last is not None
    assert last.outcome == "failure"
