"""A guest cancels their own booking under the experience's cancellation policy
(shop/experiences/cancellation.py): unpaid bookings are simply cancelled, paid ones
get everything back before the policy's deadline and nothing after it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.experiences import cancellation
from shop.experiences import services as svc
from shop.experiences.models import Booking, Experience
from shop.experiences.services import starts_at
from shop.extensions import db
from shop.notifications.models import OutboxMessage
from shop.orders import status as st
from shop.orders.models import Order
from tests.experience_helpers import book, make_host, seats_left
from tests.factories import UserFactory
from tests.order_helpers import pay_by_slip, send_slip


def _booking(order: Order) -> Booking:
    return db.session.scalar(select(Booking).where(Booking.order_id == order.id))


def _reload(order: Order) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order.id)


def _set_policy(experience: Experience, code: str) -> None:
    experience.cancellation_policy = code
    db.session.commit()


def test_unpaid_booking_is_simply_cancelled_and_its_seats_return(app):
    host = make_host(seats=4)
    order = book(host.session.id, adults=3)
    assert seats_left(host.session.id) == 1
    given = cancellation.cancel_booking(order, None)
    assert not given.paid and given.refund_satang == 0
    order = _reload(order)
    assert order.status == st.ORDER_CANCELLED and order.refunded_satang == 0
    assert seats_left(host.session.id) == 4
    with pytest.raises(cancellation.CannotCancel):
        cancellation.cancel_booking(order, None)


def test_paid_booking_in_time_is_owed_back_in_full(app):
    host = make_host(seats=4, days_ahead=5)  # flexible: full refund up to 24 hours before
    order = book(host.session.id, adults=2)
    pay_by_slip(order)
    booking = _booking(order)
    shown = cancellation.terms(booking)
    assert shown.paid and shown.refund_satang == order.total_satang and shown.can_cancel
    given = cancellation.cancel_booking(booking, None)
    assert given.refund_satang == order.total_satang
    order = _reload(order)
    assert order.status == st.ORDER_CANCELLED
    assert order.refunded_satang == order.total_satang  # owed back, paid through payments.refunds
    assert order.fulfilments[0].refunded_satang == order.total_satang
    assert seats_left(host.session.id) == 4
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "order_cancelled")).one()
    assert "฿1,300" in mail.body_text


def test_paid_booking_after_the_deadline_gets_no_refund(app):
    host = make_host(seats=4, days_ahead=5)
    order = book(host.session.id, adults=2)
    pay_by_slip(order)
    late = starts_at(host.session) - timedelta(hours=3)
    booking = _booking(order)
    assert cancellation.terms(booking, now=late).refund_satang == 0
    given = cancellation.cancel_booking(booking, None, now=late)
    assert given.paid and given.refund_satang == 0
    order = _reload(order)
    assert order.status == st.ORDER_CANCELLED
    assert order.refunded_satang == 0 and order.fulfilments[0].refunded_satang == 0
    assert seats_left(host.session.id) == 4  # the seats go back on sale
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "order_cancelled")).one()
    assert "฿1,300" not in mail.body_text  # no refund promised


@pytest.mark.parametrize(("policy", "refunded"), [("moderate", False), ("strict", False), ("flexible", True)])
def test_each_policy_decides_the_refund(app, policy, refunded):
    host = make_host(seats=4, days_ahead=5)  # moderate needs 7 days, strict never refunds
    _set_policy(host.experience, policy)
    order = book(host.session.id, adults=1)
    pay_by_slip(order)
    given = cancellation.cancel_booking(order, None)
    assert (given.refund_satang == order.total_satang) is refunded
    assert (_reload(order).refunded_satang > 0) is refunded


def test_started_checked_in_or_cancelled_sessions_cannot_be_cancelled(app):
    host = make_host(seats=6)
    order = book(host.session.id)
    pay_by_slip(order)
    booking = _booking(order)
    with pytest.raises(cancellation.CannotCancel):
        cancellation.cancel_booking(booking, None, now=starts_at(host.session) + timedelta(minutes=1))
    svc.check_in(host.enterprise, booking.ticket_code)
    with pytest.raises(cancellation.CannotCancel):
        cancellation.cancel_booking(booking, None)
    assert _reload(order).status == st.ORDER_PAID


def test_slip_waiting_blocks_cancelling_an_unpaid_booking(app):
    host = make_host()
    order = book(host.session.id)
    send_slip(order)
    with pytest.raises(cancellation.Conflict):
        cancellation.cancel_booking(order, None)
    assert _reload(order).status == st.ORDER_PENDING_PAYMENT


def test_an_accounts_booking_is_its_own(app):
    host = make_host()
    owner = UserFactory()
    db.session.commit()
    order = svc.book(host.session.id, adults="1", buyer=owner, email=None, guest_name="Somchai",
                     phone="081-234-5678")
    with pytest.raises(cancellation.NotFound):
        cancellation.cancel_booking(order, UserFactory())
    assert cancellation.cancel_booking(order, owner).paid is False


def test_ticket_page_shows_the_refund_and_cancels(app, client):
    host = make_host(seats=4)
    response = client.post(f"/experiences/{host.experience.slug}/book", data={
        "session_id": str(host.session.id), "adults": "2", "children": "0", "guest_name": "Jane Doe",
        "phone": "081-234-5678", "email": "jane@example.test"})
    assert response.status_code == 303
    order = db.session.scalar(select(Order).where(Order.email == "jane@example.test"))
    pay_by_slip(order)
    ticket = f"/experiences/tickets/{order.public_id}"
    page = client.get(ticket + "?lang=en").get_data(as_text=True)
    assert "Cancel my booking" in page
    assert "full refund of ฿1,300" in page
    # Someone without the order's link cannot cancel it.
    assert app.test_client().post(ticket + "/cancel").status_code == 404
    assert client.post(ticket + "/cancel").status_code == 303
    order = _reload(order)
    assert order.status == st.ORDER_CANCELLED and order.refunded_satang == order.total_satang
    page = client.get(ticket + "?lang=en").get_data(as_text=True)
    assert "This booking is cancelled." in page and "Cancel my booking" not in page
    # Cancelling again is refused with a message, not an error page.
    again = client.post(ticket + "/cancel", follow_redirects=True)
    assert again.status_code == 200


def test_ticket_page_warns_when_no_refund_is_due(app, client):
    host = make_host(seats=4)
    _set_policy(host.experience, "strict")
    client.post(f"/experiences/{host.experience.slug}/book", data={
        "session_id": str(host.session.id), "adults": "1", "children": "0", "guest_name": "Jane Doe",
        "phone": "081-234-5678", "email": "jane@example.test"})
    order = db.session.scalar(select(Order).where(Order.email == "jane@example.test"))
    pay_by_slip(order)
    page = client.get(f"/experiences/tickets/{order.public_id}?lang=en").get_data(as_text=True)
    assert "there is no refund" in page
