"""A real browser through a refund of an order paid by slip (issue 6): the enterprise
refunds part of its share from its order page (in Thai, on a phone), sees it pending;
staff pay it back and record the transfer's reference; the order shows as partly
refunded.

CSRF protection is on, as in production. Screenshots go to ``E2E_SCREENSHOT_DIR``
when it is set.
"""

from __future__ import annotations

import pytest

from shop.extensions import db
from shop.orders import status as st
from shop.orders.models import Order
from shop.payments.models import REFUND_PENDING, REFUND_SUCCEEDED, Refund
from tests.e2e.test_order_journey_browser import new_page
from tests.e2e.test_seller_listing_browser import shot, sign_in
from tests.factories import MemberFactory, UserFactory, VariantFactory
from tests.order_helpers import make_order

pytestmark = pytest.mark.e2e


@pytest.fixture
def csrf_on(app_config):
    app_config["WTF_CSRF_ENABLED"] = True


@pytest.fixture
def paid_order(app, csrf_on):
    owner = MemberFactory(enterprise__name_th="กาแฟบ้านแม่แจ่ม", enterprise__name_en="Ban Mae Jaem Coffee",
                          user__email="coffee@example.test")
    variant = VariantFactory(product__enterprise=owner.enterprise, product__name_th="กาแฟคั่วโอ่ง",
                             name_th="250 กรัม", price_satang=18000, stock=10)
    UserFactory(email="staff@example.test", is_staff=True)
    order = make_order([(variant, 2)], paid=True)
    seeded = {"enterprise": owner.enterprise_id, "fulfilment": order.fulfilments[0].id, "order": order.id,
              "public_id": order.public_id}
    db.session.commit()
    db.session.rollback()  # release SQLite's lock for the server thread
    return seeded


def test_partial_refund_recorded_by_staff(app, live_server, browser, paid_order):
    base = live_server
    seller = new_page(browser, phone=True)
    sign_in(seller, base, "coffee@example.test")
    seller.goto(f"{base}/seller/{paid_order['enterprise']}/orders/{paid_order['fulfilment']}")
    panel = seller.locator("#refunds")
    assert "การคืนเงิน" in panel.inner_text()
    seller.fill("#refund-amount", "0")
    seller.fill("#refund-reason", "ถุงกาแฟขาด 1 ถุง")
    seller.get_by_role("button", name="คืนเงินให้ผู้ซื้อ").click()
    seller.wait_for_load_state()
    assert "จำนวนเงินที่คืนต้องมากกว่าศูนย์" in seller.content()
    shot(seller, "I-refund-error-phone")
    seller.fill("#refund-amount", "180")
    seller.get_by_role("button", name="คืนเงินให้ผู้ซื้อ").click()
    seller.wait_for_load_state()
    assert "รอดำเนินการ" in seller.locator("#refunds").inner_text()
    seller.locator("#refunds").scroll_into_view_if_needed()
    shot(seller, "I-refund-pending-phone")
    db.session.rollback()
    refund = db.session.query(Refund).one()
    assert refund.status == REFUND_PENDING and refund.amount_satang == 18000
    refund_id = refund.id
    db.session.rollback()  # the server thread needs SQLite's lock

    admin = new_page(browser)
    sign_in(admin, base, "staff@example.test")
    admin.goto(f"{base}/admin/refunds")
    shot(admin, "I-admin-refunds")
    admin.fill(f"#reference-{refund_id}", "KBANK 0612-0001")
    admin.get_by_role("button", name="โอนคืนแล้ว: บันทึก").click()
    admin.wait_for_load_state()
    assert "ไม่มีรายการที่ต้องโอนคืน" in admin.content()
    shot(admin, "I-admin-refunds-done")

    db.session.rollback()
    assert db.session.get(Refund, refund_id).status == REFUND_SUCCEEDED
    assert db.session.get(Order, paid_order["order"]).status == st.ORDER_PARTIALLY_REFUNDED
    db.session.rollback()
    seller.goto(f"{base}/seller/{paid_order['enterprise']}/orders/{paid_order['fulfilment']}/refunds")
    assert "KBANK 0612-0001" in seller.content()
    shot(seller, "I-refund-done-phone")
