"""What an enterprise sees of its orders (docs/product.md: Orders, Dashboards): the
fulfilments to act on, lists by tab and status, one fulfilment with its timeline, the
orders CSV, and the dashboard figures (sales over time, orders to act on, top products,
low stock).

Read-only queries: the steps themselves (accept, pack, ship, cancel) are
``shop.orders.services``. Every query is scoped to one enterprise, and a fulfilment is
looked up *within* it, so another enterprise's fulfilment id is a 404 exactly like an
id that does not exist.

What counts as a sale: a fulfilment of a paid order (``orders.paid_at`` set), not
cancelled, worth its total (goods and shipping) less what was refunded, on the day
(Bangkok time) the order was paid. Days, weeks and months are Bangkok's: a sale at
23:30 on the 1st belongs to the 1st, not to the 2nd as in UTC. The grouping is done
here rather than in SQL so it is the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from shop.catalog import status as catalog_status
from shop.catalog.models import Enterprise, Product, Variant
from shop.dbtypes import utcnow
from shop.errors import ValidationFailed
from shop.extensions import db
from shop.geo import province_by_code
from shop.orders import status as st
from shop.orders.access import fulfilment_for_enterprise  # noqa: F401  (the seller pages and the API find a part here)
from shop.orders.models import Fulfilment, Order, OrderLine, StatusChange
from shop.orders.services import CONFIRMED_STATES  # the states in which enterprises ship
from shop.pagination import Page, paginate
from shop.spreadsheets import CsvText, baht_cell, csv_producer, write_csv
from shop.text import like_pattern

BANGKOK = ZoneInfo("Asia/Bangkok")
PAGE_SIZE = 20

# The seller's view of a fulfilment whose order is not paid yet.
AWAITING_PAYMENT = "awaiting_payment"

TAB_TO_ACT = "todo"
TAB_SHIPPED = "shipped"
TAB_ALL = "all"
TABS = (TAB_TO_ACT, TAB_SHIPPED, TAB_ALL)
# Filters of the "all" tab, in the order a fulfilment moves through them.
STATUS_FILTERS = (AWAITING_PAYMENT, *st.FULFILMENT_STATUSES)

PERIOD_DAYS = "30d"
PERIOD_WEEKS = "12w"
PERIOD_MONTHS = "12m"
PERIODS = (PERIOD_DAYS, PERIOD_WEEKS, PERIOD_MONTHS)

TOP_PRODUCTS = 5
LOW_STOCK_ROWS = 8
DASHBOARD_TO_ACT_ROWS = 5


def tab_label(tab: str):
    return {TAB_TO_ACT: _l("To act on"), TAB_SHIPPED: _l("Shipped"), TAB_ALL: _l("All")}.get(tab, tab)


def period_label(period: str):
    return {
        PERIOD_DAYS: _l("Last 30 days"), PERIOD_WEEKS: _l("Last 12 weeks"), PERIOD_MONTHS: _l("Last 12 months"),
    }.get(period, period)


def seller_status(fulfilment: Fulfilment) -> str:
    """A fulfilment's status as the enterprise sees it: "awaiting payment" before the
    order is paid (nothing to do yet), else the fulfilment's own status."""
    if fulfilment.status != st.FULFILMENT_CANCELLED and fulfilment.order.status == st.ORDER_PENDING_PAYMENT:
        return AWAITING_PAYMENT
    return fulfilment.status


def seller_status_label(code: str):
    if code == AWAITING_PAYMENT:
        return _l("Awaiting payment")
    return st.status_label(st.FULFILMENT, code)


def _status_condition(code: str):
    if code == AWAITING_PAYMENT:
        return and_(Order.status == st.ORDER_PENDING_PAYMENT, Fulfilment.status != st.FULFILMENT_CANCELLED)
    if code == st.FULFILMENT_CANCELLED:
        return Fulfilment.status == code
    # A "new" part of an unpaid order is shown as awaiting payment, not as new.
    return and_(Fulfilment.status == code, Order.status != st.ORDER_PENDING_PAYMENT)


def _to_act_on_condition():
    return and_(Order.status.in_(CONFIRMED_STATES), Fulfilment.status.in_(st.FULFILMENT_OPEN))


# ---------------------------------------------------------------- lists


@dataclass(frozen=True)
class OrdersPage(Page[Fulfilment]):
    tab: str = TAB_TO_ACT
    status_filter: str | None = None
    query: str = ""
    tab_counts: dict[str, int] = field(default_factory=dict)
    status_counts: dict[str, int] = field(default_factory=dict)


def _base(enterprise_id: int):
    return (
        select(Fulfilment)
        .join(Order, Order.id == Fulfilment.order_id)
        .where(Fulfilment.enterprise_id == enterprise_id)
    )


def _search_condition(enterprise_id: int, query: str):
    """The order number, the recipient's name or phone, or a SKU on one of its lines."""
    like = like_pattern(query) or "%"
    sku_match = (
        select(OrderLine.fulfilment_id)
        .join(Fulfilment, Fulfilment.id == OrderLine.fulfilment_id)
        .where(Fulfilment.enterprise_id == enterprise_id, OrderLine.sku.ilike(like))
    )
    return or_(Order.public_id.ilike(like), Order.recipient_name.ilike(like), Order.phone.ilike(like),
               Fulfilment.id.in_(sku_match))


def clean_query(query: str | None) -> str:
    """The search box's text as the lists use it."""
    return (query or "").strip()[:100]


def filtered_fulfilments(enterprise_id: int, tab: str, status_filter: str | None, query: str):
    """The enterprise's fulfilments in one tab (and, on the "all" tab, one seller
    status), matching ``query``, in the tab's order, with their order and lines."""
    stmt = _base(enterprise_id).options(selectinload(Fulfilment.order), selectinload(Fulfilment.lines))
    if tab == TAB_TO_ACT:
        stmt = stmt.where(_to_act_on_condition())
    elif tab == TAB_SHIPPED:
        stmt = stmt.where(Fulfilment.status.in_((st.FULFILMENT_SHIPPED, st.FULFILMENT_DELIVERED)))
    elif status_filter:
        stmt = stmt.where(_status_condition(status_filter))
    if query:
        stmt = stmt.where(_search_condition(enterprise_id, query))
    if tab == TAB_TO_ACT:
        # First paid, first served.
        return stmt.order_by(Order.paid_at.asc(), Fulfilment.id.asc())
    if tab == TAB_SHIPPED:
        return stmt.order_by(Fulfilment.shipped_at.desc(), Fulfilment.id.desc())
    return stmt.order_by(Fulfilment.created_at.desc(), Fulfilment.id.desc())


def _count(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def tab_counts(enterprise: Enterprise) -> dict[str, int]:
    return {
        TAB_TO_ACT: _count(_base(enterprise.id).where(_to_act_on_condition())),
        TAB_SHIPPED: _count(_base(enterprise.id).where(
            Fulfilment.status.in_((st.FULFILMENT_SHIPPED, st.FULFILMENT_DELIVERED)))),
        TAB_ALL: _count(_base(enterprise.id)),
    }


def status_counts(enterprise: Enterprise) -> dict[str, int]:
    """How many of the enterprise's fulfilments show each seller status."""
    rows = db.session.execute(
        select(Fulfilment.status, Order.status, func.count(Fulfilment.id))
        .join(Order, Order.id == Fulfilment.order_id)
        .where(Fulfilment.enterprise_id == enterprise.id)
        .group_by(Fulfilment.status, Order.status)
    ).all()
    counts = dict.fromkeys(STATUS_FILTERS, 0)
    for f_status, o_status, count in rows:
        if f_status != st.FULFILMENT_CANCELLED and o_status == st.ORDER_PENDING_PAYMENT:
            counts[AWAITING_PAYMENT] += count
        else:
            counts[f_status] = counts.get(f_status, 0) + count
    return counts


def orders_page(enterprise: Enterprise, *, tab: str | None = None, status_filter: str | None = None,
                query: str | None = None, page: int = 1) -> OrdersPage:
    """One page of the enterprise's fulfilments. Unknown tabs and filters fall back to
    the defaults rather than failing: they come from links people bookmark."""
    tab = tab if tab in TABS else TAB_TO_ACT
    status_filter = status_filter if (tab == TAB_ALL and status_filter in STATUS_FILTERS) else None
    query = clean_query(query)
    return paginate(
        filtered_fulfilments(enterprise.id, tab, status_filter, query), page, PAGE_SIZE, page_type=OrdersPage,
        tab=tab, status_filter=status_filter, query=query, tab_counts=tab_counts(enterprise),
        status_counts=status_counts(enterprise) if tab == TAB_ALL else {},
    )


def timeline(fulfilment: Fulfilment) -> list[StatusChange]:
    """The fulfilment's own steps and the order's (placed, paid, cancelled), oldest
    first; never another enterprise's part of the same order."""
    return list(db.session.scalars(
        select(StatusChange)
        .where(
            StatusChange.order_id == fulfilment.order_id,
            or_(StatusChange.fulfilment_id == fulfilment.id, StatusChange.fulfilment_id.is_(None)),
        )
        .options(selectinload(StatusChange.actor))
        .order_by(StatusChange.created_at, StatusChange.id)
    ))


@dataclass(frozen=True)
class SellerActions:
    """What the enterprise can do with a fulfilment now, for the page's buttons."""

    accept: bool = False
    pack: bool = False
    ship: bool = False
    deliver: bool = False
    cancel: bool = False
    waiting_for_payment: bool = False

    @property
    def any(self) -> bool:
        return self.accept or self.pack or self.ship or self.deliver or self.cancel


def seller_actions(fulfilment: Fulfilment, role: str = st.ROLE_SELLER) -> SellerActions:
    """The buttons to show, from the transition table and the order's payment. The
    services check all of it again when a button is pressed."""
    targets = set(st.allowed_targets(st.FULFILMENT, fulfilment.status, role))
    order_status = fulfilment.order.status
    paid = order_status in CONFIRMED_STATES
    unpaid = order_status == st.ORDER_PENDING_PAYMENT
    return SellerActions(
        accept=paid and st.FULFILMENT_ACCEPTED in targets,
        pack=paid and st.FULFILMENT_PACKED in targets,
        ship=paid and st.FULFILMENT_SHIPPED in targets,
        deliver=st.FULFILMENT_DELIVERED in targets,
        cancel=(paid or unpaid) and st.FULFILMENT_CANCELLED in targets,
        waiting_for_payment=unpaid and fulfilment.status != st.FULFILMENT_CANCELLED,
    )


def packing_lines(fulfilment: Fulfilment) -> list[OrderLine]:
    """The lines to pack, by SKU so the picker walks the shelves once."""
    return sorted(fulfilment.lines, key=lambda line: (line.sku, line.id))


# ---------------------------------------------------------------- CSV export


CSV_COLUMNS = (
    "order_id", "fulfilment_id", "order_date", "paid_date", "order_status", "fulfilment_status", "document_no",
    "buyer_name", "province", "shipping_option", "sku", "product", "variant", "quantity", "unit_price",
    "line_total", "shipping_fee", "refunded", "carrier", "tracking_number", "shipped_date",
)






def _local(when: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return when.astimezone(BANGKOK).strftime(fmt) if when else ""


def parse_day(text: str | None, field_name: str) -> date | None:
    """A ``YYYY-MM-DD`` query parameter; empty is None, anything else a clear 422."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        message = _l("Enter the date as year-month-day, e.g. 2026-01-31.")
        raise ValidationFailed(message, fields={field_name: message}) from None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=BANGKOK).astimezone(UTC)


@csv_producer("A seller's orders export (/seller/<id>/orders.csv)")
def export_csv(enterprise: Enterprise, *, tab: str | None = TAB_ALL, status_filter: str | None = None,
               query: str | None = None, since: date | None = None, until: date | None = None,
               locale: str = "th") -> CsvText:
    """The enterprise's orders, one row per order line, UTF-8 with a BOM for Excel.

    The fulfilment's shipping fee and refund are on its first line only, so summing
    a column gives the right total. ``since``/``until`` are Bangkok days of the
    order, both included. Dates are Bangkok time; amounts baht with two decimals.
    """
    if since and until and since > until:
        message = _l("The first day must not be after the last day.")
        raise ValidationFailed(message, fields={"from": message})
    tab = tab if tab in TABS else TAB_ALL
    status_filter = status_filter if (tab == TAB_ALL and status_filter in STATUS_FILTERS) else None
    stmt = filtered_fulfilments(enterprise.id, tab, status_filter, clean_query(query))
    if since:
        stmt = stmt.where(Fulfilment.created_at >= _day_start(since))
    if until:
        stmt = stmt.where(Fulfilment.created_at < _day_start(until + timedelta(days=1)))
    stmt = stmt.order_by(None).order_by(Fulfilment.created_at.asc(), Fulfilment.id.asc()).options(
        selectinload(Fulfilment.order), selectinload(Fulfilment.lines)
    )
    rows = []
    for fulfilment in db.session.scalars(stmt):
        order = fulfilment.order
        province = province_by_code(order.province_code)
        for index, line in enumerate(fulfilment.lines):
            first = index == 0
            rows.append([
                order.public_id, fulfilment.id, _local(order.created_at), _local(order.paid_at), order.status,
                seller_status(fulfilment), fulfilment.document_no or "", order.recipient_name,
                province.name(locale) if province else order.province_code, fulfilment.shipping_name,
                line.sku, line.product_name_en if locale == "en" and line.product_name_en else line.product_name_th,
                line.variant_name_en if locale == "en" and line.variant_name_en else line.variant_name_th,
                line.quantity, baht_cell(line.unit_price_satang), baht_cell(line.line_total_satang),
                baht_cell(fulfilment.shipping_satang) if first else "",
                baht_cell(fulfilment.refunded_satang) if first and fulfilment.refunded_satang else "",
                st.carrier_label(fulfilment.carrier) if fulfilment.carrier else "",
                fulfilment.tracking_number, _local(fulfilment.shipped_at),
            ])
    return write_csv(CSV_COLUMNS, rows)


# ---------------------------------------------------------------- dashboard


@dataclass(frozen=True)
class SalesPoint:
    start: date  # first day of the day/week/month, Bangkok
    total_satang: int
    orders: int


@dataclass
class SalesSeries:
    period: str
    points: list[SalesPoint]
    first_day: date
    last_day: date

    @property
    def total_satang(self) -> int:
        return sum(p.total_satang for p in self.points)

    @property
    def orders(self) -> int:
        return sum(p.orders for p in self.points)


def _bucket_starts(period: str, today: date) -> list[date]:
    if period == PERIOD_WEEKS:
        this_week = today - timedelta(days=today.weekday())  # Monday
        return [this_week - timedelta(weeks=n) for n in range(11, -1, -1)]
    if period == PERIOD_MONTHS:
        starts = []
        year, month = today.year, today.month
        for _ in range(12):
            starts.append(date(year, month, 1))
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return starts[::-1]
    return [today - timedelta(days=n) for n in range(29, -1, -1)]


def _bucket_of(period: str, day: date) -> date:
    if period == PERIOD_WEEKS:
        return day - timedelta(days=day.weekday())
    if period == PERIOD_MONTHS:
        return day.replace(day=1)
    return day


def _sale_conditions(enterprise_id: int):
    return (
        Fulfilment.enterprise_id == enterprise_id,
        Order.paid_at.is_not(None),
        Fulfilment.status != st.FULFILMENT_CANCELLED,
    )


def sales_over_time(enterprise: Enterprise, *, period: str = PERIOD_DAYS, now: datetime | None = None) -> SalesSeries:
    """Sales per day (30 days), week (12 weeks, from Monday) or month (12 months),
    every bucket present (zero when nothing sold), oldest first."""
    period = period if period in PERIODS else PERIOD_DAYS
    today = (now or utcnow()).astimezone(BANGKOK).date()
    starts = _bucket_starts(period, today)
    since = _day_start(starts[0])
    rows = db.session.execute(
        select(Order.paid_at, Fulfilment.total_satang - Fulfilment.refunded_satang)
        .join(Order, Order.id == Fulfilment.order_id)
        .where(*_sale_conditions(enterprise.id), Order.paid_at >= since)
    ).all()
    totals = dict.fromkeys(starts, 0)
    counts = dict.fromkeys(starts, 0)
    for paid_at, amount in rows:
        key = _bucket_of(period, paid_at.astimezone(BANGKOK).date())
        if key in totals:
            totals[key] += max(0, int(amount or 0))
            counts[key] += 1
    points = [SalesPoint(start=s, total_satang=totals[s], orders=counts[s]) for s in starts]
    return SalesSeries(period=period, points=points, first_day=starts[0], last_day=today)


@dataclass(frozen=True)
class TopProduct:
    product_id: int | None
    name_th: str
    name_en: str | None
    quantity: int
    total_satang: int
    slug: str | None = None

    def name(self, locale: str = "th") -> str:
        return (self.name_en if locale == "en" and self.name_en else None) or self.name_th


def top_products(enterprise: Enterprise, *, since: datetime, limit: int = TOP_PRODUCTS) -> list[TopProduct]:
    """The best sellers by value of goods sold since ``since`` (paid, not cancelled).

    Lines are grouped by product; lines whose product was deleted since keep their
    own name, grouped by it, so two deleted products are not added together."""
    name_key = case((OrderLine.product_id.is_(None), OrderLine.product_name_th), else_="")
    rows = db.session.execute(
        select(
            OrderLine.product_id, func.max(OrderLine.product_name_th), func.max(OrderLine.product_name_en),
            func.sum(OrderLine.quantity), func.sum(OrderLine.line_total_satang),
        )
        .join(Fulfilment, Fulfilment.id == OrderLine.fulfilment_id)
        .join(Order, Order.id == Fulfilment.order_id)
        .where(*_sale_conditions(enterprise.id), Order.paid_at >= since)
        .group_by(OrderLine.product_id, name_key)
        .order_by(func.sum(OrderLine.line_total_satang).desc(), func.sum(OrderLine.quantity).desc())
        .limit(limit)
    ).all()
    ids = [r[0] for r in rows if r[0] is not None]
    current = {}
    if ids:
        current = {p.id: p for p in db.session.scalars(select(Product).where(Product.id.in_(ids)))}
    result = []
    for product_id, name_th, name_en, quantity, total in rows:
        product = current.get(product_id)
        result.append(TopProduct(
            product_id=product_id, name_th=product.name_th if product else name_th,
            name_en=product.name_en if product else name_en, quantity=int(quantity or 0),
            total_satang=int(total or 0), slug=product.slug if product else None,
        ))
    return result


def low_stock(enterprise: Enterprise, *, limit: int = LOW_STOCK_ROWS) -> tuple[list[Variant], int]:
    """Options on sale (or about to be) at or under their alert level, emptiest first,
    and how many there are in all."""
    conditions = (
        Variant.enterprise_id == enterprise.id,
        Variant.is_active.is_(True),
        Product.status.in_((catalog_status.LIVE, catalog_status.PAUSED, catalog_status.PENDING_REVIEW)),
        Variant.stock <= Variant.low_stock_threshold,
    )
    variants = list(db.session.scalars(
        select(Variant).join(Product, Product.id == Variant.product_id).where(*conditions)
        .options(selectinload(Variant.product))
        .order_by(Variant.stock.asc(), Variant.id.asc()).limit(limit)
    ))
    total = db.session.scalar(
        select(func.count(Variant.id)).join(Product, Product.id == Variant.product_id).where(*conditions)
    ) or 0
    return variants, total


@dataclass
class DashboardFigures:
    to_act_on: dict[str, int]  # new / accepted / packed (paid orders only)
    awaiting_payment: int
    oldest_to_act_on: list[Fulfilment]
    sales: SalesSeries
    top_products: list[TopProduct]
    low_stock: list[Variant]
    low_stock_total: int

    @property
    def to_act_on_total(self) -> int:
        return sum(self.to_act_on.values())


def dashboard_figures(enterprise: Enterprise, *, period: str = PERIOD_DAYS, now: datetime | None = None) -> DashboardFigures:
    sales = sales_over_time(enterprise, period=period, now=now)
    open_counts = dict(db.session.execute(
        select(Fulfilment.status, func.count(Fulfilment.id))
        .join(Order, Order.id == Fulfilment.order_id)
        .where(Fulfilment.enterprise_id == enterprise.id, _to_act_on_condition())
        .group_by(Fulfilment.status)
    ).all())
    awaiting = _count(_base(enterprise.id).where(_status_condition(AWAITING_PAYMENT)))
    oldest = list(db.session.scalars(
        filtered_fulfilments(enterprise.id, TAB_TO_ACT, None, "").limit(DASHBOARD_TO_ACT_ROWS)
    ))
    variants, low_total = low_stock(enterprise)
    return DashboardFigures(
        to_act_on={code: int(open_counts.get(code, 0)) for code in st.FULFILMENT_OPEN},
        awaiting_payment=awaiting, oldest_to_act_on=oldest, sales=sales,
        top_products=top_products(enterprise, since=_day_start(sales.first_day)),
        low_stock=variants, low_stock_total=low_total,
    )


def items_summary(lines: Iterable[OrderLine], locale: str = "th", *, limit: int = 2) -> str:
    """"Coffee 250 g ×2, Rice 1 kg ×1 +3 more" for a list row."""
    lines = list(lines)
    parts = [f"{line.name(locale)} ×{line.quantity}" for line in lines[:limit]]
    more = len(lines) - limit
    text = ", ".join(parts)
    if more > 0:
        text += " " + str(_l("+%(num)d more", num=more))
    return text
