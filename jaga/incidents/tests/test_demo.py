"""The incidents demo step, with the real services: every incident page has something to show."""

from __future__ import annotations

from typing import Any

import pytest

from jaga.core import clock
from jaga.core.demo import DemoContext
from jaga.core.models import Role
from jaga.incidents.demo import CAUSES, VENDOR_NAME, demo_fill
from jaga.incidents.models import EntryKind, Incident, State, Tier
from jaga.sop.models import LedgerEntry

pytestmark = pytest.mark.django_db


def test_the_demo_makes_an_acknowledged_an_escalated_and_a_reviewed_incident_once(
    institution: Any, site: Any, make_user: Any
) -> None:
    users = {role: make_user(role, institution) for role in (Role.STAFF_P2TI, Role.KASUBBAG_PTIP, Role.ADMINISTRATOR)}
    ctx = DemoContext(institution=institution, site=site, users=users, base_url=site.base_url, now=clock.now(), days=2)
    demo_fill(ctx=ctx)
    demo_fill(ctx=ctx)
    assert Incident.objects.count() == 3
    acknowledged = Incident.objects.get(cause_key=CAUSES["acknowledged"])
    assert acknowledged.is_open
    assert acknowledged.handler == users[Role.STAFF_P2TI]
    escalated = Incident.objects.get(cause_key=CAUSES["escalated"])
    assert (escalated.tier, escalated.vendor_name, escalated.vendor_ticket) == (
        Tier.VENDOR,
        VENDOR_NAME,
        "MWN-2026-0412",
    )
    assert escalated.timeline.filter(kind=EntryKind.ESCALATION).count() == 2
    assert escalated.timeline.filter(is_alternative=True, worked=False).exists()
    assert escalated.timeline.filter(is_public=True).exists()
    resolved = Incident.objects.get(cause_key=CAUSES["resolved"])
    assert resolved.state == State.RESOLVED
    assert resolved.reviewed_at is not None
    assert not resolved.review_needed
    assert set(LedgerEntry.objects.filter(output_object_id=resolved.pk).values_list("activity_key", flat=True)) == {
        "incident_action", "troubleshooting",
    }  # fmt: skip
    assert "3 insiden dibuat" in ctx.done[0]
    assert "pemeliharaan terjadwal" in ctx.done[0]
    assert ctx.done[1] == "Insiden: sudah ada"
    from jaga.incidents.models import MaintenanceUpdate
    from jaga.incidents.selectors import maintenance_for_site

    update = MaintenanceUpdate.objects.get()  # once, however often the demo runs
    assert update.is_public
    assert update.window.starts_at > ctx.now
    public = maintenance_for_site(site=site, now=ctx.now, public=True)
    assert [(item.window.pk, item.when) for item in public] == [(update.window_id, "upcoming")]
