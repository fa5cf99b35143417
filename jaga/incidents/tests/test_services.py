"""The one door: one incident per open cause, repeats on its timeline, causes cleared per kind."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jaga.core import clock
from jaga.core.audit import actor_system
from jaga.core.models import AuditAction, AuditEvent
from jaga.core.registry import UnknownEntry
from jaga.incidents.models import EntryKind, Incident, State
from jaga.incidents.services import (
    IncidentReport,
    incident_cause_cleared,
    incident_open_or_update,
    incidents_open_or_update,
)
from jaga.incidents.verify import incidents_verify_waiting
from jaga.monitoring.models import CheckResult, Monitor
from jaga.monitoring.services import Transition
from jaga.monitoring.signals import monitor_status_changed

NOW = dt.datetime(2026, 12, 2, 3, 0, tzinfo=dt.UTC)


def open_outage(site: Any, **kw: Any) -> Incident:
    return incident_open_or_update(site=site, kind="outage", cause_key="monitor:1", summary="turun", **kw)


def test_a_repeat_of_the_same_cause_adds_to_the_open_incident(site: Any) -> None:
    first = open_outage(site, at=NOW)
    again = open_outage(site, at=NOW + dt.timedelta(minutes=1), details={"reason": "timeout"})
    assert again.pk == first.pk
    assert Incident.objects.count() == 1
    again.refresh_from_db()
    assert again.occurrences == 2
    assert again.details["reason"] == "timeout"
    assert again.severity == "kritis"  # the outage kind's default
    assert [e.data["event"] for e in again.timeline.order_by("at")] == ["opened", "repeat"]


def test_another_cause_or_a_resolved_one_opens_a_new_incident(site: Any) -> None:
    first = open_outage(site, at=NOW)
    other = incident_open_or_update(site=site, kind="outage", cause_key="monitor:2", summary="turun")
    assert other.pk != first.pk
    incident_cause_cleared(site=site, kind="backup_failed", cause_key="x")  # nothing open: nothing happens
    backup = incident_open_or_update(site=site, kind="backup_failed", cause_key="plan:1", summary="gagal")
    assert incident_cause_cleared(site=site, kind="backup_failed", cause_key="plan:1").state == State.RESOLVED
    again = incident_open_or_update(site=site, kind="backup_failed", cause_key="plan:1", summary="gagal lagi")
    assert again.pk != backup.pk
    assert again.state == State.INVESTIGATING


def test_a_repeat_raises_the_severity_but_never_lowers_it(site: Any) -> None:
    incident = incident_open_or_update(site=site, kind="manual", cause_key="k", summary="s", severity="rendah")
    incident = incident_open_or_update(site=site, kind="manual", cause_key="k", summary="s", severity="tinggi")
    incident = incident_open_or_update(site=site, kind="manual", cause_key="k", summary="s", severity="sedang")
    assert incident.severity == "tinggi"


def test_the_kind_decides_the_severity_from_the_details(site: Any) -> None:
    spam = incident_open_or_update(
        site=site, kind="integrity", cause_key="a", summary="s", details={"codes": ["gambling_spam"]}
    )
    deface = incident_open_or_update(
        site=site, kind="integrity", cause_key="b", summary="s", details={"codes": ["defacement"]}
    )
    assert (spam.severity, deface.severity) == ("tinggi", "kritis")


def test_an_unknown_kind_is_refused(site: Any) -> None:
    with pytest.raises(UnknownEntry):
        incident_open_or_update(site=site, kind="renewal_overdue", cause_key="k", summary="s")
    assert not Incident.objects.exists()


def _report(site: Any, key: str, **kw: Any) -> IncidentReport:
    return IncidentReport(site=site, kind="traffic_detection", cause_key=key, summary=f"deteksi {key}", **kw)


def test_a_batch_answers_each_report_in_order_opening_or_repeating_its_cause(site: Any) -> None:
    known = incidents_open_or_update(reports=[_report(site, "traffic:a", at=NOW)])[0]
    later = NOW + dt.timedelta(minutes=5)
    answer = incidents_open_or_update(
        reports=[
            _report(site, "traffic:b", at=later, details={"count": 3}),
            _report(site, "traffic:a", at=later, details={"count": 9}),
            _report(site, "traffic:b", at=later + dt.timedelta(minutes=1), details={"count": 4}),
        ]
    )
    assert [i.cause_key for i in answer] == ["traffic:b", "traffic:a", "traffic:b"]
    assert answer[1].pk == known.pk
    assert answer[0].pk == answer[2].pk != known.pk
    a, b = Incident.objects.get(pk=known.pk), Incident.objects.get(pk=answer[0].pk)
    assert (a.occurrences, a.details["count"], a.last_seen_at) == (2, 9, later)
    assert (b.occurrences, b.details["count"], b.last_seen_at) == (2, 4, later + dt.timedelta(minutes=1))
    assert [e.data["event"] for e in b.timeline.all()] == ["opened", "repeat"]
    assert [e.data["event"] for e in a.timeline.all()] == ["opened", "repeat"]


def test_a_batch_of_repeats_costs_the_same_queries_for_two_causes_as_for_twenty(site: Any) -> None:
    keys = [f"traffic:rule-{i}" for i in range(20)]
    with actor_system("tes"):  # the trail's content types read once, before counting
        incidents_open_or_update(reports=[_report(site, key, at=NOW) for key in keys])
    with actor_system("tes"), CaptureQueriesContext(connection) as two:  # the audit trail listening too
        incidents_open_or_update(reports=[_report(site, key, severity="kritis") for key in keys[:2]])
    with actor_system("tes"), CaptureQueriesContext(connection) as twenty:
        incidents_open_or_update(reports=[_report(site, key, severity="kritis") for key in keys])

    def counted(queries: CaptureQueriesContext) -> tuple[int, int]:
        audit = sum(1 for q in queries.captured_queries if "core_auditevent" in q["sql"])
        return len(queries.captured_queries) - audit, audit

    # The same statements for 2 causes as for 20; the trail's own events are one per change, as each save()
    # would have written, without reading any incident again: 2 severities raised and 2 timeline entries,
    # then 18 severities raised (the first 2 are kritis already) and 20 entries.
    assert counted(twenty)[0] == counted(two)[0]
    assert (counted(two)[1], counted(twenty)[1]) == (2 + 2, 18 + 20)
    assert Incident.objects.filter(occurrences=3).count() == 2
    assert Incident.objects.filter(occurrences=2).count() == 18


def test_a_batch_is_heard_by_the_audit_trail_as_each_save_would_be(site: Any) -> None:
    first = incident_open_or_update(site=site, kind="manual", cause_key="k", summary="s", severity="rendah")
    with actor_system("tes"):
        incidents_open_or_update(
            reports=[IncidentReport(site=site, kind="manual", cause_key="k", summary="s", severity="tinggi")]
        )
    update = AuditEvent.objects.get(action=AuditAction.UPDATE, content_type__model="incident")
    assert update.object_id == str(first.pk)
    assert update.changes["severity"] == ["rendah", "tinggi"]
    assert update.via == "tes"
    entry = first.timeline.get(data__event="repeat")
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, content_type__model="timelineentry", object_id=str(entry.pk)
    ).exists()


def test_a_batch_with_an_unknown_kind_writes_nothing(site: Any) -> None:
    with pytest.raises(UnknownEntry):
        incidents_open_or_update(
            reports=[_report(site, "traffic:a"), IncidentReport(site=site, kind="nope", cause_key="k", summary="s")]
        )
    assert not Incident.objects.exists()
    assert incidents_open_or_update(reports=[]) == []


def _result(monitor: Monitor, status: str, at: dt.datetime) -> None:
    CheckResult.objects.create(monitor=monitor, probe="p1", checked_at=at, status=status)


def _send(monitor: Monitor, to_status: str, at: dt.datetime, **kw: Any) -> None:
    transition = Transition(
        monitor_id=monitor.pk, from_status="up", to_status=to_status, reason="koneksi ditolak", at=at, **kw
    )
    monitor_status_changed.send_robust(sender=Monitor, monitor=monitor, transition=transition)


def test_an_outage_opens_through_the_signal_and_resolves_only_when_the_monitor_confirms(
    site: Any, settings: Any
) -> None:
    settings.JAGA_INCIDENT_RESOLVE_CHECKS = 3
    monitor = Monitor.objects.create(site=site, name="Beranda", kind="http", config={})
    _send(monitor, "down", NOW, probes=["p1", "p2"])
    incident = Incident.objects.get()
    assert (incident.kind, incident.cause_key, incident.details["monitor_id"]) == (
        "outage",
        f"monitor:{monitor.pk}",
        monitor.pk,
    )
    up_at = NOW + dt.timedelta(minutes=5)
    _result(monitor, "up", up_at)
    _send(monitor, "up", up_at)
    incident.refresh_from_db()
    assert incident.state == State.MONITORING  # one check is not a confirmation
    _result(monitor, "up", up_at + dt.timedelta(minutes=1))
    _result(monitor, "probe_offline", up_at + dt.timedelta(minutes=2))  # says nothing about the site
    assert incidents_verify_waiting(now=up_at + dt.timedelta(minutes=2)) == 0
    _result(monitor, "up", up_at + dt.timedelta(minutes=3))
    assert incidents_verify_waiting(now=up_at + dt.timedelta(minutes=3)) == 1
    incident.refresh_from_db()
    assert incident.state == State.RESOLVED
    assert incident.resolved_at == up_at + dt.timedelta(minutes=3)
    assert incident.timeline.filter(kind=EntryKind.STATE, data__event="monitor_confirmed").exists()


def test_a_failed_check_while_monitoring_starts_the_count_again(site: Any, settings: Any) -> None:
    settings.JAGA_INCIDENT_RESOLVE_CHECKS = 2
    monitor = Monitor.objects.create(site=site, name="Beranda", kind="http", config={})
    _send(monitor, "down", NOW)
    _result(monitor, "up", NOW + dt.timedelta(minutes=1))
    _send(monitor, "up", NOW + dt.timedelta(minutes=1))
    _result(monitor, "down", NOW + dt.timedelta(minutes=2))
    _result(monitor, "up", NOW + dt.timedelta(minutes=3))
    assert incidents_verify_waiting(now=NOW + dt.timedelta(minutes=3)) == 0
    # down again before it was confirmed: back to Investigating, on the same incident
    _send(monitor, "down", NOW + dt.timedelta(minutes=4))
    incident = Incident.objects.get()
    assert incident.state == State.INVESTIGATING
    assert incident.occurrences == 2


def test_freshness_resolves_when_its_monitor_no_longer_reports_the_cause(site: Any) -> None:
    monitor = Monitor.objects.create(site=site, name="Berita", kind="freshness", config={})
    _send(monitor, "degraded", NOW)
    incident = Incident.objects.get()
    assert incident.kind == "content_stale"
    assert incident.severity == "sedang"
    _send(monitor, "up", NOW + dt.timedelta(hours=1))
    incident.refresh_from_db()
    assert incident.state == State.RESOLVED


def test_a_change_inside_a_maintenance_window_opens_nothing(site: Any) -> None:
    monitor = Monitor.objects.create(site=site, name="Beranda", kind="http", config={})
    _send(monitor, "down", NOW, in_maintenance=True)
    assert not Incident.objects.exists()


def test_a_cleared_cause_of_a_kind_verified_by_a_person_waits_in_monitoring(site: Any) -> None:
    incident_open_or_update(site=site, kind="traffic_detection", cause_key="rule:sqli", summary="s")
    incident = incident_cause_cleared(site=site, kind="traffic_detection", cause_key="rule:sqli", note="reda")
    assert incident is not None
    assert incident.state == State.MONITORING
    with clock.frozen(NOW):
        assert incidents_verify_waiting(now=NOW) == 0  # not an outage: no monitor resolves it


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_probes_reporting_the_same_outage_at_once_open_one_incident_on_postgresql(site: Any) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL run (make test-postgres): threads need a server database")
    for round_ in range(5):
        start = threading.Barrier(4)
        outcomes: list[Any] = []

        def report(round_: int = round_, start: Any = start, outcomes: list[Any] = outcomes) -> None:
            from django.db import connection

            start.wait()
            try:
                outcomes.append(
                    incident_open_or_update(site=site, kind="outage", cause_key=f"monitor:{round_}", summary="turun").pk
                )
            except Exception as exc:
                outcomes.append(repr(exc))
            finally:
                connection.close()

        threads = [threading.Thread(target=report) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert all(isinstance(o, int) for o in outcomes), outcomes
        assert len(set(outcomes)) == 1, outcomes
        incident = Incident.objects.get(cause_key=f"monitor:{round_}")
        assert incident.occurrences == 4
        assert incident.timeline.count() == 4
