"""What the server-drawn SVG charts share (the monitors' response times, the traffic per day and per hour).

Each chart is drawn twice, wide and for a phone, from a :class:`Layout` each; CSS shows the one that fits.
Every text that goes into a drawing is escaped here or by the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import escape

GRID = "#dde1e7"


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    left: int  # the margins around the plot: the y axis's labels on the left, the x axis's below
    right: int
    top: int
    bottom: int
    font: int
    x_labels: int  # how many labels under the x axis at the most
    css: str

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom

    def y_of(self, value: float, top: float) -> float:
        """Where ``value`` stands on an axis from 0 to ``top`` (a value above it is drawn at the top)."""
        return self.top + self.plot_height * (1 - min(value / top, 1.0))


def nice_ceiling(value: float, *, smallest: float = 1.0) -> float:
    """A round top for an axis: ``smallest`` times 1, 2, 5, 10, 20, 50...; ten times ``smallest`` when there is
    nothing to show."""
    if value <= 0:
        return smallest * 10
    step = smallest
    while True:
        for factor in (1, 2, 5):
            if value <= step * factor:
                return step * factor
        step *= 10


def grid(layout: Layout, *, top: float, fractions: Sequence[float], label: Callable[[float], str], colour: str) -> str:
    """The horizontal grid lines at ``fractions`` of the axis, each with its value (``label``) on the left."""
    parts = []
    for fraction in fractions:
        y = layout.top + layout.plot_height * (1 - fraction)
        parts.append(
            f'<line x1="{layout.left}" y1="{y:.1f}" x2="{layout.width - layout.right}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{layout.left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="{layout.font}" '
            f'fill="{colour}">{escape(label(top * fraction))}</text>'
        )
    return "".join(parts)


def no_data(layout: Layout, text: str, *, colour: str) -> str:
    """``text`` in the middle of an empty plot."""
    return (
        f'<text x="{layout.left + layout.plot_width / 2:.1f}" y="{layout.top + layout.plot_height / 2:.1f}" '
        f'text-anchor="middle" font-size="13" fill="{colour}">{escape(text)}</text>'
    )
