"""The visitor-activity section: each site's requests, visitors, errors and bots in the period against the
previous one, and the security detections seen in it, with each rule's own advice. Read through the traffic
app's selectors (the analytics store and the detections)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _

from jaga.core.models import Site
from jaga.reports import charts
from jaga.reports.builders.base import BuildContext
from jaga.reports.document import Chart, Section, SectionState, Table
from jaga.reports.formatting import date_long, datetime_long, number, percent
from jaga.traffic.models import Detection
from jaga.traffic.panels import Report, Summary
from jaga.traffic.response import response_text, responses_for
from jaga.traffic.selectors import (
    detections_between,
    log_sources_active,
    rule_for,
    traffic_days_between,
    visitor_activity,
)

SERIOUS = ("tinggi", "kritis")
ERROR_SHARE = 1.0  # per cent of requests answered 5xx above which the conclusions call for action


@dataclass
class SiteTraffic:
    site: Site
    watched: bool  # the site has an active log source
    summary: Summary
    previous: Summary
    retired: list[dt.date]  # days of the period whose lines retention deleted: only their day totals are left


def site_read(ctx: BuildContext, site: Site, keys: tuple[str, ...] = ()) -> Report:
    """The site's traffic of the period, read once per report: the first read takes every panel the report
    will want (``ctx.extra["traffic_keys"]``, set by its builder), so that the summary and the log share it."""
    reads: dict[int, Report] = ctx.extra.setdefault("traffic_reads", {})
    found = reads.get(site.pk)
    if found is None or not set(keys) <= {panel.spec.key for panel in found.panels}:
        wanted = tuple(dict.fromkeys((*ctx.extra.get("traffic_keys", ()), *keys)))
        found = reads[site.pk] = visitor_activity(site=site, start=ctx.period.start, end=ctx.period.end, keys=wanted)
    return found


def sites_traffic(ctx: BuildContext) -> list[SiteTraffic]:
    watched = set(log_sources_active(sites=ctx.sites).values_list("site_id", flat=True))
    found = []
    for site in ctx.sites:
        read = site_read(ctx, site)
        found.append(
            SiteTraffic(
                site=site,
                watched=site.pk in watched,
                summary=read.summary,
                previous=read.previous,
                retired=retired_days(ctx, site),
            )
        )
    return found


def retired_days(ctx: BuildContext, site: Site) -> list[dt.date]:
    return list(
        traffic_days_between(site=site, start=ctx.period.start, end=ctx.period.end).values_list("day", flat=True)
    )


def retired_paragraph(days: list[dt.date]) -> str:
    """Why a month older than the retention has its figures but not its pages and addresses."""
    return _(
        "%(count)s hari dalam periode ini (%(first)s – %(last)s) hanya tersimpan sebagai ringkasan harian karena "
        "baris lognya sudah dihapus oleh retensi: permintaan, pengunjung, galat dan data hari itu terhitung, "
        "rincian halaman, alamat dan bot tidak lagi ada."
    ) % {"count": number(len(days)), "first": date_long(days[0]), "last": date_long(days[-1])}


def rule_words(ctx: BuildContext, rule_key: str) -> tuple[str, str]:
    """The rule's label and advice in the report's language (the key itself for a rule no longer there)."""
    rule = rule_for(rule_key)
    if rule is None:
        return rule_key, ""
    english = ctx.language == "en"
    return (rule.label.en if english else rule.label.id), (rule.advice.en if english else rule.advice.id)


def detections_table(
    ctx: BuildContext, detections: list[Detection], *, shown: int | None = None, key: str = "detections"
) -> Table:
    """Every detection (its CSV has them all); the letter prints the first ``shown``, most requests first."""
    words = {rule_key: rule_words(ctx, rule_key)[0] for rule_key in {d.rule_key for d in detections}}
    severities = {str(k): str(v) for k, v in Detection._meta.get_field("severity").flatchoices}
    # What was done (the incident, the block list): the visitor activity log's column (its builder asks for it).
    responses = bool(ctx.extra.get("traffic_responses"))
    done = responses_for(detections, now=ctx.now) if responses else {}

    def when(at: dt.datetime) -> str:
        return datetime_long(at.astimezone(ctx.tz))

    rows = [
        [
            detection.site.name,
            words[detection.rule_key],
            severities.get(detection.severity, detection.severity),
            detection.key,
            number(detection.count),
            datetime_long(detection.first_seen.astimezone(ctx.tz)),
            datetime_long(detection.last_seen.astimezone(ctx.tz)),
        ]
        + [response_text(done[detection.pk], when=when) for _shown in range(responses)]
        for detection in detections
    ]
    note = _("Jumlah permintaan dihitung sejak deteksi pertama terlihat.")
    if shown is not None and len(rows) > shown:
        note += " " + _(
            "%(shown)s deteksi dengan permintaan terbanyak dari %(total)s; daftar lengkapnya ada di berkas CSV "
            "tabel ini."
        ) % {"shown": number(shown), "total": number(len(rows))}
    return Table(
        key=key,
        title=_("Deteksi keamanan"),
        headers=[
            _("Situs"),
            _("Aturan"),
            _("Tingkat"),
            _("Klien"),
            _("Permintaan"),
            _("Pertama terlihat"),
            _("Terakhir terlihat"),
        ]
        + ([_("Yang sudah dilakukan")] if responses else []),
        rows=rows,
        note=note,
        shown=shown,
    )


def detections_by_rule_table(ctx: BuildContext, detections: list[Detection]) -> Table:
    """The detections summed per rule (most requests first), with the total: the letter's overview of them."""
    severities = {str(k): str(v) for k, v in Detection._meta.get_field("severity").flatchoices}
    per_rule: dict[str, list[Detection]] = {}
    for detection in detections:
        per_rule.setdefault(detection.rule_key, []).append(detection)
    ordered = sorted(per_rule.items(), key=lambda item: (-sum(d.count for d in item[1]), item[0]))
    rows = [
        [
            rule_words(ctx, rule_key)[0],
            severities.get(found[0].severity, found[0].severity),
            number(len({d.site_id for d in found})),
            number(len(found)),
            number(sum(d.count for d in found)),
        ]
        for rule_key, found in ordered
    ]
    rows.append(
        [
            _("Jumlah"),
            "",
            number(len({d.site_id for d in detections})),
            number(len(detections)),
            number(sum(d.count for d in detections)),
        ]
    )
    return Table(
        key="detections_by_rule",
        title=_("Deteksi keamanan per aturan"),
        headers=[_("Aturan"), _("Tingkat"), _("Situs"), _("Deteksi (klien)"), _("Permintaan")],
        rows=rows,
    )


def _change(now: int, before: int) -> str:
    if before == 0:
        return "—"
    change = 100.0 * (now - before) / before
    return ("+" if change > 0 else "") + percent(change, 1)


def traffic_section(ctx: BuildContext, *, listed: int | None = None) -> Section:
    """``listed``: how many detections the letter prints (most requests first); all of them when None. The
    detections' table (and its CSV) always holds every one."""
    section = Section(key="traffic", title=_("Aktivitas pengunjung dan deteksi keamanan"))
    per_site = sites_traffic(ctx)
    detections = list(detections_between(sites=ctx.sites, since=ctx.since, until=ctx.until))
    hits = sum(item.summary.hits for item in per_site)
    if not any(item.watched for item in per_site) and hits == 0 and not detections:
        section.state = SectionState.EMPTY
        section.paragraphs.append(_("Belum ada log akses yang dibaca untuk situs dalam cakupan laporan ini."))
        section.recommendations.append(
            _("Hubungkan log akses setiap situs agar aktivitas pengunjung terpantau (aktivitas 3 SOP).")
        )
        return section
    serious = [d for d in detections if d.severity in SERIOUS]
    retired = sorted({day for item in per_site for day in item.retired})
    if retired:
        section.paragraphs.append(retired_paragraph(retired))
    section.facts += [
        (_("Permintaan dalam periode"), number(hits)),
        (_("Pengunjung unik dalam periode"), number(sum(item.summary.visitors for item in per_site))),
        (_("Permintaan periode sebelumnya"), number(sum(item.previous.hits for item in per_site))),
        (_("Deteksi keamanan dalam periode"), number(len(detections))),
        (_("Deteksi tingkat tinggi atau kritis"), number(len(serious))),
    ]
    rows = []
    for item in per_site:
        summary = item.summary
        rows.append(
            [
                item.site.name,
                number(summary.hits),
                number(summary.visitors),
                _change(summary.hits, item.previous.hits),
                number(summary.not_found),
                number(summary.errors),
                number(summary.crawler_hits),
                formats.number_format(summary.megabytes, 1),
            ]
        )
        if not item.watched and summary.hits == 0:
            section.findings.append(
                _("Log akses %(site)s belum dihubungkan: aktivitas pengunjungnya tidak terpantau.")
                % {"site": item.site.name}
            )
            section.recommendations.append(
                _("Tambahkan sumber log akses untuk %(site)s (aktivitas 3 SOP).") % {"site": item.site.name}
            )
        elif summary.hits == 0:
            section.findings.append(
                _("Tidak ada baris log akses %(site)s dalam periode ini.") % {"site": item.site.name}
            )
            section.recommendations.append(
                _("Periksa apakah log akses %(site)s masih ditulis dan dibaca Jaga.") % {"site": item.site.name}
            )
        elif 100.0 * summary.errors / summary.hits > ERROR_SHARE:
            section.findings.append(
                _("%(share)s permintaan ke %(site)s dijawab galat server (5xx).")
                % {"share": percent(100.0 * summary.errors / summary.hits, 1), "site": item.site.name}
            )
            section.recommendations.append(
                _("Periksa log galat server %(site)s dan perbaiki halaman yang gagal.") % {"site": item.site.name}
            )
    section.tables.append(
        Table(
            key="traffic",
            title=_("Aktivitas pengunjung per situs"),
            headers=[
                _("Situs"),
                _("Permintaan"),
                _("Pengunjung unik"),
                _("Perubahan dari periode sebelumnya"),
                _("Tidak ditemukan (404)"),
                _("Galat server (5xx)"),
                _("Permintaan bot"),
                _("Data (MB)"),
            ],
            rows=rows,
        )
    )
    if detections:
        section.tables.append(detections_by_rule_table(ctx, detections))
        section.tables.append(detections_table(ctx, detections, shown=listed))
    for rule_key in dict.fromkeys(d.rule_key for d in serious):
        found = [d for d in serious if d.rule_key == rule_key]
        label, advice = rule_words(ctx, rule_key)
        section.findings.append(
            _("%(rule)s: %(count)s klien terdeteksi, mis. %(key)s di %(site)s.")
            % {"rule": label, "count": number(len(found)), "key": found[0].key, "site": found[0].site.name}
        )
        if advice:
            section.recommendations.append(f"{label}: {advice}")
    return section


# The panels of the visitor activity log, in the order of the letter (the latest lines stay on the traffic page).
PANEL_ROWS_LISTED = 10  # each panel's top rows in the letter (the traffic page and the CSV have its 20)
LOG_PANELS = ("pages", "not_found", "forbidden", "errors", "hosts", "countries", "crawlers", "referrers", "status")


def _cell(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, int):
        return number(value)
    if isinstance(value, float):
        return str(formats.number_format(value, 2))
    return str(value)


def _day(value: object) -> str:
    try:
        return date_long(dt.date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def site_log_section(ctx: BuildContext, site: Site) -> Section:
    """One site's visitor log: requests and visitors per day (a picture and a table), then the panels."""
    section = Section(key=f"visitors-{site.pk}", title=_("Log aktivitas pengunjung %(site)s") % {"site": site.name})
    read = site_read(ctx, site, ("daily", *LOG_PANELS))
    summary = read.summary
    if summary.hits == 0:
        section.state = SectionState.EMPTY
        section.paragraphs.append(_("Tidak ada baris log akses situs ini dalam periode laporan."))
        return section
    section.facts += [
        (_("Permintaan"), number(summary.hits)),
        (_("Pengunjung unik"), number(summary.visitors)),
        (_("Data (MB)"), str(formats.number_format(summary.megabytes, 1))),
        (_("Tidak ditemukan (404)"), number(summary.not_found)),
        (_("Galat server (5xx)"), number(summary.errors)),
        (_("Permintaan bot"), number(summary.crawler_hits)),
    ]
    retired = retired_days(ctx, site)
    if retired:
        section.paragraphs.append(retired_paragraph(retired))
    hits_by_day = {str(row[0]): int(row[1]) for row in read.panel("daily").rows}
    days = [ctx.period.start + dt.timedelta(days=i) for i in range(ctx.period.days)]
    counts = [hits_by_day.get(day.isoformat(), 0) for day in days]
    section.charts.append(
        Chart(
            title=_("Permintaan per hari"),
            svg=charts.column_bars(
                [(f"{date_long(day)}: {n}", float(n)) for day, n in zip(days, counts, strict=True)],
                first_label=date_long(days[0]),
                last_label=date_long(days[-1]),
                peak_label=_("puncak %(n)s permintaan") % {"n": number(max(hits_by_day.values(), default=0))},
            ),
        )
    )  # fmt: skip
    for panel in read.panels:
        if not panel.rows or panel.spec.key not in ("daily", *LOG_PANELS):
            continue
        daily = panel.spec.key == "daily"
        table = Table(
            key=f"{panel.spec.key}-{site.pk}",
            title=str(panel.spec.title),
            headers=[str(column) for column in panel.spec.columns],
            rows=[
                [_day(value) if daily and i == 0 else _cell(value) for i, value in enumerate(row)] for row in panel.rows
            ],
            shown=0 if daily else PANEL_ROWS_LISTED,  # the days are the picture above; their figures in the CSV
        )
        if daily:
            table.note = _("%(title)s: angka %(days)s hari ada di berkas CSV tabel ini; gambarnya di atas.") % {
                "title": table.title,
                "days": number(len(table.rows)),
            }
        elif table.is_capped:
            table.note = _("%(shown)s teratas dari %(total)s; semuanya ada di berkas CSV tabel ini.") % {
                "shown": number(PANEL_ROWS_LISTED),
                "total": number(len(table.rows)),
            }
        section.tables.append(table)
    return section
