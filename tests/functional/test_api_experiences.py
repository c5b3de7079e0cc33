"""Experiences through the API: the public list with its province, enterprise and date
filters, one experience with its sessions and seats, booking with an Idempotency-Key,
reading and cancelling one's booking under the policy, and the host's sessions, guest
list and check-in; bad input of every kind answers a 4xx naming the field."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from shop.catalog import status as catalog_status
from shop.experiences import listing
from shop.experiences import services as svc
from shop.experiences.models import Booking, ExperienceSession
from shop.extensions import db
from shop.orders.models import Order
from tests.api_helpers import bearer
from tests.experience_helpers import FORM, book, make_host, seats_left
from tests.factories import MemberFactory, UserFactory
from tests.order_helpers import pay_by_slip

API = "/api/v1"


def _error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    if code is not None:
        assert error["code"] == code
    return error


def _orders() -> int:
    return db.session.scalar(select(func.count()).select_from(Order))


@pytest.fixture
def host(app):
    return make_host(seats=6, days_ahead=10)


@pytest.fixture
def buyer(app):
    user = UserFactory(email="traveller@example.test", display_name="Traveller")
    db.session.commit()
    return user


BOOKING = {"adults": 2, "children": 1, "guest_name": "Jane Doe", "phone": "081-234-5678"}


# ---------------------------------------------------------------- the window rule


def test_this_weekend_and_the_next_seven_days():
    wednesday = date(2026, 3, 18)
    assert listing.window("this_weekend", wednesday) == listing.DayRange(date(2026, 3, 21), date(2026, 3, 22))
    assert listing.window("this_weekend", date(2026, 3, 21)) == listing.DayRange(date(2026, 3, 21), date(2026, 3, 22))
    assert listing.window("this_weekend", date(2026, 3, 22)) == listing.DayRange(date(2026, 3, 22), date(2026, 3, 22))
    assert listing.window("next_7_days", wednesday) == listing.DayRange(wednesday, date(2026, 3, 24))


# ---------------------------------------------------------------- public


def test_the_list_filters_by_province_enterprise_and_days(client, host):
    other = MemberFactory(enterprise__slug="tha-sawang", enterprise__province_code="32")
    db.session.commit()
    weaving = svc.create_experience(other.enterprise, {**FORM, "title_en": "Weaving class", "province_code": "32",
                                                       "postcode": "32000", "village": "Ban Tha Sawang"})
    weekend = listing.window("this_weekend")
    svc.add_session(weaving, day=weekend.last.isoformat(), start_time="13:30", seats="8")
    body = client.get(f"{API}/experiences").get_json()
    assert body["meta"]["total"] == 2
    assert {e["slug"] for e in body["data"]} == {host.experience.slug, weaving.slug}
    first = next(e for e in body["data"] if e["slug"] == host.experience.slug)
    assert first["next_session"]["id"] == host.session.id and first["next_session"]["seats_left"] == 6
    assert first["price"]["satang"] == 65000 and first["url"] == f"/experiences/{host.experience.slug}"

    def slugs(query: str) -> list[str]:
        response = client.get(f"{API}/experiences?{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return [e["slug"] for e in response.get_json()["data"]]

    assert slugs("province=surin") == [weaving.slug]
    assert slugs("enterprise=tha-sawang") == [weaving.slug]
    assert slugs("when=this_weekend") == [weaving.slug]
    assert slugs(f"day={host.session.day.isoformat()}") == [host.experience.slug]
    assert slugs(f"from_day={host.session.day.isoformat()}&to_day={host.session.day.isoformat()}") == [
        host.experience.slug]
    assert host.experience.slug in slugs("when=next_7_days") or host.session.day > listing.window("next_7_days").last


@pytest.mark.parametrize("query, field", [
    ("when=someday", "when"), ("when=", "when"), ("day=2026-02-30", "day"), ("day=tomorrow", "day"), ("province=atlantis", "province"),
    ("enterprise=nobody", "enterprise"), ("from_day=2026-05-02&to_day=2026-05-01", "to_day"),
    ("from_day=2026-01-01&to_day=2027-12-31", "to_day"), ("when=this_weekend&day=2026-05-01", "when"),
    ("page=0", "page"), ("per_page=500", "per_page"), ("colour=red", "colour"),
])
def test_bad_list_queries_are_422_naming_the_field(client, host, query, field):
    error = _error(client.get(f"{API}/experiences?{query}"), 422)
    assert field in error["fields"]


def test_unpublished_experiences_and_suspended_enterprises_are_not_listed(client, host):
    host.experience.is_published = False
    db.session.commit()
    assert client.get(f"{API}/experiences").get_json()["data"] == []
    _error(client.get(f"{API}/experiences/{host.experience.slug}"), 404)
    host.experience.is_published = True
    host.enterprise.status = catalog_status.ENTERPRISE_SUSPENDED
    db.session.commit()
    assert client.get(f"{API}/experiences").get_json()["data"] == []
    _error(client.get(f"{API}/experiences/{host.experience.slug}"), 404)


def test_one_experience_with_its_sessions_and_seats(client, host):
    later = svc.add_session(host.experience, day=(host.session.day + timedelta(days=7)).isoformat(),
                            start_time="13:00", seats="4")
    book(host.session.id, adults=2)
    body = client.get(f"{API}/experiences/{host.experience.slug}", headers={"Accept-Language": "en"}).get_json()
    assert [s["id"] for s in body["sessions"]] == [host.session.id, later.id]
    assert body["sessions"][0]["seats_left"] == 4 and body["sessions"][0]["seats_total"] == 6
    assert body["sessions"][0]["bookable"] is True and body["sessions"][0]["starts_at"].endswith("+07:00")
    assert body["cancellation_policy"] == {
        "code": "flexible", "label": "Flexible", "full_refund_hours": 24,
        "description": "Full refund if you cancel at least 24 hours before the session starts."}
    assert body["group_min_size"] == 6 and body["group_price"]["satang"] == 55000
    _error(client.get(f"{API}/experiences/no-such-thing"), 404)
    _error(client.get(f"{API}/experiences/bad%00slug"), 404)


# ---------------------------------------------------------------- booking


def test_book_pay_read_and_cancel_in_time(client, host, buyer):
    headers = {**bearer(buyer, lang="en"), "Idempotency-Key": "book-1"}
    url = f"{API}/experiences/sessions/{host.session.id}/bookings"
    response = client.post(url, json=BOOKING, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "pending_payment" and body["total"]["satang"] == 2 * 65000 + 35000
    assert body["payment"]["promptpay"]["payload"] and body["payment"]["order_page_url"]
    assert body["booking"]["ticket_code"] is None and body["booking"]["session"]["seats_left"] == 3
    assert body["booking"]["cancellation"]["possible"] is True
    assert response.headers["Location"].endswith(f"/experiences/bookings/{body['id']}")
    assert seats_left(host.session.id) == 3
    # The same key and body: the same booking, no second one.
    again = client.post(url, json=BOOKING, headers=headers)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == body["id"] and _orders() == 1 and seats_left(host.session.id) == 3
    _error(client.post(url, json={**BOOKING, "adults": 1}, headers=headers), 422, "idempotency_key_reused")

    order = db.session.scalar(select(Order).where(Order.public_id == body["id"]))
    pay_by_slip(order)
    read = client.get(f"{API}/experiences/bookings/{body['id']}", headers=bearer(buyer, lang="en")).get_json()
    booking = db.session.scalar(select(Booking).where(Booking.order_id == order.id))
    assert read["status"] == "paid" and read["booking"]["ticket_code"] == booking.ticket_code
    assert read["booking"]["cancellation"]["refund"]["satang"] == order.total_satang
    # Someone else cannot read or cancel it.
    stranger = bearer(UserFactory())
    _error(client.get(f"{API}/experiences/bookings/{body['id']}", headers=stranger), 404)
    _error(client.post(f"{API}/experiences/bookings/{body['id']}/cancel", headers=stranger), 404)

    cancelled = client.post(f"{API}/experiences/bookings/{body['id']}/cancel", headers=bearer(buyer, lang="en"))
    assert cancelled.status_code == 200, cancelled.get_data(as_text=True)
    out = cancelled.get_json()
    assert out["status"] == "cancelled" and out["refunded"]["satang"] == order.total_satang
    assert out["booking"]["cancelled"] is True and out["booking"]["cancellation"]["possible"] is False
    assert seats_left(host.session.id) == 6
    _error(client.post(f"{API}/experiences/bookings/{body['id']}/cancel", headers=bearer(buyer)), 409,
           "booking_not_cancellable")


def test_a_strict_policy_cancels_without_refund(client, host, buyer):
    host.experience.cancellation_policy = "strict"
    db.session.commit()
    response = client.post(f"{API}/experiences/sessions/{host.session.id}/bookings", json=BOOKING,
                           headers=bearer(buyer))
    order = db.session.scalar(select(Order).where(Order.public_id == response.get_json()["id"]))
    pay_by_slip(order)
    out = client.post(f"{API}/experiences/bookings/{order.public_id}/cancel", headers=bearer(buyer)).get_json()
    assert out["status"] == "cancelled" and out["refunded"]["satang"] == 0


@pytest.mark.parametrize("body, field", [
    ({**BOOKING, "adults": 0, "children": 0}, "adults"),
    ({**BOOKING, "adults": "2"}, "adults"),
    ({**BOOKING, "adults": 31}, "adults"),
    ({**BOOKING, "phone": "12"}, "phone"),
    ({**BOOKING, "guest_name": ""}, "guest_name"),
    ({**BOOKING, "guest_name": "A\u202eB"}, "guest_name"),
    ({**BOOKING, "payment_method": "invoice"}, "payment_method"),
    ({**BOOKING, "seats": 2}, "seats"),
    ({key: value for key, value in BOOKING.items() if key != "phone"}, "phone"),
])
def test_bad_bookings_are_422_and_write_nothing(client, host, buyer, body, field):
    error = _error(client.post(f"{API}/experiences/sessions/{host.session.id}/bookings", json=body,
                               headers=bearer(buyer)), 422)
    assert field in error["fields"]
    assert _orders() == 0 and seats_left(host.session.id) == 6


def test_booking_refusals_are_4xx(client, host, buyer):
    url = f"{API}/experiences/sessions/{host.session.id}/bookings"
    _error(client.post(url, json=BOOKING), 401)
    _error(client.post(url, json={**BOOKING, "adults": 7}, headers=bearer(buyer)), 409, "seats_gone")
    _error(client.post(url, json={**BOOKING, "expected_total_satang": 1}, headers=bearer(buyer)), 409,
           "total_changed")
    _error(client.post(f"{API}/experiences/sessions/999999/bookings", json=BOOKING, headers=bearer(buyer)), 404)
    _error(client.post(url, data="{nope", headers={**bearer(buyer), "Content-Type": "application/json"}), 400)
    _error(client.post(url, json=BOOKING, headers={**bearer(buyer), "Idempotency-Key": "bad key"}), 400)
    svc.cancel_session(db.session.get(ExperienceSession, host.session.id), actor=host.owner)
    _error(client.post(url, json=BOOKING, headers=bearer(buyer)), 409, "session_closed")
    assert _orders() == 0
    # An order of goods is not a booking.
    _error(client.get(f"{API}/experiences/bookings/CMNOTHING123", headers=bearer(buyer)), 404)


# ---------------------------------------------------------------- the host's


def test_host_lists_sessions_reads_guests_and_checks_in(client, host):
    headers = bearer(host.owner, lang="en")
    base = f"{API}/seller/enterprises/{host.enterprise.id}"
    paid = book(host.session.id, adults=2)
    pay_by_slip(paid)
    book(host.session.id, adults=1, email="late@example.test")  # unpaid: not on the guest list
    sessions = client.get(f"{base}/experience-sessions", headers=headers).get_json()
    assert [s["id"] for s in sessions["data"]] == [host.session.id]
    assert sessions["data"][0]["seats_left"] == 3 and sessions["data"][0]["experience_slug"] == host.experience.slug
    day = host.session.day.isoformat()
    assert client.get(f"{base}/experience-sessions?from_day={day}&to_day={day}",
                      headers=headers).get_json()["meta"]["total"] == 1
    _error(client.get(f"{base}/experience-sessions?to_day=yesterday", headers=headers), 422)

    guests = client.get(f"{base}/experience-sessions/{host.session.id}/guests", headers=headers).get_json()
    booking = db.session.scalar(select(Booking).where(Booking.order_id == paid.id))
    assert [g["ticket_code"] for g in guests["guests"]] == [booking.ticket_code]
    assert guests["seats_booked"] == 2

    response = client.post(f"{base}/experience-check-ins", json={"code": booking.ticket_code.lower()},
                           headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["guest"]["checked_in_at"] is not None
    _error(client.post(f"{base}/experience-check-ins", json={"code": booking.ticket_code}, headers=headers), 409,
           "ticket_refused")
    _error(client.post(f"{base}/experience-check-ins", json={"code": "NOPE1234"}, headers=headers), 422)
    _error(client.post(f"{base}/experience-check-ins", json={"code": ""}, headers=headers), 422)
    _error(client.post(f"{base}/experience-check-ins", json={}, headers=headers), 422)


def test_another_enterprises_sessions_and_tickets_are_404(client, host):
    other = make_host()
    paid = book(other.session.id)
    pay_by_slip(paid)
    code = db.session.scalar(select(Booking.ticket_code).where(Booking.order_id == paid.id))
    headers = bearer(host.owner)
    base = f"{API}/seller/enterprises/{host.enterprise.id}"
    _error(client.get(f"{base}/experience-sessions/{other.session.id}/guests", headers=headers), 404)
    _error(client.post(f"{base}/experience-check-ins", json={"code": code}, headers=headers), 422)
    _error(client.get(f"{API}/seller/enterprises/{other.enterprise.id}/experience-sessions", headers=headers), 404)
    assert db.session.scalar(select(Booking.checked_in_at).where(Booking.order_id == paid.id)) is None


def test_the_document_lists_the_experience_operations(client):
    paths = {path.removeprefix(API): item
             for path, item in client.get(f"{API}/openapi.json").get_json()["paths"].items()}
    assert {"get"} <= set(paths["/experiences"]) and "get" in paths["/experiences/{slug}"]
    assert "post" in paths["/experiences/sessions/{session_id}/bookings"]
    assert "get" in paths["/experiences/bookings/{public_id}"]
    assert "post" in paths["/experiences/bookings/{public_id}/cancel"]
    seller = "/seller/enterprises/{enterprise_id}"
    assert "get" in paths[f"{seller}/experience-sessions"]
    assert "get" in paths[f"{seller}/experience-sessions/{{session_id}}/guests"]
    assert "post" in paths[f"{seller}/experience-check-ins"]
    booking = paths["/experiences/sessions/{session_id}/bookings"]["post"]
    assert {"409", "422", "503"} <= set(booking["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in booking["parameters"])
    listed = {p["name"] for p in paths["/experiences"]["get"]["parameters"]}
    assert {"province", "enterprise", "when", "day", "from_day", "to_day", "page", "per_page"} <= listed
