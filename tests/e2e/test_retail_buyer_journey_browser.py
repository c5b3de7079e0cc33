"""A retail buyer's journey on the demo catalogue, in a real browser.

``buyer@demo.test`` (a verified shop) quick-orders 60 bags of Mae Jaem's medium roast
by SKU and pays the 50+ tier price by PromptPay slip; asks Mae Jaem for a quote on 500
bags; the owner quotes 504 (whole cases of 6); staff give the buyer net-30 terms; the buyer accepts the quote
paying on invoice and downloads the invoice; staff record the bank transfer. The
ledger checks out at the end and Mae Jaem's balance holds its share of both orders.

CSRF protection is on, as in production. Screenshots go to ``E2E_SCREENSHOT_DIR``
when it is set.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from shop.accounts.models import RetailBuyer, User
from shop.catalog import demo_data
from shop.catalog.demo import load_demo_catalogue
from shop.catalog.models import Variant
from shop.extensions import db
from shop.invoicing import services as invoicing
from shop.ledger import services as ledger
from shop.orders import status as st
from shop.orders.models import Order
from shop.quotes import services as quotes
from shop.quotes.models import QuoteRequest
from tests.e2e.test_order_journey_browser import new_page
from tests.e2e.test_seller_listing_browser import photo_png, shot

pytestmark = pytest.mark.e2e

SKU = "MJ-MED-250-WB"


@pytest.fixture
def demo(app, app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    load_demo_catalogue(photo_width=48)
    bag = db.session.scalar(select(Variant).where(Variant.sku == SKU))
    bag.stock = 1000  # enough for the quote on 500 bags as well
    buyer = db.session.scalar(select(User).where(User.email == "buyer@demo.test"))
    data = {
        "bag": bag.id, "enterprise": bag.enterprise_id, "slug": bag.product.slug,
        "business": db.session.scalar(select(RetailBuyer.id).where(RetailBuyer.user_id == buyer.id)),
        "tiers": sorted((t.min_quantity, t.unit_price_satang) for t in bag.wholesale_tiers),
    }
    assert buyer.retail_buyer.status == RetailBuyer.VERIFIED
    db.session.commit()
    db.session.rollback()  # release SQLite's lock for the server thread
    return data


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/account/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", demo_data.DEMO_PASSWORD)
    page.click("form.account-form button[type=submit]")
    page.wait_for_load_state()
    assert "/account/login" not in page.url


def fill_address(page) -> None:
    page.fill("#recipient_name", "คุณธนา พาณิชย์")
    page.fill("#phone", "081-234-5678")
    page.fill("#address_line", "88 ถนนนิมมานเหมินท์")
    page.fill("#subdistrict", "สุเทพ")
    page.fill("#district", "เมืองเชียงใหม่")
    page.select_option("#province_code", "50")
    page.fill("#postcode", "50200")


def baht(satang: int) -> str:
    return f"฿{satang // 100:,}"


def test_quick_order_quote_and_pay_on_invoice(app, live_server, browser, demo):
    base = live_server
    price_at_60 = [unit for minimum, unit in demo["tiers"] if minimum <= 60][-1]
    assert price_at_60 < 180_00  # the 50+ tier of a ฿180 bag

    # 1. The buyer finds the bag in the wholesale catalogue and quick-orders 60 by SKU.
    buyer = new_page(browser)
    sign_in(buyer, base, "buyer@demo.test")
    buyer.goto(f"{base}/wholesale/")
    assert SKU in buyer.content() or demo["slug"] in buyer.content()
    shot(buyer, "retail-01-wholesale")
    buyer.goto(f"{base}/cart/quick-order")
    buyer.fill("textarea[name=lines]", f"{SKU} 60")
    buyer.locator("form.quick-order-form button[type=submit]").click()
    buyer.wait_for_url("**/cart")
    cart = buyer.content()
    assert baht(60 * price_at_60) in cart  # 60 × ฿158 = ฿9,480
    shot(buyer, "retail-02-cart-at-tier-price")

    # ... checks out with PromptPay and sends the slip; staff confirm the payment.
    buyer.goto(f"{base}/checkout")
    fill_address(buyer)
    buyer.fill("input[name=po_number]", "PO-RDK-0412")
    buyer.check("input[name=payment_method][value=promptpay_qr]")
    buyer.get_by_role("button", name="ยืนยันการสั่งซื้อ").click()
    buyer.wait_for_url("**/orders/CM*")
    first_id = buyer.url.split("?")[0].rsplit("/", 1)[1]
    first = db.session.scalar(select(Order).where(Order.public_id == first_id))
    assert first.subtotal_satang == 60 * price_at_60 and first.po_number == "PO-RDK-0412"
    db.session.rollback()
    buyer.set_input_files("input[name=slip]", files=[
        {"name": "slip.png", "mimeType": "image/png", "buffer": photo_png()}])
    buyer.get_by_role("button", name="ส่งสลิป").click()
    buyer.wait_for_load_state()
    staff = new_page(browser)
    sign_in(staff, base, "admin@demo.test")
    staff.goto(f"{base}/admin/payments")
    staff.locator(f"li.slip-card:has-text('{first_id}')").get_by_role(
        "button", name="ได้รับเงินแล้ว: ยืนยันการชำระเงิน").click()
    staff.wait_for_load_state()
    assert db.session.scalar(select(Order.status).where(Order.public_id == first_id)) == st.ORDER_PAID
    db.session.rollback()

    # 2. The buyer asks Mae Jaem for a quote on 500 bags.
    buyer.goto(f"{base}/products/{demo['slug']}")
    buyer.click(f"a[href='/quotes/new?variant={demo['bag']}']")
    buyer.fill("#quantity", "500")
    buyer.fill("#target_unit_price", "140")
    buyer.fill("#delivery_date", (quotes.bangkok_today() + timedelta(days=21)).isoformat())
    buyer.fill("#message", "สำหรับร้านของฝากสองสาขา ขอใบกำกับภาษีด้วยครับ")
    shot(buyer, "retail-03-request-for-quote")
    buyer.click("form.account-form button[type=submit]")
    buyer.wait_for_load_state()
    request_id = db.session.scalar(select(QuoteRequest.id).where(QuoteRequest.quantity == 500))
    assert request_id is not None
    db.session.rollback()

    # 3. The owner of Mae Jaem quotes ฿145 a bag for 504 bags (whole cases), shipping
    # ฿400, valid a week.
    owner = new_page(browser)
    sign_in(owner, base, "maejaem@demo.test")
    owner.goto(f"{base}/seller/{demo['enterprise']}/quotes")
    assert "500" in owner.content()
    owner.goto(f"{base}/seller/{demo['enterprise']}/quotes/{request_id}")
    owner.fill("#unit_price", "145")
    owner.fill("#shipping", "400")
    owner.fill("#valid_until", (quotes.bangkok_today() + timedelta(days=7)).isoformat())
    owner.fill("#note", "คั่วใหม่ตามออร์เดอร์ ส่งภายใน 5 วัน")
    owner.click("form.quote-form button[type=submit]")
    owner.wait_for_load_state()
    # The bag ships in cases of 6: 500 is refused with the reason, 504 goes through.
    assert owner.locator(".form-error").count() >= 1
    assert db.session.scalar(select(QuoteRequest.status).where(QuoteRequest.id == request_id)) == "requested"
    db.session.rollback()
    owner.fill("#quantity", "504")
    shot(owner, "retail-04-owner-quotes")
    owner.click("form.quote-form button[type=submit]")
    owner.wait_for_load_state()
    assert db.session.scalar(select(QuoteRequest.status).where(QuoteRequest.id == request_id)) == "quoted"
    db.session.rollback()
    owner.context.close()

    # 4. Staff give the buyer net-30 terms with a ฿100,000 credit limit.
    staff.goto(f"{base}/admin/retail-buyers?status=verified")
    terms = staff.locator(f"form[action$='/retail-buyers/{demo['business']}/terms']")
    terms.locator("select[name=net_days]").select_option("30")
    terms.locator("input[name=credit_limit]").fill("100000")
    terms.locator("button[type=submit]").click()
    staff.wait_for_load_state()

    # 5. The buyer accepts the quote and pays on invoice.
    buyer.goto(f"{base}/account/quotes/{request_id}")
    body = buyer.content()
    assert "฿145" in body and "฿73,480" in body  # 504 × ฿145 + ฿400 shipping
    if buyer.locator("#saved_address").count():
        buyer.select_option("#saved_address", index=0)
    fill_address(buyer)
    buyer.check("input[name=payment_method][value=invoice]")
    buyer.fill("#po_number", "PO-RDK-0413")
    shot(buyer, "retail-05-accept-on-invoice")
    buyer.click(".quote-card--accept button[type=submit]")
    buyer.wait_for_url("**/orders/CM*")
    second_id = buyer.url.split("?")[0].rsplit("/", 1)[1]
    second = db.session.scalar(select(Order).where(Order.public_id == second_id))
    assert second.status == st.ORDER_INVOICED and second.total_satang == 73_480_00
    assert [(line.quantity, line.unit_price_satang) for line in second.lines] == [(504, 145_00)]
    invoice = invoicing.invoice_of_order(second)
    number, invoice_id = invoice.number, invoice.id
    db.session.rollback()
    shot(buyer, "retail-06-order-on-invoice")

    # ... and downloads the invoice (PDF) from the order page.
    link = buyer.get_by_role("link", name=re.compile(re.escape(number)))
    pdf = buyer.request.get(base + link.first.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.body())).pages)
    assert number in text and "PO-RDK-0413" in text and "73,480.00" in text

    # 6. Staff find the invoice in the receivables and record the bank transfer.
    staff.goto(f"{base}/admin/receivables")
    assert number in staff.content()
    shot(staff, "retail-07-receivables")
    staff.goto(f"{base}/admin/invoices/{invoice_id}")
    staff.fill("#t-amount", "73480")
    staff.fill("#t-reference", "KBANK-778812")
    staff.get_by_role("button", name="บันทึกการโอน").click()
    staff.wait_for_load_state()
    shot(staff, "retail-08-invoice-paid")
    staff.context.close()
    buyer.context.close()

    db.session.expire_all()
    assert db.session.scalar(select(Order.status).where(Order.public_id == second_id)) == st.ORDER_PAID
    assert ledger.reconcile() == []
    result = app.test_cli_runner().invoke(args=["ledger", "check"])
    assert result.exit_code == 0, result.output
    # Mae Jaem's balance holds its share of both orders once the invoice is paid.
    assert ledger.balance(demo["enterprise"]) > 0
    db.session.rollback()
