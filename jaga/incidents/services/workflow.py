"""What people do with an incident: report one by hand, take it on ("Saya tangani"), write notes and actions
with attachments, and move it through Investigating → Identified → Monitoring → Resolved.

Every function here checks that the person may act (:func:`incident_may_act`) and refuses with a message in
the user's language what the workflow does not allow; the pages and the API only call them.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from jaga.core import clock
from jaga.core.models import Role
from jaga.core.permissions import user_can, user_roles
from jaga.incidents.kinds import REGISTRY
from jaga.incidents.kinds.base import Resolution, Severity
from jaga.incidents.models import EntryKind, Incident, State, Tier, TimelineEntry
from jaga.incidents.uploads import attachment_check

# The moves a person may make. Forward one step at a time; back to an earlier state when the work is not done.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    State.INVESTIGATING: (State.IDENTIFIED,),
    State.IDENTIFIED: (State.MONITORING, State.INVESTIGATING),
    State.MONITORING: (State.RESOLVED, State.INVESTIGATING, State.IDENTIFIED),
    State.RESOLVED: (),
}
ORDER = [State.INVESTIGATING, State.IDENTIFIED, State.MONITORING, State.RESOLVED]
PERSON = "person"  # the source of an incident reported by hand


class IncidentConflict(Exception):
    """Someone else changed the incident since the page was loaded."""


def incident_resolution(incident: Incident) -> Resolution:
    """How this incident is known to be over: its kind's rule, except that what a person reported by hand, or
    an outage without a monitor, is verified by a person."""
    if incident.source == PERSON:
        return Resolution.VERIFY
    resolution = REGISTRY.get(incident.kind).resolution if incident.kind in REGISTRY else Resolution.VERIFY
    if resolution is Resolution.MONITOR and not isinstance(incident.details.get("monitor_id"), int):
        return Resolution.VERIFY
    return resolution


def incident_may_act(*, user: Any, incident: Incident) -> bool:
    """Operators act on every incident; the maintenance section (Kasubbag Umum) once it reached tier 2."""
    institution_id = incident.site.institution_id
    if user_can(user, institution_id, "operate"):
        return True
    return incident.tier >= Tier.UMUM and Role.KASUBBAG_UMUM in user_roles(user, institution_id)


def _require(user: Any, incident: Incident) -> None:
    if not incident_may_act(user=user, incident=incident):
        raise PermissionDenied(_("Anda tidak dapat menangani insiden ini."))


def _locked(incident: Incident, version: int | None) -> Incident:
    fresh = Incident.objects.select_for_update().select_related("site").get(pk=incident.pk)
    if version is not None and fresh.version != version:
        raise IncidentConflict(
            _("Insiden ini baru saja diubah orang lain (status: %(state)s). Muat ulang halaman dan periksa lagi.")
            % {"state": fresh.get_state_display()}
        )
    return fresh


def _attach(entry: TimelineEntry, upload: Any) -> None:
    stored_name, _content_type = attachment_check(upload)
    upload.seek(0)
    entry.attachment.save(stored_name, ContentFile(upload.read()), save=False)
    entry.data = {**entry.data, "file_name": str(getattr(upload, "name", ""))[:200]}
    entry.save(update_fields=["attachment", "data"])


def incident_open_manual(
    *,
    site: Any,
    user: Any,
    kind: str,
    summary: str,
    description: str = "",
    severity: str | None = None,
    upload: Any = None,
    at: datetime | None = None,
) -> Incident:
    """A problem a person found: its own incident (never merged into another), verified closed by a person."""
    from jaga.incidents.services import incident_open_or_update

    if not user_can(user, site.institution_id, "operate"):
        raise PermissionDenied(_("Anda tidak dapat melaporkan insiden."))
    errors: dict[str, str] = {}
    if kind not in REGISTRY:
        errors["kind"] = _("Pilih jenis insiden dari daftar.")
    if not summary.strip():
        errors["summary"] = _("Tulis ringkasan masalahnya.")
    if severity and severity not in Severity.values:
        errors["severity"] = _("Pilih tingkat keparahan dari daftar.")
    if errors:
        raise ValidationError(errors)
    if upload is not None:
        attachment_check(upload)  # before anything is stored
    at = at or clock.now()
    with transaction.atomic():
        incident = incident_open_or_update(
            site=site, kind=kind, cause_key=f"manual:{secrets.token_hex(8)}", summary=summary.strip(),
            severity=severity or None, at=at, source=PERSON,
        )  # fmt: skip
        incident.opened_by = user
        incident.save(update_fields=["opened_by"])
        if description.strip() or upload is not None:
            entry = TimelineEntry.objects.create(
                incident=incident, kind=EntryKind.ATTACHMENT if upload is not None else EntryKind.NOTE,
                at=at, author=user, text=description.strip(),
            )  # fmt: skip
            if upload is not None:
                _attach(entry, upload)
    return incident


def incident_acknowledge(*, incident: Incident, user: Any, at: datetime | None = None) -> Incident:
    """ "Saya tangani": the person takes the incident on. The first one sets the time to acknowledge."""
    _require(user, incident)
    at = at or clock.now()
    with transaction.atomic():
        fresh = _locked(incident, None)
        if not fresh.is_open:
            raise ValidationError(_("Insiden ini sudah selesai."), code="resolved")
        if fresh.handler_id == user.pk:
            return fresh
        previous = fresh.handler
        fresh.handler = user
        fresh.acknowledged_at = fresh.acknowledged_at or at
        fresh.version += 1
        fresh.save(update_fields=["handler", "acknowledged_at", "version"])
        TimelineEntry.objects.create(
            incident=fresh, kind=EntryKind.ACKNOWLEDGE, at=at, author=user,
            data={"previous_handler": previous.get_username() if previous else ""},
        )  # fmt: skip
    return fresh


def incident_entry_add(
    *,
    incident: Incident,
    user: Any,
    kind: str = EntryKind.NOTE,
    text: str = "",
    is_alternative: bool = False,
    worked: bool | None = None,
    is_public: bool = False,
    public_text: str = "",
    upload: Any = None,
    at: datetime | None = None,
) -> TimelineEntry:
    """A note or an action taken (optionally an alternative solution and whether it worked), with a file.

    ``is_public`` puts the entry on the site's public status page in the words of ``public_text`` (the note
    itself when that is empty)."""
    _require(user, incident)
    if kind not in (EntryKind.NOTE, EntryKind.ACTION):
        raise ValidationError({"kind": _("Pilih catatan atau tindakan.")})
    text = text.strip()
    if not text and upload is None:
        raise ValidationError({"text": _("Tulis isinya atau lampirkan berkas.")})
    if is_alternative and kind != EntryKind.ACTION:
        raise ValidationError({"is_alternative": _("Hanya tindakan yang dapat menjadi alternatif pemecahan masalah.")})
    if upload is not None:
        attachment_check(upload)
    with transaction.atomic():
        fresh = _locked(incident, None)
        entry = TimelineEntry.objects.create(
            incident=fresh, kind=kind, at=at or clock.now(), author=user, text=text,
            is_alternative=is_alternative, worked=worked if is_alternative else None,
            is_public=is_public, public_text=public_text.strip(),
        )  # fmt: skip
        if upload is not None:
            _attach(entry, upload)
        fresh.version += 1
        fresh.save(update_fields=["version"])
    return entry


def _refuse_move(current: str, to_state: str) -> None:
    labels = dict(State.choices)
    if current == State.RESOLVED:
        raise ValidationError(
            _("Insiden ini sudah selesai; bila masalahnya muncul lagi, Jaga atau petugas membuka insiden baru."),
            code="resolved",
        )
    if to_state == current:
        raise ValidationError(_("Insiden ini sudah berstatus %(state)s.") % {"state": labels[current]}, code="same")
    if ORDER.index(State(to_state)) > ORDER.index(State(current)):
        skipped = ORDER[ORDER.index(State(current)) + 1 : ORDER.index(State(to_state))]
        raise ValidationError(
            _("Dari %(from)s tidak dapat langsung ke %(to)s: lalui dulu %(steps)s.")
            % {"from": labels[current], "to": labels[to_state], "steps": ", ".join(str(labels[s]) for s in skipped)},
            code="skips",
        )
    raise ValidationError(
        _("Dari %(from)s tidak dapat kembali ke %(to)s.") % {"from": labels[current], "to": labels[to_state]},
        code="backwards",
    )


def incident_state_change(
    *,
    incident: Incident,
    user: Any,
    to_state: str,
    note: str = "",
    version: int | None = None,
    at: datetime | None = None,
) -> Incident:
    """Move the incident one step on, or back. "Resolved" depends on how the incident is known to be over:

    - an outage with a monitor: the person proposes it; the incident waits in Monitoring until the monitor
      has confirmed the site available (``JAGA_INCIDENT_RESOLVE_CHECKS`` checks from now);
    - a cause its monitor reports (freshness, integrity, backups): refused, it resolves when the cause clears;
    - the others: resolved by the person, with a note saying how it was verified.
    """
    from jaga.incidents.services import _resolve

    _require(user, incident)
    if to_state not in State.values:
        raise ValidationError({"to_state": _("Pilih status dari daftar.")})
    at = at or clock.now()
    note = note.strip()
    labels = dict(State.choices)
    waiting_for_monitor = False
    with transaction.atomic():
        fresh = _locked(incident, version)
        current = fresh.state
        if to_state not in TRANSITIONS[current]:
            _refuse_move(current, to_state)
        if to_state == State.RESOLVED:
            resolution = incident_resolution(fresh)
            if resolution is Resolution.CAUSE:
                raise ValidationError(
                    _("Insiden ini selesai sendiri ketika monitornya tidak lagi melaporkan penyebabnya."),
                    code="cause",
                )
            if resolution is Resolution.VERIFY:
                if not note:
                    raise ValidationError({"note": _("Tulis bagaimana Anda memastikan masalahnya sudah selesai.")})
                fresh.version += 1
                fresh.save(update_fields=["version"])
                return _resolve(fresh, at=at, note=note, user=user, data={"event": "verified"})
            # An outage: the monitor decides. From now on it must find the site up for N checks in a row.
            if fresh.cause_cleared_at is None:
                fresh.cause_cleared_at = at
            fresh.version += 1
            fresh.save(update_fields=["cause_cleared_at", "version"])
            TimelineEntry.objects.create(
                incident=fresh, kind=EntryKind.STATE, at=at, author=user,
                text=note or _("Diusulkan selesai; menunggu monitor memastikan situs dapat diakses."),
                data={"event": "resolve_proposed", "state": [current, current]},
            )  # fmt: skip
            waiting_for_monitor = True
        else:
            fresh.state = to_state
            fields = ["state", "version"]
            if ORDER.index(State(to_state)) < ORDER.index(State(current)) and fresh.cause_cleared_at is not None:
                fresh.cause_cleared_at = None  # the person says it is not over: the monitor's count starts again
                fields.append("cause_cleared_at")
            fresh.version += 1
            fresh.save(update_fields=fields)
            TimelineEntry.objects.create(
                incident=fresh, kind=EntryKind.STATE, at=at, author=user,
                text=note or f"{labels[current]} → {labels[to_state]}",
                data={"event": "state", "state": [current, to_state]},
            )  # fmt: skip
    if waiting_for_monitor:
        from jaga.incidents.verify import incident_verify_monitor

        incident_verify_monitor(incident_id=fresh.pk, now=at)
        fresh.refresh_from_db()
    return fresh
