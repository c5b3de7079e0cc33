"""A real browser, phone-sized (390 × 844): an enterprise owner signs in, creates a
product with two variants, adds a photo, previews and submits it; a staff member
approves it in the back office; a shopper finds it on the storefront.

Uses the ``live_server``, ``browser`` and ``page`` fixtures of ``tests/e2e/conftest.py``,
with CSRF checks on as in production. Screenshots of each step go to
``E2E_SCREENSHOT_DIR`` when it is set.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from shop.extensions import db
from tests.factories import TEST_PASSWORD, CategoryFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def csrf_on(app_config):
    """Requested before ``live_server`` so the app is built with CSRF protection on."""
    app_config["WTF_CSRF_ENABLED"] = True


@pytest.fixture
def seeded(app):
    category = CategoryFactory(slug="coffee", name_th="กาแฟ", name_en="Coffee", is_food=True)
    owner = MemberFactory(enterprise__slug="ban-mae-jaem", enterprise__name_th="กาแฟบ้านแม่แจ่ม",
                          enterprise__name_en="Ban Mae Jaem Coffee", user__email="owner@example.test")
    staff = UserFactory(email="staff@example.test", is_staff=True)
    seeded = {"category_id": category.id, "enterprise_id": owner.enterprise_id, "owner": owner.user.email,
              "staff": staff.email}
    # Reading those attributes began a transaction; on SQLite it would hold the write
    # lock the server's requests need. End it before the browser starts.
    db.session.rollback()
    return seeded


def phone_page(browser):
    context = browser.new_context(viewport=PHONE, locale="th-TH")
    context.set_default_timeout(15_000)
    return context.new_page()


def shot(page, name: str) -> None:
    folder = os.environ.get("E2E_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/account/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form.account-form button[type=submit]")
    page.wait_for_load_state()
    assert "/account/login" not in page.url


def photo_png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (900, 700), (214, 178, 142))
    ImageDraw.Draw(image).ellipse((250, 150, 650, 550), fill=(111, 68, 42))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_owner_lists_a_product_staff_approve_it_and_it_is_on_sale(csrf_on, live_server, seeded, browser, page):
    base, enterprise_id = live_server, seeded["enterprise_id"]

    # The owner creates the product from the listings page, on a phone.
    page.set_viewport_size(PHONE)
    sign_in(page, base, seeded["owner"])
    page.goto(f"{base}/seller/{enterprise_id}/listings")
    shot(page, "01-listings-empty")
    page.click("a.lst-new")
    page.fill("#name_th", "กาแฟคั่วโอ่ง บ้านแม่แจ่ม")
    page.fill("#name_en", "Jar-roasted coffee")
    page.select_option("#category_id", str(seeded["category_id"]))
    page.fill("#tags", "กาแฟ, coffee")
    page.fill("#variants-0-name_th", "250 กรัม")
    page.fill("#variants-0-sku", "MJ-250")
    page.fill("#variants-0-price", "120")
    page.fill("#variants-0-stock", "30")
    page.click("input[name=add_variant]")  # a second, empty row; nothing saved yet
    page.fill("#variants-1-name_th", "500 กรัม")
    page.fill("#variants-1-sku", "MJ-500")
    page.fill("#variants-1-price", "220")
    page.fill("#variants-1-stock", "12")
    page.fill("#certifications-0-number", "10-1-23456-5-0001")
    page.select_option("#certifications-0-kind", "fda")
    shot(page, "02-product-form")
    page.click("input#save")
    page.wait_for_url("**/photos")

    # A photo, through the upload form.
    page.set_input_files("input[name=photos]", files=[
        {"name": "coffee.png", "mimeType": "image/png", "buffer": photo_png()}])
    page.click("input#upload")
    page.wait_for_load_state()
    assert page.locator(".lst-photos img").count() == 1
    shot(page, "03-photos")

    # Preview, then submit for review.
    page.click(".lst-tabs--product a[href$='/preview']")
    assert page.locator(".lst-preview-banner").is_visible()
    assert page.locator("h1.product-title").inner_text() == "กาแฟคั่วโอ่ง บ้านแม่แจ่ม"
    assert page.locator("table.variants tbody tr").count() == 2
    shot(page, "04-preview")
    page.click("form:has(input[name=to_status][value=pending_review]) button")
    page.wait_for_load_state()
    assert page.locator(".lst-status--pending_review").first.is_visible()

    # Staff approve it in the back office.
    staff = phone_page(browser)
    sign_in(staff, base, seeded["staff"])
    staff.goto(f"{base}/admin/listings?status=pending_review")
    shot(staff, "05-review-queue")
    staff.click("a.lst-review-item")
    shot(staff, "06-review")
    staff.click("button[name=decision][value=approve]")
    staff.wait_for_load_state()
    assert "/admin/listings" in staff.url
    staff.context.close()

    # Any shopper now sees it on the storefront.
    shopper = phone_page(browser)
    shopper.goto(f"{base}/products/jar-roasted-coffee")
    assert shopper.locator("h1.product-title").inner_text() == "กาแฟคั่วโอ่ง บ้านแม่แจ่ม"
    assert "฿120" in shopper.locator(".price--large").inner_text()
    assert shopper.locator(".gallery-main img").count() == 1
    shot(shopper, "07-storefront")
    shopper.context.close()

    # And the owner's dashboard shows it live.
    owner = phone_page(browser)
    sign_in(owner, base, seeded["owner"])
    owner.goto(f"{base}/seller/{enterprise_id}/listings?status=live")
    assert owner.locator(".lst-item").count() == 1
    owner.context.close()
