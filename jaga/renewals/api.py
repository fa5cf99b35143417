"""The renewals' REST API, served by core's one API under ``/api/renewals``: the register of services, their
renewal cases, and an expiry look-up (RDAP or the TLS monitor) on demand. Registered from
``RenewalsConfig.ready()``; reads through the selectors, the look-up through the register's service."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from jaga.core.api import Pagination, api_require, api_token
from jaga.renewals.models import ExpiryLookup, RenewalCase, Service
from jaga.renewals.selectors import services_for
from jaga.renewals.services.register import service_expiry_check

router = Router(tags=["renewals"])


class ServiceOut(Schema):
    id: int
    kind: str
    name: str
    identifier: str
    provider: str
    cost: Decimal | None
    billing_period: str
    expires_on: dt.date | None
    expiry_source: str
    expiry_checked_at: dt.datetime | None
    auto_renew: bool
    is_active: bool
    site_ids: list[int]

    @staticmethod
    def resolve_site_ids(obj: Service) -> list[int]:
        return [site.pk for site in obj.sites.all()]


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
    state_since: dt.datetime
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    expires_on_before: dt.date | None
    expires_on_after: dt.date | None
    invoice_number: str
    invoice_amount: Decimal | None
    invoice_due_on: dt.date | None


def _service(request: HttpRequest, service_id: int) -> Service:
    try:
        return Service.objects.get(pk=service_id, institution_id=api_token(request).institution_id)
    except Service.DoesNotExist:
        raise Http404 from None


@router.get("/services", response=list[ServiceOut])
@paginate(Pagination)
def services_list(request: HttpRequest, include_inactive: bool = False) -> Any:
    return services_for(institution=api_token(request).institution, include_inactive=include_inactive).order_by(
        "expires_on", "name", "pk"
    )


@router.get("/services/{service_id}", response=ServiceOut)
def service_get(request: HttpRequest, service_id: int) -> Any:
    return _service(request, service_id)


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
        return 204, None
    return lookup


@router.get("/cases", response=list[CaseOut])
@paginate(Pagination)
def cases_list(request: HttpRequest, open: bool | None = None) -> Any:
    qs = RenewalCase.objects.filter(institution_id=api_token(request).institution_id).order_by("-opened_at", "-pk")
    if open is True:
        qs = qs.exclude(state="closed")
    elif open is False:
        qs = qs.filter(state="closed")
    return qs


@router.get("/cases/{case_id}", response=CaseOut)
def case_get(request: HttpRequest, case_id: int) -> Any:
    try:
        return RenewalCase.objects.get(pk=case_id, institution_id=api_token(request).institution_id)
    except RenewalCase.DoesNotExist:
        raise Http404 from None
