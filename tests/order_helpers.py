"""Build orders for tests through the shop's own use cases, so a test never starts
from a state the shop cannot reach.

``make_order`` places the order with ``cart.checkout.place_order`` (an in-memory
``LinesCart`` of the lines, as the API does), pays it the PromptPay way
(``payments.slips.submit_slip``, then ``confirm_slip`` by the payments desk, a staff
account) or, for ``payment_method="stripe"``, through a Stripe Checkout Session
(``payments.providers.flow.begin_payment`` against the ``fake_stripe`` fixture) and
a signed ``checkout.session.completed`` webhook; it moves every fulfilment along with the seller steps of
``orders.services`` (``accept_fulfilment``, ``pack_fulfilment``, ``ship_fulfilment``,
``mark_delivered``) and cancels with ``cancel_order``. Its side effects are the real
ones: the stock held, the e-mails queued (order placed, paid, new order for each
enterprise, shipped, cancelled), sales counts, ledger entries, the slip's files. A
test that counts any of those takes its baseline after the order is made.

    order = make_order([(coffee, 2), (rice, 1)], user=shopper)          # unpaid
    order = make_order([(coffee, 1)], paid=True)                         # guest, paid
    order = make_order([(coffee, 1)], paid=True, fulfilment_status="shipped")
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import timedelta

from flask import current_app
from PIL import Image
from sqlalchemy import select

from shop.accounts.models import User
from shop.cart import checkout
from shop.cart.services import LinesCart, StoredLine, unit_price
from shop.catalog.models import EnterpriseMember, Variant
from shop.extensions import db
from shop.orders import services
from shop.orders import shipping as order_shipping
from shop.orders import status as st
from shop.orders.models import Fulfilment, Order, ShippingOption
from shop.payments import slips
from shop.payments.models import Payment, Refund
from tests.factories import UserFactory, VariantFactory

ADDRESS = {
    "recipient_name": "สมหญิง ใจดี",
    "phone": "0812345678",
    "address_line": "99/1 ซอยสุขุมวิท 63",
    "subdistrict": "คลองตันเหนือ",
    "district": "วัฒนา",
    "province_code": "10",
    "postcode": "10110",
}
# The staff account that reviews the slips of orders paid by ``make_order``.
PAYMENTS_DESK_EMAIL = "payments-desk@example.test"

# The seller steps, in order, that bring a fulfilment to each state.
_STEPS = {
    st.FULFILMENT_NEW: (),
    st.FULFILMENT_ACCEPTED: (st.FULFILMENT_ACCEPTED,),
    st.FULFILMENT_PACKED: (st.FULFILMENT_ACCEPTED, st.FULFILMENT_PACKED),
    st.FULFILMENT_SHIPPED: (st.FULFILMENT_ACCEPTED, st.FULFILMENT_PACKED, st.FULFILMENT_SHIPPED),
    st.FULFILMENT_DELIVERED: (st.FULFILMENT_ACCEPTED, st.FULFILMENT_PACKED, st.FULFILMENT_SHIPPED,
                              st.FULFILMENT_DELIVERED),
}


def make_order(
    lines: Iterable[tuple[Variant, int]] | None = None,
    *,
    user=None,
    email: str | None = None,
    paid: bool = False,
    status: str | None = None,
    fulfilment_status: str = st.FULFILMENT_NEW,
    shipping_satang: int | None = None,
    shipping_kind: str = st.SHIPPING_FLAT,
    expires_in: timedelta | None = None,
    locale: str = "th",
    public_id: str | None = None,
    carrier: str = "kerry",
    tracking_number: str = "KEX123456789",
    payment_method: str = st.PAYMENT_PROMPTPAY_QR,
) -> Order:
    """An order for ``lines`` (``[(variant, quantity), …]``; one new variant with
    stock 20 when omitted), placed by ``user`` (a guest with ``email`` when None).

    Each enterprise's part ships the ``shipping_kind`` way for ``shipping_satang``:
    by default the shop's built-in option (``DEFAULT_SHIPPING_FEE_SATANG``), else an
    active option of the enterprise with that kind and fee, added when it has none.
    ``expires_in`` is the hold the order gets (the shop's ``ORDER_HOLD_MINUTES`` when
    None; whole minutes, negative for a hold that has lapsed already).

    ``paid=True`` (or ``status="paid"``, or any ``fulfilment_status`` after "new")
    pays it: a confirmed transfer slip, or a card through Stripe (``payment_method=
    "stripe"``, which needs the ``fake_stripe`` fixture); ``fulfilment_status`` then takes every
    part through the seller's steps (shipped ones get ``carrier`` and
    ``tracking_number``; "delivered" is confirmed by the buyer). ``status="cancelled"``
    is the buyer cancelling the unpaid order.
    """
    if lines is None:
        lines = [(VariantFactory(), 1)]
    lines = list(lines)
    if status not in (None, st.ORDER_PENDING_PAYMENT, st.ORDER_PAID, st.ORDER_CANCELLED):
        raise ValueError(f"make_order cannot make a {status!r} order; use the refund services")
    if status == st.ORDER_CANCELLED and (paid or fulfilment_status != st.FULFILMENT_NEW):
        raise ValueError("make_order cancels unpaid orders only; use services.cancel_order for paid ones")
    pay = paid or status == st.ORDER_PAID or fulfilment_status != st.FULFILMENT_NEW

    cart = LinesCart(StoredLine(variant.id, quantity, unit_price(variant, quantity, user))
                     for variant, quantity in lines)
    fee = order_shipping.default_fee() if shipping_satang is None else shipping_satang
    choices = {}
    for enterprise_id in dict.fromkeys(variant.enterprise_id for variant, _ in lines):
        built_in = (shipping_kind == st.SHIPPING_FLAT and fee == order_shipping.default_fee()
                    and not order_shipping.active_options(enterprise_id))
        if not built_in:
            choices[enterprise_id] = str(shipping_option(enterprise_id, shipping_kind, fee).id)
    with _hold(expires_in):
        order = checkout.place_order(cart, buyer=user, address=ADDRESS, email=_email(user, email),
                                     shipping_choices=choices, payment_method=payment_method,
                                     locale=locale)
    if public_id is not None:
        # Order numbers issued before the alphabet lost I and O cannot be made any more.
        order.public_id = public_id
        db.session.commit()
    if status == st.ORDER_CANCELLED:
        services.cancel_order(order, actor=user, role=st.ROLE_BUYER)
    if pay and payment_method == st.PAYMENT_STRIPE:
        pay_by_stripe(order)
    elif pay:
        pay_by_slip(order, buyer=user)
    for step in _STEPS[fulfilment_status]:
        for fulfilment in order.fulfilments:
            _step(fulfilment, step, buyer=user, carrier=carrier, tracking_number=tracking_number)
    return order


def _email(user, email: str | None) -> str | None:
    if user is not None:
        return None
    return email or f"guest-{secrets.token_hex(3)}@example.test"


@contextmanager
def _hold(expires_in: timedelta | None):
    """Place the order as a shop whose hold is ``expires_in`` would."""
    if expires_in is None:
        yield
        return
    minutes, rest = divmod(expires_in, timedelta(minutes=1))
    if rest:
        raise ValueError("the hold is a whole number of minutes")
    config = current_app.config
    before = config["ORDER_HOLD_MINUTES"]
    config["ORDER_HOLD_MINUTES"] = minutes
    try:
        yield
    finally:
        config["ORDER_HOLD_MINUTES"] = before


def shipping_option(enterprise_id: int, kind: str, fee_satang: int) -> ShippingOption:
    """The enterprise's active option of ``kind`` costing ``fee_satang``, added (last)
    when it has none."""
    option = db.session.scalar(
        select(ShippingOption).where(
            ShippingOption.enterprise_id == enterprise_id, ShippingOption.is_active.is_(True),
            ShippingOption.kind == kind, ShippingOption.base_fee_satang == fee_satang,
            ShippingOption.per_kg_satang == 0, ShippingOption.free_above_satang.is_(None),
        ).order_by(ShippingOption.id).limit(1)
    )
    if option is None:
        names = {st.SHIPPING_PICKUP: ("รับเองที่ร้าน", "Pick up at the shop")}.get(
            kind, ("ส่งแบบมาตรฐาน", "Standard delivery"))
        option = ShippingOption(enterprise_id=enterprise_id, kind=kind, name_th=names[0], name_en=names[1],
                                base_fee_satang=fee_satang, position=99)
        db.session.add(option)
        db.session.commit()
    return option


# ---------------------------------------------------------------- paying


def payments_desk() -> User:
    """The staff account that reviews slips for ``make_order`` (made on first use)."""
    desk = db.session.scalar(select(User).where(User.email == PAYMENTS_DESK_EMAIL))
    if desk is None:
        desk = UserFactory(email=PAYMENTS_DESK_EMAIL, display_name="Payments desk", is_staff=True)
    return desk


def slip_image() -> bytes:
    """A small PNG no other slip has (slips are unique by file and by pixels)."""
    import io

    image = Image.frombytes("RGB", (4, 4), secrets.token_bytes(48))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def send_slip(order: Order, *, buyer=None):
    """The buyer uploads a transfer slip for ``order`` (which pauses its hold)."""
    return slips.submit_slip(order, slip_image(), actor=buyer)


def pay_by_slip(order: Order, *, buyer=None, reviewer: User | None = None):
    """Pay ``order`` the PromptPay way: the buyer's slip, confirmed by ``reviewer``
    (the payments desk by default). Returns the slip."""
    slip = send_slip(order, buyer=buyer)
    slips.confirm_slip(slip, actor=reviewer or payments_desk())
    return slip


def start_stripe_payment(order: Order) -> Payment:
    """The buyer opens Stripe Checkout for ``order``: its pending ``Payment``."""
    from shop.payments.providers.flow import begin_payment, latest_pending_payment

    begin_payment(order)
    return latest_pending_payment(order)


def pay_by_stripe(order: Order, *, method: str = "card") -> Payment:
    """Pay ``order`` through Stripe Checkout: a session opened as the buyer would, then
    Stripe's signed ``checkout.session.completed`` posted to the webhook (which also
    sends the Connect transfers). Needs the ``fake_stripe`` fixture. Returns the
    succeeded ``Payment``."""
    from tests.stripe_fake import checkout_session_event, webhook_request

    payment = start_stripe_payment(order)
    event = checkout_session_event("completed", payment.provider_ref, order, method=method,
                                   payment_intent=f"pi_test_{order.public_id}")
    body, headers = webhook_request(event)
    response = current_app.test_client().post("/webhooks/stripe", data=body, headers=headers)
    assert response.status_code == 200 and response.get_json()["outcome"] == "paid", response.get_json()
    db.session.expire_all()
    return db.session.get(Payment, payment.id)


# ---------------------------------------------------------------- refunds and cancellations


def refund_part(fulfilment: Fulfilment, amount_satang: int, *, reason: str = "damaged in transit") -> Refund:
    """The payments desk gives ``amount_satang`` of ``fulfilment`` back
    (``payments.refunds.request_refund``): through Stripe for a card payment (done at
    once unless ``fake_stripe`` says otherwise), else paid back by transfer and
    recorded with its reference (``record_manual_refund_paid``). Returns the refund."""
    from shop.payments import refunds

    desk = payments_desk()
    refund = refunds.request_refund(fulfilment, amount_satang, actor=desk, role=st.ROLE_STAFF, reason=reason)
    if refund.provider == refunds.PROVIDER_MANUAL:
        refund = refunds.record_manual_refund_paid(refund, actor=desk, reference=f"KBANK {refund.id}")
    return refund


def cancel_part(fulfilment: Fulfilment, *, reason: str = "sold out") -> Fulfilment:
    """The enterprise (or, without members, the payments desk) cancels one part
    (``orders.services.cancel_fulfilment``)."""
    actor, role = seller_of(fulfilment)
    return services.cancel_fulfilment(fulfilment, actor=actor, role=role, reason=reason)


# ---------------------------------------------------------------- fulfilment steps


def seller_of(fulfilment: Fulfilment) -> tuple[User, str]:
    """Who takes the part through its steps: a member of its enterprise (role
    seller), else the payments desk (role staff)."""
    member = db.session.scalar(
        select(User).join(EnterpriseMember, EnterpriseMember.user_id == User.id)
        .where(EnterpriseMember.enterprise_id == fulfilment.enterprise_id).order_by(EnterpriseMember.id).limit(1)
    )
    if member is not None:
        return member, st.ROLE_SELLER
    return payments_desk(), st.ROLE_STAFF


def _step(fulfilment: Fulfilment, step: str, *, buyer, carrier: str, tracking_number: str) -> None:
    if step == st.FULFILMENT_DELIVERED:
        services.mark_delivered(fulfilment, actor=buyer, role=st.ROLE_BUYER)
        return
    actor, role = seller_of(fulfilment)
    if step == st.FULFILMENT_ACCEPTED:
        services.accept_fulfilment(fulfilment, actor=actor, role=role)
    elif step == st.FULFILMENT_PACKED:
        services.pack_fulfilment(fulfilment, actor=actor, role=role)
    elif fulfilment.shipping_kind == st.SHIPPING_PICKUP:
        services.ship_fulfilment(fulfilment, actor=actor, role=role, carrier="", tracking_number="")
    else:
        services.ship_fulfilment(fulfilment, actor=actor, role=role, carrier=carrier,
                                 tracking_number=tracking_number)
