"""Response-time chart as server-rendered inline SVG: no JavaScript chart library, readable without JS."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 28  # margins for the axis labels


def _nice_ceiling(value: float) -> float:
    """A round upper bound for the y axis (100, 200, 500, 1000...)."""
    if value <= 0:
        return 100.0
    step = 10.0
    while True:
        for factor in (1, 2, 5):
            if value <= step * factor:
                return step * factor
        step *= 10


def _label_time(moment: dt.datetime, span: dt.timedelta) -> str:
    local = timezone.localtime(moment)
    return local.strftime("%H.%M") if span <= dt.timedelta(hours=24) else local.strftime("%d/%m %H.%M")


def response_chart_svg(
    points: Sequence[tuple[dt.datetime, float | None]], *, start: dt.datetime, end: dt.datetime
) -> SafeString:
    """A polyline per run of consecutive values (a gap = no data), with y labels in ms and x labels in time."""
    span = end - start
    seconds = max(span.total_seconds(), 1.0)
    values = [v for _t, v in points if v is not None]
    top = _nice_ceiling(max(values) if values else 0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(moment: dt.datetime) -> float:
        return LEFT + plot_w * min(max((moment - start).total_seconds() / seconds, 0.0), 1.0)

    def y_of(value: float) -> float:
        return TOP + plot_h * (1 - min(value / top, 1.0))

    title = gettext("Waktu respons (ms)")
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for fraction in (0.0, 0.5, 1.0):
        y = TOP + plot_h * (1 - fraction)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#dde1e7"/>')
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#5b6576">'
            f"{top * fraction:.0f} ms</text>"
        )
    for fraction, anchor in ((0.0, "start"), (0.5, "middle"), (1.0, "end")):
        moment = start + span * fraction
        parts.append(
            f'<text x="{LEFT + plot_w * fraction:.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}" font-size="11" '
            f'fill="#5b6576">{escape(_label_time(moment, span))}</text>'
        )
    runs: list[list[str]] = [[]]
    for moment, value in points:
        if value is None:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(f"{x_of(moment):.1f},{y_of(value):.1f}")
    for run in runs:
        if len(run) == 1:
            cx, cy = run[0].split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="2" fill="#166534"/>')
        elif run:
            parts.append(f'<polyline fill="none" stroke="#166534" stroke-width="1.5" points="{" ".join(run)}"/>')
    if not values:
        parts.append(
            f'<text x="{LEFT + plot_w / 2:.1f}" y="{TOP + plot_h / 2:.1f}" text-anchor="middle" font-size="13" '
            f'fill="#5b6576">{escape(gettext("Belum ada data pada rentang ini."))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above
