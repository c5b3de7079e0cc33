"""Experiences (docs/product.md: Experiences): the host's pages and their validation,
sessions one by one and weekly, a booking that holds seats like stock and gives them
back once, payment by slip, the ticket with its QR code and calendar file, check-in,
the guest list, the reminders, a cancelled session."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.dbtypes import utcnow
from shop.experiences import services as svc
from shop.experiences.calendar import fold
from shop.experiences.models import Booking, Experience, ExperienceSession
from shop.extensions import db
from shop.notifications.models import OutboxMessage
from shop.orders import status as st
from shop.orders.access import order_path
from shop.orders.models import Order
from shop.orders.services import release_lapsed_orders
from tests.experience_helpers import FORM, book, make_host, seats_left
from tests.order_helpers import pay_by_slip


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# ---------------------------------------------------------------- host pages


def test_owner_creates_an_experience_and_bad_fields_write_nothing(app, client, sign_in):
    host = make_host()
    sign_in(host.owner)
    url = f"/seller/{host.enterprise.id}/experiences/new"
    assert client.get(url).status_code == 200
    before = count(Experience)
    bad = {**FORM, "title_th": "", "postcode": "10110", "price": "abc", "languages": [], "group_min_size": ""}
    response = client.post(url, data=bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "ใส่ชื่อเป็นภาษาไทย" in page or "Enter the title in Thai" in page
    assert count(Experience) == before
    response = client.post(url, data={**FORM, "title_en": "Coffee garden walk"})
    assert response.status_code == 303
    created = db.session.scalar(select(Experience).where(Experience.slug == "coffee-garden-walk"))
    assert created is not None and created.enterprise_id == host.enterprise.id
    assert created.languages == "th,en" and created.group_price_satang == 55000
    assert client.get(f"/seller/{host.enterprise.id}/experiences").status_code == 200
    edit = f"/seller/{host.enterprise.id}/experiences/{created.id}/edit"
    assert client.get(edit).status_code == 200
    assert client.post(edit, data={**FORM, "duration_minutes": "0"}).status_code == 422
    assert client.post(edit, data={**FORM, "duration_minutes": "120"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Experience, created.id).duration_minutes == 120


def test_another_enterprises_experience_is_404(app, client, sign_in):
    host = make_host()
    other = make_host()
    sign_in(host.owner)
    assert client.get(f"/seller/{host.enterprise.id}/experiences/{other.experience.id}/edit").status_code == 404
    assert client.get(f"/seller/{host.enterprise.id}/experiences/sessions/{other.session.id}/guests").status_code == 404


def test_sessions_one_and_weekly_with_exceptions(app, client, sign_in):
    host = make_host()
    sign_in(host.owner)
    base = f"/seller/{host.enterprise.id}/experiences/{host.experience.id}/sessions"
    assert client.get(base).status_code == 200
    past = (svc.local_now().date() - timedelta(days=1)).isoformat()
    assert client.post(base, data={"day": past, "start_time": "09:00", "seats": "5"}).status_code == 422
    assert client.post(base, data={"day": host.session.day.isoformat(), "start_time": "09:00",
                                   "seats": "5"}).status_code == 422  # exists already
    first = svc.local_now().date() + timedelta(days=1)
    days = svc.weekly_days(first, {5}, 3, set())
    response = client.post(base + "/weekly", data={"weekdays": ["5"], "start_time": "13:30", "seats": "8",
                                                    "weeks": "3", "first_day": first.isoformat(),
                                                    "exceptions": days[1].isoformat()})
    assert response.status_code == 303
    added = db.session.scalars(select(ExperienceSession).where(
        ExperienceSession.experience_id == host.experience.id, ExperienceSession.seats_total == 8)).all()
    assert sorted(s.day for s in added) == [days[0], days[2]]
    assert client.post(base + "/weekly", data={"weekdays": [], "start_time": "25:00", "seats": "0",
                                               "weeks": "99"}).status_code == 422


# ---------------------------------------------------------------- booking


def test_booking_holds_seats_and_a_lapse_gives_them_back_once(app):
    host = make_host(seats=5)
    order = book(host.session.id, adults=2, children=1)
    assert seats_left(host.session.id) == 2
    assert order.status == st.ORDER_PENDING_PAYMENT
    assert order.total_satang == 2 * 65000 + 35000
    assert [f.enterprise_id for f in order.fulfilments] == [host.enterprise.id]
    with pytest.raises(svc.SeatsGone):
        book(host.session.id, adults=3)
    assert seats_left(host.session.id) == 2
    assert count(Order) == 1  # the refused booking wrote nothing
    released = release_lapsed_orders(now=utcnow() + timedelta(days=1))
    assert released == 1
    assert seats_left(host.session.id) == 5
    booking = db.session.scalar(select(Booking).where(Booking.order_id == order.id))
    assert booking.seats_released
    assert release_lapsed_orders(now=utcnow() + timedelta(days=2)) == 0
    assert seats_left(host.session.id) == 5


def test_group_price_from_the_group_size(app):
    host = make_host(seats=20)
    assert svc.price_for(host.experience, 6, 0).total_satang == 6 * 55000
    assert svc.price_for(host.experience, 5, 0).total_satang == 5 * 65000


def test_guest_books_pays_and_gets_a_ticket_the_host_checks_in(app, client, sign_in):
    host = make_host(seats=4)
    page = client.get(f"/experiences/{host.experience.slug}")
    assert page.status_code == 200
    assert "openstreetmap.org" in page.get_data(as_text=True)
    assert client.get("/experiences/").status_code == 200
    response = client.post(f"/experiences/{host.experience.slug}/book", data={
        "session_id": str(host.session.id), "adults": "2", "children": "0", "guest_name": "Jane Doe",
        "phone": "081-234-5678", "email": "jane@example.test"})
    assert response.status_code == 303, response.get_data(as_text=True)
    order = db.session.scalar(select(Order).where(Order.email == "jane@example.test"))
    assert seats_left(host.session.id) == 2
    ticket_url = f"/experiences/tickets/{order.public_id}"
    unpaid = client.get(ticket_url).get_data(as_text=True)
    assert "promptpay-qr" not in unpaid
    order_page = client.get(order_path(order)).get_data(as_text=True)
    assert f"/experiences/tickets/{order.public_id}" in order_page
    pay_by_slip(order)
    db.session.expire_all()
    booking = db.session.scalar(select(Booking).where(Booking.order_id == order.id))
    page = client.get(ticket_url).get_data(as_text=True)
    assert "promptpay-qr" in page and booking.ticket_code in page
    ics = client.get(ticket_url + "/calendar.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    body = ics.get_data(as_text=True)
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "DTSTART:" in body and "STATUS:CONFIRMED" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    # Someone else's browser cannot open the ticket.
    assert app.test_client().get(ticket_url).status_code == 404

    sign_in(host.owner)
    guests = client.get(f"/seller/{host.enterprise.id}/experiences/sessions/{host.session.id}/guests")
    assert "Jane Doe" in guests.get_data(as_text=True)
    sheet = client.get(f"/seller/{host.enterprise.id}/experiences/sessions/{host.session.id}/guests?print=1")
    assert "Jane Doe" in sheet.get_data(as_text=True)
    csv = client.get(f"/seller/{host.enterprise.id}/experiences/sessions/{host.session.id}/guests.csv")
    assert csv.mimetype == "text/csv" and booking.ticket_code in csv.get_data(as_text=True)
    check_in = f"/seller/{host.enterprise.id}/experiences/check-in"
    assert client.get(check_in).status_code == 200
    assert client.post(check_in, data={"code": "NOPE1234"}).status_code == 422
    assert client.post(check_in, data={"code": booking.ticket_code.lower()}).status_code == 303
    assert client.post(check_in, data={"code": booking.ticket_code}).status_code == 409
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).checked_in_at is not None
    # Another enterprise cannot check this ticket in.
    other = make_host()
    with pytest.raises(svc.ValidationFailed):
        svc.check_in(other.enterprise, booking.ticket_code)


def test_unpaid_ticket_cannot_be_checked_in(app):
    host = make_host()
    order = book(host.session.id)
    booking = db.session.scalar(select(Booking).where(Booking.order_id == order.id))
    with pytest.raises(svc.TicketProblem):
        svc.check_in(host.enterprise, booking.ticket_code)


def test_booking_form_refusals_are_4xx(app, client):
    host = make_host(seats=2)
    url = f"/experiences/{host.experience.slug}/book"
    good = {"session_id": str(host.session.id), "adults": "1", "children": "0", "guest_name": "A",
            "phone": "081-234-5678", "email": "a@example.test"}
    assert client.post(url, data={**good, "adults": "x"}).status_code == 422
    assert client.post(url, data={**good, "adults": "0"}).status_code == 422
    assert client.post(url, data={**good, "phone": "12"}).status_code == 422
    assert client.post(url, data={**good, "email": ""}).status_code == 422
    assert client.post(url, data={**good, "session_id": "999999"}).status_code == 422
    assert client.post(url, data={**good, "adults": "3"}).status_code == 409
    assert count(Order) == 0


def test_reminder_the_day_before_once(app):
    host = make_host(days_ahead=1)
    order = book(host.session.id)
    pay_by_slip(order)
    unpaid = book(host.session.id, adults=1, email="late@example.test")
    assert unpaid.status == st.ORDER_PENDING_PAYMENT
    before = count(OutboxMessage)
    assert svc.send_reminders() == 1
    assert svc.send_reminders() == 0
    assert count(OutboxMessage) == before + 1
    message = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert message.to_address == "guest@example.test"


def test_cancelling_a_session_cancels_its_bookings(app, client, sign_in):
    host = make_host(seats=6)
    paid = book(host.session.id)
    pay_by_slip(paid)
    unpaid = book(host.session.id, adults=1, email="b@example.test")
    sign_in(host.owner)
    response = client.post(f"/seller/{host.enterprise.id}/experiences/sessions/{host.session.id}/cancel")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Order, paid.id).status == st.ORDER_CANCELLED
    assert db.session.get(Order, paid.id).refunded_satang == paid.total_satang  # owed back
    assert db.session.get(Order, unpaid.id).status == st.ORDER_CANCELLED
    assert seats_left(host.session.id) == 6
    assert db.session.get(ExperienceSession, host.session.id).cancelled_at is not None
    with pytest.raises(svc.SessionClosed):
        book(host.session.id, adults=1)


def test_ics_folds_long_thai_lines_on_character_boundaries():
    line = "SUMMARY:" + "เวิร์กช็อปคั่วกาแฟ" * 10
    folded = fold(line)
    for piece in folded.split("\r\n"):
        assert len(piece.encode("utf-8")) <= 75
        piece.encode("utf-8").decode("utf-8")
    assert folded.replace("\r\n ", "") == line


def test_owner_adds_and_deletes_photos(app, client, sign_in):
    from tests.e2e.test_seller_listing_browser import photo_png

    host = make_host()
    sign_in(host.owner)
    base = f"/seller/{host.enterprise.id}/experiences/{host.experience.id}"
    assert client.post(base + "/photos", data={}).status_code == 422
    bad = client.post(base + "/photos", data={"photo": (io.BytesIO(b"not an image"), "x.png")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422
    ok = client.post(base + "/photos", data={"photo": (io.BytesIO(photo_png()), "jar.png")},
                     content_type="multipart/form-data")
    assert ok.status_code == 303
    db.session.expire_all()
    experience = db.session.get(Experience, host.experience.id)
    assert len(experience.photos) == 1
    photo = experience.photos[0]
    with app.test_request_context():
        url = svc.photo_url(photo)
    page = client.get(f"/experiences/{experience.slug}").get_data(as_text=True)
    assert url in page
    assert client.get(url).status_code == 200
    assert client.post(f"{base}/photos/{photo.id}/delete").status_code == 303
    db.session.expire_all()
    assert db.session.get(Experience, host.experience.id).photos == []
    assert client.get(url).status_code == 404


def test_the_page_describes_each_open_session_as_a_schema_org_event(app, client):
    import json
    import re

    host = make_host()
    page = client.get(f"/experiences/{host.experience.slug}").get_data(as_text=True)
    found = [json.loads(text) for text in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page)]
    events = [data for data in found if data.get("@type") == "Event"]
    assert len(events) == 1
    event = events[0]
    assert event["startDate"].startswith(host.session.day.isoformat() + "T09:00:00+07:00")
    assert event["offers"]["price"] == "650.00" and event["offers"]["priceCurrency"] == "THB"
    assert event["location"]["geo"]["latitude"] == 18.8146


def test_the_enterprise_page_lists_its_experiences(app, client):
    host = make_host()
    page = client.get(f"/enterprises/{host.enterprise.slug}").get_data(as_text=True)
    assert f"/experiences/{host.experience.slug}" in page


def test_the_page_shows_sessions_as_a_month_calendar(app, client):
    host = make_host(seats=2)
    full = svc.add_session(host.experience, day=(host.session.day + timedelta(days=1)).isoformat(),
                           start_time="14:00", seats="1")
    book(full.id, adults=1)
    with client.session_transaction() as session:
        session["lang"] = "en"
    page = client.get(f"/experiences/{host.experience.slug}").get_data(as_text=True)
    assert f'<caption>{host.session.day.strftime("%B %Y")}</caption>' in page
    assert f'href="?session={host.session.id}#book-heading"' in page
    assert "exp-day-slot--full" in page  # the 14:00 session has no seat left
    assert "<th scope=\"col\">Mon</th>" in page
    selected = client.get(f"/experiences/{host.experience.slug}?session={host.session.id}").get_data(as_text=True)
    assert f'<option selected value="{host.session.id}">' in selected


def test_the_province_page_lists_experiences_with_their_next_session(app, client):
    host = make_host()
    page = client.get("/provinces/lampang?lang=en").get_data(as_text=True)
    assert f"/experiences/{host.experience.slug}" in page and "Experiences in Lampang" in page
    assert "next session" in page
    # A province without experiences has no such section; nor does one whose only
    # experience is unpublished.
    assert "Experiences in" not in client.get("/provinces/surin?lang=en").get_data(as_text=True)
    host.experience.is_published = False
    db.session.commit()
    assert "Experiences in" not in client.get("/provinces/lampang?lang=en").get_data(as_text=True)


def test_the_hosts_sessions_page_has_the_month_calendar_with_seats_taken(app, client, sign_in):
    host = make_host(seats=6)
    book(host.session.id, adults=2)
    sign_in(host.owner)
    with client.session_transaction() as session:
        session["lang"] = "en"
    page = client.get(f"/seller/{host.enterprise.id}/experiences/{host.experience.id}/sessions").get_data(
        as_text=True)
    assert f'<caption>{host.session.day.strftime("%B %Y")}</caption>' in page
    guests = f"/seller/{host.enterprise.id}/experiences/sessions/{host.session.id}/guests"
    assert f'href="{guests}"' in page and "09:00 · 2/6" in page
