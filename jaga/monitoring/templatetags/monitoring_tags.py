"""Small display helpers for monitoring pages: status badges, uptime percentages, response times."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext

from jaga.core.registry import UnknownEntry
from jaga.core.templatetags.jaga_format import tanggal, tanggal_jam
from jaga.monitoring.findings import finding_said
from jaga.monitoring.kinds import REGISTRY
from jaga.monitoring.kinds import finding_label as _finding_label
from jaga.monitoring.kinds.base import said
from jaga.monitoring.models import Finding, MonitorStatus
from jaga.monitoring.reasons import reason_read
from jaga.monitoring.views.backend import BarDay
from jaga.monitoring.views.backend import status_css as _status_css

register = template.Library()


@register.filter
def reason(value: Any) -> str:
    """A check's reason in the reader's language: a stored one (``CheckResult.reason``...) or a sentence."""
    if isinstance(value, dict):
        return said(value)
    return reason_read(str(value or ""))


@register.filter
def status_css(status: str) -> str:
    """The badge class for a monitor status: ok, bad, warn, info or none."""
    return _status_css(str(status))


@register.simple_tag
def status_badge(status: str, in_maintenance: bool = False) -> SafeString:
    """A status badge; inside a maintenance window a second badge says so (alerts are held back then).

    ``data-status`` carries the status code for scripts and tests; people read the label.
    """
    try:
        label = str(MonitorStatus(str(status)).label)
    except ValueError:
        label = str(status)
    badge = format_html('<span class="badge {}" data-status="{}">{}</span>', _status_css(str(status)), status, label)
    if in_maintenance and status != MonitorStatus.MAINTENANCE:
        badge = format_html(
            '{} <span class="badge info" data-maintenance="1" title="{}">{}</span>',
            badge,
            gettext("Dalam jadwal pemeliharaan: peringatan ditahan dan waktu ini tidak dihitung dalam waktu aktif."),
            gettext("pemeliharaan"),
        )
    return badge


@register.filter
def severity_label(severity: str) -> str:
    """ "kritis", "peringatan", "info" for a finding's severity, never its code."""
    try:
        return str(Finding.Severity(str(severity)).label)
    except ValueError:
        return str(severity)


@register.filter
def finding_message(finding: Finding) -> str:
    """A finding's message in the reader's language (a finding of an older version: as it was stored)."""
    return finding_said(finding)


@register.filter
def finding_label(code: str, kind: str) -> str:
    """``{{ f.code|finding_label:monitor.kind }}``: what a finding is ("Tautan tersembunyi"), never its code."""
    return _finding_label(str(kind), str(code))


@register.filter
def kind_label(kind: str) -> str:
    """The label a person reads for a monitor kind ("Sertifikat TLS"), never its key."""
    try:
        return str(REGISTRY.entry(str(kind)).label)
    except UnknownEntry:
        return str(kind)


@register.filter
def uptime(ratio: float | str | None) -> str:
    """0.99954 → "99,95%"; no data → "—"."""
    if ratio is None or ratio == "":
        return "—"
    return f"{float(ratio) * 100:.2f}%".replace(".", ",")


@register.filter
def uptime_css(ratio: float | str | None) -> str:
    if ratio is None or ratio == "":
        return ""
    value = float(ratio)
    return "ok" if value >= 0.99 else "warn" if value >= 0.95 else "bad"


@register.filter
def ms(value: float | str | None) -> str:
    """A response time: "182 ms"; none → "—"."""
    if value is None or value == "":
        return "—"
    return f"{float(value):.0f} ms"


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``{{ mapping|get_item:key }}`` for dictionaries keyed by id."""
    if mapping is None:
        return None
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def ratio_width(value: Any, maximum: Any) -> str:
    """Width in percent (0-100) of ``value`` against ``maximum`` for the freshness bars.

    A string, not a float: the template engine would localise a float to "45,5", which CSS does not read.
    """
    try:
        number, top = float(value), float(maximum)
    except (TypeError, ValueError):
        return "0"
    if top <= 0:
        return "100"
    return f"{max(min(number / top, 1.0), 0.0) * 100:.1f}"


@lru_cache(maxsize=1024)
def _day_label(day: dt.date, language: str | None) -> str:
    return tanggal(day)


@register.filter
def bar_spans(bars: Iterable[BarDay]) -> SafeString:
    """The spans of a 90-day uptime bar, one per day, each titled with its date and uptime.

    The same markup as a template loop, built in one pass: a site page draws 50 bars of 90 days.
    """
    language = get_language()
    return format_html_join(
        "", '<span class="{}" title="{}: {}"></span>', ((b.css, _day_label(b.day, language), b.percent) for b in bars)
    )


@register.filter
def beat_spans(beats: Iterable[Any], institution: Any = None) -> SafeString:
    """The heartbeat bar: one tick per recent check (oldest left), coloured by its status and titled with its
    time, status and response time, like Uptime Kuma's."""
    ticks = []
    for beat in beats:
        try:
            label = str(MonitorStatus(beat.status).label)
        except ValueError:
            label = str(beat.status)
        when = tanggal_jam(beat.at, institution)
        response = f" · {ms(beat.response_ms)}" if beat.response_ms is not None else ""
        ticks.append((_status_css(beat.status), beat.status, f"{when} · {label}{response}"))
    return format_html_join("", '<span class="{}" data-status="{}" title="{}"></span>', ticks)
