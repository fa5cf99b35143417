"""Running the first-response diagnostics (:mod:`jaga.incidents.diagnostics`) and writing them on the timeline.

The worker (``incidents.tasks.incident_diagnose``, when an incident of a kind that asks for them opens, or
when a person asks again) asks every live probe (:func:`jaga.monitoring.engine.errands.probes_live`): one
:class:`~jaga.incidents.models.DiagnosticRequest` each, which the probe claims, runs from where it stands and
answers with a timeline entry under its name (:mod:`jaga.incidents.probe_errand`). With no live probe the
worker runs them itself, and the entry says so. A request not answered within :data:`ANSWER_WITHIN` is
marked expired by the sweep, on the timeline too. Never in the web request.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _gettext
from django.utils.translation import override

from jaga.core import clock, http
from jaga.core.sentences import say, sentence_dump
from jaga.incidents.diagnostics import Target, diagnostics_run, diagnostics_text, target_for
from jaga.incidents.models import DiagnosticRequest, EntryKind, Incident, TimelineEntry

# An incident opened with an ``at`` older than this (an import, a back-dated report) is not diagnosed on opening.
DIAGNOSE_WITHIN = dt.timedelta(minutes=15)
# Four steps of at most a monitor's timeout each, and a probe that claims every 2 s: 3 minutes is generous.
ANSWER_WITHIN = dt.timedelta(minutes=3)
WORKER = "worker"  # the entry's ``ran_in`` when no probe was live

RequestState = DiagnosticRequest.RequestState


def _system_text(message: str, **params: Any) -> str:
    """A system line of the timeline, as a sentence (see jaga.incidents.services._system_text)."""
    return sentence_dump(say(message, **params))


def _indonesian(message: str, **params: Any) -> str:
    """The first line of a diagnostic entry's text (the page draws its steps; the text is for the evidence)."""
    with override("id"):
        return _gettext(message) % params


def incident_diagnosable(*, incident: Incident) -> bool:
    """Does the incident's kind ask for diagnostics (the outage)?"""
    from jaga.incidents.kinds import REGISTRY

    return incident.kind in REGISTRY and bool(REGISTRY.get(incident.kind).diagnose)


def incident_diagnostics_enqueue(*, incident_id: int, user_id: int | None = None) -> None:
    """Queue the diagnostics once the surrounding transaction commits (the worker must see the incident)."""
    from jaga.incidents.tasks import incident_diagnose

    transaction.on_commit(lambda: incident_diagnose.enqueue(incident_id=incident_id, user_id=user_id), robust=True)


def diagnosis_target(*, incident: Incident) -> tuple[Target, http.AddressPolicy]:
    """What to diagnose for the incident (its monitor's URL and resolver, else its site) and the address guard."""
    monitor = None
    monitor_id = incident.details.get("monitor_id")
    if monitor_id:
        from jaga.monitoring.models import Monitor

        monitor = Monitor.objects.filter(pk=monitor_id, site=incident.site).first()
    target = target_for(site=incident.site, monitor=monitor)
    return target, http.AddressPolicy.for_institution(incident.site.institution)


def _entry_text(result: dict[str, Any]) -> str:
    where = result.get("probe") or _indonesian("worker (tidak ada probe aktif)")
    return f"{_indonesian('Diagnosis dari %(where)s', where=where)}\n{diagnostics_text(result)}"


def incident_diagnose_now(*, incident_id: int, user: Any = None) -> dict[str, Any] | None:
    """Ask every live probe for the incident's diagnostics, or run them here when none is live.

    Returns ``{"probes": [names]}`` or ``{"entry": pk}`` (run in the worker); ``None`` when the incident is gone.
    """
    from jaga.monitoring.engine.errands import probes_live

    incident = Incident.objects.select_related("site__institution").filter(pk=incident_id).first()
    if incident is None:
        return None
    now = clock.now()
    trigger = "person" if user is not None else "opened"
    probes = probes_live(now=now)
    if probes:
        names = [probe["name"] for probe in probes]
        with transaction.atomic():
            DiagnosticRequest.objects.bulk_create(
                DiagnosticRequest(incident=incident, probe=name, requested_at=now, requested_by=user, trigger=trigger)
                for name in names
            )
            TimelineEntry.objects.create(
                incident=incident, kind=EntryKind.SYSTEM, at=now, author=user,
                text=_system_text("Diagnosis diminta dari probe: %(names)s.", names=", ".join(names)),
                data={"event": "diagnostics_requested", "probes": names, "trigger": trigger},
            )  # fmt: skip
        return {"probes": names}
    target, policy = diagnosis_target(incident=incident)
    result = asyncio.run(diagnostics_run(target, policy=policy))
    result.update(trigger=trigger, probe="", ran_in=WORKER)
    entry = TimelineEntry.objects.create(
        incident=incident, kind=EntryKind.DIAGNOSTIC, at=clock.now(), author=user,
        text=_entry_text(result), data=result,
    )  # fmt: skip
    return {"entry": entry.pk}


def diagnostic_requests_claim(*, probe_name: str, now: dt.datetime, limit: int) -> list[DiagnosticRequest]:
    """The requests waiting for this probe, each taken with a conditional update (two processes of one name
    never take the same), oldest first; with their incident, site and institution read."""
    waiting = DiagnosticRequest.objects.filter(probe=probe_name, state=RequestState.PENDING).order_by("requested_at")
    taken = []
    for pk in list(waiting.values_list("pk", flat=True)[:limit]):
        claimed = DiagnosticRequest.objects.filter(pk=pk, state=RequestState.PENDING).update(
            state=RequestState.RUNNING, claimed_at=now
        )
        if claimed:
            taken.append(pk)
    return list(
        DiagnosticRequest.objects.filter(pk__in=taken)
        .select_related("incident__site__institution", "requested_by")
        .order_by("requested_at", "pk")
    )


def diagnostic_request_answer(
    *,
    request: DiagnosticRequest,
    result: dict[str, Any] | None,
    error: str,
    location: str = "",
    control_ok: bool = True,
    now: dt.datetime,
) -> TimelineEntry:
    """Write a probe's answer on the timeline under its name (a late answer too: it is still a fact).

    ``control_ok`` False: the probe could not reach its own control target, so what it could not reach says
    nothing about the site (as its checks say *probe offline*); the answer is kept and marked so."""
    with transaction.atomic():
        fresh = DiagnosticRequest.objects.select_for_update().select_related("incident").get(pk=request.pk)
        if result is None:
            entry = TimelineEntry.objects.create(
                incident=fresh.incident, kind=EntryKind.SYSTEM, at=now, author=request.requested_by,
                text=_system_text("Diagnosis dari probe %(probe)s gagal: %(error)s", probe=fresh.probe, error=error),
                data={"event": "diagnostics_failed", "probe": fresh.probe, "error": error},
            )  # fmt: skip
        else:
            result = {
                **result, "trigger": fresh.trigger, "probe": fresh.probe, "location": location, "ran_in": "probe",
                "probe_control_ok": control_ok,
            }  # fmt: skip
            entry = TimelineEntry.objects.create(
                incident=fresh.incident, kind=EntryKind.DIAGNOSTIC, at=now, author=request.requested_by,
                text=_entry_text(result), data=result,
            )  # fmt: skip
        fresh.state = RequestState.DONE
        fresh.finished_at = now
        fresh.entry = entry
        fresh.save(update_fields=["state", "finished_at", "entry"])
    return entry


def diagnostic_requests_expire(*, now: dt.datetime) -> int:
    """The sweep (every minute): requests no probe answered within :data:`ANSWER_WITHIN` are marked expired,
    each with a line on its incident's timeline. Returns how many."""
    late = DiagnosticRequest.objects.filter(
        state__in=(RequestState.PENDING, RequestState.RUNNING), requested_at__lt=now - ANSWER_WITHIN
    )
    expired = 0
    for request in late.select_related("incident"):
        with transaction.atomic():
            if not DiagnosticRequest.objects.filter(pk=request.pk, state=request.state).update(
                state=RequestState.EXPIRED, finished_at=now
            ):
                continue  # answered meanwhile
            minutes = int(ANSWER_WITHIN.total_seconds() // 60)
            TimelineEntry.objects.create(
                incident=request.incident, kind=EntryKind.SYSTEM, at=now,
                text=_system_text(
                    "Probe %(probe)s tidak menjawab permintaan diagnosis dalam %(minutes)s menit.",
                    probe=request.probe, minutes=minutes,
                ),
                data={"event": "diagnostics_expired", "probe": request.probe, "state": request.state},
            )  # fmt: skip
            expired += 1
    return expired


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
