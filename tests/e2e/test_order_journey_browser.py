"""A real browser through the whole order journey (issue 5): a shopper buys coffee from
one enterprise and rice from another, pays the one order by PromptPay QR and uploads
the transfer slip; staff confirm the payment; each owner accepts, packs and ships their
part; the shopper sees both shipments with their tracking numbers.

CSRF protection is on, as in production. Screenshots of each step go to
``E2E_SCREENSHOT_DIR`` when it is set.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.orders.models import Fulfilment, Order
from tests.e2e.test_seller_listing_browser import photo_png, shot, sign_in
from tests.factories import CategoryFactory, MemberFactory, ProductFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def csrf_on(app_config):
    app_config["WTF_CSRF_ENABLED"] = True


@pytest.fixture
def shop_with_two_villages(app):
    coffee_owner = MemberFactory(
        enterprise__slug="ban-mae-jaem", enterprise__name_th="กาแฟบ้านแม่แจ่ม", enterprise__name_en="Ban Mae Jaem Coffee",
        user__email="coffee@example.test")
    rice_owner = MemberFactory(
        enterprise__slug="ban-nong-khao", enterprise__name_th="ข้าวกล้องบ้านหนองข้าว",
        enterprise__name_en="Ban Nong Khao Brown Rice", user__email="rice@example.test")
    coffee = ProductFactory(enterprise=coffee_owner.enterprise, slug="jar-roasted-coffee",
                            name_th="กาแฟคั่วโอ่ง", name_en="Jar-roasted coffee",
                            category=CategoryFactory(slug="coffee", name_th="กาแฟ", name_en="Coffee"))
    rice = ProductFactory(enterprise=rice_owner.enterprise, slug="hom-mali-brown-rice",
                          name_th="ข้าวกล้องหอมมะลิ", name_en="Hom Mali brown rice",
                          category=CategoryFactory(slug="rice", name_th="ข้าว", name_en="Rice"))
    coffee_variant = VariantFactory(product=coffee, name_th="250 กรัม", name_en="250 g", price_satang=18000,
                                    stock=10, weight_grams=250)
    rice_variant = VariantFactory(product=rice, name_th="1 กิโลกรัม", name_en="1 kg", price_satang=9500,
                                  stock=50, weight_grams=1000)
    coffee.refresh_min_price()
    rice.refresh_min_price()
    UserFactory(email="shopper@example.test", display_name="สมหญิง")
    UserFactory(email="staff@example.test", is_staff=True)
    seeded = {
        "coffee_enterprise": coffee_owner.enterprise_id, "rice_enterprise": rice_owner.enterprise_id,
        "coffee_variant": coffee_variant.id, "rice_variant": rice_variant.id,
    }
    db.session.commit()
    # End the test thread's transaction: on SQLite it would hold the lock the server needs.
    db.session.rollback()
    return seeded


def new_page(browser, *, phone: bool = False):
    viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(viewport=viewport, locale="th-TH")
    context.set_default_timeout(15_000)
    return context.new_page()


def ship_part(browser, base: str, owner_email: str, enterprise_id: int, fulfilment_id: int, tracking: str,
              name: str) -> None:
    page = new_page(browser, phone=True)
    sign_in(page, base, owner_email)
    page.goto(f"{base}/seller/{enterprise_id}/orders")
    shot(page, f"{name}-1-orders")
    page.goto(f"{base}/seller/{enterprise_id}/orders/{fulfilment_id}")
    page.get_by_role("button", name="รับคำสั่งซื้อ").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="แพ็กเสร็จแล้ว").click()
    page.wait_for_load_state()
    page.select_option("select[name=carrier]", "thailand_post")
    page.fill("input[name=tracking_number]", tracking)
    shot(page, f"{name}-2-ship-form")
    page.get_by_role("button", name="บันทึกการจัดส่ง").click()
    page.wait_for_load_state()
    assert tracking in page.content()
    shot(page, f"{name}-3-shipped")
    page.context.close()


def test_shopper_buys_from_two_villages_pays_by_promptpay_and_sees_both_shipments(
        csrf_on, live_server, shop_with_two_villages, browser):
    base, seeded = live_server, shop_with_two_villages

    # The shopper fills a cart from two enterprises, on a phone.
    shopper = new_page(browser, phone=True)
    sign_in(shopper, base, "shopper@example.test")
    shopper.goto(f"{base}/products/jar-roasted-coffee")
    shopper.fill("input[name=quantity]", "2")
    shopper.get_by_role("button", name="ใส่ตะกร้า", exact=True).click()
    shopper.wait_for_load_state()
    shopper.goto(f"{base}/products/hom-mali-brown-rice")
    shopper.get_by_role("button", name="ใส่ตะกร้า", exact=True).click()
    shopper.wait_for_load_state()
    shopper.goto(f"{base}/cart")
    assert "กาแฟคั่วโอ่ง" in shopper.content() and "ข้าวกล้องหอมมะลิ" in shopper.content()
    shot(shopper, "01-cart")

    # Checkout: a Thai address, a shipping choice per enterprise, PromptPay QR.
    shopper.goto(f"{base}/checkout")
    shopper.fill("input[name=recipient_name]", "สมหญิง ใจดี")
    shopper.fill("input[name=phone]", "0812345678")
    shopper.fill("input[name=address_line]", "99/1 ถนนพระราม 1")
    shopper.fill("input[name=subdistrict]", "ปทุมวัน")
    shopper.fill("input[name=district]", "ปทุมวัน")
    shopper.select_option("select[name=province_code]", "10")
    shopper.fill("input[name=postcode]", "10330")
    shot(shopper, "02-checkout")
    shopper.get_by_role("button", name="ยืนยันการสั่งซื้อ").click()
    shopper.wait_for_url("**/orders/CM*")
    order_url = shopper.url.split("?")[0]
    assert shopper.locator("svg").first.is_visible()  # the PromptPay QR
    shot(shopper, "03-order-awaiting-payment")

    public_id = order_url.rsplit("/", 1)[1]
    order = db.session.scalar(select(Order).where(Order.public_id == public_id))
    assert order.total_satang == 2 * 18000 + 9500 + order.shipping_satang
    parts = {f.enterprise_id: f.id for f in db.session.scalars(select(Fulfilment).where(Fulfilment.order_id == order.id))}
    db.session.rollback()
    assert set(parts) == {seeded["coffee_enterprise"], seeded["rice_enterprise"]}

    # The shopper pays by scanning the QR, then uploads the bank's slip.
    shopper.set_input_files("input[name=slip]", files=[
        {"name": "slip.png", "mimeType": "image/png", "buffer": photo_png()}])
    shopper.get_by_role("button", name="ส่งสลิป").click()
    shopper.wait_for_load_state()
    shot(shopper, "04-slip-sent")

    # Staff see the slip and confirm the money arrived.
    staff = new_page(browser)
    sign_in(staff, base, "staff@example.test")
    staff.goto(f"{base}/admin/payments")
    assert public_id in staff.content()
    shot(staff, "05-slip-review")
    staff.get_by_role("button", name="ได้รับเงินแล้ว: ยืนยันการชำระเงิน").click()
    staff.wait_for_load_state()
    staff.context.close()

    # Each owner accepts, packs and ships their own part.
    ship_part(browser, base, "coffee@example.test", seeded["coffee_enterprise"], parts[seeded["coffee_enterprise"]],
              "EB111111111TH", "06-coffee")
    ship_part(browser, base, "rice@example.test", seeded["rice_enterprise"], parts[seeded["rice_enterprise"]],
              "EB222222222TH", "07-rice")

    # The shopper sees both shipments on the order page.
    shopper.goto(order_url)
    body = shopper.content()
    assert "EB111111111TH" in body and "EB222222222TH" in body
    assert body.count("จัดส่งแล้ว") >= 2
    shot(shopper, "08-both-shipped")
    shopper.context.close()

    db.session.rollback()
    order = db.session.scalar(select(Order).where(Order.public_id == public_id))
    assert order.status == "paid"
    assert sorted(f.status for f in order.fulfilments) == ["shipped", "shipped"]
    db.session.rollback()
