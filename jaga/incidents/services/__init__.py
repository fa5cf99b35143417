"""The incidents app's writes. Every app opens its problems through :func:`incident_open_or_update` and
clears them through :func:`incident_cause_cleared`; nothing else creates an incident for a cause.

One incident per open cause (``site`` + ``kind`` + ``cause_key``): a repeat adds a timeline entry. Two
reporters at once (two probes seeing the same outage) race on the partial unique constraint
``incident_one_open_per_cause``; the loser's insert fails and it retries as a repeat.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connections, router, transaction
from django.db.models import Q
from django.db.models.signals import post_save, pre_save
from django.utils.translation import gettext_noop

from jaga.core import clock
from jaga.core.audit import audit_read_keep
from jaga.core.rows import rows_update
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


@dataclass(frozen=True)
class IncidentReport:
    """What a reporting app says about one cause (the arguments of :func:`incident_open_or_update`)."""

    site: Any
    kind: str
    cause_key: str
    summary: str
    details: dict[str, Any] = field(default_factory=dict)
    severity: str | None = None
    at: datetime | None = None
    source: str | None = None


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
    report = IncidentReport(
        site=site, kind=kind, cause_key=cause_key, summary=summary, details=dict(details or {}),
        severity=severity, at=at, source=source,
    )  # fmt: skip
    return incidents_open_or_update(reports=[report])[0]


def incidents_open_or_update(*, reports: Sequence[IncidentReport]) -> list[Incident]:
    """:func:`incident_open_or_update` for many causes at once (a detection round reports one per rule), in one
    transaction; each report's incident, in order.

    One query reads the open incidents of every cause, one statement updates the repeats, and their timeline
    entries are inserted together; ``pre_save`` and ``post_save`` are sent for each as ``save()`` sends them
    (the audit trail hears every change). A cause reported twice is opened, then repeated.
    """
    if not reports:
        return []
    implementations = [REGISTRY.get(report.kind) for report in reports]  # an unknown kind: nothing written
    reports = [
        replace(
            report,
            cause_key=report.cause_key[:200],
            details=dict(report.details or {}),
            severity=Severity(report.severity).value if report.severity is not None else None,
            at=report.at or clock.now(),
        )
        for report in reports
    ]
    for attempt in range(RETRIES):
        try:
            with transaction.atomic():
                return _reports_apply(reports, implementations)
        except IntegrityError:
            # Another reporter opened one of them between our read and our insert: it is a repeat now.
            logger.info("incidents opened concurrently (attempt %s): %s", attempt, [r.cause_key for r in reports])
            continue
    causes = ", ".join(f"{r.site.pk}/{r.kind}/{r.cause_key}" for r in reports)
    raise RuntimeError(f"incidents {causes}: could not open or update after {RETRIES} attempts")


def _cause(report: IncidentReport) -> tuple[int, str, str]:
    return (report.site.pk, report.kind, report.cause_key)


def _open_incidents(reports: Sequence[IncidentReport]) -> dict[tuple[int, str, str], Incident]:
    """The open incident of each reported cause that has one, locked, in one query."""
    causes: dict[tuple[int, str], set[str]] = {}
    sites: dict[int, Any] = {}
    for report in reports:
        causes.setdefault((report.site.pk, report.kind), set()).add(report.cause_key)
        sites[report.site.pk] = report.site
    wanted = Q()
    for (site_id, kind), keys in causes.items():
        wanted |= Q(site_id=site_id, kind=kind, cause_key__in=sorted(keys))
    found = Incident.objects.select_for_update().filter(wanted).exclude(state=State.RESOLVED).order_by("pk")
    incidents = {}
    for incident in found:
        incident.site = sites[incident.site_id]  # the caller's object: no query for it afterwards
        audit_read_keep(incident)  # the audit trail's "before" of the repeat: no query per incident
        incidents[(incident.site_id, incident.kind, incident.cause_key)] = incident
    return incidents


def _reports_apply(reports: Sequence[IncidentReport], implementations: Sequence[IncidentKind]) -> list[Incident]:
    incidents = _open_incidents(reports)
    entries: list[TimelineEntry] = []
    repeated: dict[int, tuple[Incident, set[str]]] = {}
    answer = []
    for report, implementation in zip(reports, implementations, strict=True):
        assert report.at is not None
        incident = incidents.get(_cause(report))
        if incident is None:
            incident = _open(report, implementation)
            incidents[_cause(report)] = incident
            data: dict[str, Any] = {"event": "opened", "source": report.source or "", "details": report.details}
        else:
            changed, data = _repeat(incident, report)
            repeated.setdefault(incident.pk, (incident, set()))[1].update(changed)
        entries.append(
            TimelineEntry(
                incident=incident, kind=EntryKind.SYSTEM, at=report.at, text=_worded(incident, report.summary),
                data=data,
            )
        )  # fmt: skip
        answer.append(incident)
    _incidents_save([(incident, sorted(fields)) for incident, fields in repeated.values()])
    _timeline_insert(entries)
    return answer


def _open(report: IncidentReport, implementation: IncidentKind) -> Incident:
    at = report.at
    assert at is not None
    incident = Incident.objects.create(
        site=report.site,
        kind=report.kind,
        cause_key=report.cause_key,
        summary=report.summary[:500],
        details=report.details,
        source=(report.source or "")[:40],
        severity=report.severity or implementation.severity_for(report.details).value,
        opened_at=at,
        last_seen_at=at,
        tier_since=at,
    )
    events.announce_opened(incident.pk)
    if implementation.diagnose:
        from jaga.incidents.services.diagnostics import DIAGNOSE_WITHIN, incident_diagnostics_enqueue

        # Diagnostics are facts of the present: an opening reported long after the fact gets none.
        if clock.now() - at <= DIAGNOSE_WITHIN:
            incident_diagnostics_enqueue(incident_id=incident.pk)
    return incident


def _repeat(incident: Incident, report: IncidentReport) -> tuple[list[str], dict[str, Any]]:
    """The repeat applied to ``incident`` (not saved): the fields it changed and its timeline entry's data."""
    at, severity = report.at, report.severity
    assert at is not None
    incident.occurrences += 1
    incident.last_seen_at = max(incident.last_seen_at, at)
    incident.details = {**incident.details, **report.details}
    data: dict[str, Any] = {"event": "repeat", "details": report.details}
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
    return fields, data


def _incidents_save(changed: list[tuple[Incident, list[str]]]) -> None:
    """``save(update_fields=...)`` of each, as one statement, the model signals sent as each save sends them.

    The statement writes every field that any of them changed: the others' values are those just read under
    the lock, so writing them changes nothing."""
    database = router.db_for_write(Incident)
    for incident, fields in changed:
        pre_save.send(Incident, instance=incident, raw=False, using=database, update_fields=frozenset(fields))
    rows_update([incident for incident, _fields in changed], sorted({f for _i, fields in changed for f in fields}))
    for incident, fields in changed:
        post_save.send(
            Incident, instance=incident, created=False, raw=False, using=database, update_fields=frozenset(fields)
        )


def _timeline_insert(entries: list[TimelineEntry]) -> None:
    """The entries inserted together where the database returns their ids, the model signals sent for each."""
    database = router.db_for_write(TimelineEntry)
    if not connections[database].features.can_return_rows_from_bulk_insert:
        for entry in entries:
            entry.save()
        return
    for entry in entries:
        pre_save.send(TimelineEntry, instance=entry, raw=False, using=database, update_fields=None)
    TimelineEntry.objects.bulk_create(entries)
    for entry in entries:
        post_save.send(TimelineEntry, instance=entry, created=True, raw=False, using=database, update_fields=None)


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
