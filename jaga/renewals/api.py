"""The renewals' REST API, served by core's one API under ``/api/renewals``: the register of services, their
renewal cases and every step of the SOP chain, the documents, and an expiry look-up on demand.

Registered from ``RenewalsConfig.ready()``. Reads go through the selectors, writes through the same services
as the pages: a step is taken by the token's user with the case's ``version`` it read, so of two clients
acting at once one wins and the other gets 409 with what happened (nothing of theirs is stored); a step
that needs a document takes it as ``multipart/form-data`` and a file that is not an inert PDF is a 422 on
``upload``.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from jaga.core.api import ApiInvalid, Pagination, api_require, api_token
from jaga.core.models import Site
from jaga.renewals.kinds import REGISTRY
from jaga.renewals.models import CaseStep, Document, DocumentKind, ExpiryLookup, RenewalCase, Service
from jaga.renewals.selectors import case_detail, cases_waiting_for, services_for
from jaga.renewals.services.register import document_store, service_create, service_expiry_check, service_update
from jaga.renewals.services.workflow import (
    REJECTIONS,
    WAITING_FOR,
    CaseConflict,
    case_open,
    case_reject,
    case_step_take,
    step_for,
)
from jaga.renewals.step_notes import step_note

router = Router(tags=["renewals"])


class ServiceOut(Schema):
    id: int
    kind: str
    name: str
    identifier: str
    provider: str
    account: str
    contract_number: str
    cost: Decimal | None
    billing_period: str
    started_on: dt.date | None
    expires_on: dt.date | None
    expiry_source: str
    expiry_checked_at: dt.datetime | None
    auto_renew: bool
    contacts: str
    notes: str
    is_active: bool
    site_ids: list[int]

    @staticmethod
    def resolve_site_ids(obj: Service) -> list[int]:
        return [site.pk for site in obj.sites.all()]


class ServiceIn(Schema):
    kind: str
    name: str
    identifier: str = ""
    rdap_url: str = ""
    provider: str = ""
    account: str = ""
    contract_number: str = ""
    cost: Decimal | None = None
    billing_period: str = "yearly"
    started_on: dt.date | None = None
    expires_on: dt.date | None = None
    auto_renew: bool = False
    contacts: str = ""
    notes: str = ""
    site_ids: list[int] = []


class ServicePatch(Schema):
    name: str | None = None
    identifier: str | None = None
    rdap_url: str | None = None
    provider: str | None = None
    account: str | None = None
    contract_number: str | None = None
    cost: Decimal | None = None
    billing_period: str | None = None
    started_on: dt.date | None = None
    expires_on: dt.date | None = None
    auto_renew: bool | None = None
    contacts: str | None = None
    notes: str | None = None
    is_active: bool | None = None
    site_ids: list[int] | None = None


class LookupOut(Schema):
    at: dt.datetime
    source: str
    status: str
    expires_at: dt.datetime | None
    registrar: str
    error: str
    from_cache: bool


class CaseOut(Schema):
    id: int
    service_id: int
    state: str
    version: int
    state_since: dt.datetime
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    expires_on_before: dt.date | None
    expires_on_after: dt.date | None
    invoice_number: str
    invoice_amount: Decimal | None
    invoice_due_on: dt.date | None
    next_action: str | None
    waiting_for: list[str]
    rejectable: bool

    @staticmethod
    def resolve_next_action(obj: RenewalCase) -> str | None:
        step = step_for(obj)
        return step.action if step is not None else None

    @staticmethod
    def resolve_waiting_for(obj: RenewalCase) -> list[str]:
        return list(WAITING_FOR.get(obj.state, ()))

    @staticmethod
    def resolve_rejectable(obj: RenewalCase) -> bool:
        return obj.state in REJECTIONS


class StepOut(Schema):
    at: dt.datetime
    action: str
    from_state: str
    to_state: str
    actor: str | None
    note: str
    document_id: int | None

    @staticmethod
    def resolve_actor(obj: CaseStep) -> str | None:
        return obj.actor.get_username() if obj.actor is not None else None


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    original_name: str
    sha256: str
    size: int
    uploaded_at: dt.datetime
    superseded: bool
    case_id: int | None


class CaseDetailOut(CaseOut):
    steps: list[StepOut]
    documents: list[DocumentOut]

    @staticmethod
    def resolve_steps(obj: RenewalCase) -> list[CaseStep]:
        return list(obj.steps.all())

    @staticmethod
    def resolve_documents(obj: RenewalCase) -> list[Document]:
        return list(obj.documents.all())


class DocumentIn(Schema):
    kind: str = DocumentKind.CONTRACT
    title: str = ""


# The documents kept on a service itself; the invoice and the proof of payment come through a case's steps.
SERVICE_DOCUMENT_KINDS = (DocumentKind.CONTRACT, DocumentKind.INVOICE, DocumentKind.OTHER)


class StepIn(Schema):
    action: str
    version: int
    note: str = ""
    invoice_number: str = ""
    invoice_amount: Decimal | None = None
    invoice_due_on: dt.date | None = None
    expires_on: dt.date | None = None


class RejectIn(Schema):
    version: int
    reason: str


def _service(request: HttpRequest, service_id: int) -> Service:
    try:
        return Service.objects.get(pk=service_id, institution_id=api_token(request).institution_id)
    except Service.DoesNotExist:
        raise Http404 from None


def _case(request: HttpRequest, case_id: int) -> RenewalCase:
    try:
        return case_detail(case_id=case_id).get(pk=case_id, institution_id=api_token(request).institution_id)
    except RenewalCase.DoesNotExist:
        raise Http404 from None


def _sites(request: HttpRequest, site_ids: list[int]) -> list[Site]:
    sites = list(Site.objects.filter(pk__in=site_ids, institution_id=api_token(request).institution_id))
    missing = sorted(set(site_ids) - {site.pk for site in sites})
    if missing:
        raise ApiInvalid(
            [{"loc": ["body", "site_ids"], "msg": _("Situs tidak dikenal di instansi ini: %(ids)s")
              % {"ids": ", ".join(map(str, missing))}, "type": "value_error"}]
        )  # fmt: skip
    return sites


@router.get("/services", response=list[ServiceOut])
@paginate(Pagination)
def services_list(request: HttpRequest, include_inactive: bool = False) -> Any:
    return services_for(institution=api_token(request).institution, include_inactive=include_inactive).order_by(
        "expires_on", "name", "pk"
    )


@router.post("/services", response={201: ServiceOut})
def service_add(request: HttpRequest, payload: ServiceIn) -> Any:
    """A new entry of the register; a domain or certificate is looked up at once."""
    token = api_require(request, "operate")
    values = payload.dict(exclude={"site_ids"})
    service = service_create(institution=token.institution, sites=_sites(request, payload.site_ids), **values)
    if REGISTRY.get(service.kind).automatic:
        service_expiry_check(service=service)
        service.refresh_from_db()
    return Status(201, service)


@router.get("/services/{service_id}", response=ServiceOut)
def service_get(request: HttpRequest, service_id: int) -> Any:
    return _service(request, service_id)


@router.patch("/services/{service_id}", response=ServiceOut)
def service_change(request: HttpRequest, service_id: int, payload: ServicePatch) -> Any:
    api_require(request, "operate")
    service = _service(request, service_id)
    changes = payload.dict(exclude_unset=True)
    site_ids = changes.pop("site_ids", None)
    sites = _sites(request, site_ids) if site_ids is not None else None
    return service_update(service=service, sites=sites, **changes)


@router.get("/services/{service_id}/lookups", response=list[LookupOut])
@paginate(Pagination)
def service_lookups(request: HttpRequest, service_id: int) -> Any:
    return ExpiryLookup.objects.filter(service=_service(request, service_id)).order_by("-at", "-pk")


@router.post("/services/{service_id}/check", response={200: LookupOut, 204: None})
def service_check(request: HttpRequest, service_id: int) -> Any:
    """Look the expiry up now (RDAP for a domain, the TLS monitor for a certificate); 204 for a kind whose
    date is entered by hand."""
    api_require(request, "operate")
    lookup = service_expiry_check(service=_service(request, service_id), force=True)
    if lookup is None:
        return Status(204, None)
    return lookup


@router.get("/services/{service_id}/documents", response=list[DocumentOut])
@paginate(Pagination)
def service_documents(request: HttpRequest, service_id: int) -> Any:
    """Every document of the service, newest first: its contracts and earlier invoices, and those of its cases."""
    return Document.objects.filter(service=_service(request, service_id)).order_by("-uploaded_at", "-pk")


@router.post("/services/{service_id}/documents", response={201: DocumentOut})
def service_document_add(
    request: HttpRequest, service_id: int, payload: Form[DocumentIn], upload: File[UploadedFile]
) -> Any:
    """Keep a contract, an earlier invoice or another document (``multipart/form-data``: ``kind``, ``title``,
    ``upload`` a PDF). A file that is not an inert PDF is a 422 on ``upload`` and nothing is stored."""
    token = api_require(request, "operate")
    service = _service(request, service_id)
    if payload.kind not in SERVICE_DOCUMENT_KINDS:
        kinds = ", ".join(str(kind) for kind in SERVICE_DOCUMENT_KINDS)
        raise ValidationError({"kind": _("Jenis dokumen harus salah satu dari: %(kinds)s.") % {"kinds": kinds}})
    try:
        document = document_store(service=service, upload=upload, kind=payload.kind, by=token.user,
                                  title=payload.title)  # fmt: skip
    except ValidationError as exc:
        raise ValidationError({"upload": exc.error_list}) from None
    return Status(201, document)


@router.post("/services/{service_id}/cases", response={200: CaseDetailOut, 201: CaseDetailOut})
def service_case_open(request: HttpRequest, service_id: int) -> Any:
    """Start the renewal of a service: 201 with the new case, 200 with the one already open."""
    token = api_require(request, "operate")
    service = _service(request, service_id)
    already = RenewalCase.objects.filter(service=service).exclude(state="closed").exists()
    case = case_open(service=service, user=token.user, **step_note("opened_api"))
    return Status(200 if already else 201, _case(request, case.pk))


@router.get("/cases", response=list[CaseOut])
@paginate(Pagination)
def cases_list(request: HttpRequest, open: bool | None = None, waiting_for_me: bool = False) -> Any:
    """``waiting_for_me=true``: the open cases whose next step the token's user may take, soonest deadline first
    (the "waiting for me" list of the pages)."""
    token = api_token(request)
    if waiting_for_me:
        return [case for case, _step in cases_waiting_for(user=token.user, institution=token.institution)]
    qs = RenewalCase.objects.filter(institution_id=token.institution_id).order_by("-opened_at", "-pk")
    if open is True:
        qs = qs.exclude(state="closed")
    elif open is False:
        qs = qs.filter(state="closed")
    return qs


@router.get("/cases/{case_id}", response=CaseDetailOut)
def case_get(request: HttpRequest, case_id: int) -> Any:
    return _case(request, case_id)


def _conflict(exc: CaseConflict) -> HttpError:
    return HttpError(409, str(exc))


@router.post("/cases/{case_id}/steps", response=CaseDetailOut)
def case_step(
    request: HttpRequest, case_id: int, payload: Form[StepIn], upload: File[UploadedFile | None] = None
) -> Any:
    """Take the step ``action`` (the case's ``next_action``) as the token's user, with the ``version`` read.

    ``multipart/form-data``; ``upload`` is the invoice, the proof of payment or the renewal evidence (PDF)."""
    token = api_token(request)
    case = _case(request, case_id)
    try:
        case_step_take(
            case=case, action=payload.action, user=token.user, version=payload.version, note=payload.note,
            upload=upload, invoice_number=payload.invoice_number, invoice_amount=payload.invoice_amount,
            invoice_due_on=payload.invoice_due_on, expires_on=payload.expires_on,
        )  # fmt: skip
    except CaseConflict as exc:
        raise _conflict(exc) from None
    return _case(request, case_id)


@router.post("/cases/{case_id}/reject", response=CaseDetailOut)
def case_reject_api(request: HttpRequest, case_id: int, payload: Form[RejectIn]) -> Any:
    """Send the case back to the step whose work must be redone, with the reason (form fields, as a step)."""
    token = api_token(request)
    case = _case(request, case_id)
    try:
        case_reject(case=case, user=token.user, version=payload.version, reason=payload.reason)
    except CaseConflict as exc:
        raise _conflict(exc) from None
    return _case(request, case_id)


@router.get("/documents/{document_id}")
def document_get(request: HttpRequest, document_id: int) -> FileResponse:
    """The stored PDF (an invoice, a proof of payment, a contract...)."""
    try:
        document = Document.objects.get(pk=document_id, service__institution_id=api_token(request).institution_id)
        handle = document.file.open("rb")
    except (Document.DoesNotExist, FileNotFoundError):
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=document.original_name, content_type="application/pdf")
