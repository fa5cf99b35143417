"""The incidents app's writes. Every app opens its problems through :func:`incident_open_or_update` and
clears them through :func:`incident_cause_cleared`; nothing else creates an incident for a cause.

One incident per open cause (``site`` + ``kind`` + ``cause_key``): a repeat adds a timeline entry. Two
reporters at once (two probes seeing the same outage) race on the partial unique constraint
``incident_one_open_per_cause``; the loser's insert fails and it retries as a repeat.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_noop

from jaga.core import clock
from jaga.core.sentences import say, sentence_dump
from jaga.incidents import events
from jaga.incidents.kinds import REGISTRY
from jaga.incidents.kinds.base import SEVERITY_RANK, IncidentKind, Resolution, Severity
from jaga.incidents.models import EntryKind, Incident, State, TimelineEntry
from jaga.incidents.services.ledger import incident_ledger_record

logger = logging.getLogger(__name__)

RETRIES = 3


def _system_text(message: str, **params: Any) -> str:
    """What Jaga itself writes on a timeline (or as a resolution note), stored as a sentence (its Indonesian msgid
    and values, :mod:`jaga.core.sentences`) that each page and message reads in its reader's language
    (``|said``, :func:`jaga.core.sentences.sentence_read`); a person's words are stored as written."""
    return sentence_dump(say(message, **params))


def _worded(incident: Incident, summary: str) -> str:
    """A timeline line naming what was reported: the kind's sentence when it has one, the summary otherwise."""
    sentence = incident.title_sentence()
    return sentence_dump(sentence) if isinstance(sentence, dict) else summary


def _open_incident(*, site: Any, kind: str, cause_key: str, lock: bool) -> Incident | None:
    queryset = Incident.objects.filter(site=site, kind=kind, cause_key=cause_key).exclude(state=State.RESOLVED)
    if lock:
        queryset = queryset.select_for_update()
    return queryset.first()


def timeline_add(
    *,
    incident: Incident,
    kind: str,
    text: str = "",
    at: datetime | None = None,
    author: Any = None,
    data: dict[str, Any] | None = None,
    **fields: Any,
) -> TimelineEntry:
    return TimelineEntry.objects.create(
        incident=incident, kind=kind, text=text, at=at or clock.now(), author=author, data=data or {}, **fields
    )


def incident_open_or_update(
    *,
    site: Any,
    kind: str,
    cause_key: str,
    summary: str,
    details: dict[str, Any] | None = None,
    severity: str | None = None,
    at: datetime | None = None,
    source: str | None = None,
) -> Incident:
    """Open the incident of this cause, or add the repeat to the one that is open.

    ``kind`` is a key of :data:`jaga.incidents.kinds.REGISTRY` (an unknown key raises
    :class:`~jaga.core.registry.UnknownEntry`); ``severity`` overrides the kind's rule; a repeat may raise an
    open incident's severity, never lower it. A cause reported again while its incident waits in Monitoring
    sends it back to Investigating.
    """
    implementation: IncidentKind = REGISTRY.get(kind)
    details = dict(details or {})
    at = at or clock.now()
    if severity is not None:
        severity = Severity(severity).value
    for attempt in range(RETRIES):
        try:
            with transaction.atomic():
                existing = _open_incident(site=site, kind=kind, cause_key=cause_key, lock=True)
                if existing is not None:
                    return _repeat(existing, summary=summary, details=details, severity=severity, at=at)
                incident = Incident.objects.create(
                    site=site,
                    kind=kind,
                    cause_key=cause_key[:200],
                    summary=summary[:500],
                    details=details,
                    source=(source or "")[:40],
                    severity=severity or implementation.severity_for(details).value,
                    opened_at=at,
                    last_seen_at=at,
                    tier_since=at,
                )
                timeline_add(
                    incident=incident, kind=EntryKind.SYSTEM, at=at, text=_worded(incident, summary),
                    data={"event": "opened", "source": source or "", "details": details},
                )  # fmt: skip
                events.announce_opened(incident.pk)
                if implementation.diagnose:
                    from jaga.incidents.services.diagnostics import DIAGNOSE_WITHIN, incident_diagnostics_enqueue

                    # Diagnostics are facts of the present: an opening reported long after the fact gets none.
                    if clock.now() - at <= DIAGNOSE_WITHIN:
                        incident_diagnostics_enqueue(incident_id=incident.pk)
                return incident
        except IntegrityError:
            # Another reporter opened it between our read and our insert: it is a repeat now.
            logger.info("incident for %s/%s/%s opened concurrently (attempt %s)", site.pk, kind, cause_key, attempt)
            continue
    raise RuntimeError(f"incident {site.pk}/{kind}/{cause_key}: could not open or update after {RETRIES} attempts")


def _repeat(
    incident: Incident, *, summary: str, details: dict[str, Any], severity: str | None, at: datetime
) -> Incident:
    incident.occurrences += 1
    incident.last_seen_at = max(incident.last_seen_at, at)
    incident.details = {**incident.details, **details}
    data: dict[str, Any] = {"event": "repeat", "details": details}
    fields = ["occurrences", "last_seen_at", "details"]
    if severity and SEVERITY_RANK[Severity(severity)] > SEVERITY_RANK[Severity(incident.severity)]:
        data["severity"] = [incident.severity, severity]
        incident.severity = severity
        fields.append("severity")
    if incident.state == State.MONITORING and incident.cause_cleared_at is not None:
        # It came back before it was confirmed over: the work is not done.
        data["state"] = [incident.state, State.INVESTIGATING.value]
        incident.state = State.INVESTIGATING
        incident.cause_cleared_at = None
        fields += ["state", "cause_cleared_at"]
    incident.save(update_fields=fields)
    timeline_add(incident=incident, kind=EntryKind.SYSTEM, at=at, text=_worded(incident, summary), data=data)
    return incident


def incident_cause_cleared(
    *, site: Any, kind: str, cause_key: str, at: datetime | None = None, note: str = ""
) -> Incident | None:
    """The reporting app no longer sees the cause. ``None`` when no incident is open for it.

    What follows is the kind's: an outage waits in Monitoring until its monitor has confirmed the site
    available for ``JAGA_INCIDENT_RESOLVE_CHECKS`` checks; a freshness, integrity, backup or renewal cause
    resolves at once; the others wait in Monitoring for a person's verification.
    """
    implementation: IncidentKind = REGISTRY.get(kind)
    at = at or clock.now()
    with transaction.atomic():
        incident = _open_incident(site=site, kind=kind, cause_key=cause_key, lock=True)
        if incident is None:
            return None
        text = note or _system_text(gettext_noop("Penyebab tidak lagi dilaporkan."))
        if implementation.resolution is Resolution.CAUSE:
            return _resolve(incident, at=at, note=text, user=None, data={"event": "cause_cleared"})
        previous = incident.state
        incident.state = State.MONITORING
        incident.cause_cleared_at = at
        incident.save(update_fields=["state", "cause_cleared_at"])
        timeline_add(
            incident=incident, kind=EntryKind.SYSTEM, at=at, text=text,
            data={"event": "cause_cleared", "state": [previous, State.MONITORING.value]},
        )  # fmt: skip
    if implementation.resolution is Resolution.MONITOR:
        from jaga.incidents.verify import incident_verify_monitor

        incident_verify_monitor(incident_id=incident.pk, now=at)
        incident.refresh_from_db()
    return incident


def _resolve(incident: Incident, *, at: datetime, note: str, user: Any, data: dict[str, Any]) -> Incident:
    previous = incident.state
    incident.state = State.RESOLVED
    incident.resolved_at = at
    incident.resolved_by = user
    incident.resolution_note = note
    if incident.cause_cleared_at is None:
        incident.cause_cleared_at = at
    incident.save(update_fields=["state", "resolved_at", "resolved_by", "resolution_note", "cause_cleared_at"])
    timeline_add(
        incident=incident, kind=EntryKind.STATE, at=at, author=user, text=note,
        data={**data, "state": [previous, State.RESOLVED.value]},
    )  # fmt: skip
    incident_ledger_record(incident=incident)
    events.announce_resolved(incident.pk, note)
    return incident


def incident_resolve_confirmed(*, incident: Incident, at: datetime, note: str) -> Incident:
    """The monitor confirmed the site available: close the incident (:mod:`jaga.incidents.verify`)."""
    with transaction.atomic():
        fresh = Incident.objects.select_for_update().get(pk=incident.pk)
        if fresh.state != State.MONITORING:
            return fresh
        return _resolve(fresh, at=at, note=note, user=None, data={"event": "monitor_confirmed"})
