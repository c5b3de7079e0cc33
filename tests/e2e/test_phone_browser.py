"""A buyer on a phone (390×844 in Chromium): the header stays compact, a product
page shows its title, price and "add to cart" button in the first screen, and a
sticky buy bar follows once the buy form has scrolled away (docs/frontend.md)."""

from __future__ import annotations

import os

import pytest

from shop.extensions import db
from tests.factories import (
    CategoryFactory,
    EnterpriseFactory,
    ProductFactory,
    VariantFactory,
    add_product_photo,
)

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
HEADER_MAX_PX = 110


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="th-TH", device_scale_factor=1, is_mobile=True,
                                  has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def product(app):
    enterprise = EnterpriseFactory(
        slug="ban-mae-jaem-coffee", name_th="วิสาหกิจชุมชนกาแฟคั่วโอ่งบ้านแม่แจ่ม",
        name_en="Ban Mae Jaem Jar-Roasted Coffee Group", province_code="50",
    )
    category = CategoryFactory(slug="coffee-tea", name_th="กาแฟและชา", name_en="Coffee & tea")
    product = ProductFactory(
        enterprise=enterprise, category=category, slug="jar-roasted-coffee-dark",
        name_th="กาแฟคั่วโอ่ง คั่วเข้ม จากป่าต้นน้ำแม่แจ่ม", name_en="Jar-roasted coffee, dark roast",
        summary_th="เมล็ดอาราบิกาปลูกใต้ร่มไม้ คั่วในโอ่งดินเผาทีละน้อย หอมกลิ่นช็อกโกแลตและคาราเมล",
        description_th="\n\n".join(["กาแฟปลูกใต้ร่มป่า เก็บมือทีละเมล็ด ตากบนแคร่ไม้ไผ่ แล้วคั่วในโอ่งดินเผา"] * 12),
        min_price_satang=18000,
    )
    VariantFactory(product=product, name_th="250 กรัม", name_en="250 g", price_satang=18000, stock=12)
    VariantFactory(product=product, name_th="500 กรัม", name_en="500 g", price_satang=34000, stock=5)
    VariantFactory(product=product, name_th="1 กิโลกรัม", name_en="1 kg", price_satang=65000, stock=3)
    for position in range(4):
        add_product_photo(product, position=position)
    slug = product.slug
    db.session.commit()
    # End the test thread's transaction: on SQLite it would hold the lock the server needs.
    db.session.rollback()
    return slug


def _shot(page, name: str, full_page: bool = False) -> None:
    folder = os.environ.get("E2E_SCREENSHOT_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=full_page)


def _box(locator) -> dict:
    box = locator.bounding_box()
    assert box is not None, "the element is not rendered"
    return box


def test_phone_product_page_shows_price_and_buy_button_in_the_first_screen(live_server, phone, product):
    phone.goto(f"{live_server}/products/{product}")
    header = _box(phone.locator(".site-header"))
    title = _box(phone.locator("h1.product-title"))
    price = _box(phone.locator(".product-info .price--large"))
    button = _box(phone.locator("form.add-to-cart button[type=submit]"))
    print(f"\nheader {header['height']:.0f} px; title top {title['y']:.0f}; price bottom "
          f"{price['y'] + price['height']:.0f}; add-to-cart bottom {button['y'] + button['height']:.0f}")
    _shot(phone, "phone-product-top")
    assert header["height"] <= HEADER_MAX_PX
    for name, box in (("title", title), ("price", price), ("add to cart", button)):
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], f"{name} is below the first screen"

    # The search box is one tap away.
    search = phone.locator("#site-search-q")
    assert not search.is_visible()
    phone.locator(".header-search-toggle").click()
    assert search.is_visible()
    assert phone.evaluate("document.activeElement && document.activeElement.id") == "site-search-q"
    phone.locator(".header-search-toggle").click()
    assert not search.is_visible()

    # The buy bar is hidden while the buy form shows, and appears once it has scrolled away.
    bar = phone.locator(".buy-bar")
    assert not bar.is_visible()
    phone.locator("#maker-title").scroll_into_view_if_needed()
    bar.wait_for(state="visible")
    bar_box = _box(bar)
    assert bar_box["y"] + bar_box["height"] <= PHONE["height"] + 1
    assert "฿180" in bar.inner_text()
    _shot(phone, "phone-product-scrolled")
    # The page leaves room under the last content for the bar.
    phone.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    footer_last = _box(phone.locator(".footer-bottom"))
    bar_box = _box(bar)
    assert footer_last["y"] + footer_last["height"] <= bar_box["y"] + 1

    bar.get_by_role("button").click()
    phone.wait_for_url("**/cart**")
    assert "250 กรัม" in phone.locator("main").inner_text()


def test_phone_header_is_compact_and_the_menu_opens(live_server, phone, product):
    phone.goto(f"{live_server}/")
    header = _box(phone.locator(".site-header"))
    print(f"\nhome header {header['height']:.0f} px")
    _shot(phone, "phone-home")
    assert header["height"] <= HEADER_MAX_PX
    sign_in = phone.locator(".account-menu").get_by_role("link", name="เข้าสู่ระบบ")
    assert not sign_in.is_visible()
    phone.locator(".header-menu-toggle").click()
    assert sign_in.is_visible()
    assert phone.locator(".header-menu-toggle").get_attribute("aria-expanded") == "true"
    # Every main-nav link is reachable (a horizontal scroller, never clipped away).
    nav = phone.locator(".main-nav ul")
    assert phone.evaluate("el => el.scrollWidth >= el.clientWidth", nav.element_handle())
    last = phone.locator(".main-nav li").last
    last.scroll_into_view_if_needed()
    assert last.is_visible()


def test_desktop_header_keeps_search_and_account_links_visible(live_server, page, product):
    page.goto(f"{live_server}/products/{product}")
    assert page.locator("#site-search-q").is_visible()
    assert page.locator(".account-menu").get_by_role("link", name="เข้าสู่ระบบ").is_visible()
    assert not page.locator(".header-search-toggle").is_visible()
    assert not page.locator(".header-menu-toggle").is_visible()
    assert page.locator("form.add-to-cart button[type=submit]").is_visible()
    _shot(page, "desktop-product")


def test_without_javascript_the_icons_still_open_search_and_menu(live_server, browser, product):
    context = browser.new_context(viewport=PHONE, locale="th-TH", java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/products/{product}")
        assert _box(page.locator(".site-header"))["height"] <= HEADER_MAX_PX
        search = page.locator("#site-search-q")
        assert not search.is_visible()
        page.locator(".header-search-toggle").click()
        assert search.is_visible()  # :target opens it
        page.locator(".header-menu-toggle").click()
        assert page.locator(".account-menu").get_by_role("link", name="เข้าสู่ระบบ").is_visible()
        # No script, no buy bar: the form itself is the way to buy.
        page.locator("#maker-title").scroll_into_view_if_needed()
        assert not page.locator(".buy-bar").is_visible()
        page.locator("form.add-to-cart button[type=submit]").click()
        page.wait_for_url("**/cart**")
    finally:
        context.close()


def test_the_search_results_page_keeps_its_query_in_sight(live_server, phone, product):
    phone.goto(f"{live_server}/search?q=กาแฟ")
    search = phone.locator("#site-search-q")
    assert search.is_visible() and search.input_value() == "กาแฟ"
    assert phone.locator(".header-search-toggle").get_attribute("aria-expanded") == "true"
    phone.locator(".header-search-toggle").click()
    assert not search.is_visible()
