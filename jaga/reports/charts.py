"""SVG pictures for reports: the same markup on the page and in the PDF (WeasyPrint draws SVG itself).

Every text that goes into a picture is escaped; sizes are in user units with a viewBox, so the picture scales
to a phone's width on the page and to the column width in the PDF.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

COLOURS = {"up": "#2e7d32", "partial": "#f9a825", "down": "#c62828", "none": "#cfd8dc"}


@dataclass(frozen=True)
class Bar:
    label: str  # under the bar or on its left
    state: str  # up, partial, down, none
    title: str  # the tooltip: the day and its uptime


def uptime_bars(bars: Sequence[Bar], *, first_label: str, last_label: str, legend: dict[str, str]) -> str:
    """One thin bar per day (Uptime Kuma's 90-day bar), oldest left, with the first and last day under it."""
    width, height, gap = 6, 28, 2
    total = max(len(bars), 1) * (width + gap)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {total} {height + 34}" width="100%" '
        f'role="img" class="chart-bars">'
    ]
    for index, bar in enumerate(bars):
        x = index * (width + gap)
        colour = COLOURS.get(bar.state, COLOURS["none"])
        parts.append(
            f'<rect x="{x}" y="0" width="{width}" height="{height}" rx="1.5" fill="{colour}">'
            f"<title>{escape(bar.title)}</title></rect>"
        )
    parts.append(f'<text x="0" y="{height + 12}" font-size="9" fill="#455a64">{escape(first_label)}</text>')
    parts.append(
        f'<text x="{total - gap}" y="{height + 12}" font-size="9" fill="#455a64" text-anchor="end">'
        f"{escape(last_label)}</text>"
    )
    x = 0
    for state, text in legend.items():
        parts.append(f'<rect x="{x}" y="{height + 20}" width="8" height="8" fill="{COLOURS[state]}"/>')
        parts.append(f'<text x="{x + 11}" y="{height + 28}" font-size="9" fill="#263238">{escape(text)}</text>')
        x += 14 + 6 * len(text)
    parts.append("</svg>")
    return "".join(parts)


def horizontal_bars(rows: Sequence[tuple[str, float | None, str]], *, maximum: float = 100.0) -> str:
    """Labelled horizontal bars (0 to ``maximum``): ``(label, value or None, value text)`` each."""
    label_width, bar_width, row_height = 210, 260, 20
    height = max(len(rows), 1) * row_height + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {label_width + bar_width + 60} {height}" '
        f'width="100%" role="img" class="chart-hbars">'
    ]
    for index, (label, value, text) in enumerate(rows):
        y = index * row_height + 2
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 13}" font-size="10" text-anchor="end" fill="#263238">'
            f"{escape(label[:40])}</text>"
        )
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{bar_width}" height="12" fill="#eceff1"/>')
        if value is not None:
            filled = max(0.0, min(value, maximum)) / maximum * bar_width
            colour = (
                COLOURS["up"]
                if value >= 0.9 * maximum
                else COLOURS["partial"]
                if value >= 0.6 * maximum
                else COLOURS["down"]
            )
            parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{filled:.1f}" height="12" fill="{colour}"/>')
        parts.append(
            f'<text x="{label_width + bar_width + 6}" y="{y + 13}" font-size="10" fill="#263238">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def column_bars(values: Sequence[tuple[str, float]], *, first_label: str, last_label: str, peak_label: str) -> str:
    """One column per day (requests), oldest left, scaled to the period's peak, with the first and last day
    under it and the peak written above. The picture is 600 units wide whatever the number of days."""
    total, height = 600.0, 60
    step = total / max(len(values), 1)
    width = max(step * 0.8, 1.0)
    peak = max((value for _label, value in values), default=0.0) or 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {total:.0f} {height + 28}" width="100%" '
        f'role="img" class="chart-columns">',
        f'<text x="0" y="9" font-size="9" fill="#455a64">{escape(peak_label)}</text>',
    ]
    for index, (label, value) in enumerate(values):
        bar = max(value, 0.0) / peak * (height - 12)
        parts.append(
            f'<rect x="{index * step:.1f}" y="{height - bar:.1f}" width="{width:.1f}" height="{bar:.1f}" '
            f'fill="#1565c0"><title>{escape(label)}</title></rect>'
        )
    parts.append(f'<text x="0" y="{height + 12}" font-size="9" fill="#455a64">{escape(first_label)}</text>')
    parts.append(
        f'<text x="{total:.0f}" y="{height + 12}" font-size="9" fill="#455a64" text-anchor="end">'
        f"{escape(last_label)}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)
