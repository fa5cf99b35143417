"""The renewal case: due soon → invoice requested → invoice received → verified by Kasubbag Umum dan
Keuangan → approved by the Sekretaris → paid → renewed → closed, and the rejections that send it back.

Only the SOP's executor of a step may take it (a permission action of ``jaga.core.permissions`` and the
role the SOP names; an Administrator may stand in), and the one who verified an invoice may not also
approve it. Every step is claimed with a conditional UPDATE on the case's ``version``: of two people acting
on the same case at once, one wins and the other gets :class:`CaseConflict` with what happened, and nothing
of the loser's is stored (an uploaded file included). Each step is a :class:`CaseStep` (in the audit trail
with its actor) and tells the role that acts next.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_stubs_ext import StrOrPromise

from jaga.core import clock
from jaga.core.models import Role
from jaga.core.notifications import notify
from jaga.core.permissions import Action, user_can, user_roles
from jaga.core.sentences import say, sentence_dump
from jaga.renewals.models import (
    OPEN_STATES,
    CaseState,
    CaseStep,
    Document,
    DocumentKind,
    ExpirySource,
    RenewalCase,
    Service,
    StepAction,
)
from jaga.renewals.services.register import document_store
from jaga.renewals.step_notes import step_note
from jaga.renewals.uploads import pdf_check

logger = logging.getLogger(__name__)

# The renewal's line in the SOP ledger, as a sentence (read in each reader's language).
LEDGER_NOTE = gettext_noop("%(service)s: %(before)s → %(after)s; tagihan %(invoice)s")


class CaseConflict(Exception):
    """Someone else moved the case first. ``str()`` is a sentence for the person who lost."""


@dataclass(frozen=True)
class Step:
    action: str
    from_state: str
    to_state: str
    permission: Action
    roles: tuple[str, ...]  # the SOP's executor(s); an Administrator may always stand in
    label: StrOrPromise
    event: str = ""
    title: StrOrPromise = ""
    body: StrOrPromise = ""
    document: str = ""  # the document kind the step needs


STEPS: dict[str, Step] = {
    step.action: step
    for step in (
        Step(StepAction.REQUEST_INVOICE, CaseState.DUE, CaseState.INVOICE_REQUESTED, "operate", (Role.STAFF_P2TI,),
             _("Tagihan sudah diminta kepada penyedia")),
        Step(StepAction.RECEIVE_INVOICE, CaseState.INVOICE_REQUESTED, CaseState.INVOICE_RECEIVED, "operate",
             (Role.STAFF_P2TI,), _("Unggah tagihan"), "renewal.verification_needed",
             _("Tagihan %(service)s perlu diverifikasi"),
             _("Tagihan %(number)s sebesar Rp %(amount)s, jatuh tempo %(due)s, menunggu verifikasi Kasubbag Umum "
               "dan Keuangan."), DocumentKind.INVOICE),
        Step(StepAction.VERIFY, CaseState.INVOICE_RECEIVED, CaseState.VERIFIED, "finance", (Role.KASUBBAG_UMUM,),
             _("Tagihan benar: verifikasi"), "renewal.approval_needed",
             _("Perpanjangan %(service)s menunggu persetujuan Sekretaris"),
             _("Tagihan %(number)s sebesar Rp %(amount)s sudah diverifikasi Keuangan; mohon persetujuan.")),
        Step(StepAction.APPROVE, CaseState.VERIFIED, CaseState.APPROVED, "approve", (Role.SEKRETARIS,),
             _("Setujui perpanjangan"), "renewal.payment_needed",
             _("Perpanjangan %(service)s disetujui: mohon dibayar"),
             _("Sekretaris menyetujui tagihan %(number)s (Rp %(amount)s, jatuh tempo %(due)s).")),
        Step(StepAction.PAY, CaseState.APPROVED, CaseState.PAID, "finance", (Role.KASUBBAG_UMUM,),
             _("Sudah dibayar: unggah bukti"), "renewal.paid",
             _("Perpanjangan %(service)s sudah dibayar"),
             _("Bukti pembayaran diunggah; pastikan tanggal berakhir yang baru."), DocumentKind.PAYMENT_PROOF),
        Step(StepAction.RENEW, CaseState.PAID, CaseState.RENEWED, "operate", (Role.STAFF_P2TI,),
             _("Isi tanggal berakhir baru dengan bukti"), "renewal.renewed",
             _("%(service)s sudah diperpanjang"), _("Berakhir sekarang %(expires)s (sebelumnya %(before)s)."),
             DocumentKind.RENEWAL_EVIDENCE),
        Step(StepAction.CLOSE, CaseState.RENEWED, CaseState.CLOSED, "operate", (Role.STAFF_P2TI,),
             _("Tutup kasus"), "renewal.closed", _("Kasus perpanjangan %(service)s selesai"),
             _("Dicatat di buku catatan SOP (aktivitas perpanjangan) dengan tagihan dan bukti bayar.")),
    )
}  # fmt: skip


@dataclass(frozen=True)
class Rejection:
    from_state: str
    to_state: str
    permission: Action
    roles: tuple[str, ...]
    label: StrOrPromise


# Where a rejection sends the case: the step whose work must be done again.
REJECTIONS: dict[str, Rejection] = {
    r.from_state: r
    for r in (
        Rejection(CaseState.INVOICE_RECEIVED, CaseState.INVOICE_REQUESTED, "finance", (Role.KASUBBAG_UMUM,),
                  _("Tolak tagihan (minta tagihan yang benar)")),
        Rejection(CaseState.VERIFIED, CaseState.INVOICE_RECEIVED, "approve", (Role.SEKRETARIS,),
                  _("Tolak (kembalikan ke Keuangan)")),
        Rejection(CaseState.PAID, CaseState.APPROVED, "operate", (Role.STAFF_P2TI,),
                  _("Tolak bukti bayar (penyedia belum menerima)")),
    )
}  # fmt: skip

# Who acts in each open state: the page's "waiting for" and each role's list and calendar.
WAITING_FOR: dict[str, tuple[str, ...]] = {step.from_state: step.roles for step in STEPS.values()}


def _may(user: Any, case: RenewalCase, permission: Action, roles: tuple[str, ...]) -> bool:
    if not user_can(user, case.institution_id, permission):
        return False
    if getattr(user, "is_superuser", False):
        return True
    held = user_roles(user, case.institution_id)
    return bool(held & (set(roles) | {Role.ADMINISTRATOR}))


def step_for(case: RenewalCase) -> Step | None:
    return next((step for step in STEPS.values() if step.from_state == case.state), None)


def step_allowed(*, user: Any, case: RenewalCase, step: Step) -> bool:
    if case.state != step.from_state or not _may(user, case, step.permission, step.roles):
        return False
    if step.action == StepAction.APPROVE:
        return not _verified_by(case, user)
    return True


def rejection_allowed(*, user: Any, case: RenewalCase) -> bool:
    rejection = REJECTIONS.get(case.state)
    return rejection is not None and _may(user, case, rejection.permission, rejection.roles)


def _verified_by(case: RenewalCase, user: Any) -> bool:
    last = case.steps.filter(action=StepAction.VERIFY).order_by("-at", "-pk").first()
    return last is not None and last.actor_id == getattr(user, "pk", None)


def _people(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _params(case: RenewalCase) -> dict[str, Any]:
    return {
        "service": case.service.name,
        "number": case.invoice_number or "-",
        "amount": f"{case.invoice_amount:,.0f}".replace(",", ".") if case.invoice_amount is not None else "-",
        "due": case.invoice_due_on or "-",
        "expires": case.service.expires_on or "-",
        "before": case.expires_on_before or "-",
    }


_history: ContextVar[bool] = ContextVar("renewals_history", default=False)


@contextmanager
def history_unannounced() -> Iterator[None]:
    """Steps taken inside are not announced: history made after the fact (``jaga demo``) tells nobody."""
    token = _history.set(True)
    try:
        yield
    finally:
        _history.reset(token)


def announce(send: Callable[[], None]) -> None:
    """Send once the data is committed; nothing inside :func:`history_unannounced` (decided now, not then)."""
    if not _history.get():
        transaction.on_commit(send)


def case_notify(*, case: RenewalCase, event: str, title: StrOrPromise, body: StrOrPromise, **extra: Any) -> None:
    site = case.service.sites.order_by("pk").first()
    notify(
        institution=case.institution,
        event_type=event,
        title=title,
        body=body,
        params={**_params(case), **extra},
        site=site,
        link=case,
    )


def _claim(*, case: RenewalCase, version: int, from_state: str) -> RenewalCase:
    """The conditional UPDATE: the case moves only if nobody moved it since ``version`` was read."""
    claimed = RenewalCase.objects.filter(pk=case.pk, version=version, state=from_state).update(version=F("version") + 1)
    if not claimed:
        current = RenewalCase.objects.select_related("service").get(pk=case.pk)
        last = current.steps.select_related("actor").order_by("-at", "-pk").first()
        who = (last.actor.get_full_name() or last.actor.get_username()) if last and last.actor else "Jaga"
        raise CaseConflict(
            _(
                "Kasus ini baru saja diubah oleh %(who)s (sekarang: %(state)s); langkah Anda tidak disimpan. "
                "Muat ulang halaman lalu periksa lagi."
            )
            % {"who": who, "state": current.get_state_display()}
        )
    return RenewalCase.objects.select_related("service", "institution").get(pk=case.pk)


def _move(
    *,
    case: RenewalCase,
    version: int,
    from_state: str,
    to_state: str,
    action: str,
    user: Any,
    note: str = "",
    data: dict[str, Any] | None = None,
    fields: dict[str, Any] | None = None,
    upload: Any = None,
    document_kind: str = "",
    also: Callable[[RenewalCase], None] | None = None,
) -> tuple[RenewalCase, Document | None]:
    stored: Document | None = None
    try:
        with transaction.atomic():
            fresh = _claim(case=case, version=version, from_state=from_state)
            now = clock.now()
            if upload is not None:
                stored = document_store(service=fresh.service, upload=upload, kind=document_kind, by=user, case=fresh)
                # A document of the same kind sent earlier (a rejected invoice) stays, marked as replaced.
                Document.objects.filter(case=fresh, kind=document_kind).exclude(pk=stored.pk).update(superseded=True)
            for name, value in (fields or {}).items():
                setattr(fresh, name, value)
            fresh.state, fresh.state_since = to_state, now
            if to_state == CaseState.CLOSED:
                fresh.closed_at = now
            fresh.save()
            CaseStep.objects.create(
                case=fresh, at=now, actor=_people(user), action=action, from_state=from_state, to_state=to_state,
                note=note.strip(), data=data or {}, document=stored,
            )  # fmt: skip
            if also is not None:
                also(fresh)
            if to_state == CaseState.CLOSED:
                _ledger(case=fresh, user=user)
    except BaseException:
        if stored is not None and stored.file.name:  # the row rolled back: the file must not stay behind either
            stored.file.storage.delete(stored.file.name)
        raise
    return fresh, stored


def _require(*, user: Any, case: RenewalCase, permission: Action, roles: tuple[str, ...]) -> None:
    if not _may(user, case, permission, roles):
        raise PermissionDenied(
            _("Langkah ini dilakukan oleh %(roles)s.") % {"roles": ", ".join(str(Role(r).label) for r in roles)}
        )


def case_step_take(
    *,
    case: RenewalCase,
    action: str,
    user: Any,
    version: int,
    note: str = "",
    upload: Any = None,
    invoice_number: str = "",
    invoice_amount: Any = None,
    invoice_due_on: dt.date | None = None,
    expires_on: dt.date | None = None,
) -> RenewalCase:
    """Take the step ``action`` of ``case`` as ``user``, who read the case at ``version``."""
    step = STEPS.get(action)
    if step is None:
        raise ValidationError(_("Langkah tidak dikenal: %(action)s") % {"action": action})
    if case.state != step.from_state:
        raise CaseConflict(
            _("Kasus ini sekarang pada tahap %(state)s; langkah itu tidak berlaku lagi. Muat ulang halaman.")
            % {"state": case.get_state_display()}
        )
    _require(user=user, case=case, permission=step.permission, roles=step.roles)
    if step.action == StepAction.APPROVE and _verified_by(case, user):
        raise PermissionDenied(_("Yang memverifikasi tagihan tidak boleh juga menyetujuinya (empat mata)."))
    fields: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    if step.document and upload is None:
        errors["upload"] = _("Unggah berkasnya (PDF).")
    elif upload is not None and not step.document:
        errors["upload"] = _("Langkah ini tidak memerlukan berkas.")
    elif upload is not None:
        try:
            pdf_check(upload)  # named on its field here; document_store checks again before it stores
        except ValidationError as exc:
            errors["upload"] = exc.error_list
    if step.action == StepAction.RECEIVE_INVOICE:
        if not invoice_number.strip():
            errors["invoice_number"] = _("Isi nomor tagihan.")
        if invoice_amount is None or invoice_amount <= 0:
            errors["invoice_amount"] = _("Isi jumlah tagihan (lebih dari 0).")
        if invoice_due_on is None:
            errors["invoice_due_on"] = _("Isi tanggal jatuh tempo tagihan.")
        fields = {"invoice_number": invoice_number.strip(), "invoice_amount": invoice_amount,
                  "invoice_due_on": invoice_due_on}  # fmt: skip
    if step.action == StepAction.RENEW:
        before = case.expires_on_before
        if expires_on is None:
            errors["expires_on"] = _("Isi tanggal berakhir yang baru.")
        elif before is not None and expires_on <= before:
            errors["expires_on"] = _("Tanggal berakhir yang baru harus sesudah %(before)s.") % {"before": before}
        fields = {"expires_on_after": expires_on, "renewal_source": ExpirySource.MANUAL}

    def renewed_by_hand(fresh: RenewalCase) -> None:
        service = Service.objects.get(pk=fresh.service_id)
        service.expires_on, service.expiry_source = expires_on, ExpirySource.MANUAL
        service.save(update_fields=["expires_on", "expiry_source", "updated_at"])
        fresh.service = service

    if errors:
        raise ValidationError(errors)
    fresh, _document = _move(
        case=case, version=version, from_state=step.from_state, to_state=step.to_state, action=step.action,
        user=user, note=note, fields=fields, upload=upload, document_kind=step.document,
        also=renewed_by_hand if step.action == StepAction.RENEW else None,
    )  # fmt: skip
    if step.action == StepAction.RENEW:
        _incidents_clear(case=fresh)
    if step.event:
        announce(lambda: case_notify(case=fresh, event=step.event, title=step.title, body=step.body))
    if step.action == StepAction.PAY:
        # The provider may have renewed already (the registry shows it): then the case is renewed at once.
        transaction.on_commit(lambda: case_renewal_detect(service=fresh.service))
    return fresh


def case_reject(*, case: RenewalCase, user: Any, version: int, reason: str) -> RenewalCase:
    rejection = REJECTIONS.get(case.state)
    if rejection is None:
        raise CaseConflict(_("Tahap %(state)s tidak dapat ditolak.") % {"state": case.get_state_display()})
    _require(user=user, case=case, permission=rejection.permission, roles=rejection.roles)
    if not reason.strip():
        raise ValidationError({"reason": _("Tuliskan alasan penolakan.")})
    fresh, _document = _move(
        case=case, version=version, from_state=rejection.from_state, to_state=rejection.to_state,
        action=StepAction.REJECT, user=user, note=reason,
    )  # fmt: skip
    announce(
        lambda: case_notify(
            case=fresh,
            event="renewal.rejected",
            title=_("Perpanjangan %(service)s dikembalikan: %(state)s"),
            body=_("Alasan: %(reason)s"),
            state=fresh.get_state_display(),
            reason=reason.strip(),
        )
    )
    return fresh


def case_open(*, service: Service, user: Any = None, note: str = "", data: dict[str, Any] | None = None) -> RenewalCase:
    """Open the renewal case of ``service`` (or return the one already open). ``note`` and ``data`` as made
    by :func:`jaga.renewals.step_notes.step_note` for a note Jaga writes."""
    existing = RenewalCase.objects.filter(service=service, state__in=OPEN_STATES).first()
    if existing is not None:
        return existing
    now = clock.now()
    try:
        with transaction.atomic():
            case = RenewalCase.objects.create(
                institution=service.institution, service=service, state=CaseState.DUE, state_since=now,
                opened_at=now, expires_on_before=service.expires_on,
            )  # fmt: skip
            CaseStep.objects.create(
                case=case,
                at=now,
                actor=_people(user),
                action=StepAction.OPEN,
                to_state=CaseState.DUE,
                note=note,
                data=data or {},
            )
    except IntegrityError:  # opened at the same moment by the daily run or someone else
        return RenewalCase.objects.get(service=service, state__in=OPEN_STATES)
    return case


def case_renewal_detect(*, service: Service) -> RenewalCase | None:
    """The expiry moved past the one the open case renews: a paid case is renewed (verified automatically)."""
    case = RenewalCase.objects.filter(service=service, state__in=OPEN_STATES).select_related("institution").first()
    if case is None or service.expires_on is None:
        return None
    before = case.expires_on_before
    if before is not None and service.expires_on <= before:
        return None
    if case.state != CaseState.PAID:
        if (
            case.state not in (CaseState.RENEWED, CaseState.CLOSED)
            and not case.steps.filter(action=StepAction.NOTE, data__message="renewal_seen").exists()
        ):
            CaseStep.objects.create(
                case=case, at=clock.now(), action=StepAction.NOTE,
                **step_note("renewal_seen", expires=service.expires_on, source=service.expiry_source),
            )  # fmt: skip
        return None
    try:
        fresh, _document = _move(
            case=case, version=case.version, from_state=CaseState.PAID, to_state=CaseState.RENEWED,
            action=StepAction.RENEW, user=None,
            **step_note("renewed_auto", source=service.expiry_source, before=before, after=service.expires_on),
            fields={"expires_on_after": service.expires_on, "renewal_source": service.expiry_source},
        )  # fmt: skip
    except CaseConflict:
        return None
    _incidents_clear(case=fresh)
    step = STEPS[StepAction.RENEW]
    announce(lambda: case_notify(case=fresh, event=step.event, title=step.title, body=step.body))
    return fresh


def _incidents_clear(*, case: RenewalCase) -> None:
    from jaga.renewals.services.escalation import case_incidents_clear

    case_incidents_clear(case=case)


def _ledger(*, case: RenewalCase, user: Any) -> None:
    """The closed case as one execution of the SOP's renewal activity, with the invoice and proof of payment."""
    from jaga.sop.services import ledger_record

    documents = list(
        case.documents.filter(superseded=False, kind__in=(DocumentKind.INVOICE, DocumentKind.PAYMENT_PROOF,
                                                          DocumentKind.RENEWAL_EVIDENCE)).order_by("pk")
    )  # fmt: skip
    handles = [document.file.open("rb") for document in documents]
    try:
        files = [File(handle, name=document.original_name) for handle, document in zip(handles, documents, strict=True)]
        entry = ledger_record(
            activity_key="renewal",
            institution=case.institution,
            site=case.service.sites.order_by("pk").first(),
            performed_by=_people(user),
            started_at=case.opened_at,
            ended_at=case.closed_at or clock.now(),
            outcome="success",
            output=case,
            notes=sentence_dump(
                say(
                    LEDGER_NOTE,
                    service=case.service.name,
                    before=str(case.expires_on_before or "-"),
                    after=str(case.expires_on_after or "-"),
                    invoice=case.invoice_number or "-",
                )
            ),
            evidence_files=files,
        )
    finally:
        for handle in handles:
            handle.close()
    RenewalCase.objects.filter(pk=case.pk).update(ledger_entry=entry)
    case.ledger_entry = entry
