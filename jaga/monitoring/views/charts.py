"""Response-time chart as server-rendered SVG: no chart library, complete without JavaScript.

Outages and maintenance are shaded bands. The points travel in ``data-points`` (epoch seconds and ms), so the
small static script in ``monitoring.js`` can show the value under the pointer and zoom into a dragged span
(it asks the server for that span at a finer resolution); without it the chart still reads. Two drawings are
made, one wide and one for a phone (fewer, larger labels), and CSS shows the one that fits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from jaga.core.charts import Layout, grid, nice_ceiling, no_data

Interval = tuple[dt.datetime, dt.datetime]


WIDE = Layout(720, 220, 56, 12, 12, 28, 11, 5, "chart chart-wide")
NARROW = Layout(360, 220, 60, 8, 12, 28, 12, 3, "chart chart-narrow")
OUTAGE_FILL, MAINTENANCE_FILL, LINE, MUTED = "#fecaca", "#bfdbfe", "#166534", "#5b6576"


def _label_time(moment: dt.datetime, span: dt.timedelta) -> str:
    local = timezone.localtime(moment)
    if span <= dt.timedelta(hours=24):
        return local.strftime("%H.%M")
    if span <= dt.timedelta(days=3):
        return local.strftime("%d/%m %H.%M")
    return local.strftime("%d/%m")


def _drawing(
    layout: Layout,
    points: Sequence[tuple[dt.datetime, float | None]],
    *,
    start: dt.datetime,
    end: dt.datetime,
    outages: Sequence[Interval],
    maintenance: Sequence[Interval],
) -> str:
    span = end - start
    seconds = max(span.total_seconds(), 1.0)
    values = [v for _t, v in points if v is not None]
    top = nice_ceiling(max(values) if values else 0, smallest=10.0)
    w, h = layout.width, layout.height
    plot_w, plot_h = layout.plot_width, layout.plot_height

    def x_of(moment: dt.datetime) -> float:
        return layout.left + plot_w * min(max((moment - start).total_seconds() / seconds, 0.0), 1.0)

    def y_of(value: float) -> float:
        return layout.y_of(value, top)

    title = gettext("Waktu respons (ms)")
    data = ";".join(f"{int(t.timestamp())},{v:.0f}" for t, v in points if v is not None)
    parts = [
        f'<svg class="{layout.css}" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{escape(title)}" '
        f'data-start="{int(start.timestamp())}" data-end="{int(end.timestamp())}" data-left="{layout.left}" '
        f'data-plot-width="{plot_w}" data-top-ms="{top:.0f}" data-points="{data}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for intervals, fill, label in (
        (maintenance, MAINTENANCE_FILL, gettext("pemeliharaan")),
        (outages, OUTAGE_FILL, gettext("gangguan")),
    ):
        for low, high in intervals:
            x0, x1 = x_of(max(low, start)), x_of(min(high, end))
            width = max(x1 - x0, 1.5)
            when = f"{_label_time(low, span)}–{_label_time(high, span)}"
            parts.append(
                f'<rect class="band" x="{x0:.1f}" y="{layout.top}" width="{width:.1f}" height="{plot_h}" '
                f'fill="{fill}"><title>{escape(label)}: {escape(when)}</title></rect>'
            )
    parts.append(grid(layout, top=top, fractions=(0.0, 0.5, 1.0), label=lambda ms: f"{ms:.0f} ms", colour=MUTED))
    count = layout.x_labels
    for index in range(count):
        fraction = index / (count - 1)
        anchor = "start" if index == 0 else "end" if index == count - 1 else "middle"
        parts.append(
            f'<text x="{layout.left + plot_w * fraction:.1f}" y="{h - 8}" text-anchor="{anchor}" '
            f'font-size="{layout.font}" fill="{MUTED}">{escape(_label_time(start + span * fraction, span))}</text>'
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
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="2" fill="{LINE}"/>')
        elif run:
            parts.append(f'<polyline fill="none" stroke="{LINE}" stroke-width="1.5" points="{" ".join(run)}"/>')
    if not values:
        parts.append(no_data(layout, gettext("Belum ada data pada rentang ini."), colour=MUTED))
    # What the script moves under the pointer and while dragging; hidden until then.
    parts.append(
        f'<rect class="zoom-area" x="0" y="{layout.top}" width="0" height="{plot_h}" fill="#1d4ed8" '
        f'fill-opacity="0.15" visibility="hidden"/>'
        f'<line class="hover-line" x1="0" x2="0" y1="{layout.top}" y2="{layout.top + plot_h}" stroke="{MUTED}" '
        f'stroke-dasharray="3 3" visibility="hidden"/>'
        f'<circle class="hover-dot" r="3.5" fill="{LINE}" visibility="hidden"/>'
        f'<text class="hover-label" x="0" y="{layout.top + 12}" font-size="{layout.font + 1}" fill="#111827" '
        f'visibility="hidden"></text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def response_chart_svg(
    points: Sequence[tuple[dt.datetime, float | None]],
    *,
    start: dt.datetime,
    end: dt.datetime,
    outages: Sequence[Interval] = (),
    maintenance: Sequence[Interval] = (),
) -> SafeString:
    """The wide and the phone drawing of one chart: a polyline per run of values (a gap = no data)."""
    drawings = [
        _drawing(layout, points, start=start, end=end, outages=outages, maintenance=maintenance)
        for layout in (WIDE, NARROW)
    ]
    return mark_safe("".join(drawings))  # noqa: S308 - every interpolated text is escaped above
