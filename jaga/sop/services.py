"""Writes of the sop app: seeding SOPs and recording executions in the ledger (at once, or opened and closed)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_noop

from jaga.core import clock
from jaga.core.liveness import process_identity, process_verdict
from jaga.core.models import Institution, Site
from jaga.sop.models import (
    Activity,
    Equipment,
    EvidenceFile,
    LedgerEntry,
    LegalBasis,
    Outcome,
    Qualification,
    Sop,
)
from jaga.sop.seed import DEFAULT_SOP_FILE, ParsedSop, sop_parse_file

logger = logging.getLogger(__name__)

# Notes that Jaga itself writes on an entry. They are stored as the Indonesian message (the source language)
# and shown in the reader's language: the ``ledger_notes`` filter (jaga/sop/templatetags/sop_ledger.py)
# translates each line that is one of them, and leaves what a person wrote as it is.
NOTE_INTERRUPTED = gettext_noop("Terputus: proses pelaksana berhenti sebelum pekerjaan selesai.")
NOTE_INTERRUPTED_YET_ENDED = gettext_noop("Sempat ditandai terputus, tetapi pekerjaan selesai.")
SYSTEM_NOTES = frozenset({NOTE_INTERRUPTED, NOTE_INTERRUPTED_YET_ENDED})

# Legal bases that were replaced after the template SOP was written: (marker of the old one, the new text).
LEGAL_BASIS_REPLACEMENTS: list[tuple[str, str]] = [
    (
        "1-144/KMA/SK/I/2011",
        "Surat Keputusan Ketua Mahkamah Agung RI nomor 2-144/KMA/SK/VIII/2022 tentang Standar Pelayanan "
        "Informasi Publik di Pengadilan",
    ),
]


class LedgerError(ValueError):
    """A ledger record was asked for with impossible values (unknown activity, end before start...)."""


# --- SOP seeding ---------------------------------------------------------------------------------


def sop_seed_default() -> Sop:
    """The PN Bangil SOP as the template SOP. Idempotent: an existing SOP with that number is left as is."""
    sop, _created = sop_seed_from_file(path=DEFAULT_SOP_FILE, institution=None)
    return sop


def sop_seed_from_file(*, path: Path | str, institution: Institution | None = None) -> tuple[Sop, bool]:
    """Parse ``path`` and store it for ``institution`` (None = template) unless that SOP number exists.

    Returns ``(sop, created)``. A parse error raises :class:`jaga.sop.seed.SopParseError` before anything
    is written; the writing itself is one transaction.
    """
    parsed = sop_parse_file(path=path)
    existing = Sop.objects.filter(institution=institution, number=parsed.number).first()
    if existing is not None:
        return existing, False
    try:
        return sop_create_from_parsed(parsed=parsed, institution=institution), True
    except IntegrityError:
        # Another process (a probe and a worker both recording on a fresh install) seeded it first.
        raced = Sop.objects.filter(institution=institution, number=parsed.number).first()
        if raced is None:
            raise
        return raced, False


@transaction.atomic
def sop_create_from_parsed(*, parsed: ParsedSop, institution: Institution | None) -> Sop:
    sop = Sop.objects.create(
        institution=institution,
        number=parsed.number,
        title=parsed.title,
        created_date=parsed.created_date,
        revision_date=parsed.revision_date,
        effective_date=parsed.effective_date,
        approved_by=parsed.approved_by,
        warning=parsed.warning,
        related_sops="\n".join(parsed.related_sops),
    )
    bases = [LegalBasis.objects.create(sop=sop, order=i, text=text) for i, text in enumerate(parsed.legal_bases, 1)]
    for marker, new_text in LEGAL_BASIS_REPLACEMENTS:
        old = next((basis for basis in bases if marker in basis.text), None)
        if old is None or any(new_text == basis.text for basis in bases):
            continue
        new = LegalBasis.objects.create(sop=sop, order=len(bases) + 1, text=new_text)
        bases.append(new)
        old.replaced_by = new
        old.save(update_fields=["replaced_by"])
    Qualification.objects.bulk_create(
        Qualification(sop=sop, order=i, text=text) for i, text in enumerate(parsed.qualifications, 1)
    )
    Equipment.objects.bulk_create(Equipment(sop=sop, order=i, text=text) for i, text in enumerate(parsed.equipment, 1))
    Activity.objects.bulk_create(
        Activity(
            sop=sop,
            number=activity.number,
            key=activity.key,
            description=activity.description,
            executors=activity.executors,
            requirements=activity.requirements,
            time_standard=activity.time_standard,
            time_standard_label=activity.time_standard_label,
            output=activity.output,
            recurrence=activity.recurrence,
        )
        for activity in parsed.activities
    )
    return sop


# --- the ledger ----------------------------------------------------------------------------------


def sop_resolve(*, institution: Institution) -> Sop:
    """The SOP ``institution`` works under: its own active SOP, else the active template (seeded if none)."""
    own = _latest_active(Sop.objects.filter(institution=institution))
    if own is not None:
        return own
    template = _latest_active(Sop.objects.filter(institution__isnull=True))
    if template is not None:
        return template
    return sop_seed_default()


def _latest_active(queryset: models.QuerySet[Sop]) -> Sop | None:
    return queryset.filter(is_active=True).order_by(models.F("effective_date").desc(nulls_last=True), "-pk").first()


def activity_resolve(*, institution: Institution, activity_key: str) -> Activity:
    """The activity of the institution's SOP that ``activity_key`` is mapped to, whatever its number."""
    sop = sop_resolve(institution=institution)
    activity = sop.activities.filter(key=activity_key).first()
    if activity is None:
        raise LedgerError(
            f"SOP {sop.number} tidak punya aktivitas berkunci {activity_key!r}; tetapkan kuncinya pada aktivitas "
            f"SOP itu / SOP {sop.number} has no activity with key {activity_key!r}; set it on one of its activities"
        )
    return activity


def _activity_for(*, institution: Institution, activity_key: str | None, activity: Activity | None) -> Activity:
    if (activity_key is None) == (activity is None):
        raise LedgerError("berikan activity_key atau activity / give activity_key or activity")
    if activity is not None:
        sop = sop_resolve(institution=institution)
        if activity.sop_id != sop.pk:
            raise LedgerError(
                f"aktivitas {activity.number} bukan bagian SOP {sop.number} / activity is not in the SOP in force"
            )
        return activity
    assert activity_key is not None
    return activity_resolve(institution=institution, activity_key=activity_key)


def _outcome_check(outcome: str, *, allowed: Sequence[str]) -> None:
    if outcome not in allowed:
        raise LedgerError(
            f"hasil {outcome!r} tidak dikenal, pilih salah satu dari {', '.join(allowed)} / unknown outcome"
        )


def _output_fields(output: models.Model | None) -> dict[str, Any]:
    if output is None:
        return {}
    return {
        "output_content_type": ContentType.objects.get_for_model(output),
        "output_object_id": output.pk,
        "output_repr": str(output)[:300],
    }


def _evidence_attach(*, entry: LedgerEntry, evidence_files: Sequence[File[Any]], by: User | None) -> None:
    """Store the files; if one fails, the ones already written are removed and the error goes on."""
    written: list[EvidenceFile] = []
    try:
        for upload in evidence_files:
            written.append(evidence_store(entry=entry, upload=upload, uploaded_by=by))
    except BaseException:
        for evidence in written:
            evidence.file.delete(save=False)
        raise


# Outcomes a finished execution may have (``running`` only through ledger_open).
FINISHED = (Outcome.SUCCESS, Outcome.PARTIAL, Outcome.FAILURE, Outcome.INTERRUPTED)


def ledger_record(
    *,
    activity_key: str | None = None,
    activity: Activity | None = None,
    institution: Institution,
    site: Site | None = None,
    performed_by: User | None = None,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    outcome: str,
    output: models.Model | None = None,
    notes: str = "",
    evidence_files: Sequence[File[Any]] = (),
) -> LedgerEntry:
    """Record one finished execution of the activity ``activity_key`` of the institution's SOP.

    Jaga's code names the key (``"backup"``); a person recording on an SOP page names the ``activity``.
    ``performed_by`` None means Jaga did it. ``met_standard`` compares the duration with the activity's
    time standard (None when it is "Relatif"). Evidence files are stored with their SHA-256; if anything
    fails, nothing stays behind.
    """
    _outcome_check(outcome, allowed=FINISHED)
    if ended_at < started_at:
        raise LedgerError("waktu selesai sebelum waktu mulai / ended_at is before started_at")
    _site_check(institution=institution, site=site)
    resolved = _activity_for(institution=institution, activity_key=activity_key, activity=activity)
    duration = ended_at - started_at
    standard = resolved.time_standard
    with transaction.atomic():
        entry = LedgerEntry.objects.create(
            activity=resolved,
            activity_number=resolved.number,
            activity_key=resolved.key,
            institution=institution,
            site=site,
            performed_by=performed_by,
            started_at=started_at,
            ended_at=ended_at,
            duration=duration,
            time_standard=standard,
            met_standard=_met(standard=standard, duration=duration, outcome=outcome),
            outcome=outcome,
            notes=notes,
            **_output_fields(output),
        )
        _evidence_attach(entry=entry, evidence_files=evidence_files, by=performed_by)
    return entry


def _site_check(*, institution: Institution, site: Site | None) -> None:
    if site is not None and site.institution_id != institution.pk:
        raise LedgerError("situs bukan milik instansi ini / the site belongs to another institution")


def _met(*, standard: dt.timedelta | None, duration: dt.timedelta, outcome: str) -> bool | None:
    if standard is None:
        return None
    # Work that died did not produce its output within the standard, however short it ran.
    return outcome != Outcome.INTERRUPTED and duration <= standard


def ledger_open(
    *,
    activity_key: str,
    institution: Institution,
    site: Site | None = None,
    performed_by: User | None = None,
    output: models.Model | None = None,
    notes: str = "",
    started_at: dt.datetime | None = None,
) -> LedgerEntry:
    """Open the entry of long work when it starts: shown as running until :func:`ledger_close`.

    The entry records the process doing the work (:func:`jaga.core.liveness.process_identity`); if that
    process dies first, :func:`ledger_sweep_interrupted` closes the entry as interrupted, so that work that
    died is never missing from the ledger and never a success.
    """
    _site_check(institution=institution, site=site)
    resolved = activity_resolve(institution=institution, activity_key=activity_key)
    owner = process_identity()
    return LedgerEntry.objects.create(
        activity=resolved,
        activity_number=resolved.number,
        activity_key=resolved.key,
        institution=institution,
        site=site,
        performed_by=performed_by,
        started_at=started_at or clock.now(),
        time_standard=resolved.time_standard,
        outcome=Outcome.RUNNING,
        notes=notes,
        owner_process=owner.process_id,
        owner_host=owner.host,
        owner_pid=owner.pid,
        **_output_fields(output),
    )


def ledger_close(
    *,
    entry: LedgerEntry,
    outcome: str,
    output: models.Model | None = None,
    notes: str | None = None,
    evidence_files: Sequence[File[Any]] = (),
    ended_at: dt.datetime | None = None,
) -> LedgerEntry:
    """Close an entry opened with :func:`ledger_open` with how the work ended (``notes`` replaces, if given).

    An entry the sweep had marked interrupted while its process was in fact alive (a long pause) takes the
    real ending, with a note that it was marked so. An entry already closed is refused.
    """
    _outcome_check(outcome, allowed=FINISHED)
    with transaction.atomic():
        current = LedgerEntry.objects.select_for_update().get(pk=entry.pk)
        if current.outcome not in (Outcome.RUNNING, Outcome.INTERRUPTED) or (
            current.outcome == Outcome.INTERRUPTED and not current.owner_process
        ):
            raise LedgerError(f"catatan {current.pk} sudah ditutup ({current.outcome}) / ledger entry already closed")
        ended = ended_at or clock.now()
        if ended < current.started_at:
            raise LedgerError("waktu selesai sebelum waktu mulai / ended_at is before started_at")
        text = current.notes if notes is None else notes
        if current.outcome == Outcome.INTERRUPTED:
            text = f"{text}\n{NOTE_INTERRUPTED_YET_ENDED}"
        duration = ended - current.started_at
        current.ended_at = ended
        current.duration = duration
        current.met_standard = _met(standard=current.time_standard, duration=duration, outcome=outcome)
        current.outcome = outcome
        current.notes = text.strip()
        for name, value in _output_fields(output).items():
            setattr(current, name, value)
        current.save()
        _evidence_attach(entry=current, evidence_files=evidence_files, by=current.performed_by)
    entry.refresh_from_db()
    return entry


def ledger_sweep_interrupted(*, now: dt.datetime | None = None) -> list[int]:
    """Close as interrupted every running entry whose process is dead (jaga.core.liveness); returns their ids.

    The entry ends when its process was last known to be alive (its last heartbeat), or now if unknown.
    """
    now = now or clock.now()
    closed: list[int] = []
    for entry in LedgerEntry.objects.filter(outcome=Outcome.RUNNING).order_by("started_at"):
        verdict = process_verdict(
            process_id=entry.owner_process, host=entry.owner_host, pid=entry.owner_pid, since=entry.started_at, now=now
        )
        if not verdict.dead:
            continue
        ended = max(entry.started_at, min(verdict.last_seen or now, now))
        duration = ended - entry.started_at
        note = NOTE_INTERRUPTED  # the process is the entry's owner_process; the reason goes to the log below
        done = LedgerEntry.objects.filter(pk=entry.pk, outcome=Outcome.RUNNING).update(
            outcome=Outcome.INTERRUPTED,
            ended_at=ended,
            duration=duration,
            met_standard=_met(standard=entry.time_standard, duration=duration, outcome=Outcome.INTERRUPTED),
            notes=f"{entry.notes}\n{note}".strip(),
        )
        if done:
            closed.append(entry.pk)
            logger.warning(
                "catatan SOP %s (aktivitas %s) ditandai terputus: %s / ledger entry marked interrupted",
                entry.pk,
                entry.activity_key or entry.activity_number,
                verdict.reason,
            )
    return closed


def evidence_store(*, entry: LedgerEntry, upload: File[Any], uploaded_by: User | None) -> EvidenceFile:
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    original = Path(upload.name or "bukti").name
    evidence = EvidenceFile(
        entry=entry, original_name=original[:255], sha256=digest.hexdigest(), size=size, uploaded_by=uploaded_by
    )
    evidence.file.save(original, upload, save=False)
    evidence.save()
    return evidence
