"""Server-drawn bar charts for the dashboards (docs/product.md: Dashboards: charts
readable on a phone, drawn without a CDN).

This module only does the geometry: where each bar, grid line and label goes in an
SVG ``viewBox``. The template ``sellers/orders/_sales_chart.html`` draws it as inline
SVG (so labels are translated, escaped and set in the page's Thai font) next to a
table of the same figures for screen readers and for anyone who wants the numbers.

Why these sizes: the SVG scales to the width of its box. A phone shows it about
330 px wide, so a 360-unit-wide ``viewBox`` with 13-unit text keeps labels at about
12 px; the stylesheet caps the chart's width on large screens so text never gets
huge. At most six x-axis labels are drawn, spaced evenly from the newest bar back, and
fewer when their estimated widths (``label_extent``: visible characters × 0.62 em,
Thai combining marks not counted) would come closer than ``LABEL_GAP`` units: on a
30-day chart that is every 6th or 7th day. Every bar still has its own ``<title>``
(long-press/hover) and its row in the table. The y axis has four steps of a round amount (1, 2, 2.5 or 5 ×
10ⁿ baht). Amounts stay integer satang; only positions are floats.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from babel.dates import format_skeleton
from babel.numbers import format_compact_decimal
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from shop.money import format_baht
from shop.sellers.order_services import PERIOD_MONTHS, PERIOD_WEEKS, SalesSeries

WIDTH = 360
HEIGHT = 210
LEFT = 50  # room for the y labels
RIGHT = 6
TOP = 12
BOTTOM = 30  # room for the x labels
STEPS = 4
MAX_X_LABELS = 6
FONT_SIZE = 13  # viewBox units: about 12 px on a phone
LABEL_GAP = 8  # the least room between two x labels, in viewBox units
CHAR_EM = 0.62  # a generous average advance of a Sarabun letter or digit
_NICE = (10, 20, 25, 50)  # × 10^n satang


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str  # "5 Mar 2026: ฿1,200 (3 orders)"
    date_label: str
    value_label: str
    orders: int


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class XLabel:
    x: float
    label: str
    anchor: str = "middle"  # SVG text-anchor: the end labels hug the plot's edges


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: int
    right: float
    top: int
    bottom: float
    bars: list[Bar]
    ticks: list[Tick]
    x_labels: list[XLabel]
    empty: bool
    font_size: int = FONT_SIZE


def label_width(text: str) -> float:
    """An upper estimate of the drawn width of ``text`` in viewBox units: Thai vowel
    and tone marks above or below a letter take no room of their own."""
    visible = sum(1 for ch in text if unicodedata.category(ch) not in ("Mn", "Me", "Cf"))
    return visible * CHAR_EM * FONT_SIZE


def label_extent(label: XLabel) -> tuple[float, float]:
    """Where ``label`` starts and ends on the x axis, given its anchor."""
    width = label_width(label.label)
    if label.anchor == "start":
        return label.x, label.x + width
    if label.anchor == "end":
        return label.x - width, label.x
    return label.x - width / 2, label.x + width / 2


def _fits(labels: list[XLabel]) -> bool:
    extents = sorted(label_extent(label) for label in labels)
    return all(later[0] - earlier[1] >= LABEL_GAP for earlier, later in zip(extents, extents[1:], strict=False))


def nice_step(max_satang: int, steps: int = STEPS) -> int:
    """The smallest round step (in satang, at least ฿1) such that ``steps`` steps
    reach ``max_satang``."""
    needed = max(1, -(-int(max_satang) // steps))  # ceil
    magnitude = 1
    while True:
        for nice in _NICE:
            step = nice * magnitude
            if step >= needed and step >= 100:
                return step
        magnitude *= 10


def compact_baht(satang: int, locale: str) -> str:
    """฿950, ฿1.2K, ฿15K: short enough for the y axis."""
    baht = satang // 100 if satang % 100 == 0 else satang / 100
    return "฿" + format_compact_decimal(baht, locale=locale, fraction_digits=1)


def _date_labels(period: str, start: date, locale: str) -> tuple[str, str]:
    """(axis label, full label) of a bucket."""
    if period == PERIOD_MONTHS:
        return format_skeleton("MMM", start, locale=locale), format_skeleton("yMMM", start, locale=locale)
    short = format_skeleton("MMMd", start, locale=locale)
    if period == PERIOD_WEEKS:
        return short, str(_l("Week of %(date)s", date=format_skeleton("yMMMd", start, locale=locale)))
    return short, format_skeleton("yMMMd", start, locale=locale)


def sales_chart(series: SalesSeries, locale: str = "th") -> BarChart:
    points = series.points
    peak = max((p.total_satang for p in points), default=0)
    step = nice_step(peak)
    top_value = step * STEPS
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    bottom = TOP + plot_h
    slot = plot_w / max(1, len(points))
    gap = min(slot * 0.25, 6)
    bars: list[Bar] = []
    for index, point in enumerate(points):
        height = plot_h * point.total_satang / top_value if top_value else 0
        if point.total_satang and height < 1.5:
            height = 1.5  # a sale, however small, stays visible
        _short, full = _date_labels(series.period, point.start, locale)
        value = format_baht(point.total_satang, locale)
        orders = ngettext("%(num)d order", "%(num)d orders", point.orders)
        bars.append(Bar(
            x=round(LEFT + index * slot + gap / 2, 2), y=round(bottom - height, 2), width=round(slot - gap, 2),
            height=round(height, 2), title=f"{full}: {value} ({orders})", date_label=full, value_label=value,
            orders=point.orders,
        ))
    ticks = [Tick(y=round(bottom - plot_h * n / STEPS, 2), label=compact_baht(step * n, locale))
             for n in range(STEPS + 1)]
    every = max(1, -(-len(points) // MAX_X_LABELS))
    x_labels = _x_labels(series, slot, every, locale)
    while every < len(points) and not _fits(x_labels):
        every += 1
        x_labels = _x_labels(series, slot, every, locale)
    return BarChart(
        width=WIDTH, height=HEIGHT, left=LEFT, right=WIDTH - RIGHT, top=TOP, bottom=bottom, bars=bars,
        ticks=ticks, x_labels=x_labels, empty=peak == 0,
    )


def _x_labels(series: SalesSeries, slot: float, every: int, locale: str) -> list[XLabel]:
    """Every ``every``-th bucket's short label, from the newest back (so "today" is
    labelled), returned left to right; the end labels hug the plot's edges."""
    points = series.points
    x_labels = []
    for index in range(len(points) - 1, -1, -every):
        short, _full = _date_labels(series.period, points[index].start, locale)
        if index == len(points) - 1:
            x_labels.append(XLabel(x=round(LEFT + (index + 1) * slot, 2), label=short, anchor="end"))
        elif index == 0:
            x_labels.append(XLabel(x=float(LEFT), label=short, anchor="start"))
        else:
            x_labels.append(XLabel(x=round(LEFT + (index + 0.5) * slot, 2), label=short))
    return x_labels[::-1]
