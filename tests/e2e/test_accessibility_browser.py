"""axe-core on the pages a shopper and a seller use most, at phone and desktop width:
no ``serious`` or ``critical`` violation is allowed (docs/frontend.md).

axe-core is vendored in ``tests/e2e/vendor/`` (see its README: the version and where
it came from); it is injected into each page, never loaded from the network. The
context bypasses the page's Content-Security-Policy only so that the test's own
script may run; the pages are served with their usual headers.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from shop.extensions import db
from tests.factories import (
    TEST_PASSWORD,
    CategoryFactory,
    MemberFactory,
    ProductFactory,
    VariantFactory,
    WholesaleTierFactory,
    add_product_photo,
)

pytestmark = pytest.mark.e2e

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture
def shop(app):
    category = CategoryFactory(slug="coffee-tea", name_th="กาแฟและชา", name_en="Coffee & tea")
    owner = MemberFactory(enterprise__slug="ban-mae-jaem", enterprise__name_th="กาแฟบ้านแม่แจ่ม",
                          enterprise__name_en="Ban Mae Jaem Coffee", user__email="owner@example.test")
    product = ProductFactory(
        enterprise=owner.enterprise, category=category, slug="jar-roasted-coffee",
        name_th="กาแฟคั่วโอ่ง", name_en="Jar-roasted coffee", summary_th="คั่วในโอ่งดินเผา",
        min_price_satang=18000,
    )
    small = VariantFactory(product=product, name_th="250 กรัม", price_satang=18000, stock=12)
    VariantFactory(product=product, name_th="500 กรัม", price_satang=34000, stock=0)
    WholesaleTierFactory(variant=small, min_quantity=50, unit_price_satang=15000)
    add_product_photo(product)
    seeded = {"slug": product.slug, "product_id": product.id, "enterprise_id": owner.enterprise_id}
    db.session.commit()
    # End the test thread's transaction: on SQLite it would hold the lock the server needs.
    db.session.rollback()
    return seeded


def _audit(page, name: str, found: dict) -> None:
    page.wait_for_load_state()
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING]
    print(f"{name}: " + (", ".join(f"{v['id']} ({v['impact']})" for v in results["violations"]) or "no violations"))
    if blocking:
        found[name] = [
            {"rule": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [{"target": n["target"], "summary": n.get("failureSummary", "")[:300]} for n in v["nodes"][:5]]}
            for v in blocking
        ]
    folder = os.environ.get("E2E_SCREENSHOT_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"a11y-{name}.png"), full_page=True)


def test_the_audit_reports_a_serious_violation(browser):
    """The check itself works: a page with an unlabelled field and an image without
    alternative text is reported."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    try:
        page.set_content('<html lang="th"><title>t</title><main><img src="data:,"><input type="text"></main></html>')
        found: dict = {}
        _audit(page, "broken", found)
    finally:
        context.close()
    assert {v["rule"] for v in found["broken"]} >= {"image-alt", "label"}


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_shop_and_seller_pages_have_no_serious_accessibility_violations(live_server, browser, shop, viewport):
    base, found = live_server, {}
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="th-TH", bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(f"{base}/")
        _audit(page, f"{viewport}-home", found)
        page.goto(f"{base}/categories/coffee-tea")
        _audit(page, f"{viewport}-category", found)
        page.goto(f"{base}/products/{shop['slug']}")
        _audit(page, f"{viewport}-product", found)
        if viewport == "phone":
            # The phone header's menu open, and the buy bar showing.
            page.locator(".header-menu-toggle").click()
            page.locator("#maker-title").scroll_into_view_if_needed()
            page.locator(".buy-bar").wait_for(state="visible")
            _audit(page, "phone-product-menu-and-buy-bar", found)
        page.goto(f"{base}/search?q=กาแฟ")
        _audit(page, f"{viewport}-search", found)

        page.goto(f"{base}/products/{shop['slug']}")
        page.locator("form.add-to-cart button[type=submit]").click()
        page.wait_for_url("**/cart**")
        _audit(page, f"{viewport}-cart", found)

        page.goto(f"{base}/checkout")
        _audit(page, f"{viewport}-checkout", found)
        page.fill("input[name=email]", "guest@example.test")
        page.fill("input[name=recipient_name]", "สมหญิง ใจดี")
        page.fill("input[name=phone]", "0812345678")
        page.fill("input[name=address_line]", "99/1 ถนนพระราม 1")
        page.fill("input[name=subdistrict]", "ปทุมวัน")
        page.fill("input[name=district]", "ปทุมวัน")
        page.select_option("select[name=province_code]", "10")
        page.fill("input[name=postcode]", "10330")
        page.get_by_role("button", name="ยืนยันการสั่งซื้อ").click()
        page.wait_for_url("**/orders/CM*")
        _audit(page, f"{viewport}-order", found)

        page.goto(f"{base}/account/login")
        page.fill("input[name=email]", "owner@example.test")
        page.fill("input[name=password]", TEST_PASSWORD)
        page.click("form.account-form button[type=submit]")
        page.wait_for_load_state()
        assert "/account/login" not in page.url
        page.goto(f"{base}/seller/{shop['enterprise_id']}/")
        _audit(page, f"{viewport}-seller-dashboard", found)
        page.goto(f"{base}/seller/{shop['enterprise_id']}/listings/{shop['product_id']}/edit")
        _audit(page, f"{viewport}-listing-edit", found)
    finally:
        context.close()
    assert not found, "serious or critical accessibility violations:\n" + json.dumps(found, ensure_ascii=False,
                                                                                      indent=2)
