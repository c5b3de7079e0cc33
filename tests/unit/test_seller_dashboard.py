"""The enterprise dashboard's figures (sales over time in Bangkok days, weeks and
months; orders to act on; top products; low stock), the SVG chart's geometry, and the
dashboard page that shows them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from shop.dbtypes import utcnow
from shop.extensions import db
from shop.orders import status as st
from shop.sellers import charts
from shop.sellers import order_services as services
from tests.factories import MemberFactory, ProductFactory, VariantFactory
from tests.order_helpers import cancel_part, make_order, refund_part

# 10:00 on 15 March 2026 in Bangkok.
NOW = datetime(2026, 3, 15, 3, 0, tzinfo=UTC)


@pytest.fixture
def enterprise(app):
    return MemberFactory().enterprise


@pytest.fixture
def coffee(enterprise):
    return VariantFactory(product__enterprise=enterprise, product__name_th="กาแฟคั่วโอ่ง", price_satang=12000,
                          stock=500, sku="MJ-250")


def paid_on(order, when: datetime):
    # The clock, not a state: as if the slip had been confirmed at ``when``.
    order.paid_at = when
    db.session.commit()
    return order


# ------------------------------------------------------------------ sales over time


def test_sales_are_counted_on_the_bangkok_day_of_payment(enterprise, coffee):
    # 17:30 UTC on the 13th is 00:30 on the 14th in Bangkok.
    paid_on(make_order([(coffee, 1)], paid=True), datetime(2026, 3, 13, 17, 30, tzinfo=UTC))
    paid_on(make_order([(coffee, 2)], paid=True), datetime(2026, 3, 13, 16, 59, tzinfo=UTC))

    series = services.sales_over_time(enterprise, now=NOW)

    assert len(series.points) == 30
    assert series.points[-1].start == date(2026, 3, 15) and series.points[0].start == date(2026, 2, 14)
    by_day = {p.start: (p.total_satang, p.orders) for p in series.points}
    assert by_day[date(2026, 3, 14)] == (12000 + 5000, 1)
    assert by_day[date(2026, 3, 13)] == (24000 + 5000, 1)
    assert series.total_satang == 46000 and series.orders == 2


def test_only_paid_uncancelled_sales_of_this_enterprise_count_less_refunds(enterprise, coffee):
    day = datetime(2026, 3, 10, 5, 0, tzinfo=UTC)
    paid_on(make_order([(coffee, 1)], paid=True), day)                     # 17000
    refunded = paid_on(make_order([(coffee, 2)], paid=True), day)          # 29000 - 4000
    refund_part(refunded.fulfilments[0], 4000)
    cancelled = paid_on(make_order([(coffee, 1)], paid=True), day)
    cancel_part(cancelled.fulfilments[0])
    make_order([(coffee, 5)])                                              # unpaid
    paid_on(make_order([(VariantFactory(), 1)], paid=True), day)          # another enterprise
    paid_on(make_order([(coffee, 1)], paid=True), NOW - timedelta(days=45))  # before the window

    series = services.sales_over_time(enterprise, now=NOW)

    assert series.total_satang == 17000 + 25000
    assert series.orders == 2


def test_weeks_start_on_monday_and_months_on_the_first(enterprise, coffee):
    paid_on(make_order([(coffee, 1)], paid=True), datetime(2026, 3, 9, 1, 0, tzinfo=UTC))   # Monday 9th
    paid_on(make_order([(coffee, 1)], paid=True), datetime(2026, 3, 15, 1, 0, tzinfo=UTC))  # Sunday 15th
    paid_on(make_order([(coffee, 1)], paid=True), datetime(2025, 4, 30, 18, 0, tzinfo=UTC))  # 1 May, Bangkok

    weeks = services.sales_over_time(enterprise, period=services.PERIOD_WEEKS, now=NOW)
    assert len(weeks.points) == 12
    assert all(p.start.weekday() == 0 for p in weeks.points)
    assert weeks.points[-1].start == date(2026, 3, 9)
    assert (weeks.points[-1].orders, weeks.points[-1].total_satang) == (2, 34000)

    months = services.sales_over_time(enterprise, period=services.PERIOD_MONTHS, now=NOW)
    assert [p.start for p in months.points][:2] == [date(2025, 4, 1), date(2025, 5, 1)]
    assert months.points[-1].start == date(2026, 3, 1)
    assert months.points[1].orders == 1 and months.points[0].orders == 0
    assert months.points[-1].orders == 2


def test_an_unknown_period_falls_back_to_30_days(enterprise):
    assert services.sales_over_time(enterprise, period="forever", now=NOW).period == services.PERIOD_DAYS


# ------------------------------------------------------------------ to act on, top products, low stock


def test_dashboard_figures(enterprise, coffee):
    rice = VariantFactory(product__enterprise=enterprise, product__name_th="ข้าวกล้อง", price_satang=8000, stock=3,
                          low_stock_threshold=5, sku="RICE-1")
    VariantFactory(product__enterprise=enterprise, stock=0, sku="EMPTY")
    VariantFactory(product__enterprise=enterprise, stock=0, is_active=False, sku="OFF")
    VariantFactory(product=ProductFactory(enterprise=enterprise, status="draft"), stock=0, sku="DRAFT")
    make_order([(coffee, 1)], paid=True)
    make_order([(coffee, 1)], paid=True, fulfilment_status=st.FULFILMENT_ACCEPTED)
    make_order([(coffee, 1), (rice, 1)], paid=True, fulfilment_status=st.FULFILMENT_PACKED)
    make_order([(coffee, 10)], paid=True, fulfilment_status=st.FULFILMENT_SHIPPED)
    make_order([(rice, 1)])

    figures = services.dashboard_figures(enterprise)

    assert figures.to_act_on == {"new": 1, "accepted": 1, "packed": 1}
    assert figures.to_act_on_total == 3 and figures.awaiting_payment == 1
    assert len(figures.oldest_to_act_on) == 3
    assert [(t.name_th, t.quantity, t.total_satang) for t in figures.top_products] == [
        ("กาแฟคั่วโอ่ง", 13, 13 * 12000), ("ข้าวกล้อง", 1, 8000)]
    # rice: 3 - 1 (paid) - 1 (unpaid hold) = 1 left; EMPTY: 0; drafts and inactive options do not count.
    assert [(v.sku, v.stock) for v in figures.low_stock] == [("EMPTY", 0), ("RICE-1", 1)]
    assert figures.low_stock_total == 2


def test_top_products_keep_the_names_of_deleted_products_apart(enterprise, coffee):
    honey = VariantFactory(product__enterprise=enterprise, product__name_th="น้ำผึ้งป่า", price_satang=1000)
    make_order([(coffee, 2), (honey, 5)], paid=True)
    for product in (coffee.product, honey.product):
        db.session.delete(product)
    db.session.commit()
    tops = services.top_products(enterprise, since=utcnow() - timedelta(days=1))
    assert [(t.product_id, t.name_th, t.quantity) for t in tops] == [
        (None, "กาแฟคั่วโอ่ง", 2), (None, "น้ำผึ้งป่า", 5)]


# ------------------------------------------------------------------ the chart


@pytest.mark.parametrize("peak, step", [(0, 100), (1, 100), (399, 100), (401, 200), (120000, 50000),
                                         (1_000_000, 250_000), (1_000_001, 500_000), (9_999_999, 2_500_000)])
def test_the_y_axis_uses_round_steps(peak, step):
    assert charts.nice_step(peak) == step
    assert step * charts.STEPS >= peak


def series_of(values: list[int], period: str = services.PERIOD_DAYS) -> services.SalesSeries:
    start = date(2026, 1, 1)
    points = [services.SalesPoint(start=start + timedelta(days=i), total_satang=v, orders=1 if v else 0)
              for i, v in enumerate(values)]
    return services.SalesSeries(period=period, points=points, first_day=points[0].start, last_day=points[-1].start)


def test_chart_geometry_stays_inside_the_drawing(app):
    values = [0] * 29 + [0]
    values[3], values[10], values[29] = 1, 250_000, 100_000
    with app.test_request_context():
        chart = charts.sales_chart(series_of(values), "th")
    assert not chart.empty and len(chart.bars) == 30
    for bar in chart.bars:
        assert charts.LEFT <= bar.x and bar.x + bar.width <= charts.WIDTH - charts.RIGHT + 0.01
        assert chart.top - 0.01 <= bar.y <= chart.bottom and bar.y + bar.height == pytest.approx(chart.bottom)
    tallest = max(chart.bars, key=lambda b: b.height)
    assert tallest.y >= chart.top - 0.01
    assert chart.bars[3].height >= 1.5  # one satang still shows
    assert chart.bars[0].height == 0
    assert len(chart.x_labels) <= charts.MAX_X_LABELS
    assert chart.x_labels[-1].anchor == "end" and chart.x_labels[-1].x <= charts.WIDTH
    assert [t.label for t in chart.ticks][0] == "฿0"
    assert "฿2,500" in chart.bars[10].title


@pytest.mark.parametrize("locale", ["th", "en"])
@pytest.mark.parametrize("days", [7, 12, 30])
def test_x_labels_never_collide_on_a_phone(app, locale, days):
    with app.test_request_context():
        chart = charts.sales_chart(series_of([100] * days), locale)
    extents = [charts.label_extent(label) for label in chart.x_labels]
    assert extents == sorted(extents) and len(extents) >= 2
    for earlier, later in zip(extents, extents[1:], strict=False):
        assert later[0] - earlier[1] >= charts.LABEL_GAP
    assert extents[0][0] >= 0 and extents[-1][1] <= charts.WIDTH
    assert chart.x_labels[-1].label == charts._date_labels(services.PERIOD_DAYS, date(2026, 1, days), locale)[0]


def test_a_thai_date_label_is_measured_without_its_marks():
    assert charts.label_width("กี่") == charts.label_width("ก")  # sara ii and mai ek sit above the letter
    assert charts.label_width("Jan 30") == 6 * charts.CHAR_EM * charts.FONT_SIZE


def test_an_empty_chart_says_so(app):
    with app.test_request_context():
        chart = charts.sales_chart(series_of([0] * 12, services.PERIOD_MONTHS), "en")
    assert chart.empty and all(bar.height == 0 for bar in chart.bars)


# ------------------------------------------------------------------ the page


def test_the_dashboard_shows_orders_sales_chart_top_products_and_low_stock(app, client, coffee, sign_in):
    member = coffee.product.enterprise.members[0]
    make_order([(coffee, 2)], paid=True)
    coffee_low = VariantFactory(product=coffee.product, sku="MJ-LOW", stock=1)
    sign_in(member.user)

    for period in ("", "?sales=12w", "?sales=12m", "?sales=bogus"):
        response = client.get(f"/seller/{member.enterprise_id}/{period}")
        assert response.status_code == 200
    page = client.get(f"/seller/{member.enterprise_id}/").get_data(as_text=True)
    assert '<svg class="so-chart-svg"' in page and "<rect" in page
    assert "กาแฟคั่วโอ่ง" in page and coffee_low.sku in page
    assert f"/seller/{member.enterprise_id}/orders.csv" in page
    assert "฿290" in page  # 2 × ฿120 + ฿50 shipping

    # The 30-day chart's date labels, as drawn in the SVG, keep their distance (a phone
    # shows the 360-unit drawing about 340 px wide).
    axis_y = re.search(r'<line class="so-chart-grid so-chart-base"[^>]* y1="([\d.]+)"', page).group(1)
    drawn = re.findall(r'<text class="so-chart-axis" x="([\d.]+)" y="([\d.]+)" text-anchor="(\w+)">([^<]+)</text>', page)
    labels = [charts.XLabel(x=float(x), label=text, anchor=anchor) for x, y, anchor, text in drawn
              if float(y) > float(axis_y)]
    assert 3 <= len(labels) <= charts.MAX_X_LABELS
    extents = [charts.label_extent(label) for label in labels]
    for earlier, later in zip(extents, extents[1:], strict=False):
        assert later[0] - earlier[1] >= charts.LABEL_GAP
