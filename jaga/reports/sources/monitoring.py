"""Sections from the monitoring app: availability (uptime over the period, outages, 90-day bars), content freshness
and required pages, integrity findings. Read through monitoring's selectors and its result tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jaga.monitoring.kinds import REGISTRY as MONITOR_KINDS
from jaga.monitoring.models import CheckResult, Finding, Monitor, MonitorStatus, Rollup, StatusChange
from jaga.monitoring.selectors import monitors_uptime_bars, rollup_boundaries, uptime_level_sums, uptime_spans
from jaga.reports import charts
from jaga.reports.builders.base import BuildContext
from jaga.reports.document import Chart, Section, SectionState, Table
from jaga.reports.formatting import date_long, datetime_long, number, percent

UPTIME_TARGET = 99.0  # below this the conclusions call for action
CONTENT_KINDS = ("freshness", "required_pages")


def _monitors(ctx: BuildContext) -> list[Monitor]:
    return list(
        Monitor.objects.filter(site__in=ctx.sites, created_at__lt=ctx.until)
        .select_related("site", "site__institution")
        .order_by("site__name", "name")
    )


def _kind_label(kind: str) -> str:
    return str(MONITOR_KINDS.entry(kind).label) if kind in MONITOR_KINDS else kind


def period_uptime(monitor_ids: list[int], *, since: dt.datetime, until: dt.datetime) -> dict[int, tuple[int, int]]:
    """Up and down checks of each monitor in ``[since, until)``, stitched from the three rollup levels."""
    spans = uptime_spans(start=since, now=until, boundaries=rollup_boundaries())
    totals: dict[int, tuple[int, int]] = {}
    for period in (Rollup.Period.DAY, Rollup.Period.HOUR, Rollup.Period.MINUTE):
        level = uptime_level_sums(monitor_ids, period, {"p": spans[period]})
        for pk, per_window in level.items():
            up, down = per_window.get("p", [0, 0])
            before = totals.get(pk, (0, 0))
            totals[pk] = (before[0] + up, before[1] + down)
    return totals


def _ratio(up: int, down: int) -> float | None:
    return None if up + down == 0 else 100.0 * up / (up + down)


def availability_section(ctx: BuildContext) -> Section:
    section = Section(key="availability", title=_("Ketersediaan situs (uptime)"))
    monitors = _monitors(ctx)
    if not monitors:
        section.state = SectionState.EMPTY
        section.paragraphs.append(_("Belum ada monitor untuk situs dalam cakupan laporan ini."))
        return section
    ids = [m.pk for m in monitors]
    sums = period_uptime(ids, since=ctx.since, until=ctx.until)
    outages: dict[int, int] = {}
    for change in StatusChange.objects.filter(
        monitor_id__in=ids, at__gte=ctx.since, at__lt=ctx.until, to_status=MonitorStatus.DOWN, in_maintenance=False
    ).values_list("monitor_id", flat=True):
        outages[change] = outages.get(change, 0) + 1
    rows = []
    site_totals: dict[int, list[int]] = {}
    for monitor in monitors:
        up, down = sums.get(monitor.pk, (0, 0))
        totals = site_totals.setdefault(monitor.site_id, [0, 0])
        totals[0] += up
        totals[1] += down
        rows.append(
            [
                monitor.site.name,
                monitor.name,
                _kind_label(monitor.kind),
                number(up + down),
                percent(_ratio(up, down)),
                number(outages.get(monitor.pk, 0)),
            ]
        )
    section.tables.append(
        Table(
            key="availability",
            title=_("Uptime per monitor"),
            headers=[_("Situs"), _("Monitor"), _("Jenis"), _("Pemeriksaan"), _("Uptime"), _("Gangguan")],
            rows=rows,
        )
    )
    all_up = sum(t[0] for t in site_totals.values())
    all_down = sum(t[1] for t in site_totals.values())
    overall = _ratio(all_up, all_down)
    section.facts.append((_("Uptime seluruh pemeriksaan"), percent(overall)))
    section.facts.append((_("Jumlah pemeriksaan"), number(all_up + all_down)))
    section.facts.append((_("Gangguan (situs tidak dapat diakses)"), number(sum(outages.values()))))
    for site in ctx.sites:
        up, down = site_totals.get(site.pk, (0, 0))
        value = _ratio(up, down)
        if value is not None and value < UPTIME_TARGET:
            section.findings.append(
                _("Uptime %(site)s %(value)s, di bawah target %(target)s.")
                % {"site": site.name, "value": percent(value), "target": percent(UPTIME_TARGET, 0)}
            )
            section.recommendations.append(
                _("Telusuri penyebab gangguan %(site)s bersama penyedia hosting dan catat penyelesaiannya.")
                % {"site": site.name}
            )
    if all_up + all_down == 0:
        section.state = SectionState.EMPTY
        section.paragraphs.append(_("Tidak ada pemeriksaan yang tercatat dalam periode ini."))
    section.charts.extend(_bars(ctx, monitors))
    return section


def _bars(ctx: BuildContext, monitors: list[Monitor]) -> list[Chart]:
    """The 90 days up to the end of the period, one picture per site (all its monitors' checks summed)."""
    by_monitor = monitors_uptime_bars(monitors, now=ctx.until, days=90)
    legend = {
        "up": _("normal"),
        "partial": _("sebagian terganggu"),
        "down": _("tidak dapat diakses"),
        "none": _("tanpa data"),
    }
    pictures = []
    for site in ctx.sites:
        members = [m for m in monitors if m.site_id == site.pk]
        if not members:
            continue
        days = by_monitor[members[0].pk]
        bars = []
        for index, day in enumerate(days):
            up = sum(by_monitor[m.pk][index].up for m in members)
            down = sum(by_monitor[m.pk][index].down for m in members)
            state = "none" if up + down == 0 else "up" if down == 0 else "down" if up == 0 else "partial"
            bars.append(charts.Bar(label="", state=state, title=f"{date_long(day.day)}: {percent(_ratio(up, down))}"))
        svg = charts.uptime_bars(
            bars, first_label=date_long(days[0].day), last_label=date_long(days[-1].day), legend=legend
        )
        pictures.append(Chart(title=_("%(site)s: 90 hari terakhir") % {"site": site.name}, svg=svg))
    return pictures


def _last_result(monitor: Monitor, until: dt.datetime) -> CheckResult | None:
    return CheckResult.objects.filter(monitor=monitor, checked_at__lt=until).order_by("-checked_at").first()


def _page_status_label(status: str) -> str:
    labels = {
        "ok": _("terkini"),
        "stale": _("usang"),
        "missing": _("tidak ditemukan"),
        "empty": _("kosong"),
        "missing_words": _("isi tidak lengkap"),
        "undated": _("tanpa tanggal"),
    }
    return labels.get(status, status)


def content_section(ctx: BuildContext) -> Section:
    section = Section(key="content", title=_("Kesegaran konten dan halaman wajib"))
    monitors = [m for m in _monitors(ctx) if m.kind in CONTENT_KINDS]
    if not monitors:
        section.state = SectionState.EMPTY
        section.paragraphs.append(_("Belum ada monitor kesegaran konten atau halaman wajib."))
        return section
    freshness_rows: list[list[str]] = []
    page_rows: list[list[str]] = []
    for monitor in monitors:
        result = _last_result(monitor, ctx.until)
        details: dict[str, Any] = result.details if result is not None else {}
        when = datetime_long(result.checked_at.astimezone(ctx.tz)) if result else "–"
        if monitor.kind == "freshness":
            age = details.get("age_days")
            maximum = details.get("max_age_days", monitor.config.get("max_age_days"))
            stale = age is not None and maximum is not None and age > maximum
            freshness_rows.append(
                [
                    monitor.site.name,
                    monitor.name,
                    _("%(days)s hari") % {"days": number(age)} if age is not None else _("tidak diketahui"),
                    _("%(days)s hari") % {"days": number(maximum)} if maximum is not None else "–",
                    _("usang") if stale else _("terkini") if age is not None else _("tidak diketahui"),
                    when,
                ]
            )
            if stale and age is not None and maximum is not None:
                section.findings.append(
                    _("Konten %(site)s tidak diperbarui %(age)s hari (batas %(max)s hari).")
                    % {"site": monitor.site.name, "age": number(age), "max": number(maximum)}
                )
                section.recommendations.append(
                    _("Terbitkan konten baru di %(site)s (berita, pengumuman) dan periksa alur unggah konten.")
                    % {"site": monitor.site.name}
                )
            continue
        pages = details.get("pages", [])
        failing = [page for page in pages if page.get("status") not in ("ok", "undated")]
        ok_pages = [page for page in pages if page.get("status") in ("ok", "undated")]
        if pages:
            section.facts.append(
                (_("Halaman wajib terkini di %(site)s") % {"site": monitor.site.name},
                 f"{number(len(ok_pages))} / {number(len(pages))}")
            )  # fmt: skip
        for page in failing:  # the letter lists what needs action; the monitor's page lists every page
            page_rows.append(
                [
                    monitor.site.name,
                    str(page.get("title", "")),
                    _page_status_label(str(page.get("status", ""))),
                    _("%(days)s hari") % {"days": number(page["age_days"])}
                    if page.get("age_days") is not None
                    else "–",
                    _("%(days)s hari") % {"days": number(page["max_age_days"])} if page.get("max_age_days") else "–",
                ]
            )
        stale = [page for page in failing if page.get("status") == "stale"]
        missing = [page for page in failing if page.get("status") != "stale"]
        if stale:
            names = ", ".join(str(page.get("title")) for page in stale)
            section.findings.append(
                ngettext(
                    "%(count)d dari %(total)d halaman wajib %(site)s lebih tua dari batas usianya: perbarui %(names)s.",
                    "%(count)d dari %(total)d halaman wajib %(site)s lebih tua dari batas usianya: perbarui %(names)s.",
                    len(stale),
                )
                % {"count": len(stale), "total": len(pages), "site": monitor.site.name, "names": names}
            )
            section.recommendations.append(
                _("Perbarui halaman wajib berikut di %(site)s: %(names)s.")
                % {"site": monitor.site.name, "names": names}
            )
        if missing:
            names = ", ".join(
                f"{page.get('title')} ({_page_status_label(str(page.get('status')))})" for page in missing
            )
            section.findings.append(
                _("%(count)d halaman wajib %(site)s tidak ada atau tidak lengkap: %(names)s.")
                % {"count": len(missing), "site": monitor.site.name, "names": names}
            )
            section.recommendations.append(
                _("Lengkapi halaman wajib %(site)s sesuai SK KMA 2-144/KMA/SK/VIII/2022: %(names)s.")
                % {"site": monitor.site.name, "names": names}
            )
    if freshness_rows:
        section.tables.append(
            Table(
                key="freshness",
                title=_("Kesegaran konten"),
                headers=[_("Situs"), _("Monitor"), _("Usia konten"), _("Batas"), _("Keadaan"), _("Diperiksa")],
                rows=freshness_rows,
            )
        )
    if page_rows:
        section.tables.append(
            Table(
                key="required_pages",
                title=_("Halaman wajib"),
                headers=[_("Situs"), _("Halaman"), _("Keadaan"), _("Usia"), _("Batas")],
                rows=page_rows,
            )
        )
    if not freshness_rows and not page_rows:
        section.state = SectionState.EMPTY
        section.paragraphs.append(_("Belum ada hasil pemeriksaan konten sampai akhir periode."))
    return section


def integrity_section(ctx: BuildContext) -> Section:
    section = Section(key="integrity", title=_("Integritas konten (deface, spam judi, tautan tersembunyi)"))
    monitors = [m for m in _monitors(ctx) if m.kind == "integrity"]
    if not monitors:
        section.state = SectionState.EMPTY
        section.paragraphs.append(_("Belum ada monitor integritas konten."))
        return section
    findings = list(
        Finding.objects.filter(monitor__in=monitors, first_seen__lt=ctx.until)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=ctx.since))
        .select_related("monitor__site")
        .order_by("first_seen")
    )
    if not findings:
        section.state = SectionState.EMPTY
        section.paragraphs.append(_("Tidak ada temuan integritas dalam periode ini."))
        return section
    rows = []
    open_count = 0
    for finding in findings:
        resolved = finding.resolved_at is not None and finding.resolved_at < ctx.until
        open_count += 0 if resolved else 1
        rows.append(
            [
                finding.monitor.site.name,
                finding.message,
                finding.location[:120],
                datetime_long(finding.first_seen.astimezone(ctx.tz)),
                datetime_long(finding.resolved_at.astimezone(ctx.tz))
                if resolved and finding.resolved_at
                else _("belum"),
            ]
        )
    section.tables.append(
        Table(
            key="integrity",
            title=_("Temuan integritas"),
            headers=[_("Situs"), _("Temuan"), _("Lokasi"), _("Pertama terlihat"), _("Selesai")],
            rows=rows,
        )
    )
    section.facts.append((_("Temuan"), number(len(findings))))
    section.facts.append((_("Belum selesai pada akhir periode"), number(open_count)))
    if open_count:
        section.findings.append(
            _("%(count)d temuan integritas belum selesai pada akhir periode.") % {"count": open_count}
        )
        section.recommendations.append(
            _("Bersihkan konten yang disisipkan, ganti kata sandi pengelola CMS dan perbarui CMS serta pluginnya.")
        )
    return section
