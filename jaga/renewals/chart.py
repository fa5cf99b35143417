"""The 12-month expiry timeline as an SVG drawn by Jaga (no chart library): one row per service.

Each row is the service's name above a bar from today to its expiry, coloured by how near it is; month lines
and names across the top. The drawing is 360 units wide so that on a 390 px phone one unit is about one
pixel and the 12-unit text stays readable; it scales up on a desktop.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _

from jaga.renewals.selectors import TimelinePoint

WIDTH = 360
LEFT = 4
RIGHT = 8
TOP = 26
ROW = 44


@dataclass
class Bar:
    label: str
    detail: str
    href: str
    css: str
    label_y: str  # coordinates as text with a decimal point, whatever the page's language
    bar_y: str
    detail_y: str
    width: str


@dataclass
class Tick:
    x: str
    label: str


@dataclass
class Chart:
    width: int
    height: int
    left: int
    plot_right: int
    bars: list[Bar]
    ticks: list[Tick]


def _css(days_left: int) -> str:
    if days_left < 0:
        return "expired"
    if days_left <= 14:
        return "critical"
    if days_left <= 90:
        return "due"
    return "ok"


def timeline_chart(*, start: dt.date, end: dt.date, points: list[TimelinePoint]) -> Chart:
    span = max((end - start).days, 1)
    plot = WIDTH - LEFT - RIGHT

    def x_of(day: dt.date) -> float:
        offset = min(max((day - start).days, 0), span)
        return round(LEFT + plot * offset / span, 1)

    ticks = []
    month = dt.date(start.year, start.month, 1)
    while month <= end:
        if x_of(month) >= LEFT + 12:  # not on top of the start line
            ticks.append(Tick(x=f"{x_of(month):.1f}", label=formats.date_format(month, "b").capitalize()))
        month = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    bars = []
    for index, point in enumerate(sorted(points, key=lambda p: p.day)):
        date_text = formats.date_format(point.day, "j M Y")
        days = point.days_left
        detail = (
            _("%(date)s · %(days)s hari lagi") % {"date": date_text, "days": days}
            if days >= 0
            else _("%(date)s · %(days)s hari lalu") % {"date": date_text, "days": -days}
        )
        bars.append(
            Bar(
                label=f"{point.service.name} ({point.kind_label})",
                detail=detail,
                href=point.service.get_absolute_url(),
                css=_css(days),
                label_y=str(TOP + index * ROW + 10),
                bar_y=str(TOP + index * ROW + 14),
                detail_y=str(TOP + index * ROW + 34),
                width=f"{max(x_of(point.day) - LEFT, 3):.1f}",
            )
        )
    return Chart(
        width=WIDTH, height=TOP + max(len(bars), 1) * ROW + 4, left=LEFT, plot_right=WIDTH - RIGHT, bars=bars,
        ticks=ticks,
    )  # fmt: skip
