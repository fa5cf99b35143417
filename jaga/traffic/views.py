"""The visitor-activity pages: an institution's sites, a site's panels for a date range (each also as CSV),
and its detections with each rule's explanation. Every object through the permission helper."""

from __future__ import annotations

import csv
import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from jaga.core import clock
from jaga.core.models import Institution, Site
from jaga.core.permissions import get_for_user
from jaga.traffic import panels
from jaga.traffic.blocklists import BLOCKLIST_FORMATS, blocklist_render
from jaga.traffic.detection.rules import rule_get
from jaga.traffic.models import Detection
from jaga.traffic.selectors import blocklist_entries, detections_for

DEFAULT_DAYS = 7
MAX_DAYS = 400


def _site(request: HttpRequest, slug: str, site_id: int) -> Site:
    institution = get_for_user(request.user, Institution, slug=slug)
    return get_for_user(request.user, Site.objects.select_related("institution"), pk=site_id, institution=institution)


def _range(request: HttpRequest, site: Site) -> tuple[dt.date, dt.date, str]:
    """The period asked for (``dari``, ``sampai``), else the last week with lines; an error to show, or ""."""
    known = panels.days_with_lines(site)
    end = known[1] if known else clock.now().date()
    start = end - dt.timedelta(days=DEFAULT_DAYS - 1)
    try:
        if request.GET.get("dari"):
            start = dt.date.fromisoformat(request.GET["dari"])
        if request.GET.get("sampai"):
            end = dt.date.fromisoformat(request.GET["sampai"])
    except ValueError:
        return start, end, _("Tanggal harus berbentuk TTTT-BB-HH, mis. 2026-11-24.")
    if end < start:
        return end, end, _("Tanggal akhir sebelum tanggal awal: yang ditampilkan hanya tanggal akhir.")
    if (end - start).days >= MAX_DAYS:
        start = end - dt.timedelta(days=MAX_DAYS - 1)
        return start, end, _("Rentang paling panjang %(days)s hari.") % {"days": MAX_DAYS}
    return start, end, ""


@login_required
def index(request: HttpRequest, slug: str) -> HttpResponse:
    institution = get_for_user(request.user, Institution, slug=slug)
    rows = []
    for site in Site.objects.filter(institution=institution, is_active=True).order_by("name"):
        known = panels.days_with_lines(site)
        rows.append(
            {
                "site": site,
                "days": known,
                "detections": Detection.objects.filter(site=site).count(),
                "sources": site.log_sources.count(),
            }
        )
    return render(request, "traffic/index.html", {"institution": institution, "rows": rows})


@login_required
def site_panels(request: HttpRequest, slug: str, site_id: int) -> HttpResponse:
    site = _site(request, slug, site_id)
    start, end, problem = _range(request, site)
    wanted = request.GET.get("panel", "")
    if wanted:
        if wanted not in panels.PANEL_KEYS:
            raise Http404
        report = panels.panels_read(site=site, start=start, end=end, keys=(wanted,))
        return _csv(report.panel(wanted), f"{site.pk}-{wanted}-{start}-{end}.csv")
    report = panels.panels_read(site=site, start=start, end=end)
    recent = list(detections_for(site=site, since=start).filter(last_seen__date__lte=end)[:10])
    return render(
        request,
        "traffic/site.html",
        {
            "site": site,
            "institution": site.institution,
            "report": report,
            "problem": problem,
            "detections": _explained(recent),
            "query": f"dari={start.isoformat()}&sampai={end.isoformat()}",
            "retention_days": settings.JAGA_TRAFFIC_RETENTION_DAYS,
        },
    )


def _csv(panel: panels.Panel, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([str(c) for c in panel.spec.columns])
    writer.writerows(panel.rows)
    return response


def _explained(detections: list[Detection]) -> list[dict[str, object]]:
    return [{"detection": d, "rule": rule_get(d.rule_key)} for d in detections]


@login_required
def site_detections(request: HttpRequest, slug: str, site_id: int) -> HttpResponse:
    site = _site(request, slug, site_id)
    found = list(detections_for(site=site)[:500])
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{site.pk}-detections.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [_("Klien"), _("Aturan"), _("Tingkat"), _("Pertama terlihat"), _("Terakhir terlihat"), _("Jumlah")]
        )
        for d in found:
            writer.writerow([d.key, d.rule_key, d.severity, d.first_seen.isoformat(), d.last_seen.isoformat(), d.count])
        return response
    entries = blocklist_entries(site=site)
    return render(
        request,
        "traffic/detections.html",
        {
            "site": site,
            "institution": site.institution,
            "detections": _explained(found),
            "blocks": [
                {"entry": e, "rules": [str(r.label) if (r := rule_get(k)) else k for k in e.rules.split(",")]}
                for e in entries[:200]
            ],
            "block_count": len(entries),
            "block_formats": list(BLOCKLIST_FORMATS),
            "block_hours": settings.JAGA_TRAFFIC_BLOCK_HOURS,
        },
    )


@login_required
def site_blocklist(request: HttpRequest, slug: str, site_id: int, format_key: str) -> HttpResponse:
    site = _site(request, slug, site_id)
    if format_key not in BLOCKLIST_FORMATS:
        raise Http404
    now = clock.now()
    kind = BLOCKLIST_FORMATS.get(format_key)
    response = HttpResponse(blocklist_render(format_key, blocklist_entries(site=site, now=now), now=now))
    response["Content-Type"] = f"{kind.media_type}; charset=utf-8"
    response["Content-Disposition"] = f'attachment; filename="jaga-site{site.pk}-blocklist.{kind.extension}"'
    return response
