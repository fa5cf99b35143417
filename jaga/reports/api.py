"""The reports' REST API, served by core's one API under ``/api/reports``: the archive and drafts of the
token's institution, one report with its letter content, its PDF as sent, building a draft, sending it to the
Secretary, and the Secretary's "Mengetahui".

Registered from ``ReportsConfig.ready()``. Reads go through the selectors, writes through the same services as
the pages, as the token's user (so a token of a Sekretaris may acknowledge, and no other)."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Form, Router, Schema, Status
from ninja.pagination import paginate

from jaga.core.api import ApiInvalid, Pagination, api_require, api_token
from jaga.core.models import Site
from jaga.reports import delivery, selectors, services
from jaga.reports.document import Period
from jaga.reports.models import Report

router = Router(tags=["reports"])


class ReportOut(Schema):
    id: int
    kind: str
    number: str
    state: str
    site_id: int | None
    period_start: dt.date
    period_end: dt.date
    language: str
    issued_at: dt.datetime | None
    sent_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None
    disposition: str
    pdf_sha256: str

    @staticmethod
    def resolve_state(obj: Report) -> str:
        return selectors.report_state(obj).key

    @staticmethod
    def resolve_acknowledged_by(obj: Report) -> str | None:
        return obj.acknowledged_by.get_username() if obj.acknowledged_by else None


class ReportDetailOut(ReportOut):
    title: str
    conclusions: list[str]
    recommendations: list[str]
    sections: list[dict[str, Any]]

    @staticmethod
    def resolve_title(obj: Report) -> str:
        return str(obj.document.title)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_conclusions(obj: Report) -> list[str]:
        return list(obj.document.conclusions)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_recommendations(obj: Report) -> list[str]:
        return list(obj.document.recommendations)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_sections(obj: Report) -> list[dict[str, Any]]:
        content = obj.document.to_json()  # type: ignore[attr-defined]
        return [{key: s[key] for key in ("key", "title", "state", "facts", "tables")} for s in content["sections"]]


class ReportIn(Schema):
    kind: str = "situation"
    period_start: dt.date
    period_end: dt.date
    site_id: int | None = None
    language: str = "id"


class AcknowledgeIn(Schema):
    disposition: str = ""


def _report(request: HttpRequest, report_id: int) -> Report:
    try:
        return selectors.report_detail(report_id=report_id).get(institution_id=api_token(request).institution_id)
    except Report.DoesNotExist:
        raise Http404 from None


def _detail(report: Report) -> Report:
    report.document = services.report_build(report=report)  # type: ignore[attr-defined]
    return report


@router.get("", response=list[ReportOut])
@paginate(Pagination)
def reports_list(request: HttpRequest, kind: str = "") -> Any:
    return selectors.reports_for(institution=api_token(request).institution, kind=kind)


@router.post("", response={201: ReportDetailOut})
def report_add(request: HttpRequest, payload: ReportIn) -> Any:
    """A draft built from live data (no number until it is sent)."""
    token = api_require(request, "operate")
    site = None
    if payload.site_id is not None:
        site = Site.objects.filter(pk=payload.site_id, institution_id=token.institution_id).first()
        if site is None:
            raise ApiInvalid([{"loc": ["body", "site_id"], "msg": _("Situs tidak dikenal di instansi ini."),
                               "type": "value_error"}])  # fmt: skip
    if payload.period_end < payload.period_start or (payload.period_end - payload.period_start).days > 366:
        raise ApiInvalid([{"loc": ["body", "period_end"], "msg": _("Periode tidak sah (akhir sebelum awal, atau "
                           "lebih dari 366 hari)."), "type": "value_error"}])  # fmt: skip
    report = services.report_create(
        institution=token.institution, kind=payload.kind, period=Period(payload.period_start, payload.period_end),
        site=site, language=payload.language, created_by=token.user,
    )  # fmt: skip
    return Status(201, _detail(_report(request, report.pk)))


@router.get("/{report_id}", response=ReportDetailOut)
def report_get(request: HttpRequest, report_id: int) -> Any:
    return _detail(_report(request, report_id))


@router.get("/{report_id}/pdf")
def report_pdf(request: HttpRequest, report_id: int) -> HttpResponse:
    """The PDF as sent (never re-rendered), or a draft's preview."""
    report = _report(request, report_id)
    response = HttpResponse(services.report_pdf_bytes(report=report), content_type="application/pdf")
    name = (report.number or f"konsep-{report.pk}").replace("/", "-")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


@router.post("/{report_id}/send", response=ReportDetailOut)
def report_send(request: HttpRequest, report_id: int) -> Any:
    """Issue the draft (its letter number, its PDF) and send it to the Secretary; again: nothing more."""
    token = api_require(request, "operate")
    delivery.report_send(report=_report(request, report_id), user=token.user)
    return _detail(_report(request, report_id))


@router.post("/{report_id}/acknowledge", response=ReportDetailOut)
def report_acknowledge(request: HttpRequest, report_id: int, payload: Form[AcknowledgeIn]) -> Any:
    """The Secretary's "Mengetahui" (a token of a Sekretaris only: 403 for any other role); the form field
    ``disposition`` is optional."""
    token = api_token(request)
    report = _report(request, report_id)
    if not delivery.may_acknowledge(user=token.user, report=report):
        raise PermissionDenied
    delivery.report_acknowledge(report=report, user=token.user, disposition=payload.disposition)
    return _detail(_report(request, report_id))
