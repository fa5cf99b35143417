"""The demo's visitor log, analysed day by day like a real week: incidents from the day each attack began, the
ones that stopped closed with what was done, the latest still open."""

from __future__ import annotations

import datetime as dt

import pytest

from jaga.core.demo import DemoContext
from jaga.core.models import Role
from jaga.incidents.models import Incident, State
from jaga.sop.models import LedgerEntry
from jaga.traffic import demo
from jaga.traffic.models import Detection
from jaga.traffic.sample import WIB


@pytest.mark.django_db
def test_the_demo_week_opens_incidents_on_their_days_and_closes_the_attacks_that_stopped(site, make_user) -> None:  # type: ignore[no-untyped-def]
    staff = make_user(Role.STAFF_P2TI, site.institution)
    now = dt.datetime(2026, 11, 8, 9, 0, tzinfo=WIB)
    ctx = DemoContext(
        institution=site.institution, site=site, users={Role.STAFF_P2TI: staff}, base_url="http://127.0.0.1:9/",
        now=now, days=4,
    )  # fmt: skip
    demo.demo_fill(ctx=ctx)

    rounds = LedgerEntry.objects.filter(activity_key="traffic", site=site)
    assert rounds.count() == 4  # one analysis round at the end of each day
    assert {entry.started_at.astimezone(WIB).date() for entry in rounds} == {dt.date(2026, 11, d) for d in (4, 5, 6, 7)}
    incidents = list(Incident.objects.filter(site=site, cause_key__startswith="traffic:"))
    assert len(incidents) == len({d.rule_key for d in Detection.objects.filter(site=site, incident__isnull=False)})
    assert len({i.opened_at.astimezone(WIB).date() for i in incidents}) >= 2  # not all at one moment
    closed = [i for i in incidents if i.state == State.RESOLVED]
    still = [i for i in incidents if i.state != State.RESOLVED]
    assert closed
    assert still
    quiet = dt.datetime(2026, 11, 6, 23, 59, tzinfo=WIB)
    for incident in closed:
        last = max(d.last_seen for d in Detection.objects.filter(incident=incident))
        assert last < quiet
        assert incident.resolved_by == staff
        assert "tidak ada lagi deteksi" in incident.resolution_note
    for incident in still:
        assert max(d.last_seen for d in Detection.objects.filter(incident=incident)) >= quiet
    assert "insiden serangan yang sudah berhenti ditutup" in ctx.done[-1]
