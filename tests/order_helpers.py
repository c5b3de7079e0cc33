"""Build orders for tests through the models (no cart, no checkout) and the state
machine engine.

``make_order`` writes an order with one fulfilment per enterprise and its lines, takes
the stock as checkout would, and moves the order (and its fulfilments) to the state
asked for through ``orders.status.transition`` (the engine's table, conditional UPDATE
and timeline rows), each move by a role the table allows. It queues no e-mail and does
not touch sales counts or the ledger, so tests of those effects start clean.

    order = make_order([(coffee, 2), (rice, 1)], user=shopper)          # unpaid
    order = make_order([(coffee, 1)], paid=True)                         # guest, paid
    order = make_order([(coffee, 1)], paid=True, fulfilment_status="shipped")
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta

from shop.catalog.models import Variant
from shop.dbtypes import utcnow
from shop.extensions import db
from shop.orders import inventory
from shop.orders import status as st
from shop.orders.access import new_public_id
from shop.orders.documents import assign_document_number
from shop.orders.models import Fulfilment, Order, OrderLine, StatusChange

ADDRESS = {
    "recipient_name": "สมหญิง ใจดี",
    "phone": "0812345678",
    "address_line": "99/1 ซอยสุขุมวิท 63",
    "subdistrict": "คลองตันเหนือ",
    "district": "วัฒนา",
    "province_code": "10",
    "postcode": "10110",
}
# The steps a fulfilment walks to reach each state.
_PATH = {
    st.FULFILMENT_NEW: [],
    st.FULFILMENT_ACCEPTED: [st.FULFILMENT_ACCEPTED],
    st.FULFILMENT_PACKED: [st.FULFILMENT_ACCEPTED, st.FULFILMENT_PACKED],
    st.FULFILMENT_SHIPPED: [st.FULFILMENT_ACCEPTED, st.FULFILMENT_PACKED, st.FULFILMENT_SHIPPED],
    st.FULFILMENT_DELIVERED: [st.FULFILMENT_ACCEPTED, st.FULFILMENT_PACKED, st.FULFILMENT_SHIPPED,
                              st.FULFILMENT_DELIVERED],
}


def make_order(
    lines: Iterable[tuple[Variant, int]] | None = None,
    *,
    user=None,
    email: str | None = None,
    paid: bool = False,
    status: str | None = None,
    fulfilment_status: str = st.FULFILMENT_NEW,
    shipping_satang: int = 5000,
    shipping_kind: str = st.SHIPPING_FLAT,
    take_stock: bool = True,
    expires_in: timedelta | None = timedelta(minutes=30),
    locale: str = "th",
    public_id: str | None = None,
    carrier: str = "kerry",
    tracking_number: str = "KEX123456789",
) -> Order:
    """An order for ``lines`` (``[(variant, quantity), …]``; one new variant with
    stock 20 when omitted), committed.

    ``paid=True`` (or ``status="paid"``) marks it paid with receipt numbers;
    ``fulfilment_status`` moves every fulfilment along (shipped ones get ``carrier``
    and ``tracking_number``); ``status="cancelled"`` cancels an unpaid order and gives
    its stock back. ``expires_in`` sets the hold of an unpaid order (negative: lapsed).
    """
    if lines is None:
        from tests.factories import VariantFactory

        lines = [(VariantFactory(), 1)]
    lines = list(lines)
    status = status or (st.ORDER_PAID if paid or fulfilment_status != st.FULFILMENT_NEW else st.ORDER_PENDING_PAYMENT)
    now = utcnow()
    if email is None:
        email = user.email if user is not None else f"guest-{secrets.token_hex(3)}@example.test"
    order = Order(
        public_id=public_id or new_public_id(), user_id=getattr(user, "id", None), email=email, locale=locale,
        status=st.ORDER_PENDING_PAYMENT, payment_method=st.PAYMENT_PROMPTPAY_QR,
        expires_at=(now + expires_in) if expires_in is not None else None, **ADDRESS,
    )
    db.session.add(order)
    db.session.flush()  # lines need the order's id
    by_enterprise: dict[int, list[tuple[Variant, int]]] = {}
    for variant, quantity in lines:
        by_enterprise.setdefault(variant.enterprise_id, []).append((variant, quantity))
    with db.session.no_autoflush:
        for enterprise_id, part in by_enterprise.items():
            fulfilment = Fulfilment(
                enterprise_id=enterprise_id, shipping_kind=shipping_kind,
                shipping_name="ส่งแบบมาตรฐาน" if shipping_kind != st.SHIPPING_PICKUP else "รับเองที่ร้าน",
                shipping_satang=shipping_satang,
            )
            subtotal = 0
            for variant, quantity in part:
                product = variant.product
                line_total = variant.price_satang * quantity
                subtotal += line_total
                fulfilment.lines.append(OrderLine(
                    order_id=order.id, variant_id=variant.id, product_id=product.id, sku=variant.sku,
                    product_name_th=product.name_th, product_name_en=product.name_en,
                    variant_name_th=variant.name_th, variant_name_en=variant.name_en,
                    unit_price_satang=variant.price_satang, quantity=quantity, line_total_satang=line_total,
                    weight_grams=variant.weight_grams or 0,
                ))
            fulfilment.subtotal_satang = subtotal
            fulfilment.total_satang = subtotal + shipping_satang
            order.fulfilments.append(fulfilment)
    order.subtotal_satang = sum(f.subtotal_satang for f in order.fulfilments)
    order.shipping_satang = sum(f.shipping_satang for f in order.fulfilments)
    order.total_satang = order.subtotal_satang + order.shipping_satang
    db.session.flush()
    db.session.add(StatusChange(order_id=order.id, machine=st.ORDER, from_status=None,
                                to_status=st.ORDER_PENDING_PAYMENT, actor_id=getattr(user, "id", None),
                                actor_role=st.ROLE_BUYER, created_at=now))
    if take_stock:
        inventory.take_stock([(variant.id, quantity) for variant, quantity in lines])
    if status in (st.ORDER_PAID, st.ORDER_PARTIALLY_REFUNDED, st.ORDER_REFUNDED):
        _move(order, st.ORDER_PAID, st.ROLE_STAFF)
        order.paid_at = now
        order.expires_at = None
        for fulfilment in order.fulfilments:
            assign_document_number(fulfilment, when=now)
        for step in _PATH[fulfilment_status]:
            for fulfilment in order.fulfilments:
                _move(fulfilment, step, st.ROLE_SELLER if step != st.FULFILMENT_DELIVERED else st.ROLE_BUYER)
                if step == st.FULFILMENT_ACCEPTED:
                    fulfilment.accepted_at = now
                elif step == st.FULFILMENT_SHIPPED:
                    fulfilment.shipped_at = now
                    if shipping_kind != st.SHIPPING_PICKUP:
                        fulfilment.carrier = carrier
                        fulfilment.tracking_number = tracking_number
                elif step == st.FULFILMENT_DELIVERED:
                    fulfilment.delivered_at = now
        if status != st.ORDER_PAID:
            _move(order, status, st.ROLE_STAFF)
    elif status == st.ORDER_CANCELLED:
        _move(order, st.ORDER_CANCELLED, st.ROLE_BUYER)
        order.cancelled_at = now
        order.expires_at = None
        for fulfilment in order.fulfilments:
            _move(fulfilment, st.FULFILMENT_CANCELLED, st.ROLE_SYSTEM)
            fulfilment.cancelled_at = now
            if take_stock:
                inventory.release_fulfilment_stock(fulfilment)
    db.session.commit()
    return order


def _move(obj, to_status: str, role: str) -> None:
    st.transition(obj, to_status, actor=None, role=role)
