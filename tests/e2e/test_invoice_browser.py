"""A real browser through pay on invoice: a verified buyer with terms chooses "pay on
invoice" at checkout (the terms and the credit left shown next to it), the order is
confirmed; staff record a transfer on the invoice and see the receivables.

CSRF protection is on, as in production. Screenshots go to ``E2E_SCREENSHOT_DIR``
when it is set.
"""

from __future__ import annotations

import pytest

from shop.accounts.models import RetailBuyer
from shop.extensions import db
from shop.invoicing import services as invoicing
from shop.orders import status as st
from shop.orders.models import Order
from tests.e2e.test_order_journey_browser import new_page
from tests.e2e.test_seller_listing_browser import shot, sign_in
from tests.factories import MemberFactory, RetailBuyerFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def csrf_on(app_config):
    app_config["WTF_CSRF_ENABLED"] = True


@pytest.fixture
def seeded(app, csrf_on):
    owner = MemberFactory(enterprise__name_th="กาแฟบ้านแม่แจ่ม", enterprise__name_en="Ban Mae Jaem Coffee")
    variant = VariantFactory(product__enterprise=owner.enterprise, product__name_th="กาแฟคั่วโอ่ง", product__slug="jar-coffee",
                             name_th="250 กรัม", price_satang=18000, stock=50)
    staff = UserFactory(email="staff@example.test", is_staff=True)
    business = RetailBuyerFactory(company_name="โรงแรมริมน้ำ จำกัด", status=RetailBuyer.VERIFIED,
                                  user__email="hotel@example.test", user__display_name="คุณสมศรี")
    invoicing.set_terms(staff, business.id, net_days=30, credit_limit="20000")
    data = {"variant": variant.id}
    db.session.commit()
    db.session.rollback()  # release SQLite's lock for the server thread
    return data


def test_checkout_on_invoice_then_staff_record_the_transfer(app, live_server, browser, seeded):
    base = live_server
    buyer = new_page(browser)
    sign_in(buyer, base, "hotel@example.test")
    buyer.goto(f"{base}/products/jar-coffee")
    buyer.fill("input[name=quantity]", "10")
    buyer.get_by_role("button", name="ใส่ตะกร้า", exact=True).click()
    buyer.wait_for_load_state()
    buyer.goto(f"{base}/checkout")
    option = buyer.locator("input[value=invoice]")
    assert option.count() == 1
    text = buyer.content()
    assert "เครดิต 30 วัน" in text and "฿20,000" in text
    buyer.fill("input[name=recipient_name]", "คุณสมศรี")
    buyer.fill("input[name=phone]", "0812345678")
    buyer.fill("input[name=address_line]", "99/1 ถนนเจริญกรุง")
    buyer.fill("input[name=subdistrict]", "บางรัก")
    buyer.fill("input[name=district]", "บางรัก")
    buyer.select_option("select[name=province_code]", "10")
    buyer.fill("input[name=postcode]", "10500")
    buyer.fill("input[name=po_number]", "PO-2026-118")
    option.check()
    shot(buyer, "invoice-1-checkout")
    buyer.get_by_role("button", name="ยืนยันการสั่งซื้อ").click()
    buyer.wait_for_load_state()
    assert "ใบแจ้งหนี้" in buyer.content()
    shot(buyer, "invoice-2-order")

    order = db.session.query(Order).one()
    assert order.status == st.ORDER_INVOICED and order.po_number == "PO-2026-118"
    invoice = invoicing.invoice_of_order(order)
    number, invoice_id = invoice.number, invoice.id
    db.session.rollback()  # the server thread needs SQLite's lock: read nothing more until the end

    desk = new_page(browser)
    sign_in(desk, base, "staff@example.test")
    desk.goto(f"{base}/admin/receivables")
    assert number in desk.content()
    shot(desk, "invoice-3-receivables")
    desk.goto(f"{base}/admin/invoices/{invoice_id}")
    desk.fill("#t-amount", "1000")
    desk.fill("#t-reference", "KTB-55501")
    desk.get_by_role("button", name="บันทึกการโอน").click()
    desk.wait_for_load_state()
    shot(desk, "invoice-4-partly-paid")
    db.session.expire_all()
    assert invoicing.get_invoice(invoice_id).paid_satang == 100_000
    db.session.rollback()
