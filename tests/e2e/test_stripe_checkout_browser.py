"""A real browser through Stripe Checkout (issue 6) with the fake Stripe: the shopper
picks "card or PromptPay (Stripe)" (the default when Stripe is configured), is sent to
Stripe's page (stubbed here), comes back to the return page, which reloads itself
(meta refresh: the CSP allows no inline script) until the webhook marks the order
paid, then lands on the order page. Leaving Stripe's page offers to pay again.

Screenshots go to ``E2E_SCREENSHOT_DIR`` when it is set.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.orders import status as st
from shop.orders.access import order_token
from shop.orders.models import Order
from shop.orders.services import apply_paid
from tests.e2e.test_order_journey_browser import new_page, shop_with_two_villages  # noqa: F401  (fixture)
from tests.e2e.test_seller_listing_browser import shot, sign_in

pytestmark = pytest.mark.e2e

STRIPE_PAGE = "<!doctype html><html><body><h1>Stripe Checkout (fake)</h1></body></html>"


@pytest.fixture
def csrf_on(app_config):
    app_config["WTF_CSRF_ENABLED"] = True


def test_shopper_pays_through_stripe_checkout(csrf_on, app, fake_stripe, live_server,
                                              shop_with_two_villages, browser):  # noqa: F811
    base = live_server
    shopper = new_page(browser, phone=True)
    shopper.route("https://checkout.stripe.test/**",
                  lambda route: route.fulfill(status=200, content_type="text/html", body=STRIPE_PAGE))
    sign_in(shopper, base, "shopper@example.test")
    shopper.goto(f"{base}/products/jar-roasted-coffee")
    shopper.get_by_role("button", name="ใส่ตะกร้า", exact=True).click()
    shopper.wait_for_load_state()

    shopper.goto(f"{base}/checkout")
    shopper.fill("input[name=recipient_name]", "สมหญิง ใจดี")
    shopper.fill("input[name=phone]", "0812345678")
    shopper.fill("input[name=address_line]", "99/1 ถนนพระราม 1")
    shopper.fill("input[name=subdistrict]", "ปทุมวัน")
    shopper.fill("input[name=district]", "ปทุมวัน")
    shopper.select_option("select[name=province_code]", "10")
    shopper.fill("input[name=postcode]", "10330")
    assert shopper.get_by_label("บัตรหรือพร้อมเพย์ (Stripe)").is_checked()
    shot(shopper, "stripe-01-checkout")
    shopper.get_by_role("button", name="ยืนยันการสั่งซื้อ").click()
    shopper.wait_for_url("https://checkout.stripe.test/**")

    order = db.session.scalar(select(Order))
    public_id, token = order.public_id, order_token(order)
    db.session.rollback()
    req = fake_stripe.last("POST", "/v1/checkout/sessions")
    assert req.params["client_reference_id"] == public_id and req.params["locale"] == "th"

    # The buyer leaves Stripe's page: nothing charged, a button to pay again.
    shopper.goto(f"{base}/orders/{public_id}/payment-return?t={token}&cancelled=1")
    assert "คุณออกจากหน้าชำระเงินแล้ว" in shopper.content()
    shot(shopper, "stripe-02-return-cancelled")
    shopper.get_by_role("button", name="ชำระเงินตอนนี้").click()
    shopper.wait_for_url("https://checkout.stripe.test/**")
    assert len(fake_stripe.calls("POST", "/v1/checkout/sessions")) == 1  # the open session reused

    # Paid on Stripe's page: back to the return page, which waits for the webhook.
    shopper.goto(f"{base}/orders/{public_id}/payment-return?t={token}&session_id=cs_x")
    assert "กำลังยืนยันการชำระเงินของคุณ" in shopper.content()
    shot(shopper, "stripe-03-return-confirming")

    order = db.session.scalar(select(Order).where(Order.public_id == public_id))
    apply_paid(order, actor=None, role=st.ROLE_SYSTEM)  # what the webhook does
    db.session.commit()
    db.session.rollback()
    shopper.wait_for_url(f"**/orders/{public_id}*", timeout=15_000)
    assert "payment-return" not in shopper.url
    assert "ยืนยันการชำระเงินของคุณแล้ว" in shopper.content()
    shot(shopper, "stripe-04-order-paid")
