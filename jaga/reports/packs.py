"""Writes of the evidence packs asked for on the web: the request (a row and a job for the worker) and the job
itself (the pack written by :mod:`jaga.reports.evidence`, its progress kept on the row while it is built, the
zip stored with its SHA-256, or the reason it failed)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from jaga.core import clock
from jaga.core.liveness import process_identity, process_verdict
from jaga.core.models import Institution
from jaga.core.sentences import say, sentence_dump
from jaga.reports.document import Period
from jaga.reports.models import EvidencePack, Report

logger = logging.getLogger(__name__)

MAX_PERIOD_DAYS = 366
STALE_AFTER = dt.timedelta(hours=1)  # a year's pack takes well under a minute
# Why a pack failed when nothing raised (stored as a sentence, read in the reader's language).
STOPPED = gettext_noop("Penyusunan terhenti: worker berhenti sebelum paket selesai.")
TOO_LONG = gettext_noop("Penyusunan terhenti: paket belum selesai setelah %(minutes)s menit.")


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
    # A pack whose builder died is failed (by the sweep as well, every minute), and this request asks again.
    evidence_packs_sweep_interrupted(now=clock.now(), packs=same)
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


def evidence_packs_sweep_interrupted(
    *, now: dt.datetime | None = None, packs: QuerySet[EvidencePack] | None = None
) -> list[int]:
    """Fail every pack still "being built" whose builder died (jaga.core.liveness, core's sweep calls this every
    minute) or that has run longer than :data:`STALE_AFTER` (a hung builder); returns their ids. A person asks
    for it again: the job of a dead worker that core re-queues finds its pack claimed and builds nothing."""
    now = now or clock.now()
    failed: list[int] = []
    running = (packs if packs is not None else EvidencePack.objects.all()).filter(state=EvidencePack.State.RUNNING)
    for pack in running.order_by("started_at"):
        if pack.started_at is not None and pack.started_at < now - STALE_AFTER:
            why = say(TOO_LONG, minutes=int((now - pack.started_at).total_seconds() // 60))
            reason = "ran too long"
        else:
            verdict = process_verdict(
                process_id=pack.owner_process, host=pack.owner_host, pid=pack.owner_pid, since=pack.started_at, now=now
            )
            if not verdict.dead:
                continue
            why, reason = say(STOPPED), verdict.reason
        done = EvidencePack.objects.filter(pk=pack.pk, state=EvidencePack.State.RUNNING).update(
            state=EvidencePack.State.FAILED, error=sentence_dump(why), finished_at=now
        )
        if done:
            failed.append(pack.pk)
            logger.warning("paket bukti %s ditandai gagal / evidence pack marked failed: %s", pack.pk, reason)
    return failed


def _progress(pack_id: int) -> Callable[[int, int], None]:
    def tell(done: int, total: int) -> None:
        EvidencePack.objects.filter(pk=pack_id).update(steps_done=done, steps_total=total)

    return tell


def evidence_pack_build(*, pack: EvidencePack) -> EvidencePack:
    """Build the pack (claimed first: a job run twice builds it once), keep the zip and its SHA-256. A failure is
    recorded as such, with its reason, and raised."""
    from jaga.reports.evidence import evidence_pack_write

    now = clock.now()
    owner = process_identity()
    claimed = EvidencePack.objects.filter(pk=pack.pk, state=EvidencePack.State.QUEUED).update(
        state=EvidencePack.State.RUNNING,
        started_at=now,
        owner_process=owner.process_id[:64],
        owner_host=owner.host[:255],
        owner_pid=owner.pid,
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
