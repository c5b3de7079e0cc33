"""Quick order in a real browser: a verified buyer's list with refused lines shows
each line's problem (in Thai), keeps the text, and one click on the suggested
quantities fills the cart."""

from __future__ import annotations

from shop.accounts.models import RetailBuyer
from tests.e2e.test_seller_listing_browser import shot, sign_in
from tests.factories import RetailBuyerFactory
from tests.functional.test_quick_order import Shelf


def test_a_buyer_corrects_a_quick_order_with_the_suggested_quantities(app, live_server, page):
    Shelf()
    RetailBuyerFactory(status=RetailBuyer.VERIFIED, user__email="cafe@example.test")
    base = live_server
    sign_in(page, base, "cafe@example.test")
    page.click("text=สั่งด่วน")  # the account menu
    assert page.url.endswith("/cart/quick-order")
    typed = "MJ-MED-250-WB ๔\nNOPE-9 1\nDUP-1 2\nPT-LIME-500 31"
    page.fill("textarea[name=lines]", typed)
    page.click("form.quick-order-form button[type=submit]")
    page.wait_for_load_state()
    problems = page.locator(".quick-order-problems li")
    assert problems.count() == 4
    text = page.locator(".quick-order-errors").inner_text()
    assert "บรรทัด 1" in text and "NOPE-9" in text and "mae-jaem/DUP-1" in text
    assert page.input_value("textarea[name=lines]") == typed
    shot(page, "quick-order-errors")

    page.fill("textarea[name=lines]", "MJ-MED-250-WB 4\nPT-LIME-500 13")
    page.click("form.quick-order-form button[type=submit]")
    page.wait_for_load_state()
    page.click("form.quick-order-fix button")
    page.wait_for_load_state()
    assert page.url.endswith("/cart")
    assert "เพิ่มสินค้า 2 รายการลงตะกร้าแล้ว (รวม 18 ชิ้น)" in page.inner_text(".flashes")
    shot(page, "quick-order-cart")
