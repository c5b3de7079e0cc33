"""A real browser, phone-sized (390 × 844), through a personal API token's life: the
user signs in, creates a token in account settings, sees it once, calls the API with
it from a program (here Python's urllib), revokes it, and the next call gets 401.

CSRF protection is on, as in production. Screenshots (phone and desktop) go to
``E2E_SCREENSHOT_DIR`` when it is set.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from shop.extensions import db
from tests.e2e.test_order_journey_browser import new_page
from tests.e2e.test_seller_listing_browser import shot, sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

EMAIL = "malee@example.test"


@pytest.fixture
def csrf_on(app_config):
    """Requested before ``live_server`` so the app is built with CSRF protection on."""
    app_config["WTF_CSRF_ENABLED"] = True


@pytest.fixture
def member(app, csrf_on):
    UserFactory(email=EMAIL, display_name="มาลี")
    db.session.rollback()  # release SQLite's lock for the server thread


def call_me(base: str, secret: str) -> tuple[int, dict]:
    request = urllib.request.Request(f"{base}/api/v1/me", headers={
        "Authorization": f"Bearer {secret}", "Accept-Language": "en"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (our own test server)
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def create_token(page, name: str) -> str:
    page.fill("#name", name)
    page.get_by_role("button", name="สร้างโทเคน", exact=True).click()
    page.wait_for_load_state()
    secret = page.input_value("#token-secret")
    assert secret.startswith("cm_")
    return secret


def test_a_token_is_created_shown_once_used_and_revoked(app, live_server, browser, member):
    base = live_server
    page = new_page(browser, phone=True)
    sign_in(page, base, EMAIL)
    page.goto(f"{base}/account/")
    page.get_by_role("link", name="จัดการโทเคน API").click()
    page.wait_for_load_state()
    assert page.url.endswith("/account/tokens")
    assert "คุณยังไม่มีโทเคน API" in page.content()
    shot(page, "tokens-1-empty-phone")

    # A name that is too long is refused with the reason, and nothing is created.
    page.evaluate("document.getElementById('name').removeAttribute('maxlength')")
    page.fill("#name", "ก" * 81)
    page.get_by_role("button", name="สร้างโทเคน", exact=True).click()
    page.wait_for_load_state()
    assert "ใช้ได้ไม่เกิน 80 ตัวอักษร" in page.inner_text("#name-error")
    assert page.locator("#token-secret").count() == 0
    shot(page, "tokens-2-error-phone")

    secret = create_token(page, "สเปรดชีตสต็อก")
    text = page.inner_text("#new-token")
    assert "คัดลอกเก็บไว้ตอนนี้ เพราะจะไม่แสดงให้เห็นอีก" in text
    copy = page.locator("[data-copy-token]")
    if copy.is_visible():  # the copy button appears only with its script
        page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        copy.click()
        page.wait_for_function("document.getElementById('token-copy-status').textContent !== ''")
        assert "คัดลอกแล้ว" in page.inner_text("#token-copy-status")
        assert page.evaluate("navigator.clipboard.readText()") == secret
    # Nothing on the page is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "tokens-3-created-phone")

    status, body = call_me(base, secret)
    assert status == 200
    assert body["email"] == EMAIL
    assert body["token_name"] == "สเปรดชีตสต็อก"

    page.goto(f"{base}/account/tokens")
    assert secret not in page.content()
    assert page.locator("#token-secret").count() == 0
    item = page.locator(".token-item").first
    assert secret[:10] in item.inner_text()
    assert "ยังไม่เคยใช้" not in item.inner_text()  # the call above is recorded
    shot(page, "tokens-4-list-phone")

    item.locator("summary").click()
    assert "จะหยุดทำงานทันที" in item.inner_text()
    shot(page, "tokens-5-confirm-phone")
    item.get_by_role("button", name="เพิกถอน “สเปรดชีตสต็อก”").click()
    page.wait_for_load_state()
    assert "เพิกถอนโทเคน “สเปรดชีตสต็อก” แล้ว" in page.inner_text("main")
    assert "เพิกถอนแล้ว" in page.locator(".token-item").first.inner_text()
    shot(page, "tokens-6-revoked-phone")

    status, body = call_me(base, secret)
    assert status == 401
    assert body["error"]["code"] == "invalid_token"


def test_the_token_page_on_a_desktop(app, live_server, browser, member):
    base = live_server
    page = new_page(browser)
    sign_in(page, base, EMAIL)
    page.goto(f"{base}/account/")
    shot(page, "tokens-7-account-desktop")
    page.goto(f"{base}/account/tokens")
    create_token(page, "เครื่องคิดเงินหน้าร้าน")
    shot(page, "tokens-8-created-desktop")
    second = create_token(page, "shop till (English name)")
    assert call_me(base, second)[0] == 200
    page.goto(f"{base}/account/tokens")
    assert page.locator(".token-item").count() == 2
    shot(page, "tokens-9-list-desktop")
