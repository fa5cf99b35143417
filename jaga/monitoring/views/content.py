"""The freshness view of a site: required pages against their maximum age, the freshness verdict with the
signal it rests on, and integrity findings with their evidence, grouped by severity.

It reads the latest check result of each content monitor (``details`` written by the kinds) and the open
findings; a kind that has not reported yet simply shows "belum ada hasil".
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from jaga.core.models import Site
from jaga.core.permissions import get_for_user, user_can
from jaga.core.views.common import safe_next
from jaga.monitoring.content.signals import note_read, signal_label, trust_label
from jaga.monitoring.findings import finding_acknowledge as acknowledge
from jaga.monitoring.kinds.required_pages import FOUND_BY_LABELS, page_status_label
from jaga.monitoring.models import CheckResult, Finding, Monitor

CONTENT_KINDS = ("freshness", "required_pages", "integrity")
SEVERITIES = ("critical", "warning", "info")
PAGE_STATUS_CSS = {"ok": "ok", "undated": "warn", "stale": "bad", "missing": "bad", "empty": "bad", "stub": "bad"}
TRUST_CSS = {"high": "ok", "medium": "info", "low": "warn", "untrusted": "bad"}


def _number(value: Any) -> float | None:
    try:
        return None if value is None or value == "" else float(value)
    except (TypeError, ValueError):
        return None


def _moment(value: Any) -> datetime | None:
    """A date the kinds stored as ISO text, for the date filters (never shown as "2026-03-10T08:00:00+00:00")."""
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _page_rows(details: dict[str, Any]) -> list[dict[str, Any]]:
    """Each required page: label, url, status, age against its maximum, and whether it is over."""
    rows: list[dict[str, Any]] = []
    pages = details.get("pages") or []
    if isinstance(pages, dict):
        pages = [{"name": key, **(value if isinstance(value, dict) else {})} for key, value in pages.items()]
    for page in pages:
        if not isinstance(page, dict):
            continue
        age, maximum = _number(page.get("age_days")), _number(page.get("max_age_days"))
        status = str(page.get("status") or "")
        found_by = FOUND_BY_LABELS.get(str(page.get("found_by") or ""))
        rows.append(
            {
                "label": page.get("label") or page.get("title") or page.get("name") or page.get("url") or "?",
                "url": page.get("url") or "",
                "status": status,
                "status_label": page_status_label(status) if status else "—",
                "status_css": PAGE_STATUS_CSS.get(status, "warn"),
                "reason": gettext("ditemukan lewat %(way)s") % {"way": found_by} if found_by else "",
                "age_days": age,
                "max_age_days": maximum,
                "over": age is not None and maximum is not None and age > maximum,
                "missing": age is None,
            }
        )
    return rows


def _signals(details: dict[str, Any]) -> list[dict[str, Any]]:
    """The freshness signals (Last-Modified, sitemap lastmod, feed, region hash) with their trust rating."""
    signals = details.get("signals") or []
    if isinstance(signals, dict):
        signals = [
            {"name": key, **(value if isinstance(value, dict) else {"value": value})} for key, value in signals.items()
        ]
    rows: list[dict[str, Any]] = []
    for signal in signals:
        if not isinstance(signal, dict):
            continue
        trust = str(signal.get("trust") or "")
        rows.append(
            {
                "name": signal.get("name") or signal.get("signal") or "?",
                "label": signal_label(str(signal.get("name") or signal.get("signal") or "")) or "—",
                "trust": trust,
                "trust_label": trust_label(trust),
                "trust_css": TRUST_CSS.get(trust, ""),
                "at": _moment(signal.get("value") or signal.get("at")),
                "note": note_read(signal.get("reason") or signal.get("note")),
                "where": signal.get("where") or "",
                "evidence": signal.get("evidence") or "",
            }
        )
    return rows


def _coverage(monitor: Monitor, details: dict[str, Any]) -> dict[str, Any] | None:
    """How much of the site the integrity checks read: pages read in 24 h of all, and how long a full round
    takes (``cycle_checks`` checks at the monitor's interval)."""
    coverage = details.get("coverage")
    if not isinstance(coverage, dict):
        return None
    pages, read = _number(coverage.get("pages")), _number(coverage.get("read_24h"))
    checks = _number(coverage.get("cycle_checks"))
    if pages is None or read is None:
        return None
    return {
        "pages": int(pages),
        "read_24h": int(read),
        "read_now": int(_number(coverage.get("read_now")) or 0),
        "cycle": timedelta(seconds=int(checks or 1) * monitor.interval_seconds),
        "complete": read >= pages,
    }


def _latest_result(monitor: Monitor) -> CheckResult | None:
    return CheckResult.objects.filter(monitor=monitor).order_by("-checked_at").first()


@login_required
def site_freshness(request: HttpRequest, site_id: int) -> HttpResponse:
    site = get_for_user(request.user, Site.objects.select_related("institution"), pk=site_id)
    monitors = list(Monitor.objects.filter(site=site, kind__in=CONTENT_KINDS).order_by("kind", "name"))
    freshness: list[dict[str, Any]] = []
    required: list[dict[str, Any]] = []
    integrity: list[dict[str, Any]] = []
    for monitor in monitors:
        result = _latest_result(monitor)
        details: dict[str, Any] = result.details if result is not None and isinstance(result.details, dict) else {}
        if monitor.kind == "freshness":
            age = _number(details.get("age_days"))
            maximum = _number(details.get("max_age_days") or (monitor.config or {}).get("max_age_days"))
            freshness.append(
                {
                    "monitor": monitor,
                    "result": result,
                    "age_days": age,
                    "max_age_days": maximum,
                    "over": age is not None and maximum is not None and age > maximum,
                    "signal": details.get("signal") or "",
                    "signal_label": signal_label(str(details.get("signal"))) if details.get("signal") else "",
                    "signals": _signals(details),
                }
            )
        elif monitor.kind == "required_pages":
            required.append({"monitor": monitor, "result": result, "pages": _page_rows(details)})
        elif monitor.kind == "integrity":
            integrity.append({"monitor": monitor, "result": result, "coverage": _coverage(monitor, details)})
    findings = list(
        Finding.objects.filter(monitor__site=site, resolved_at__isnull=True)
        .select_related("monitor")
        .order_by("-last_seen")[:500]
    )
    groups = [
        {"severity": severity, "label": Finding.Severity(severity).label, "items": items}
        for severity in SEVERITIES
        if (items := [f for f in findings if f.severity == severity])
    ]
    return render(
        request,
        "monitoring/freshness.html",
        {
            "site": site,
            "freshness": freshness,
            "required": required,
            "integrity": integrity,
            "groups": groups,
            "has_content": bool(monitors),
            "can_operate": user_can(request.user, site.institution, "operate"),
        },
    )


@login_required
@require_POST
def finding_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    """A person has looked at a finding that waits for one (a new page, a changed structure): it closes."""
    finding = get_for_user(
        request.user, Finding.objects.select_related("monitor"), action="operate", pk=pk, needs_ack=True
    )
    acknowledge(finding=finding, user=request.user)
    messages.success(request, gettext("Temuan ditandai sudah diperiksa."))
    return redirect(safe_next(request, reverse("monitoring:site_freshness", args=[finding.monitor.site_id])))
