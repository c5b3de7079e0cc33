"""What the track adds to the enterprise's dashboard (docs/product.md: Dashboards),
through the seller dashboard's hook ``sellers.views.dashboard_sections``: the channel
mix and the margin over the period chosen, the payouts and balance, and the track
card (what is left at this stage and the next, and the products not yet
retail-ready, each linking to where it is fixed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from flask import current_app, url_for
from sqlalchemy import and_, case, distinct, func, not_, or_, select

from shop.catalog import status
from shop.catalog.models import Enterprise, Product, Variant
from shop.catalog.retail_ready import retail_ready_clause
from shop.catalog.wholesale import readiness_of
from shop.extensions import db
from shop.i18n import BANGKOK, current_language
from shop.ledger import services as ledger
from shop.ledger.views import PAYOUT_METHOD_LABELS, PAYOUT_STATUS_LABELS
from shop.orders import status as st
from shop.orders.models import Fulfilment, Order, OrderLine
from shop.sellers.views import DashboardSection
from shop.track import channels, services

NOT_READY_SHOWN = 5
UNCOSTED_SHOWN = 5
PAYOUTS_SHOWN = 3


def _since(first_day: date) -> datetime:
    return datetime.combine(first_day, time.min, tzinfo=BANGKOK)


def _sale_day():
    """When a sale happened: paid, or placed when it went on invoice."""
    return case((Order.payment_method == st.PAYMENT_INVOICE, Order.created_at), else_=Order.paid_at)


# ---------------------------------------------------------------- channel mix


@dataclass(frozen=True)
class ChannelShare:
    code: str
    label: str
    orders: int
    total_satang: int
    percent: float  # of the period's total, 0 when nothing sold


def channel_mix(enterprise: Enterprise, since: datetime) -> list[ChannelShare]:
    """The period's sales by channel (``shop.track.channels``, experiences on a line of
    their own), every channel listed."""
    per_part = (
        select(channels.channel_of_part().label("channel"), Order.id.label("order_id"),
               (Fulfilment.total_satang - Fulfilment.refunded_satang).label("amount"))
        .select_from(Fulfilment).join(Order, Order.id == Fulfilment.order_id)
        .where(Fulfilment.enterprise_id == enterprise.id, channels.is_sale(), _sale_day() >= since)
        .subquery()
    )
    rows = db.session.execute(
        select(per_part.c.channel, func.count(distinct(per_part.c.order_id)), func.sum(per_part.c.amount))
        .group_by(per_part.c.channel)
    ).all()
    found = {code: (int(n or 0), max(0, int(total or 0))) for code, n, total in rows}
    grand = sum(total for _n, total in found.values())
    return [
        ChannelShare(code=code, label=str(channels.LABELS[code]), orders=found.get(code, (0, 0))[0],
                     total_satang=found.get(code, (0, 0))[1],
                     percent=round(100 * found.get(code, (0, 0))[1] / grand, 1) if grand else 0.0)
        for code in channels.PART_CHANNELS
    ]


# ---------------------------------------------------------------- margin


@dataclass(frozen=True)
class Margin:
    revenue_satang: int  # lines whose option has a cost sheet
    cost_satang: int
    uncosted_revenue_satang: int  # lines sold without a cost sheet (left out of the margin)
    uncosted_products: list[str]
    uncosted_count: int

    @property
    def margin_satang(self) -> int:
        return self.revenue_satang - self.cost_satang

    @property
    def percent(self) -> float | None:
        return round(100 * self.margin_satang / self.revenue_satang, 1) if self.revenue_satang else None

    @property
    def sold_anything(self) -> bool:
        return bool(self.revenue_satang or self.uncosted_revenue_satang)


def _unit_cost():
    return (func.coalesce(Variant.cost_materials_satang, 0) + func.coalesce(Variant.cost_packaging_satang, 0)
            + func.coalesce(Variant.cost_labour_satang, 0) + func.coalesce(Variant.cost_overhead_satang, 0))


def _has_cost():
    return or_(Variant.cost_materials_satang.is_not(None), Variant.cost_packaging_satang.is_not(None),
               Variant.cost_labour_satang.is_not(None), Variant.cost_overhead_satang.is_not(None))


def margin(enterprise: Enterprise, since: datetime, locale: str = "th") -> Margin:
    """Goods sold in the period (line totals, before refunds and without shipping)
    less their unit costs from today's cost sheets; lines of options without a cost
    sheet are counted apart and named."""
    costed = and_(Variant.id.is_not(None), _has_cost())
    base = (
        select()
        .select_from(OrderLine)
        .join(Fulfilment, Fulfilment.id == OrderLine.fulfilment_id)
        .join(Order, Order.id == Fulfilment.order_id)
        .outerjoin(Variant, Variant.id == OrderLine.variant_id)
        .where(Fulfilment.enterprise_id == enterprise.id, channels.is_sale(), _sale_day() >= since)
    )
    revenue, cost, uncosted = db.session.execute(base.add_columns(
        func.sum(case((costed, OrderLine.line_total_satang), else_=0)),
        func.sum(case((costed, OrderLine.quantity * _unit_cost()), else_=0)),
        func.sum(case((costed, 0), else_=OrderLine.line_total_satang)),
    )).one()
    name = OrderLine.product_name_en if locale == "en" else OrderLine.product_name_th
    names_query = (base.add_columns(func.coalesce(func.max(name), func.max(OrderLine.product_name_th)))
                   .where(not_(costed)).group_by(OrderLine.product_id, OrderLine.product_name_th)
                   .order_by(func.sum(OrderLine.line_total_satang).desc()))
    names = [row[0] for row in db.session.execute(names_query.limit(UNCOSTED_SHOWN))]
    count = db.session.scalar(select(func.count()).select_from(names_query.subquery())) or 0
    return Margin(revenue_satang=int(revenue or 0), cost_satang=int(cost or 0),
                  uncosted_revenue_satang=int(uncosted or 0), uncosted_products=names, uncosted_count=int(count))


# ---------------------------------------------------------------- products not retail-ready


@dataclass(frozen=True)
class NotReady:
    product: Product
    missing: list  # (code, label, [SKUs])
    fix_url: str | None


def not_retail_ready(enterprise: Enterprise, limit: int = NOT_READY_SHOWN) -> tuple[list[NotReady], int]:
    """Live products that are not retail-ready (the first few, with what each lacks)
    and how many there are."""
    condition = and_(Product.enterprise_id == enterprise.id, Product.status == status.LIVE,
                     not_(retail_ready_clause()))
    products = list(db.session.scalars(select(Product).where(condition).order_by(Product.name_th, Product.id)
                                       .limit(limit)))
    total = db.session.scalar(select(func.count(Product.id)).where(condition)) or 0
    readiness = readiness_of(products)
    installed = "sellers.listing_edit" in current_app.view_functions
    rows = [NotReady(product=p, missing=readiness[p.id].grouped(),
                     fix_url=url_for("sellers.listing_edit", enterprise_id=enterprise.id, product_id=p.id,
                                     _anchor="retail-ready")
                     if installed else None) for p in products]
    return rows, int(total)


# ---------------------------------------------------------------- the sections


def _link(endpoint: str, **values) -> str | None:
    return url_for(endpoint, **values) if endpoint in current_app.view_functions else None


def dashboard_sections(enterprise: Enterprise, *, period: str, first_day: date) -> list[DashboardSection]:
    """The hook's answer for ``/seller/<id>/``."""
    locale = current_language()
    since = _since(first_day)
    sections = []
    if enterprise.status in (status.ENTERPRISE_APPROVED, status.ENTERPRISE_SUSPENDED):
        mix = channel_mix(enterprise, since)
        sections.append(DashboardSection("track/_dashboard_channels.html", "figures", {
            "mix": mix, "period": period, "total_satang": sum(c.total_satang for c in mix)}))
        sections.append(DashboardSection("track/_dashboard_margin.html", "figures", {
            "margin": margin(enterprise, since, locale), "period": period,
            "costs_url": _link("sellers.costs", enterprise_id=enterprise.id)}))
        rows = ledger.balances([enterprise.id])
        sections.append(DashboardSection("track/_dashboard_payouts.html", "figures", {
            "summary": rows[0] if rows else None,
            "payouts": ledger.recent_payouts(enterprise.id, limit=PAYOUTS_SHOWN),
            "money_url": _link("ledger.seller_money", enterprise_id=enterprise.id),
            "method_labels": {code: str(label) for code, label in PAYOUT_METHOD_LABELS.items()},
            "status_labels": {code: str(label) for code, label in PAYOUT_STATUS_LABELS.items()}}))
    not_ready, not_ready_total = not_retail_ready(enterprise)
    sections.append(DashboardSection("track/_dashboard_card.html", "track", {
        "card": services.track_card(enterprise), "not_ready": not_ready, "not_ready_total": not_ready_total,
        "checklist_url": _link("track.seller_checklist", enterprise_id=enterprise.id),
        "listings_url": _link("sellers.listings", enterprise_id=enterprise.id),
    }))
    return sections
