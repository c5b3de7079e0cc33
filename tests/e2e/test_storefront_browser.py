"""A visitor's first walk through the shop in a real browser: the Thai home page,
switching to English, finding a product and opening its enterprise's page."""

from __future__ import annotations

import os

import pytest

from tests.factories import CategoryFactory, EnterpriseFactory, ProductFactory, VariantFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def catalogue(app):
    enterprise = EnterpriseFactory(
        slug="ban-mae-jaem-coffee", name_th="วิสาหกิจชุมชนกาแฟคั่วโอ่งบ้านแม่แจ่ม",
        name_en="Ban Mae Jaem Jar-Roasted Coffee Group", village="บ้านแม่แจ่ม", province_code="50",
        story_en="Coffee grown under the forest canopy and roasted in clay jars.",
    )
    coffee = CategoryFactory(slug="coffee-tea", name_th="กาแฟและชา", name_en="Coffee & tea")
    product = ProductFactory(
        enterprise=enterprise, category=coffee, slug="jar-roasted-coffee-dark",
        name_th="กาแฟคั่วโอ่ง คั่วเข้ม", name_en="Jar-roasted coffee, dark roast", min_price_satang=18000,
    )
    VariantFactory(product=product, name_th="250 กรัม", name_en="250 g", price_satang=18000, stock=12)
    return enterprise, product


def _shot(page, name: str) -> None:
    folder = os.environ.get("E2E_SCREENSHOT_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_visitor_switches_to_english_finds_a_product_and_its_enterprise(live_server, page, catalogue):
    page.goto(f"{live_server}/")
    assert page.locator("html").get_attribute("lang") == "th"
    assert page.get_by_role("link", name="กาแฟคั่วโอ่ง คั่วเข้ม").first.is_visible()
    # The Thai webfont is served by the app and used: this machine has no Thai font of its own.
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check('16px Sarabun', 'กาแฟคั่วโอ่ง')")
    _shot(page, "storefront-home-th")

    page.get_by_role("link", name="English").first.click()
    page.wait_for_url("**lang=en**")
    assert page.locator("html").get_attribute("lang") == "en"

    page.get_by_role("link", name="Jar-roasted coffee, dark roast").first.click()
    page.wait_for_url("**/products/jar-roasted-coffee-dark")
    assert page.locator("h1").inner_text().strip() == "Jar-roasted coffee, dark roast"
    assert "฿180" in page.locator("main").inner_text()
    _shot(page, "storefront-product-en")

    page.locator("main").get_by_role("link", name="Ban Mae Jaem Jar-Roasted Coffee Group").first.click()
    page.wait_for_url("**/enterprises/ban-mae-jaem-coffee")
    assert page.locator("h1").inner_text().strip() == "Ban Mae Jaem Jar-Roasted Coffee Group"
    assert "clay jars" in page.locator("main").inner_text()

    # The choice of English is remembered without ?lang= in the address.
    page.goto(f"{live_server}/")
    assert page.locator("html").get_attribute("lang") == "en"
