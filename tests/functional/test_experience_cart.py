"""Bookings in the cart (docs/product.md: Experiences): seats on a session bought
together with products in one order paid once, each booking its own fulfilment for
the host; seats taken only when the order is placed; a session that fills up, is
cancelled or changes price while waiting in the cart is explained and stops checkout
with nothing written; a cart of bookings only asks for no address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.cart import checkout
from shop.cart.models import CartBooking
from shop.cart.services import SessionCart, StoredBooking, UserCart, view_cart
from shop.dbtypes import utcnow
from shop.errors import ValidationFailed
from shop.experiences import cart as experience_cart
from shop.experiences import services as svc
from shop.experiences.models import Booking, ExperienceSession
from shop.extensions import db
from shop.orders import status as st
from shop.orders.models import Fulfilment, Order, OrderLine
from shop.orders.services import release_lapsed_orders
from tests.cart_helpers import (
    ADDRESS,
    add,
    checkout_form,
    count,
    english_client,
    make_catalogue,
    session_cart,
    stock_of,
)
from tests.experience_helpers import book, make_host, seats_left
from tests.factories import UserFactory

# The host's prices (tests/experience_helpers.FORM): ฿650 an adult, ฿350 a child.
TWO_ADULTS = 2 * 65000


@pytest.fixture
def client(app):
    return english_client(app)


def add_booking(client, host, adults=2, children=0, session_id=None):
    return client.post(f"/experiences/{host.experience.slug}/book", data={
        "action": "cart", "session_id": str(session_id or host.session.id), "adults": str(adults),
        "children": str(children)})


def nothing_written() -> None:
    assert count(Order) == 0
    assert count(Fulfilment) == 0
    assert count(OrderLine) == 0
    assert count(Booking) == 0


def test_a_guest_books_seats_with_a_bag_of_coffee_in_one_order(app, client):
    catalogue = make_catalogue()
    host = make_host(seats=10)
    response = add_booking(client, host, adults=2)
    assert response.status_code == 303 and response.headers["Location"].endswith("/cart")
    assert seats_left(host.session.id) == 10  # not held while in the cart
    add(client, catalogue.coffee, 1)

    page = client.get("/cart").get_data(as_text=True)
    assert "Jar-roasting workshop" in page and "Hill coffee" in page
    assert "Adults: 2 × ฿650" in page
    assert client.get("/cart").status_code == 200
    checkout_page = client.get("/checkout").get_data(as_text=True)
    total = 12000 + 5000 + TWO_ADULTS  # the coffee, its default shipping, two seats
    assert f'name="expected_total" type="hidden" value="{total}"' in checkout_page
    assert "Pay on invoice" not in checkout_page

    response = client.post("/checkout", data=checkout_form(expected_total=str(total)))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    order = db.session.scalar(select(Order))
    assert (order.subtotal_satang, order.shipping_satang, order.total_satang) == (12000 + TWO_ADULTS, 5000, total)
    assert order.status == st.ORDER_PENDING_PAYMENT
    parts = {f.enterprise_id: f for f in order.fulfilments}
    assert set(parts) == {catalogue.coffee.product.enterprise_id, host.enterprise.id}
    seats_part = parts[host.enterprise.id]
    assert (seats_part.total_satang, seats_part.shipping_kind, seats_part.shipping_satang) == (
        TWO_ADULTS, st.SHIPPING_PICKUP, 0)
    assert [(ln.quantity, ln.unit_price_satang) for ln in seats_part.lines] == [(2, 65000)]
    booking = db.session.scalar(select(Booking))
    assert (booking.order_id, booking.fulfilment_id, booking.adults) == (order.id, seats_part.id, 2)
    assert booking.guest_name == ADDRESS["recipient_name"] and booking.phone == "0812345678"
    assert seats_left(host.session.id) == 8
    assert stock_of(catalogue.coffee.id) == 19
    assert session_cart(client) == {}
    # The order page links to the ticket; the lapse gives back both seats and stock.
    assert client.get(f"/experiences/tickets/{order.public_id}").status_code == 200
    assert release_lapsed_orders(now=utcnow() + timedelta(days=1)) == 1
    assert seats_left(host.session.id) == 10
    assert stock_of(catalogue.coffee.id) == 20


def test_a_cart_of_bookings_only_asks_for_a_name_and_phone_not_an_address(app, client):
    host = make_host()
    add_booking(client, host, adults=1, children=1)
    page = client.get("/checkout").get_data(as_text=True)
    assert "Name on the guest list" in page and "Delivery address" not in page
    assert 'name="address_line"' not in page
    response = client.post("/checkout", data={
        "recipient_name": "Anna Lee", "phone": "0891112222", "email": "anna@example.test",
        "payment_method": st.PAYMENT_PROMPTPAY_QR, "action": "place", "expected_total": str(65000 + 35000)})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    order = db.session.scalar(select(Order))
    assert order.total_satang == 100000 and order.shipping_satang == 0
    assert (order.recipient_name, order.address_line, order.province_code) == ("Anna Lee", "บ้านแม่แจ๋ม", "52")
    booking = db.session.scalar(select(Booking))
    assert (booking.adults, booking.children, booking.guest_name) == (1, 1, "Anna Lee")
    assert seats_left(host.session.id) == 8


def test_a_missing_name_or_phone_is_refused_with_nothing_written(app, client):
    host = make_host()
    add_booking(client, host)
    response = client.post("/checkout", data={
        "recipient_name": "", "phone": "12", "email": "anna@example.test", "action": "place",
        "payment_method": st.PAYMENT_PROMPTPAY_QR})
    assert response.status_code == 422
    nothing_written()
    assert seats_left(host.session.id) == 10


def test_a_session_that_filled_up_in_the_meantime_stops_checkout(app, client):
    catalogue = make_catalogue()
    host = make_host(seats=3)
    add_booking(client, host, adults=2)
    add(client, catalogue.coffee, 1)
    book(host.session.id, adults=2, email="first@example.test")  # someone else took 2 of 3
    page = client.get("/cart").get_data(as_text=True)
    assert "Only 1 seat left" in page
    first = db.session.scalar(select(Order))
    response = client.post("/checkout", data=checkout_form())
    assert response.status_code == 409
    assert "Seats left on Jar-roasting workshop" in response.get_data(as_text=True)
    assert [o.id for o in db.session.scalars(select(Order))] == [first.id]  # nothing of this order
    assert stock_of(catalogue.coffee.id) == 20 and seats_left(host.session.id) == 1


def test_the_last_seats_taken_at_the_same_moment_roll_the_whole_order_back(app, client, monkeypatch):
    """The view saw the seats, then another order took them before this one's UPDATE:
    the seat UPDATE refuses and nothing of the order (nor the coffee's stock) stays."""
    catalogue = make_catalogue()
    host = make_host(seats=2)
    add_booking(client, host, adults=2)
    add(client, catalogue.coffee, 1)
    real = experience_cart.place_bookings

    def others_first(order, lines, *args):
        db.session.execute(db.update(ExperienceSession).where(ExperienceSession.id == host.session.id)
                           .values(seats_left=0))
        return real(order, lines, *args)

    monkeypatch.setitem(app.extensions["chumchon_hooks"], "cart.place_bookings", [others_first])
    response = client.post("/checkout", data=checkout_form())
    assert response.status_code == 409
    assert "Seats left on Jar-roasting workshop" in response.get_data(as_text=True)
    nothing_written()
    assert stock_of(catalogue.coffee.id) == 20 and seats_left(host.session.id) == 2


def test_a_cancelled_session_in_the_cart_is_explained_and_removed_by_the_buyer(app, client):
    host = make_host()
    add_booking(client, host)
    svc.cancel_session(host.session, actor=host.owner)
    page = client.get("/cart").get_data(as_text=True)
    assert "can no longer be booked" in page
    response = client.post("/checkout", data=checkout_form())
    assert response.status_code == 409
    nothing_written()
    assert client.post("/cart/remove-booking", data={"session_id": str(host.session.id)}).status_code == 303
    assert session_cart(client) == {}
    assert client.post("/cart/remove-booking", data={"session_id": "x"}).status_code == 303


def test_a_price_change_is_explained_until_confirmed(app, client):
    host = make_host()
    add_booking(client, host)
    host.experience.price_satang = 70000
    db.session.commit()
    page = client.get("/cart").get_data(as_text=True)
    assert "Some prices have changed" in page and "฿1,400" in page
    response = client.post("/checkout", data=checkout_form())
    assert response.status_code == 409
    nothing_written()
    client.post("/cart/accept-prices")
    response = client.post("/checkout", data=checkout_form(expected_total="140000"))
    assert response.status_code == 303
    assert db.session.scalar(select(Order)).total_satang == 140000


@pytest.mark.parametrize("adults, children, status", [("abc", "0", 422), ("0", "0", 422), ("31", "0", 422),
                                                      ("11", "0", 409), ("-1", "2", 422)])
def test_bad_seat_counts_are_refused_and_the_cart_stays_empty(app, client, adults, children, status):
    host = make_host(seats=10)
    response = add_booking(client, host, adults=adults, children=children)
    assert response.status_code == status
    assert session_cart(client) == {}


def test_a_session_of_another_experience_or_a_past_one_is_refused(app, client):
    host = make_host()
    other = make_host()
    response = add_booking(client, host, session_id=other.session.id)
    assert response.status_code == 422
    assert session_cart(client) == {}
    with pytest.raises(svc.SessionClosed):
        host.session.day = svc.local_now().date() - timedelta(days=1)
        db.session.commit()
        experience_cart.add_to_cart(SessionCart({}), host.experience, host.session.id, "1", "0")


def test_adding_the_same_session_again_replaces_the_seats(app, client):
    host = make_host()
    add_booking(client, host, adults=2)
    add_booking(client, host, adults=3, children=1)
    assert session_cart(client) == {f"s{host.session.id}": [3, 1, 3 * 65000 + 35000]}
    page = client.get("/cart").get_data(as_text=True)
    assert "Adults: 3 × ฿650" in page and "Children: 1 × ฿350" in page


def test_a_signed_in_buyer_keeps_bookings_in_the_database_and_a_guest_cart_merges(app, client, sign_in):
    host = make_host()
    user = UserFactory()
    db.session.commit()
    add_booking(client, host, adults=1)
    sign_in(user)
    rows = db.session.scalars(select(CartBooking).where(CartBooking.user_id == user.id)).all()
    assert [(r.session_id, r.adults, r.children) for r in rows] == [(host.session.id, 1, 0)]
    view = view_cart(UserCart(user), buyer=user, locale="en")
    assert view.item_count == 1 and view.total_satang == 65000
    add_booking(client, host, adults=2)
    db.session.expire_all()
    assert db.session.scalar(select(CartBooking.adults).where(CartBooking.user_id == user.id)) == 2
    response = client.post("/checkout", data={**checkout_form(), "expected_total": str(TWO_ADULTS)})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    assert count(CartBooking) == 0
    assert seats_left(host.session.id) == 8


def test_invoice_is_not_offered_for_a_cart_with_bookings(app):
    with pytest.raises(ValidationFailed):
        checkout.check_payment_method(st.PAYMENT_INVOICE, None, 1000, with_bookings=True)
    assert st.PAYMENT_INVOICE not in checkout.offered_methods(None, with_bookings=True)


def test_forged_session_cart_entries_are_dropped(app):
    store = SessionCart({"cart": {"s1": [1, 0, 100], "s2": ["x"], "sabc": [1, 0, 1], "s3": [0, 0, 0],
                                  "s4": [-1, 3, 5], "7": [1, 100]}})
    assert store.bookings() == [StoredBooking(1, 1, 0, 100)]
    assert [line.variant_id for line in store.lines()] == [7]


def _paid_cart_order(client, catalogue, host):
    from tests.order_helpers import pay_by_slip

    add_booking(client, host, adults=2)
    add(client, catalogue.coffee, 1)
    assert client.post("/checkout", data=checkout_form()).status_code == 303
    order = db.session.scalar(select(Order))
    pay_by_slip(order)
    db.session.expire_all()
    return db.session.get(Order, order.id)


def test_cancelling_a_booking_bought_with_coffee_cancels_only_the_booking(app, client):
    from shop.experiences import cancellation
    from shop.notifications.models import OutboxMessage

    catalogue = make_catalogue()
    host = make_host(seats=10, days_ahead=5)  # flexible: a full refund up to 24 hours before
    order = _paid_cart_order(client, catalogue, host)
    booking = db.session.scalar(select(Booking))
    page = client.get(f"/experiences/tickets/{order.public_id}").get_data(as_text=True)
    assert "Cancel my booking" in page
    response = client.post(f"/experiences/tickets/{order.public_id}/cancel", data={"booking": str(booking.id)})
    assert response.status_code == 303
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    parts = {f.enterprise_id: f for f in order.fulfilments}
    coffee_part, seats_part = parts[catalogue.coffee.product.enterprise_id], parts[host.enterprise.id]
    assert seats_part.status == st.FULFILMENT_CANCELLED and seats_part.refunded_satang == TWO_ADULTS
    assert coffee_part.status != st.FULFILMENT_CANCELLED and coffee_part.refunded_satang == 0
    assert order.status == st.ORDER_PAID and order.refunded_satang == TWO_ADULTS
    assert seats_left(host.session.id) == 10 and stock_of(catalogue.coffee.id) == 19
    kinds = [m.kind for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert "order_part_cancelled" in kinds and kinds[-1] == "order_cancelled_enterprise"
    with pytest.raises(cancellation.CannotCancel):
        cancellation.cancel_booking(db.session.get(Booking, booking.id), None)


def test_a_late_cancellation_under_the_policy_owes_nothing_and_the_sale_stands(app, client):
    from shop.experiences import cancellation

    catalogue = make_catalogue()
    host = make_host(seats=10, days_ahead=5)
    host.experience.cancellation_policy = "strict"
    db.session.commit()
    order = _paid_cart_order(client, catalogue, host)
    given = cancellation.cancel_booking(db.session.scalar(select(Booking)), None)
    assert given.paid and given.refund_satang == 0
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    seats_part = next(f for f in order.fulfilments if f.enterprise_id == host.enterprise.id)
    assert seats_part.status == st.FULFILMENT_CANCELLED and seats_part.refunded_satang == 0
    assert order.refunded_satang == 0 and order.status == st.ORDER_PAID
    assert seats_left(host.session.id) == 10
