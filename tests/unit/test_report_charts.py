"""The reports' pure parts: ranked bars, the monthly chart's year of bars, months and
growth, story excerpts (docs/impact.md)."""

from __future__ import annotations

from shop.reports import charts
from shop.reports import services as reports


def test_ranked_bars_scale_to_the_largest_and_leave_out_none_silently(app):
    with app.test_request_context():
        chart = charts.ranked_bars([("ลำปาง", 40_000), ("ระยอง", 10_000), ("เพชรบูรณ์", -500), ("สระบุรี", 1)], "th")
    assert [bar.width for bar in chart.bars] == [charts.WIDTH, charts.WIDTH / 4, 0, 2]
    assert chart.bars[0].value_label == "฿400" and chart.bars[2].value_label == "-฿5"
    assert chart.height == 4 * charts.ROW_HEIGHT and not chart.empty
    many = charts.ranked_bars([(str(n), 100 - n) for n in range(20)])
    assert len(many.bars) == charts.MAX_ROWS and many.more == 5
    assert charts.ranked_bars([]).empty and charts.ranked_bars([("x", 0)]).empty


def test_monthly_chart_always_draws_a_year(app):
    with app.test_request_context():
        chart = charts.monthly_chart([("2026-03", 120_000, 4)], "en")
    assert len(chart.bars) == 12
    assert [bar.height > 0 for bar in chart.bars] == [False] * 11 + [True]
    assert chart.bars[-1].orders == 4


def test_months_and_growth():
    assert reports.months_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert reports.previous_month("2026-01") == "2025-12"
    assert reports.growth_percent(150, 100) == 50.0
    assert reports.growth_percent(50, 200) == -75.0
    assert reports.growth_percent(10, 0) is None
    assert reports.month_label("2026-12", "th") == "ธ.ค. 2569" and reports.month_label("2026-12", "en") == "Dec 2026"
    assert reports.year_label(2026, "th") == "2569"


def test_story_excerpt_cuts_at_a_word():
    text = "word " * 100
    cut = reports.excerpt(text, 23)
    assert cut == "word word word word…" and reports.excerpt("  short\n text ") == "short text"
