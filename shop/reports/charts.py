"""Server-drawn charts of the reports: ranked horizontal bars (provinces, channels,
stages, programmes) and, through ``shop.sellers.charts``, income by month.

Ranked bars are laid out for a phone first: each row is the name and the amount on one
line of text and the bar under it across the whole width, so a long Thai province name
never squeezes the bar and the text stays about 12 px on a 390 px screen (a 360-unit
``viewBox`` with 13-unit text, as the sellers' sales chart). The template draws the SVG
inline with the same figures in a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from shop.money import format_baht
from shop.sellers.charts import BarChart, sales_chart
from shop.sellers.order_services import PERIOD_MONTHS, SalesPoint, SalesSeries

WIDTH = 360
ROW_HEIGHT = 36
TEXT_Y = 14  # baseline of the row's text, from the row's top
BAR_Y = 20
BAR_HEIGHT = 10
FONT_SIZE = 13
MAX_ROWS = 15


@dataclass(frozen=True)
class HBar:
    y: float
    text_y: float
    width: float
    label: str
    value_label: str


@dataclass(frozen=True)
class HBarChart:
    width: int
    height: int
    bars: list[HBar]
    bar_height: int
    empty: bool
    font_size: int = FONT_SIZE
    more: int = 0  # rows left out (shown in the table)


def ranked_bars(items: Sequence[tuple[str, int]], locale: str = "th", *, max_rows: int = MAX_ROWS) -> HBarChart:
    """``items``: (label, satang) already in the order to draw; negative amounts draw no bar."""
    shown = list(items)[:max_rows]
    peak = max((amount for _label, amount in shown), default=0)
    bars = []
    for index, (label, amount) in enumerate(shown):
        top = index * ROW_HEIGHT
        width = WIDTH * amount / peak if peak > 0 and amount > 0 else 0
        if amount > 0 and width < 2:
            width = 2
        bars.append(HBar(y=top + BAR_Y, text_y=top + TEXT_Y, width=round(width, 2), label=label,
                         value_label=format_baht(amount, locale)))
    return HBarChart(width=WIDTH, height=max(ROW_HEIGHT, len(shown) * ROW_HEIGHT), bars=bars, bar_height=BAR_HEIGHT,
                     empty=peak <= 0, more=max(0, len(items) - len(shown)))


def monthly_chart(points: Sequence[tuple[str, int, int]], locale: str = "th", *, last: int = 12) -> BarChart:
    """The last ``last`` months as the sellers' bar chart: ``(YYYY-MM, satang, orders)``."""
    shown = list(points)[-last:]
    if not shown:
        shown = [(date.today().strftime("%Y-%m"), 0, 0)]
    while len(shown) < last:  # always a year of bars, so one month is not one wide block
        year, month = int(shown[0][0][:4]), int(shown[0][0][5:7])
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        shown.insert(0, (f"{year:04d}-{month:02d}", 0, 0))
    series_points = [SalesPoint(start=date(int(key[:4]), int(key[5:7]), 1), total_satang=max(0, amount), orders=orders)
                     for key, amount, orders in shown]
    series = SalesSeries(period=PERIOD_MONTHS, points=series_points, first_day=series_points[0].start,
                         last_day=series_points[-1].start)
    return sales_chart(series, locale)
