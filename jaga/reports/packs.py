"""Writes of the evidence packs asked for on the web: the request (a row and a job for the worker) and the job
itself (the pack written by :mod:`jaga.reports.evidence`, its progress kept on the row while it is built, the
zip stored with its SHA-256, or the reason it failed)."""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from jaga.core import clock
from jaga.core.models import Institution
from jaga.reports.document import Period
from jaga.reports.models import EvidencePack, Report

MAX_PERIOD_DAYS = 366
STALE_AFTER = dt.timedelta(hours=1)  # a year's pack takes well under a minute


def evidence_pack_request(
    *, institution: Institution, period: Period, language: str = "id", requested_by: User | None = None
) -> EvidencePack:
    """A pack of ``period`` for the worker to build. The same pack asked again while the first is still being
    built is that first one, not a second job."""
    if period.end < period.start:
        raise ValidationError(_("Akhir periode sebelum awalnya."))
    if period.days > MAX_PERIOD_DAYS:
        raise ValidationError(_("Periode paket bukti paling lama 366 hari."))
    if language not in Report.Language.values:
        raise ValidationError(_("Bahasa harus id atau en, bukan %(lang)s."), params={"lang": language})
    same = EvidencePack.objects.filter(
        institution=institution, period_start=period.start, period_end=period.end, language=language
    )
    # A pack "running" for longer than any pack takes lost its worker (killed): it failed, and is asked again.
    same.filter(state=EvidencePack.State.RUNNING, started_at__lt=clock.now() - STALE_AFTER).update(
        state=EvidencePack.State.FAILED,
        error=str(_("Penyusunan terhenti: worker berhenti sebelum paket selesai.")),
        finished_at=clock.now(),
    )
    waiting = same.filter(state__in=[EvidencePack.State.QUEUED, EvidencePack.State.RUNNING]).first()
    if waiting is not None:
        return waiting
    pack = EvidencePack.objects.create(
        institution=institution,
        period_start=period.start,
        period_end=period.end,
        language=language,
        requested_by=requested_by,
    )
    from jaga.reports.tasks import evidence_pack_build

    transaction.on_commit(lambda: evidence_pack_build.enqueue(evidence_pack_id=pack.pk), robust=True)
    return pack


def _progress(pack_id: int) -> Callable[[int, int], None]:
    def tell(done: int, total: int) -> None:
        EvidencePack.objects.filter(pk=pack_id).update(steps_done=done, steps_total=total)

    return tell


def evidence_pack_build(*, pack: EvidencePack) -> EvidencePack:
    """Build the pack (claimed first: a job run twice builds it once), keep the zip and its SHA-256. A failure is
    recorded as such, with its reason, and raised."""
    from jaga.reports.evidence import evidence_pack_write

    now = clock.now()
    claimed = EvidencePack.objects.filter(pk=pack.pk, state=EvidencePack.State.QUEUED).update(
        state=EvidencePack.State.RUNNING, started_at=now
    )
    pack.refresh_from_db()
    if not claimed:
        return pack
    try:
        with tempfile.TemporaryDirectory(prefix="jaga-pack-") as folder:
            out = Path(folder) / f"paket-bukti-{pack.institution.slug}-{pack.period_start}-{pack.period_end}.zip"
            made = evidence_pack_write(
                institution=pack.institution,
                period=Period(pack.period_start, pack.period_end),
                out=out,
                language=pack.language,
                progress=_progress(pack.pk),
            )
            digest = hashlib.sha256()
            with out.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
                handle.seek(0)
                pack.file.save(out.name, File(handle), save=False)
            pack.sha256 = digest.hexdigest()
            pack.size = out.stat().st_size
        pack.refresh_from_db(fields=["steps_done", "steps_total"])
        pack.files_count = len(made.files)
        pack.executions = sum(part.total for part in made.parts)
        pack.state = EvidencePack.State.DONE
        pack.finished_at = clock.now()
        pack.steps_done = pack.steps_total
        pack.save()
    except Exception as exc:
        EvidencePack.objects.filter(pk=pack.pk).update(
            state=EvidencePack.State.FAILED, error=str(exc)[:2000], finished_at=clock.now()
        )
        raise
    return pack
