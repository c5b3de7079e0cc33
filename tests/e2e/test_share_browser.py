"""Sharing a product from a real browser: the LINE and Facebook links, and the copy-link
button that the shop's own script shows, under the site's Content-Security-Policy."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import ProductFactory, VariantFactory, add_product_photo

pytestmark = pytest.mark.e2e


@pytest.fixture
def product(app):
    product = ProductFactory(slug="jar-coffee", name_th="กาแฟคั่วโอ่ง", name_en="Jar-roasted coffee")
    add_product_photo(product)
    VariantFactory(product=product, price_satang=18000)
    return product


def test_share_links_and_copy_link_on_a_product_page(live_server, browser, product):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="th-TH",
                                  permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    problems = []
    # The photo row has no file behind it (a 404 the test ignores); a script the
    # Content-Security-Policy refused, or one that failed, would show here.
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" and "404" not in message.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        page.goto(f"{live_server}/products/jar-coffee?lang=th")

        line = page.get_by_role("link", name="แชร์ กาแฟคั่วโอ่ง ทาง LINE")
        facebook = page.get_by_role("link", name="แชร์ กาแฟคั่วโอ่ง ทาง Facebook")
        assert line.is_visible() and facebook.is_visible()
        canonical = "http://localhost/products/jar-coffee?lang=th"
        assert parse_qs(urlsplit(line.get_attribute("href")).query) == {"url": [canonical]}
        assert facebook.get_attribute("target") == "_blank"

        copy = page.get_by_role("button", name="คัดลอกลิงก์")
        copy.click()
        page.get_by_role("status").filter(has_text="คัดลอกลิงก์แล้ว").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == canonical
        assert problems == []
    finally:
        context.close()
