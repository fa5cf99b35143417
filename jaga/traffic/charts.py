"""The per-day and per-hour traffic charts as SVG drawn by Jaga (no chart library, complete without JavaScript).

Requests are columns, unique visitors a line over them, on one axis with round steps. Each column carries a
tooltip with the day in the reader's language and its figures. Two drawings are made, one wide and one for a
phone (fewer, larger labels: a unit is about a pixel at 390 px), and CSS shows the one that fits, as the
monitoring charts do. Every number and date is written as the active language writes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from jaga.core.charts import Layout, grid, nice_ceiling, no_data

WIDE = Layout(720, 230, 64, 10, 14, 30, 11, 7, "traffic-chart chart-wide")
NARROW = Layout(360, 230, 52, 6, 14, 30, 12, 4, "traffic-chart chart-narrow")
BAR, LINE, MUTED = "#1d4ed8", "#b45309", "#4f5a6b"


@dataclass(frozen=True)
class Point:
    label: str  # under the column (short: "24 Nov", "14")
    title: str  # the tooltip's first line (long: "Selasa, 24 November 2026", "14.00–14.59")
    hits: int
    visitors: int


def _number(value: float) -> str:
    return formats.number_format(round(value), 0, use_l10n=True, force_grouping=True)


def _drawing(layout: Layout, points: Sequence[Point], *, title: str, labelled: Sequence[int] = ()) -> str:
    w, h = layout.width, layout.height
    plot_w, plot_h = layout.plot_width, layout.plot_height
    top = nice_ceiling(max((max(p.hits, p.visitors) for p in points), default=0))
    count = max(len(points), 1)
    step = plot_w / count
    width = max(step * 0.72, 1.0)

    def y_of(value: float) -> float:
        return layout.y_of(value, top)

    parts = [
        f'<svg class="{layout.css}" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    fractions = (0.0, 0.5, 1.0) if layout is NARROW else (0.0, 0.25, 0.5, 0.75, 1.0)
    parts.append(grid(layout, top=top, fractions=fractions, label=_number, colour=MUTED))
    hits_word, visitors_word = _("permintaan"), _("pengunjung unik")
    for index, point in enumerate(points):
        x = layout.left + index * step + (step - width) / 2
        y = y_of(point.hits)
        tip = f"{point.title}: {_number(point.hits)} {hits_word}, {_number(point.visitors)} {visitors_word}"
        # The whole column's height is the pointer's target (a thin bar of a quiet day is still easy to hit).
        parts.append(
            f'<g class="col"><title>{escape(tip)}</title>'
            f'<rect x="{layout.left + index * step:.1f}" y="{layout.top}" width="{step:.1f}" height="{plot_h}" '
            f'fill="transparent"/>'
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{layout.top + plot_h - y:.1f}" rx="1.5" '
            f'fill="{BAR}"/></g>'
        )
    line = " ".join(f"{layout.left + (i + 0.5) * step:.1f},{y_of(p.visitors):.1f}" for i, p in enumerate(points))
    if len(points) > 1:
        parts.append(f'<polyline fill="none" stroke="{LINE}" stroke-width="2" points="{line}"/>')
    elif points:
        cx, cy = line.split(",")
        parts.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{LINE}"/>')
    labels = min(layout.x_labels, count)
    chosen = sorted({round(i * (count - 1) / max(labels - 1, 1)) for i in range(labels)}) if points else []
    if labelled:
        chosen = [i for i in labelled if i < len(points)]
    for index in chosen:
        x = layout.left + (index + 0.5) * step
        anchor = "start" if index == 0 and count > 1 else "end" if index == count - 1 and count > 1 else "middle"
        if anchor == "start":
            x = layout.left + index * step
        elif anchor == "end":
            x = layout.left + (index + 1) * step
        parts.append(
            f'<text x="{x:.1f}" y="{h - 10}" text-anchor="{anchor}" font-size="{layout.font}" '
            f'fill="{MUTED}">{escape(points[index].label)}</text>'
        )
    if not points or not any(p.hits for p in points):
        parts.append(no_data(layout, _("Tidak ada data dalam periode ini."), colour=MUTED))
    parts.append("</svg>")
    return "".join(parts)


def chart_svg(points: Sequence[Point], *, title: str, labelled: Sequence[int] = ()) -> SafeString:
    """The wide and the phone drawing of ``points`` (``labelled``: the points named under the axis, else evenly
    spread ones); every text in them is escaped."""
    wide = _drawing(WIDE, points, title=title, labelled=labelled)
    return mark_safe(wide + _drawing(NARROW, points, title=title, labelled=labelled))  # noqa: S308


def day_points(rows: Sequence[Sequence[object]], *, start: dt.date, end: dt.date) -> list[Point]:
    """A point for every day from ``start`` to ``end`` (a day without lines is a zero, not a gap), from the per-day
    panel's rows (ISO day, requests, unique visitors, ...)."""
    by_day = {str(row[0]): (int(row[1] or 0), int(row[2] or 0)) for row in rows}  # type: ignore[call-overload]
    points = []
    day = start
    while day <= end:
        hits, visitors = by_day.get(day.isoformat(), (0, 0))
        points.append(
            Point(
                label=formats.date_format(day, "j M"),
                title=formats.date_format(day, "l, j F Y"),
                hits=hits,
                visitors=visitors,
            )
        )
        day += dt.timedelta(days=1)
    return points


def _clock(moment: dt.time) -> str:
    return formats.time_format(moment, "TIME_FORMAT")


def hour_points(rows: Sequence[Sequence[object]]) -> list[Point]:
    """A point for each hour 00–23, from the per-hour panel's rows ("14.00", requests, unique visitors)."""
    by_hour = {int(str(row[0])[:2]): (int(row[1] or 0), int(row[2] or 0)) for row in rows}  # type: ignore[call-overload]
    return [
        Point(
            label=f"{hour:02d}",
            title=f"{_clock(dt.time(hour))}–{_clock(dt.time(hour, 59))}",
            hits=by_hour.get(hour, (0, 0))[0],
            visitors=by_hour.get(hour, (0, 0))[1],
        )
        for hour in range(24)
    ]
