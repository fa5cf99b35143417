"""The visitor-activity pages: an institution's sites, a site's panels for a date range (each also as CSV, the
per-day and per-hour ones also as charts), its detections with each rule's explanation, and the detection rules
(an Administrator adds the institution's own). Every object through the permission helper."""

from __future__ import annotations

import csv
import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from jaga.core import clock
from jaga.core.confirm import confirmation_page
from jaga.core.models import Institution, Site
from jaga.core.permissions import get_for_user, user_can
from jaga.core.templatetags.jaga_format import tanggal_jam
from jaga.incidents.kinds.base import Severity
from jaga.traffic import charts, panels
from jaga.traffic.blocklists import BLOCKLIST_FORMATS, blocklist_render
from jaga.traffic.detection.base import Rule
from jaga.traffic.detection.rules import RuleError, rule_get, rules_all, rules_for
from jaga.traffic.forms import EXAMPLE, CustomRuleForm
from jaga.traffic.models import CustomRule, Detection, IngestRun
from jaga.traffic.response import response_text, responses_for
from jaga.traffic.selectors import blocklist_entries, detections_for
from jaga.traffic.services.rules import custom_rule_active_set, custom_rule_delete, custom_rule_save

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
    recent = list(
        detections_for(site=site, since=start).filter(last_seen__date__lte=end).select_related("site__institution")[:10]
    )
    days = charts.day_points(report.panel("daily").rows, start=start, end=end)
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
            "charts": {
                "daily": charts.chart_svg(days, title=str(report.panel("daily").spec.title)),
                "hourly": charts.chart_svg(
                    charts.hour_points(report.panel("hourly").rows),
                    title=str(report.panel("hourly").spec.title),
                    labelled=(0, 6, 12, 18, 23),
                ),
            },
            "rows": {"daily": _days_shown(report.panel("daily").rows)},
            "runs": _runs(site),
        },
    )


BAD_REASONS = {
    "malformed": gettext_lazy("tidak sesuai format log"),
    "binary": gettext_lazy("data biner, bukan teks"),
    "bad_time": gettext_lazy("waktu tidak terbaca"),
    "too_long": gettext_lazy("baris terlalu panjang (lebih dari 1 MB)"),
    "invalid_utf8": gettext_lazy("bukan UTF-8 yang sah"),
    "out_of_order": gettext_lazy("waktu mundur (disimpan, hanya dihitung)"),
}


def _runs(site: Site) -> list[dict[str, object]]:
    """The site's latest ingestion rounds, with the bad input of each per reason in words and its samples."""
    return [
        {
            "run": run,
            "bad": [
                {
                    "reason": BAD_REASONS.get(reason, reason),
                    "count": count,
                    "samples": (run.bad_samples or {}).get(reason, [])[:3],
                }
                for reason, count in sorted((run.bad_counts or {}).items(), key=lambda item: -item[1])
            ],
        }
        for run in IngestRun.objects.filter(site=site).order_by("-started_at")[:5]
    ]


def _days_shown(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """The per-day rows as the page shows them: the day in the reader's language, latest first (the CSV keeps
    the ISO day, oldest first)."""
    return [(formats.date_format(dt.date.fromisoformat(str(row[0])), "D, j M Y"), *row[1:]) for row in reversed(rows)]


def _csv(panel: panels.Panel, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([str(c) for c in panel.spec.columns])
    writer.writerows(panel.rows)
    return response


def _explained(found: list[Detection]) -> list[dict[str, object]]:
    """Each detection with its rule (label, explanation, advice) and what was done about it."""
    done = responses_for(found)

    def text(detection: Detection) -> str:
        return response_text(done[detection.pk], when=lambda at: tanggal_jam(at, detection.site.institution))

    rules = {rule.key: rule for rule in rules_all()}  # once: each rule_get would stat every rule file
    return [{"detection": d, "rule": rules.get(d.rule_key), "response": done[d.pk], "done": text(d)} for d in found]


@login_required
def site_detections(request: HttpRequest, slug: str, site_id: int) -> HttpResponse:
    site = _site(request, slug, site_id)
    found = list(detections_for(site=site).select_related("site__institution")[:500])
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


def _rule_rows(rules: list[Rule]) -> list[dict[str, object]]:
    return [
        {"rule": rule, "severity": dict(Severity.choices).get(rule.severity, rule.severity)}
        for rule in sorted(rules, key=lambda r: (r.family, r.key))
    ]


@login_required
def rules_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The detection rules in force for the institution's sites: Jaga's, the installation's and its own."""
    institution = get_for_user(request.user, Institution, slug=slug)
    in_force = rules_for(institution_id=institution.pk)
    own = CustomRule.objects.filter(institution=institution).order_by("key")
    installation = {r.key for r in CustomRule.objects.filter(institution=None, is_active=True)}
    return render(
        request,
        "traffic/rules.html",
        {
            "institution": institution,
            "own": [{"record": r, "rule": rule_get(r.key) if r.is_active else None} for r in own],
            "builtin": _rule_rows([r for r in in_force if r.institution_id is None and r.key not in installation]),
            "installation": _rule_rows([r for r in in_force if r.institution_id is None and r.key in installation]),
            "can_admin": user_can(request.user, institution, "admin"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, slug: str, rule_id: int | None = None) -> HttpResponse:
    """Add or change one of the institution's own rules (Administrator): its test lines run before it is saved;
    ``periksa`` runs them without saving."""
    institution = get_for_user(request.user, Institution, slug=slug, action="admin")
    record = get_for_user(request.user, CustomRule, pk=rule_id, institution=institution) if rule_id else None
    initial = {"text": record.text, "is_active": record.is_active} if record else {"text": EXAMPLE, "is_active": True}
    form = CustomRuleForm(request.POST or None, initial=initial, institution=institution, rule_id=rule_id)
    passed = None
    if request.method == "POST" and form.is_valid() and form.rule is not None:
        if "periksa" in request.POST:
            passed = form.rule
        else:
            try:
                saved = custom_rule_save(
                    text=form.cleaned_data["text"],
                    active=form.cleaned_data["is_active"],
                    institution=institution,
                    rule_id=rule_id,
                )
            except RuleError as exc:  # the key was taken between the check and the save
                form.add_error("text", str(exc))
            else:
                messages.success(
                    request,
                    _("Aturan %(key)s disimpan: %(tests)s baris uji lulus.")
                    % {"key": saved.key, "tests": len(form.rule.tests)},
                )
                return redirect("traffic:rules", slug=institution.slug)
    return render(
        request,
        "traffic/rule_form.html",
        {"institution": institution, "form": form, "record": record, "passed": passed},
    )


@login_required
@require_http_methods(["POST"])
def rule_active(request: HttpRequest, slug: str, rule_id: int) -> HttpResponse:
    institution = get_for_user(request.user, Institution, slug=slug, action="admin")
    record = get_for_user(request.user, CustomRule, action="admin", pk=rule_id, institution=institution)
    active = request.POST.get("aktif") == "1"
    custom_rule_active_set(rule=record, active=active)
    words = _("Aturan %(key)s diaktifkan.") if active else _("Aturan %(key)s dinonaktifkan.")
    messages.success(request, words % {"key": record.key})
    return redirect("traffic:rules", slug=institution.slug)


@login_required
@require_http_methods(["GET", "POST"])
def rule_delete(request: HttpRequest, slug: str, rule_id: int) -> HttpResponse:
    institution = get_for_user(request.user, Institution, slug=slug, action="admin")
    record = get_for_user(request.user, CustomRule, action="admin", pk=rule_id, institution=institution)
    asked = confirmation_page(
        request,
        title=_("Hapus aturan deteksi"),
        question=_("Hapus aturan %(key)s?") % {"key": record.key},
        consequences=_(
            "Ronde analisis berikutnya tidak lagi memakai aturan ini. Deteksi yang sudah tercatat tetap ada."
        ),
        cancel_url=reverse("traffic:rules", kwargs={"slug": institution.slug}),
    )
    if asked is not None:
        return asked
    key = record.key
    custom_rule_delete(rule=record)
    messages.success(request, _("Aturan %(key)s dihapus.") % {"key": key})
    return redirect("traffic:rules", slug=institution.slug)
