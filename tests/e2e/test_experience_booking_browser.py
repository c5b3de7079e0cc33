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
    shopper.set_input_files("input[name=slip]", files=[
        {"name": "slip.png", "mimeType": "image/png", "buffer": photo_png()}])
    shopper.get_by_role("button", name="ส่งสลิป").click()
    shopper.wait_for_load_state()

    staff = new_page(browser)
    sign_in(staff, base, "admin@demo.test")
    staff.goto(f"{base}/admin/payments")
    card = staff.locator(f"li.slip-card:has-text('{public_id}')")
    if card.count() == 0:  # paid to the enterprise's own PromptPay: the owner confirms it
        staff = new_page(browser)
        sign_in(staff, base, "maejaem@demo.test")
        staff.goto(f"{base}/seller/{demo['enterprise']}/payments")
        card = staff.locator(f"li.slip-card:has-text('{public_id}')")
    card.get_by_role("button", name="ได้รับเงินแล้ว: ยืนยันการชำระเงิน").click()
    staff.wait_for_load_state()
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
