"""Demo shipping options and a few weeks of past orders, so the enterprise dashboards,
order lists and receipts of ``flask demo load`` have something to show.

Past orders are written straight through the models with their full timelines (the
services would send e-mails and take stock for orders that happened "before" the
catalogue was loaded). A fixed seed keeps them the same on every machine.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from shop.accounts.models import User
from shop.catalog import status as catalog_status
from shop.catalog.models import Enterprise, Product, Variant
from shop.dbtypes import utcnow
from shop.extensions import db
from shop.orders import status as st
from shop.orders.access import new_public_id
from shop.orders.documents import assign_document_number
from shop.orders.models import Fulfilment, Order, OrderLine, ShippingOption
from shop.orders.shipping import default_fee, option_fee
from shop.search.outbox import enqueue_products

DEMO_ADDRESS = {
    "recipient_name": "สมหญิง ใจดี",
    "phone": "0812345678",
    "address_line": "99/1 ซอยสุขุมวิท 63 ถนนสุขุมวิท",
    "subdistrict": "คลองตันเหนือ",
    "district": "วัฒนา",
    "province_code": "10",
    "postcode": "10110",
}
def demo_shipping_options(enterprise: Enterprise) -> list[dict]:
    """Parcel post (free above ฿800), courier by weight, and pick-up at the group."""
    place = enterprise.village or enterprise.district or ""
    return [
        {"kind": st.SHIPPING_FLAT, "name_th": "ไปรษณีย์ไทย EMS", "name_en": "Thailand Post EMS",
         "base_fee_satang": 5000, "free_above_satang": 80000, "delivery_days": 3},
        {"kind": st.SHIPPING_WEIGHT, "name_th": "ขนส่งเอกชน คิดตามน้ำหนัก", "name_en": "Courier, by weight",
         "base_fee_satang": 3500, "per_kg_satang": 1500, "delivery_days": 2},
        {"kind": st.SHIPPING_PICKUP, "name_th": "รับเองที่กลุ่ม", "name_en": "Collect from the group",
         "pickup_note_th": f"ที่ทำการกลุ่ม {place} ทุกวัน 9:00–17:00 น.".strip(),
         "pickup_note_en": f"At the group's workshop{', ' + place if place else ''}, daily 9:00–17:00."},
    ]


def load_demo_shipping() -> int:
    """Give every enterprise without shipping options the demo set; returns how many
    options were added."""
    added = 0
    have = set(db.session.scalars(select(ShippingOption.enterprise_id).distinct()))
    for enterprise in db.session.scalars(select(Enterprise).order_by(Enterprise.id)):
        if enterprise.id in have:
            continue
        for position, fields in enumerate(demo_shipping_options(enterprise)):
            db.session.add(ShippingOption(enterprise_id=enterprise.id, position=position, **fields))
            added += 1
    return added


def load_demo_orders(*, count: int = 36, days: int = 60, now: datetime | None = None) -> int:
    """Write ``count`` past orders from the demo shopper over the last ``days`` days."""
    rng = random.Random(20241120)  # noqa: S311 - fixed seed: stable demo data
    now = now or utcnow()
    shopper = db.session.scalar(select(User).where(User.email == "shopper@demo.test"))
    staff = db.session.scalar(select(User).where(User.is_staff.is_(True)).order_by(User.id))
    variants = list(db.session.scalars(
        select(Variant).join(Product).join(Enterprise)
        .where(Product.status == catalog_status.LIVE, Enterprise.status == catalog_status.ENTERPRISE_APPROVED,
               Variant.is_active.is_(True))
        .order_by(Variant.id)
    ))
    if shopper is None or not variants:
        return 0
    by_enterprise: dict[int, list[Variant]] = {}
    for variant in variants:
        by_enterprise.setdefault(variant.enterprise_id, []).append(variant)
    # The three Lampang villages come first in the demo data: give them most orders.
    enterprise_ids = sorted(by_enterprise)
    weights = [6 if i < 3 else 1 for i in range(len(enterprise_ids))]
    options = {o.enterprise_id: o for o in db.session.scalars(
        select(ShippingOption).where(ShippingOption.position == 0))}
    sold: dict[int, int] = {}
    made = 0
    for index in range(count):
        placed = now - timedelta(days=days * (count - index) / count, hours=rng.randint(0, 10))
        if index == count - 1:
            placed = now - timedelta(minutes=8)  # the one unpaid order: placed minutes ago, still holding stock
        chosen = {rng.choices(enterprise_ids, weights)[0] for _ in range(rng.choice((1, 1, 1, 2)))}
        age_days = (now - placed).days
        if index == count - 1:
            outcome = "pending"
        elif age_days < 2:
            outcome = "paid"
        elif age_days < 5:
            outcome = "shipped"
        elif rng.random() < 0.06:
            outcome = "cancelled"
        else:
            outcome = "delivered"
        order = Order(public_id=new_public_id(), user_id=shopper.id, email=shopper.email, locale="th",
                      created_at=placed, updated_at=placed, **DEMO_ADDRESS)
        db.session.add(order)
        db.session.flush()
        history: list[tuple[datetime, Order | Fulfilment, str, str]] = []
        for enterprise_id in sorted(chosen):
            option = options.get(enterprise_id)
            fulfilment = Fulfilment(
                enterprise_id=enterprise_id, shipping_option_id=option.id if option else None,
                shipping_kind=option.kind if option else st.SHIPPING_FLAT,
                shipping_name=option.name_th if option else "จัดส่งมาตรฐาน", created_at=placed, updated_at=placed,
            )
            order.fulfilments.append(fulfilment)
            picks = rng.sample(by_enterprise[enterprise_id], k=min(len(by_enterprise[enterprise_id]), rng.randint(1, 2)))
            subtotal = 0
            for variant in picks:
                quantity = rng.randint(1, 4)
                line = OrderLine(
                    order_id=order.id, variant_id=variant.id, product_id=variant.product_id, sku=variant.sku,
                    product_name_th=variant.product.name_th, product_name_en=variant.product.name_en,
                    variant_name_th=variant.name_th, variant_name_en=variant.name_en,
                    unit_price_satang=variant.price_satang, quantity=quantity,
                    line_total_satang=variant.price_satang * quantity, weight_grams=variant.weight_grams,
                )
                fulfilment.lines.append(line)
                subtotal += line.line_total_satang
                if outcome != "cancelled" and outcome != "pending":
                    sold[variant.product_id] = sold.get(variant.product_id, 0) + quantity
            weight = sum(line.weight_grams * line.quantity for line in fulfilment.lines)
            fee = option_fee(option, subtotal_satang=subtotal, weight_grams=weight) if option else default_fee()
            fulfilment.subtotal_satang, fulfilment.shipping_satang = subtotal, fee
            fulfilment.total_satang = subtotal + fee
        order.subtotal_satang = sum(f.subtotal_satang for f in order.fulfilments)
        order.shipping_satang = sum(f.shipping_satang for f in order.fulfilments)
        order.total_satang = order.subtotal_satang + order.shipping_satang
        db.session.flush()
        # Stock for past orders is already out of the demo catalogue's figures.
        for fulfilment in order.fulfilments:
            fulfilment.stock_released = outcome == "cancelled"
        if outcome == "pending":
            order.expires_at = placed + timedelta(minutes=int(current_app.config["ORDER_HOLD_MINUTES"]))
            # A pending demo order holds real stock, like any unpaid order.
            for line in (line for f in order.fulfilments for line in f.lines):
                db.session.execute(update(Variant).where(Variant.id == line.variant_id, Variant.stock >= line.quantity)
                                   .values(stock=Variant.stock - line.quantity))
        elif outcome == "cancelled":
            cancelled = placed + timedelta(minutes=30)
            order.cancelled_at, order.cancel_reason = cancelled, "lapsed"
            history.append((cancelled, order, st.ORDER_CANCELLED, st.ROLE_SYSTEM))
            for fulfilment in order.fulfilments:
                fulfilment.cancelled_at = cancelled
                history.append((cancelled, fulfilment, st.FULFILMENT_CANCELLED, st.ROLE_SYSTEM))
        else:
            paid = placed + timedelta(minutes=rng.randint(5, 90))
            order.paid_at = paid
            history.append((paid, order, st.ORDER_PAID, st.ROLE_STAFF))
            for fulfilment in order.fulfilments:
                assign_document_number(fulfilment, when=paid)
                if outcome == "paid":
                    continue
                accepted = paid + timedelta(hours=rng.randint(1, 12))
                packed = accepted + timedelta(hours=rng.randint(1, 12))
                shipped = packed + timedelta(hours=rng.randint(2, 24))
                fulfilment.accepted_at, fulfilment.shipped_at = accepted, shipped
                fulfilment.carrier = rng.choice(("thailand_post", "kerry", "flash"))
                fulfilment.tracking_number = f"EF{rng.randint(100000000, 999999999)}TH"
                steps = [(accepted, st.FULFILMENT_ACCEPTED), (packed, st.FULFILMENT_PACKED),
                         (shipped, st.FULFILMENT_SHIPPED)]
                if outcome == "delivered":
                    delivered = shipped + timedelta(days=rng.randint(1, 3))
                    fulfilment.delivered_at = delivered
                    steps.append((delivered, st.FULFILMENT_DELIVERED))
                history += [(when, fulfilment, to, st.ROLE_SELLER) for when, to in steps]
        # Every move goes through the engine, backdated to when it happened (in order).
        for when, row, to, role in sorted(history, key=lambda h: h[0]):
            actor = None
            if role == st.ROLE_STAFF:
                actor = staff
            elif role == st.ROLE_SELLER:
                actor = next((m.user for m in row.enterprise.members), None)
            st.transition(row, to, actor=actor, role=role, reason="lapsed" if to == st.ORDER_CANCELLED else None,
                          at=when)
        made += 1
    for product_id, quantity in sold.items():
        db.session.execute(update(Product).where(Product.id == product_id)
                           .values(sales_count=Product.sales_count + quantity))
    enqueue_products(db.session, list(sold))
    return made


def add_to_demo(*, now: datetime, summary) -> None:
    """``catalog.demo.demo_catalogue_loaded``: shipping options and past orders."""
    summary.shipping_options = load_demo_shipping()
    db.session.flush()
    summary.orders = load_demo_orders(now=now)
    db.session.flush()
