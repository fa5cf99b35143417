"""The visitor-activity REST API under ``/api/traffic``: a site's panels for a date range, its detections,
its block list (nginx, Apache, nftables, CrowdSec) and the rules in force. Registered from
``TrafficConfig.ready()``; reads only, through the selectors."""

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.pagination import paginate

from jaga.core import clock
from jaga.core.api import ApiInvalid, Pagination, api_token
from jaga.core.models import Site
from jaga.traffic import panels
from jaga.traffic.blocklists import BLOCKLIST_FORMATS, blocklist_render
from jaga.traffic.detection.rules import rules_for
from jaga.traffic.models import Detection
from jaga.traffic.selectors import blocklist_entries, detections_for

router = Router(tags=["traffic"])
MAX_DAYS = 400


class SummaryOut(Schema):
    hits: int
    visitors: int
    megabytes: float
    not_found: int
    errors: int
    crawler_hits: int


class PanelOut(Schema):
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]


class ReportOut(Schema):
    site_id: int
    start: dt.date
    end: dt.date
    summary: SummaryOut
    previous: SummaryOut
    panels: list[PanelOut]


class DetectionOut(Schema):
    id: int
    rule: str
    family: str
    severity: str
    scope: str
    key: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    count: int
    clients: int
    addresses: list[str]
    samples: list[str]
    private: bool
    incident_id: int | None

    @staticmethod
    def resolve_rule(obj: Detection) -> str:
        return obj.rule_key


class RuleOut(Schema):
    key: str
    kind: str
    family: str
    severity: str
    label: str
    explanation: str
    advice: str


def _site(request: HttpRequest, site_id: int) -> Site:
    try:
        return Site.objects.get(pk=site_id, institution_id=api_token(request).institution_id)
    except Site.DoesNotExist:
        raise Http404 from None


@router.get("/sites/{site_id}/panels", response=ReportOut)
def site_panels(
    request: HttpRequest, site_id: int, start: dt.date | None = None, end: dt.date | None = None, panel: str = ""
) -> Any:
    """Every panel (or the one named by ``panel``) for the days ``start`` to ``end`` inclusive; by default the
    last seven days that have lines."""
    site = _site(request, site_id)
    if end is None:
        known = panels.days_with_lines(site)
        end = known[1] if known else clock.now().date()
    if start is None:
        start = end - dt.timedelta(days=6)
    errors = []
    if end < start:
        errors.append({"loc": ["query", "end"], "msg": "end sebelum start / end is before start", "type": "value"})
    elif (end - start).days >= MAX_DAYS:
        errors.append({"loc": ["query", "start"], "msg": f"paling lama {MAX_DAYS} hari / at most", "type": "value"})
    if panel and panel not in panels.PANEL_KEYS:
        errors.append(
            {"loc": ["query", "panel"], "msg": f"pilih salah satu / one of {panels.PANEL_KEYS}", "type": "value"}
        )
    if errors:
        raise ApiInvalid(errors)
    report = panels.panels_read(site=site, start=start, end=end, keys=(panel,) if panel else panels.PANEL_KEYS)
    return {
        "site_id": site.pk,
        "start": start,
        "end": end,
        "summary": report.summary.__dict__,
        "previous": report.previous.__dict__,
        "panels": [
            {
                "key": p.spec.key,
                "title": str(p.spec.title),
                "columns": [str(c) for c in p.spec.columns],
                "rows": [list(r) for r in p.rows],
            }
            for p in report.panels
        ],
    }


@router.get("/sites/{site_id}/detections", response=list[DetectionOut])
@paginate(Pagination)
def site_detections(request: HttpRequest, site_id: int, since: dt.date | None = None) -> Any:
    return detections_for(site=_site(request, site_id), since=since)


@router.get("/sites/{site_id}/blocklist")
def site_blocklist(request: HttpRequest, site_id: int, format: str = "nginx") -> HttpResponse:
    """The addresses and subnets to block, as a file for nginx, Apache, nftables or CrowdSec (``format``)."""
    site = _site(request, site_id)
    if format not in BLOCKLIST_FORMATS:
        keys = [entry.key for entry in BLOCKLIST_FORMATS]
        raise ApiInvalid([{"loc": ["query", "format"], "msg": f"pilih salah satu / one of {keys}", "type": "value"}])
    now = clock.now()
    kind = BLOCKLIST_FORMATS.get(format)
    response = HttpResponse(blocklist_render(format, blocklist_entries(site=site, now=now), now=now))
    response["Content-Type"] = f"{kind.media_type}; charset=utf-8"
    response["Content-Disposition"] = f'attachment; filename="jaga-blocklist-{site.pk}-{format}.{kind.extension}"'
    return response


@router.get("/rules", response=list[RuleOut])
def rules_list(request: HttpRequest) -> Any:
    """The rules in force for the token's institution: Jaga's, the installation's custom ones and its own."""
    return [
        {
            "key": r.key,
            "kind": r.kind,
            "family": r.family,
            "severity": r.severity,
            "label": str(r.label),
            "explanation": str(r.explanation),
            "advice": str(r.advice),
        }
        for r in rules_for(institution_id=api_token(request).institution_id)
    ]
