"""Writes of the reports app: drafts, letter numbers, issuing (the number, the frozen content, the PDF as sent)."""

from __future__ import annotations

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from jaga.core import clock
from jaga.core.models import Institution, Site
from jaga.reports.builders import REGISTRY
from jaga.reports.builders.base import BuildContext
from jaga.reports.document import Document, Period
from jaga.reports.formatting import letter_number
from jaga.reports.models import LetterSequence, Report
from jaga.reports.render import pdf_render


def letter_number_take(*, institution: Institution, classification: str, at: dt.datetime) -> tuple[int, str]:
    """The next number of the institution's sequence for the year of ``at`` (its own calendar).

    Safe under concurrency: the year's row is created once (a unique constraint; the loser of a race reads the
    winner's row) and incremented with a row lock, inside the caller's transaction, so two reports at once get
    two numbers and a number whose transaction rolls back is given again rather than skipped.
    """
    local = at.astimezone(ZoneInfo(institution.time_zone))
    with transaction.atomic():
        LetterSequence.objects.get_or_create(institution=institution, year=local.year)
        sequence = LetterSequence.objects.select_for_update().get(institution=institution, year=local.year)
        LetterSequence.objects.filter(pk=sequence.pk).update(last=F("last") + 1)
        sequence.refresh_from_db(fields=["last"])
    prefix = institution.letter_prefix or institution.slug.upper()
    text = letter_number(
        prefix=prefix, sequence=sequence.last, classification=classification, month=local.month, year=local.year
    )
    return sequence.last, text


def _site_check(institution: Institution, site: Site | None) -> None:
    if site is not None and site.institution_id != institution.pk:
        raise ValidationError(
            _("Situs %(site)s bukan milik %(institution)s."),
            params={"site": site.name, "institution": institution.name},
        )


def report_create(
    *,
    institution: Institution,
    kind: str,
    period: Period,
    site: Site | None = None,
    language: str = "id",
    created_by: User | None = None,
    signer: dict[str, str] | None = None,
) -> Report:
    """A draft (no number yet): its content is built from live data whenever it is shown."""
    if kind not in REGISTRY:
        raise ValidationError(
            _("Jenis laporan tidak dikenal: %(kind)s. Pilihan: %(choices)s."),
            params={"kind": kind, "choices": ", ".join(REGISTRY.keys())},
        )
    if language not in Report.Language.values:
        raise ValidationError(_("Bahasa laporan harus id atau en, bukan %(lang)s."), params={"lang": language})
    _site_check(institution, site)
    signer = signer or {}
    name = signer.get("name", "")
    if not name and created_by is not None:
        name = created_by.get_full_name()
    return Report.objects.create(
        institution=institution,
        site=site,
        kind=kind,
        period_start=period.start,
        period_end=period.end,
        language=language,
        created_by=created_by,
        signer_name=name,
        signer_position=signer.get("position", ""),
        signer_nip=signer.get("nip", ""),
        opened_at=clock.now(),
    )


def report_context(*, report: Report, now: dt.datetime | None = None) -> BuildContext:
    site = report.site
    sites = [site] if site is not None else list(report.institution.sites.filter(is_active=True).order_by("name"))
    return BuildContext(
        institution=report.institution,
        period=Period(report.period_start, report.period_end),
        language=report.language,
        now=now or clock.now(),
        site=site,
        sites=sites,
        signer={"name": report.signer_name, "position": report.signer_position, "nip": report.signer_nip},
        number=report.number,
        conclusions_text=report.conclusions if report.conclusions_edited else "",
    )


def report_build(*, report: Report, now: dt.datetime | None = None) -> Document:
    """The document of ``report``: as issued when it has been, else freshly built from the data."""
    if report.is_issued and report.content:
        return Document.from_json(report.content)
    ctx = report_context(report=report, now=now)
    with translation.override(report.language):
        return REGISTRY.get(report.kind).build(ctx)


def report_issue(*, report: Report, now: dt.datetime | None = None) -> Report:
    """Give the draft its number, freeze its content and store its PDF. Idempotent: an issued report keeps
    its number; one whose PDF could not be stored (the renderer failed) gets it on the next call."""
    now = now or clock.now()
    # Built before the number is taken: the sequence's row lock is held only for the moment of numbering.
    document = report_build(report=report, now=now) if not report.number else None
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if not locked.number and document is not None:
            builder = REGISTRY.get(locked.kind)
            locked.sequence, locked.number = letter_number_take(
                institution=locked.institution, classification=builder.classification, at=now
            )
            locked.issued_at = now
            document.number = locked.number
            locked.content = document.to_json()
            locked.save(update_fields=["sequence", "number", "issued_at", "content", "updated_at"])
    if not locked.pdf:
        report_pdf_store(report=locked)
    return locked


def report_pdf_store(*, report: Report) -> None:
    document = Document.from_json(report.content)
    data = pdf_render(document)
    name = f"{report.number.replace('/', '-')}.pdf"
    report.pdf.save(name, ContentFile(data), save=False)
    report.pdf_sha256 = hashlib.sha256(data).hexdigest()
    report.pdf_size = len(data)
    report.save(update_fields=["pdf", "pdf_sha256", "pdf_size", "updated_at"])


def report_draft_update(
    *, report: Report, conclusions: str, signer_name: str = "", signer_position: str = "", signer_nip: str = ""
) -> Report:
    """The person's edits of a draft: the conclusions (empty: Jaga's own draft again) and the signature block."""
    if report.is_issued:
        raise ValidationError(_("Laporan yang sudah bernomor tidak dapat diubah."))
    report.conclusions = conclusions.strip()
    report.conclusions_edited = bool(report.conclusions)
    report.signer_name = signer_name.strip()
    report.signer_position = signer_position.strip()
    report.signer_nip = signer_nip.strip()
    report.save(
        update_fields=[
            "conclusions", "conclusions_edited", "signer_name", "signer_position", "signer_nip", "updated_at",
        ]
    )  # fmt: skip
    return report


def report_draft_delete(*, report: Report) -> None:
    """A draft may be thrown away; an issued report stays in the archive for good."""
    if report.is_issued:
        raise ValidationError(_("Laporan yang sudah bernomor tetap di arsip dan tidak dapat dihapus."))
    report.delete()


def report_pdf_bytes(*, report: Report, now: dt.datetime | None = None) -> bytes:
    """The PDF as sent for an issued report (its stored file, never re-rendered), a fresh one for a draft."""
    if report.is_issued and report.pdf:
        with report.pdf.open("rb") as handle:
            return bytes(handle.read())
    return pdf_render(report_build(report=report, now=now))
