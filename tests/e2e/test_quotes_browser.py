"""A request for quote in a real browser: the buyer asks from the product page, the
enterprise fills in the quote form, the buyer accepts on the request's page and lands
on the order placed at the quoted price. ``E2E_SCREENSHOT_DIR`` keeps screenshots of
the quote form and the accept page."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from shop.extensions import db
from shop.orders.models import OrderLine
from shop.quotes import services as svc
from shop.quotes.models import QuoteRequest
from tests.e2e.test_seller_listing_browser import shot, sign_in
from tests.functional.test_quotes import Shop


def test_ask_quote_and_accept_in_the_browser(live_server, browser, app):
    shop = Shop()
    base, bag_id, enterprise_id, slug = live_server, shop.bag.id, shop.enterprise.id, shop.bag.product.slug
    db.session.remove()

    buyer = browser.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH").new_page()
    sign_in(buyer, base, "cafe@example.test")
    buyer.goto(f"{base}/products/{slug}")
    buyer.click(f"a[href='/quotes/new?variant={bag_id}']")
    buyer.fill("#quantity", "120")
    buyer.fill("#target_unit_price", "140")
    buyer.fill("#delivery_date", (svc.bangkok_today() + timedelta(days=20)).isoformat())
    buyer.fill("#message", "สำหรับร้านกาแฟสามสาขา สั่งทุกเดือน")
    buyer.click("form.account-form button[type=submit]")
    buyer.wait_for_load_state()
    request_id = db.session.scalars(select(QuoteRequest.id)).one()
    db.session.remove()

    seller = browser.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH").new_page()
    sign_in(seller, base, "owner@example.test")
    seller.goto(f"{base}/seller/{enterprise_id}/quotes/{request_id}")
    seller.fill("#unit_price", "142.50")
    seller.fill("#shipping", "300")
    seller.fill("#valid_until", (svc.bangkok_today() + timedelta(days=7)).isoformat())
    seller.fill("#note", "คั่วใหม่ตามออร์เดอร์ ส่งภายใน 5 วัน")
    shot(seller, "quote-seller-form")
    seller.click("form.quote-form button[type=submit]")
    seller.wait_for_load_state()

    buyer.goto(f"{base}/account/quotes/{request_id}")
    buyer.fill("#recipient_name", "สมหญิง ใจดี")
    buyer.fill("#phone", "081-234-5678")
    buyer.fill("#address_line", "99/1 ซอยสุขุมวิท 63")
    buyer.fill("#subdistrict", "คลองตันเหนือ")
    buyer.fill("#district", "วัฒนา")
    buyer.select_option("#province_code", "10")
    buyer.fill("#postcode", "10110")
    shot(buyer, "quote-buyer-accept")
    buyer.click(".quote-card--accept button[type=submit]")
    buyer.wait_for_load_state()
    assert "/orders/" in buyer.url
    line = db.session.scalars(select(OrderLine)).one()
    assert (line.unit_price_satang, line.quantity) == (14250, 120)
