"""Writes of the sop app: seeding SOPs and recording executions in the ledger."""

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


def activity_resolve(*, institution: Institution, activity_number: int) -> Activity:
    sop = sop_resolve(institution=institution)
    activity = sop.activities.filter(number=activity_number).first()
    if activity is None:
        raise LedgerError(
            f"SOP {sop.number} tidak punya aktivitas nomor {activity_number} / "
            f"SOP {sop.number} has no activity number {activity_number}"
        )
    return activity


def ledger_record(
    *,
    activity_number: int,
    institution: Institution,
    site: Site | None = None,
    performed_by: User | None = None,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    outcome: str = "success",
    output: models.Model | None = None,
    notes: str = "",
    evidence_files: Sequence[File[Any]] = (),
) -> LedgerEntry:
    """Record one execution of SOP activity ``activity_number``; ``performed_by`` None means Jaga did it.

    ``met_standard`` compares the duration with the activity's time standard (None when it is "Relatif").
    Evidence files are stored with their SHA-256; if anything fails, nothing stays behind.
    """
    if outcome not in Outcome.values:
        raise LedgerError(
            f"hasil {outcome!r} tidak dikenal, pilih salah satu dari {', '.join(Outcome.values)} / unknown outcome"
        )
    if ended_at < started_at:
        raise LedgerError("waktu selesai sebelum waktu mulai / ended_at is before started_at")
    if site is not None and site.institution_id != institution.pk:
        raise LedgerError("situs bukan milik instansi ini / the site belongs to another institution")
    activity = activity_resolve(institution=institution, activity_number=activity_number)
    duration = ended_at - started_at
    standard = activity.time_standard
    written: list[EvidenceFile] = []
    try:
        with transaction.atomic():
            entry = LedgerEntry.objects.create(
                activity=activity,
                activity_number=activity.number,
                institution=institution,
                site=site,
                performed_by=performed_by,
                started_at=started_at,
                ended_at=ended_at,
                duration=duration,
                time_standard=standard,
                met_standard=None if standard is None else duration <= standard,
                outcome=outcome,
                output_content_type=ContentType.objects.get_for_model(output) if output is not None else None,
                output_object_id=output.pk if output is not None else None,
                output_repr=str(output)[:300] if output is not None else "",
                notes=notes,
            )
            for upload in evidence_files:
                written.append(evidence_store(entry=entry, upload=upload, uploaded_by=performed_by))
    except BaseException:
        for evidence in written:
            evidence.file.delete(save=False)
        raise
    return entry


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
