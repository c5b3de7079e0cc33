"""Booking a community experience on a phone, in a real browser.

On the demo catalogue, ``shopper@demo.test`` on a 390 px phone books two seats on Ban
Mae Jaem's jar-roasting workshop, pays by PromptPay slip, staff confirm the payment,
and the shopper sees the ticket with its QR code. The owner of Mae Jaem opens the
session's guest list on a phone and checks the shopper in with the ticket code.

CSRF protection is on, as in production. Screenshots go to ``E2E_SCREENSHOT_DIR``
when it is set.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shop.catalog.demo import load_demo_catalogue
from shop.experiences.models import Booking, Experience
from shop.extensions import db
from shop.orders import status as st
from shop.orders.models import Order
from tests.e2e.test_order_journey_browser import new_page
from tests.e2e.test_retail_buyer_journey_browser import sign_in
from tests.e2e.test_seller_listing_browser import photo_png, shot

pytestmark = pytest.mark.e2e

SLUG = "mae-jaem-jar-roasting-workshop"
COFFEE = "mae-jaem-jar-roasted-coffee-medium"


@pytest.fixture
def demo(app, app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    load_demo_catalogue(photo_width=48)
    workshop = db.session.scalar(select(Experience).where(Experience.slug == SLUG))
    data = {"enterprise": workshop.enterprise_id, "session": workshop.sessions[0].id,
            "seats": workshop.sessions[0].seats_left}
    db.session.commit()
    db.session.rollback()  # release SQLite's lock for the server thread
    return data


def pay_by_slip_and_confirm(browser, base: str, shopper, public_id: str, enterprise_id: int) -> None:
    """The shopper uploads a transfer slip on the order page; staff confirm it (or the
    owner, when the order was paid to the enterprise's own PromptPay)."""
    shopper.set_input_files("input[name=slip]", files=[
        {"name": "slip.png", "mimeType": "image/png", "buffer": photo_png()}])
    shopper.get_by_role("button", name="ส่งสลิป").click()
    shopper.wait_for_load_state()
    staff = new_page(browser)
    sign_in(staff, base, "admin@demo.test")
    staff.goto(f"{base}/admin/payments")
    card = staff.locator(f"li.slip-card:has-text('{public_id}')")
    if card.count() == 0:
        staff = new_page(browser)
        sign_in(staff, base, "maejaem@demo.test")
        staff.goto(f"{base}/seller/{enterprise_id}/payments")
        card = staff.locator(f"li.slip-card:has-text('{public_id}')")
    card.get_by_role("button", name="ได้รับเงินแล้ว: ยืนยันการชำระเงิน").click()
    staff.wait_for_load_state()


def test_shopper_books_two_seats_pays_and_the_owner_checks_them_in(app, live_server, browser, demo):
    base = live_server
    shopper = new_page(browser, phone=True)
    sign_in(shopper, base, "shopper@demo.test")
    shopper.goto(f"{base}/experiences/")
    shot(shopper, "experience-01-list")
    shopper.click(f"a[href='/experiences/{SLUG}']")
    shopper.wait_for_load_state()
    assert "openstreetmap.org" in shopper.content()
    # Nothing is wider than the phone.
    assert shopper.evaluate("document.documentElement.scrollWidth") <= 390
    shot(shopper, "experience-02-page")
    shopper.select_option("#session_id", str(demo["session"]))
    shopper.fill("#adults", "2")
    shopper.fill("#phone", "081-234-5678")
    shopper.get_by_role("button", name="จองและชำระเงิน").click()
    shopper.wait_for_url("**/orders/CM*")
    public_id = shopper.url.split("?")[0].rsplit("/", 1)[1]
    order = db.session.scalar(select(Order).where(Order.public_id == public_id))
    assert order.total_satang == 2 * 65000
    db.session.rollback()
    shot(shopper, "experience-03-order-to-pay")
    pay_by_slip_and_confirm(browser, base, shopper, public_id, demo["enterprise"])
    assert db.session.scalar(select(Order.status).where(Order.public_id == public_id)) == st.ORDER_PAID
    code = db.session.scalar(select(Booking.ticket_code).join(Order, Order.id == Booking.order_id)
                             .where(Order.public_id == public_id))
    db.session.rollback()

    shopper.goto(f"{base}/orders/{public_id}")
    shopper.get_by_role("link", name="บัตรของคุณ").click()
    shopper.wait_for_load_state()
    assert shopper.locator(".exp-qr svg").count() == 1
    assert code in shopper.content()
    shot(shopper, "experience-04-ticket")

    owner = new_page(browser, phone=True)
    sign_in(owner, base, "maejaem@demo.test")
    owner.goto(f"{base}/seller/{demo['enterprise']}/experiences/sessions/{demo['session']}/guests")
    assert "คุณนภา" in owner.content() or "Napa" in owner.content()
    shot(owner, "experience-05-guest-list")
    owner.fill("#code", code)
    owner.get_by_role("button", name="เช็กอิน").click()
    owner.wait_for_load_state()
    assert "มาถึงแล้ว" in owner.content()
    shot(owner, "experience-06-checked-in")
    booking = db.session.scalar(select(Booking).where(Booking.ticket_code == code))
    assert booking.checked_in_at is not None
    db.session.rollback()


def test_shopper_books_seats_with_a_bag_of_coffee_in_one_cart_and_gets_ticket_and_calendar(
        app, live_server, browser, demo):
    """The issue's journey: on a phone, two seats on the jar-roasting workshop and a bag
    of Mae Jaem's coffee in one cart, one PromptPay payment, then the ticket with its QR
    code and the calendar file; the owner sees the guest on the list and checks them in."""
    base = live_server
    shopper = new_page(browser, phone=True)
    sign_in(shopper, base, "shopper@demo.test")
    shopper.goto(f"{base}/experiences/{SLUG}")
    shopper.select_option("#session_id", str(demo["session"]))
    shopper.fill("#adults", "2")
    shopper.locator("button[name=action][value=cart]").click()
    shopper.wait_for_url("**/cart")
    assert shopper.locator(".cart-bookings .cart-line").count() == 1
    shopper.goto(f"{base}/products/{COFFEE}")
    shopper.get_by_role("button", name="ใส่ตะกร้า", exact=True).click()
    shopper.goto(f"{base}/cart")
    assert shopper.evaluate("document.documentElement.scrollWidth") <= 390
    shot(shopper, "experience-cart-01-cart")
    shopper.goto(f"{base}/checkout")
    shopper.fill("input[name=recipient_name]", "สมหญิง ใจดี")
    shopper.fill("input[name=phone]", "0812345678")
    shopper.fill("input[name=address_line]", "99/1 ถนนพระราม 1")
    shopper.fill("input[name=subdistrict]", "ปทุมวัน")
    shopper.fill("input[name=district]", "ปทุมวัน")
    shopper.select_option("select[name=province_code]", "10")
    shopper.fill("input[name=postcode]", "10330")
    shot(shopper, "experience-cart-02-checkout")
    shopper.get_by_role("button", name="ยืนยันการสั่งซื้อ").click()
    shopper.wait_for_url("**/orders/CM*")
    public_id = shopper.url.split("?")[0].rsplit("/", 1)[1]
    order = db.session.scalar(select(Order).where(Order.public_id == public_id))
    assert len(order.fulfilments) == 2
    assert order.total_satang == order.subtotal_satang + order.shipping_satang
    seats_part = next(f for f in order.fulfilments if f.shipping_kind == st.SHIPPING_PICKUP and f.lines[0].sku
                      .startswith("EXP-"))
    assert seats_part.total_satang == 2 * 65000
    db.session.rollback()
    # The PromptPay QR for the exact amount is on the order page.
    assert shopper.locator("svg").count() >= 1 and "PromptPay" in shopper.content()
    shot(shopper, "experience-cart-03-pay")
    pay_by_slip_and_confirm(browser, base, shopper, public_id, demo["enterprise"])
    assert db.session.scalar(select(Order.status).where(Order.public_id == public_id)) == st.ORDER_PAID
    booking = db.session.scalar(select(Booking).join(Order, Order.id == Booking.order_id)
                                .where(Order.public_id == public_id))
    code, seats = booking.ticket_code, booking.seats
    db.session.rollback()
    assert seats == 2

    shopper.goto(f"{base}/orders/{public_id}")
    shopper.get_by_role("link", name="บัตรของคุณ").click()
    shopper.wait_for_load_state()
    assert shopper.locator(".exp-qr svg").count() == 1 and code in shopper.content()
    shot(shopper, "experience-cart-04-ticket")
    calendar = shopper.request.get(f"{base}/experiences/tickets/{public_id}/calendar.ics")
    assert calendar.status == 200 and calendar.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in calendar.text() and code in calendar.text()

    owner = new_page(browser, phone=True)
    sign_in(owner, base, "maejaem@demo.test")
    owner.goto(f"{base}/seller/{demo['enterprise']}/experiences/sessions/{demo['session']}/guests")
    assert "สมหญิง ใจดี" in owner.content()
    owner.fill("#code", code)
    owner.get_by_role("button", name="เช็กอิน").click()
    owner.wait_for_load_state()
    assert "มาถึงแล้ว" in owner.content()
    shot(owner, "experience-cart-05-checked-in")
    assert db.session.scalar(select(Booking.checked_in_at).where(Booking.ticket_code == code)) is not None
    db.session.rollback()
