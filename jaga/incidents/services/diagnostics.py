"""Running the first-response diagnostics (:mod:`jaga.incidents.diagnostics`) and writing them on the timeline.

Called by the worker only (``incidents.tasks.incident_diagnose``): when an incident of a kind that asks for
them opens, and when a person asks again from the incident page.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from django.db import transaction

from jaga.core import clock, http
from jaga.incidents.diagnostics import diagnostics_run, diagnostics_text, target_for
from jaga.incidents.models import EntryKind, Incident, TimelineEntry

# An incident opened with an ``at`` older than this (an import, a back-dated report) is not diagnosed on opening.
DIAGNOSE_WITHIN = dt.timedelta(minutes=15)


def incident_diagnosable(*, incident: Incident) -> bool:
    """Does the incident's kind ask for diagnostics (the outage)?"""
    from jaga.incidents.kinds import REGISTRY

    return incident.kind in REGISTRY and bool(REGISTRY.get(incident.kind).diagnose)


def incident_diagnostics_enqueue(*, incident_id: int, user_id: int | None = None) -> None:
    """Queue the diagnostics once the surrounding transaction commits (the worker must see the incident)."""
    from jaga.incidents.tasks import incident_diagnose

    transaction.on_commit(lambda: incident_diagnose.enqueue(incident_id=incident_id, user_id=user_id), robust=True)


def incident_diagnose_now(*, incident_id: int, user: Any = None) -> TimelineEntry | None:
    """Run the diagnostics for an incident and attach them. ``None`` when the incident is gone."""
    incident = Incident.objects.select_related("site__institution").filter(pk=incident_id).first()
    if incident is None:
        return None
    monitor = None
    monitor_id = incident.details.get("monitor_id")
    if monitor_id:
        from jaga.monitoring.models import Monitor

        monitor = Monitor.objects.filter(pk=monitor_id, site=incident.site).first()
    target = target_for(site=incident.site, monitor=monitor)
    policy = http.AddressPolicy.for_institution(incident.site.institution)
    result = asyncio.run(diagnostics_run(target, policy=policy))
    result["trigger"] = "person" if user is not None else "opened"
    return TimelineEntry.objects.create(
        incident=incident, kind=EntryKind.DIAGNOSTIC, at=clock.now(), author=user,
        text=diagnostics_text(result), data=result,
    )  # fmt: skip


def incident_diagnostics_request(*, incident: Incident, user: Any) -> None:
    """A person asks for the diagnostics again (the incident page's button, the API)."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    from jaga.incidents.services.workflow import incident_may_act

    if not incident_may_act(user=user, incident=incident):
        raise PermissionDenied(_("Anda tidak dapat menangani insiden ini."))
    if not incident_diagnosable(incident=incident):
        raise PermissionDenied(_("Diagnosis hanya untuk insiden situs tidak dapat diakses."))
    incident_diagnostics_enqueue(incident_id=incident.pk, user_id=user.pk)
