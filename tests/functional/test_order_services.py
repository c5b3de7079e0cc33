"""Order services (``orders.services``): payment, cancellation and each enterprise's
fulfilment steps, with their stock, money, timeline and e-mail effects.

Given/when/then: each test builds an order with ``make_order``, calls one service as
the role a view would pass, and checks what was written (or that nothing was)."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from shop.catalog.models import Product, Variant
from shop.errors import NotFound, ValidationFailed
from shop.extensions import db
from shop.notifications.models import OutboxMessage
from shop.orders import services
from shop.orders import status as st
from shop.orders.models import Order, StatusChange
from shop.search.models import SearchOutbox
from tests.factories import EnterpriseFactory, MemberFactory, ProductFactory, UserFactory, VariantFactory
from tests.order_helpers import make_order, send_slip


@pytest.fixture
def world(app):
    """Two enterprises, each with a member and a product; a shopper; a staff user."""
    coffee_ent, rice_ent = EnterpriseFactory(), EnterpriseFactory()
    coffee = VariantFactory(product=ProductFactory(enterprise=coffee_ent), stock=10, price_satang=25000)
    rice = VariantFactory(product=ProductFactory(enterprise=rice_ent), stock=10, price_satang=8000)

    class World:
        pass

    w = World()
    w.coffee, w.rice = coffee, rice
    w.coffee_owner = MemberFactory(enterprise=coffee_ent).user
    w.coffee_staff = MemberFactory(enterprise=coffee_ent, role="staff").user
    w.rice_owner = MemberFactory(enterprise=rice_ent).user
    w.shopper = UserFactory()
    w.staff = UserFactory(is_staff=True)
    return w


def _stock(variant) -> int:
    return db.session.scalar(select(Variant.stock).where(Variant.id == variant.id))


def _mail(kind: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


def _part(order, variant):
    return next(f for f in order.fulfilments if f.enterprise_id == variant.enterprise_id)


# ---------------------------------------------------------------- payment


def test_paid_marks_the_order_numbers_each_part_counts_sales_and_tells_everyone(world):
    order = make_order([(world.coffee, 2), (world.rice, 3)], user=world.shopper)

    services.apply_paid(order, actor=world.staff, role=st.ROLE_STAFF)
    db.session.commit()

    order = db.session.get(Order, order.id)
    assert order.status == st.ORDER_PAID and order.paid_at is not None and order.expires_at is None
    numbers = [f.document_no for f in order.fulfilments]
    assert all(n and n.startswith("RC") and n.endswith("-000001") for n in numbers)
    assert db.session.get(Product, world.coffee.product_id).sales_count == 2
    assert db.session.get(Product, world.rice.product_id).sales_count == 3
    assert db.session.scalar(select(func.count(SearchOutbox.id)).where(
        SearchOutbox.product_id.in_([world.coffee.product_id, world.rice.product_id]))) >= 2
    assert [m.to_address for m in _mail("order_paid")] == [world.shopper.email]
    assert sorted(m.to_address for m in _mail("order_new_for_enterprise")) == sorted(
        [world.coffee_owner.email, world.coffee_staff.email, world.rice_owner.email])
    change = db.session.scalar(select(StatusChange).where(StatusChange.to_status == st.ORDER_PAID))
    assert (change.actor_id, change.actor_role) == (world.staff.id, st.ROLE_STAFF)


def test_a_vat_registered_enterprise_gets_a_tax_invoice_number(world):
    world.coffee.product.enterprise.vat_registered = True
    db.session.commit()
    order = make_order([(world.coffee, 1)])
    services.apply_paid(order, actor=world.staff, role=st.ROLE_STAFF)
    db.session.commit()
    assert order.fulfilments[0].document_no.startswith("INV")


def test_paying_twice_is_refused_and_changes_nothing_more(world):
    order = make_order([(world.coffee, 1)])
    services.apply_paid(order, actor=world.staff, role=st.ROLE_STAFF)
    db.session.commit()
    mails = len(_mail())

    with pytest.raises(st.TransitionRefused):
        services.apply_paid(order, actor=world.staff, role=st.ROLE_STAFF)
    db.session.rollback()

    assert db.session.get(Product, world.coffee.product_id).sales_count == 1
    assert len(_mail()) == mails


def test_a_lapsed_order_cannot_be_paid(world):
    order = make_order([(world.coffee, 1)], status=st.ORDER_CANCELLED)
    with pytest.raises(st.TransitionRefused):
        services.apply_paid(order, actor=world.staff, role=st.ROLE_STAFF)
    db.session.rollback()
    assert db.session.get(Order, order.id).status == st.ORDER_CANCELLED


def test_the_seller_role_confirms_only_its_own_single_enterprise_order(world):
    own = make_order([(world.coffee, 1)])
    services.apply_paid(own, actor=world.coffee_owner, role=st.ROLE_SELLER)
    db.session.commit()
    assert own.status == st.ORDER_PAID

    mixed = make_order([(world.coffee, 1), (world.rice, 1)])
    with pytest.raises(NotFound):
        services.apply_paid(mixed, actor=world.coffee_owner, role=st.ROLE_SELLER)
    db.session.rollback()
    with pytest.raises(NotFound):
        services.apply_paid(own, actor=world.shopper, role=st.ROLE_STAFF)  # not staff
    db.session.rollback()
    assert db.session.get(Order, mixed.id).status == st.ORDER_PENDING_PAYMENT


# ---------------------------------------------------------------- cancelling an order


def test_buyer_cancels_an_unpaid_order_and_the_stock_comes_back(world):
    order = make_order([(world.coffee, 4), (world.rice, 2)], user=world.shopper)
    assert (_stock(world.coffee), _stock(world.rice)) == (6, 8)

    services.cancel_order(order, actor=world.shopper, role=st.ROLE_BUYER, reason="  ordered twice ")

    order = db.session.get(Order, order.id)
    assert order.status == st.ORDER_CANCELLED and order.cancel_reason == "ordered twice"
    assert order.cancelled_at is not None and order.expires_at is None
    assert all(f.status == st.FULFILMENT_CANCELLED and f.stock_released for f in order.fulfilments)
    assert all(f.refunded_satang == 0 for f in order.fulfilments) and order.refunded_satang == 0
    assert (_stock(world.coffee), _stock(world.rice)) == (10, 10)
    assert [m.to_address for m in _mail("order_cancelled")] == [world.shopper.email]
    assert _mail("order_cancelled_enterprise") == []
    roles = {(c.machine, c.actor_role) for c in order.status_changes if c.to_status == st.ORDER_CANCELLED}
    assert roles == {(st.ORDER, st.ROLE_BUYER), (st.FULFILMENT, st.ROLE_SYSTEM)}


def test_cancelling_twice_gives_the_stock_back_once(world):
    order = make_order([(world.coffee, 4)])
    services.cancel_order(order, actor=None, role=st.ROLE_BUYER)
    with pytest.raises(st.TransitionRefused):
        services.cancel_order(order, actor=None, role=st.ROLE_BUYER)
    assert _stock(world.coffee) == 10


def test_a_buyer_cannot_cancel_a_paid_order(world):
    order = make_order([(world.coffee, 1)], user=world.shopper, paid=True)
    with pytest.raises(st.TransitionRefused):
        services.cancel_order(order, actor=world.shopper, role=st.ROLE_BUYER)
    assert db.session.get(Order, order.id).status == st.ORDER_PAID
    assert _stock(world.coffee) == 9


def test_a_buyer_cannot_cancel_while_their_slip_is_being_checked(world):
    order = make_order([(world.coffee, 1)], user=world.shopper)
    send_slip(order, buyer=world.shopper)
    mails = _mail()
    with pytest.raises(services.Conflict):
        services.cancel_order(order, actor=world.shopper, role=st.ROLE_BUYER)
    assert db.session.get(Order, order.id).status == st.ORDER_PENDING_PAYMENT
    assert _stock(world.coffee) == 9
    assert _mail() == mails


def test_staff_cancel_a_paid_order_money_is_owed_back_and_enterprises_are_told(world):
    order = make_order([(world.coffee, 1), (world.rice, 2)], user=world.shopper, paid=True)
    total = order.total_satang

    services.cancel_order(order, actor=world.staff, role=st.ROLE_STAFF, reason="buyer asked by phone")

    order = db.session.get(Order, order.id)
    assert order.status == st.ORDER_CANCELLED
    assert order.refunded_satang == total
    assert all(f.refunded_satang == f.total_satang for f in order.fulfilments)
    assert (_stock(world.coffee), _stock(world.rice)) == (10, 10)
    assert len(_mail("order_cancelled")) == 1
    assert sorted(m.to_address for m in _mail("order_cancelled_enterprise")) == sorted(
        [world.coffee_owner.email, world.coffee_staff.email, world.rice_owner.email])


def test_a_paid_order_with_a_shipped_part_cannot_be_cancelled_whole(world):
    order = make_order([(world.coffee, 1)], paid=True, fulfilment_status=st.FULFILMENT_SHIPPED)
    with pytest.raises(ValidationFailed):
        services.cancel_order(order, actor=world.staff, role=st.ROLE_STAFF, reason="x")
    assert db.session.get(Order, order.id).status == st.ORDER_PAID
    assert _stock(world.coffee) == 9


def test_a_seller_cannot_cancel_the_whole_order(world):
    order = make_order([(world.coffee, 1)])
    with pytest.raises(st.TransitionRefused):
        services.cancel_order(order, actor=world.coffee_owner, role=st.ROLE_SELLER, reason="x")
    assert _stock(world.coffee) == 9


# ---------------------------------------------------------------- fulfilment steps


def test_an_enterprise_walks_its_part_from_new_to_delivered(world):
    order = make_order([(world.coffee, 1), (world.rice, 1)], user=world.shopper, paid=True)
    part = _part(order, world.coffee)
    role = services.seller_role(world.coffee_staff, part)
    assert role == st.ROLE_SELLER

    services.accept_fulfilment(part, actor=world.coffee_staff, role=role)
    services.pack_fulfilment(part, actor=world.coffee_staff, role=role)
    services.ship_fulfilment(part, actor=world.coffee_staff, role=role, carrier="thailand_post",
                             tracking_number=" ee 1234 5678 9th ")
    services.mark_delivered(part, actor=world.shopper, role=st.ROLE_BUYER)

    assert part.status == st.FULFILMENT_DELIVERED
    assert part.accepted_at and part.shipped_at and part.delivered_at
    assert (part.carrier, part.tracking_number) == ("thailand_post", "EE123456789TH")
    assert _part(order, world.rice).status == st.FULFILMENT_NEW
    shipped = _mail("order_shipped")
    assert len(shipped) == 1 and "EE123456789TH" in shipped[0].body_text
    assert "https://track.thailandpost.co.th/?trackNumber=EE123456789TH" in shipped[0].body_text
    steps = [(c.to_status, c.actor_role) for c in order.status_changes if c.fulfilment_id == part.id]
    assert steps[-4:] == [(st.FULFILMENT_ACCEPTED, st.ROLE_SELLER), (st.FULFILMENT_PACKED, st.ROLE_SELLER),
                          (st.FULFILMENT_SHIPPED, st.ROLE_SELLER), (st.FULFILMENT_DELIVERED, st.ROLE_BUYER)]


def test_tracking_links_go_to_the_carriers_page_and_escape_the_number(app):
    assert st.tracking_url("kerry", "KEX 12/34") == "https://th.kex-express.com/th/track/?track=KEX%2012%2F34"
    assert st.tracking_url("lalamove", "LL123") is None
    assert st.tracking_url("other", "X1") is None
    assert st.tracking_url("thailand_post", None) is None


@pytest.mark.parametrize("action", ["accept", "pack", "ship"])
def test_nothing_moves_before_the_order_is_paid(world, action):
    order = make_order([(world.coffee, 1)])
    part = order.fulfilments[0]
    with pytest.raises(services.NotPaidYet) as refused:
        if action == "accept":
            services.accept_fulfilment(part, actor=world.coffee_owner, role=st.ROLE_SELLER)
        elif action == "pack":
            services.pack_fulfilment(part, actor=world.coffee_owner, role=st.ROLE_SELLER)
        else:
            services.ship_fulfilment(part, actor=world.coffee_owner, role=st.ROLE_SELLER, carrier="kerry",
                                     tracking_number="KEX1234")
    with force_locale("en"):
        assert "not paid" in str(refused.value.message)
    assert db.session.get(type(part), part.id).status == st.FULFILMENT_NEW


def test_steps_cannot_be_skipped(world):
    order = make_order([(world.coffee, 1)], paid=True)
    part = order.fulfilments[0]
    with pytest.raises(st.TransitionRefused):
        services.ship_fulfilment(part, actor=world.coffee_owner, role=st.ROLE_SELLER, carrier="kerry",
                                 tracking_number="KEX1234")
    assert _mail("order_shipped") == []


def test_another_enterprise_cannot_act_on_a_part(world):
    order = make_order([(world.coffee, 1)], paid=True)
    part = order.fulfilments[0]
    assert services.seller_role(world.rice_owner, part) is None
    assert services.seller_role(world.shopper, part) is None
    assert services.seller_role(world.staff, part) == st.ROLE_STAFF
    with pytest.raises(NotFound):
        services.accept_fulfilment(part, actor=world.rice_owner, role=st.ROLE_SELLER)
    assert db.session.get(type(part), part.id).status == st.FULFILMENT_NEW
    services.accept_fulfilment(part, actor=world.staff, role=st.ROLE_STAFF)
    assert part.status == st.FULFILMENT_ACCEPTED


@pytest.mark.parametrize(("carrier", "tracking", "field"), [
    ("", "KEX123456", "carrier"),
    ("kerry", "", "tracking_number"),
    ("kerry", "KE", "tracking_number"),
    ("kerry", "KEX<script>", "tracking_number"),
    ("kerry", "X" * 65, "tracking_number"),
    ("x" * 41, "KEX123456", "carrier"),
])
def test_shipping_needs_a_carrier_and_a_sane_tracking_number(world, carrier, tracking, field):
    order = make_order([(world.coffee, 1)], paid=True, fulfilment_status=st.FULFILMENT_PACKED)
    part = order.fulfilments[0]
    with pytest.raises(ValidationFailed) as refused:
        services.ship_fulfilment(part, actor=world.coffee_owner, role=st.ROLE_SELLER, carrier=carrier,
                                 tracking_number=tracking)
    assert field in refused.value.fields
    assert db.session.get(type(part), part.id).status == st.FULFILMENT_PACKED
    assert _mail("order_shipped") == []


def test_a_carrier_typed_by_the_seller_and_a_pickup_without_tracking(world):
    order = make_order([(world.coffee, 1)], paid=True, fulfilment_status=st.FULFILMENT_PACKED)
    part = order.fulfilments[0]
    services.ship_fulfilment(part, actor=world.coffee_owner, role=st.ROLE_SELLER, carrier="SCG Express",
                             tracking_number="SCG-0001")
    assert (part.carrier, part.tracking_number) == ("SCG Express", "SCG-0001")

    pickup = make_order([(world.rice, 1)], paid=True, fulfilment_status=st.FULFILMENT_PACKED,
                        shipping_kind=st.SHIPPING_PICKUP)
    part = pickup.fulfilments[0]
    services.ship_fulfilment(part, actor=world.rice_owner, role=st.ROLE_SELLER, carrier="", tracking_number="")
    assert part.status == st.FULFILMENT_SHIPPED and part.carrier is None and part.tracking_number is None


# ---------------------------------------------------------------- cancelling one part


def test_cancelling_a_part_needs_a_reason(world):
    order = make_order([(world.coffee, 1)], paid=True)
    part = order.fulfilments[0]
    with pytest.raises(ValidationFailed) as refused:
        services.cancel_fulfilment(part, actor=world.coffee_owner, role=st.ROLE_SELLER, reason="   ")
    assert "reason" in refused.value.fields
    with pytest.raises(ValidationFailed):
        services.cancel_fulfilment(part, actor=world.coffee_owner, role=st.ROLE_SELLER, reason="x" * 501)
    assert db.session.get(type(part), part.id).status == st.FULFILMENT_NEW
    assert _stock(world.coffee) == 9


def test_a_paid_part_cancelled_releases_its_stock_once_and_records_what_is_owed(world):
    order = make_order([(world.coffee, 2), (world.rice, 1)], user=world.shopper, paid=True,
                       fulfilment_status=st.FULFILMENT_ACCEPTED)
    coffee_part = _part(order, world.coffee)
    db.session.execute(Product.__table__.update().values(sales_count=5))
    db.session.commit()

    services.cancel_fulfilment(coffee_part, actor=world.coffee_owner, role=st.ROLE_SELLER, reason="beans ran out")

    order = db.session.get(Order, order.id)
    assert coffee_part.status == st.FULFILMENT_CANCELLED and coffee_part.cancel_reason == "beans ran out"
    assert coffee_part.refunded_satang == coffee_part.total_satang
    assert order.refunded_satang == coffee_part.total_satang
    assert order.status == st.ORDER_PAID  # the rice still ships
    assert _stock(world.coffee) == 10 and _stock(world.rice) == 9
    assert db.session.get(Product, world.coffee.product_id).sales_count == 3
    mail = _mail("order_part_cancelled")
    assert len(mail) == 1 and "beans ran out" in mail[0].body_text

    with pytest.raises(st.TransitionRefused):
        services.cancel_fulfilment(coffee_part, actor=world.coffee_owner, role=st.ROLE_SELLER, reason="again")
    assert _stock(world.coffee) == 10


def test_when_every_part_is_cancelled_the_order_is_cancelled_too(world):
    order = make_order([(world.coffee, 1), (world.rice, 1)], user=world.shopper, paid=True)
    services.cancel_fulfilment(_part(order, world.coffee), actor=world.coffee_owner, role=st.ROLE_SELLER,
                               reason="no beans")
    services.cancel_fulfilment(_part(order, world.rice), actor=world.staff, role=st.ROLE_STAFF,
                               reason="flooded road")
    order = db.session.get(Order, order.id)
    assert order.status == st.ORDER_CANCELLED
    assert order.refunded_satang == order.total_satang
    last = [c for c in order.status_changes if c.machine == st.ORDER][-1]
    assert (last.to_status, last.actor_role) == (st.ORDER_CANCELLED, st.ROLE_SYSTEM)
    assert len(_mail("order_cancelled")) == 1


def test_a_part_cancelled_before_payment_is_taken_off_the_amount_due(world):
    order = make_order([(world.coffee, 1), (world.rice, 1)], user=world.shopper)
    rice_part = _part(order, world.rice)
    before = order.total_satang

    services.cancel_fulfilment(rice_part, actor=world.rice_owner, role=st.ROLE_SELLER, reason="sold out")

    order = db.session.get(Order, order.id)
    assert order.status == st.ORDER_PENDING_PAYMENT
    assert order.total_satang == before - rice_part.total_satang
    assert order.subtotal_satang + order.shipping_satang == order.total_satang
    assert rice_part.refunded_satang == 0 and order.refunded_satang == 0
    assert _stock(world.rice) == 10
    assert "sold out" in _mail("order_part_cancelled")[0].body_text


def test_a_shipped_part_cannot_be_cancelled(world):
    order = make_order([(world.coffee, 1)], paid=True, fulfilment_status=st.FULFILMENT_SHIPPED)
    with pytest.raises(st.TransitionRefused):
        services.cancel_fulfilment(order.fulfilments[0], actor=world.coffee_owner, role=st.ROLE_SELLER,
                                   reason="too late")
    assert _stock(world.coffee) == 9
    assert order.refunded_satang == 0


def test_the_buyer_cannot_cancel_one_part(world):
    order = make_order([(world.coffee, 1)], paid=True)
    with pytest.raises(st.TransitionRefused):
        services.cancel_fulfilment(order.fulfilments[0], actor=world.shopper, role=st.ROLE_BUYER, reason="x")


# ---------------------------------------------------------------- history


def test_order_history_is_the_users_own_newest_first_in_pages(world):
    mine = [make_order([(world.coffee, 1)], user=world.shopper) for _ in range(3)]
    make_order([(world.rice, 1)], user=world.coffee_owner)
    first = services.orders_of_user(world.shopper, per_page=2)
    second = services.orders_of_user(world.shopper, page=2, per_page=2)
    assert [o.id for o in first.items + second.items] == [o.id for o in reversed(mine)]
    assert first.has_next and not second.has_next
    assert services.orders_of_user(world.shopper, page=-5).number == 1


def test_a_cancelled_order_cannot_be_worked_on(world):
    order = make_order([(world.coffee, 1)], paid=True)
    part = order.fulfilments[0]
    services.cancel_order(order, actor=world.staff, role=st.ROLE_STAFF, reason="fraud check")
    with pytest.raises(st.TransitionRefused):
        services.accept_fulfilment(part, actor=world.coffee_owner, role=st.ROLE_SELLER)
