"""The expansion track on the demo catalogue, in a real browser.

The owner of Ban Mae Jaem (``maejaem@demo.test``, at the networking stage) reads the
track card on a 390 px phone, follows the "fix this" link of the open barcode item to
the green beans, adds the GTIN-13 and sees the item tick itself. Staff then tick the
manual "fair or showcase attended" item with a note and move the enterprise to the
expansion stage with a reason, which is recorded with who and when.

CSRF protection is on, as in production. Screenshots go to ``E2E_SCREENSHOT_DIR``
when it is set.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shop.catalog.demo import gtin13, load_demo_catalogue
from shop.catalog.models import Enterprise, Product
from shop.extensions import db
from shop.sellers.models import EnterpriseEvent
from shop.track.models import ChecklistItem, ChecklistTick
from tests.e2e.test_order_journey_browser import new_page
from tests.e2e.test_retail_buyer_journey_browser import sign_in
from tests.e2e.test_seller_listing_browser import shot

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo(app, app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    load_demo_catalogue(photo_width=48)
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.slug == "ban-mae-jaem-coffee"))
    beans = db.session.scalar(select(Product).where(Product.slug == "mae-jaem-green-coffee-beans"))
    fair = db.session.scalar(select(ChecklistItem).where(ChecklistItem.label_en == "A fair or showcase attended"))
    data = {"enterprise": enterprise.id, "beans": beans.id, "fair": fair.id}
    assert enterprise.track_stage == "networking"
    db.session.commit()
    db.session.rollback()  # release SQLite's lock for the server thread
    return data


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_owner_fixes_a_barcode_and_staff_move_the_stage(app, live_server, browser, demo):
    base, eid = live_server, demo["enterprise"]

    # The owner, on a phone.
    owner = new_page(browser, phone=True)
    sign_in(owner, base, "maejaem@demo.test")
    owner.goto(f"{base}/seller/{eid}/")
    card = owner.locator("#track")
    card.scroll_into_view_if_needed()
    barcode = card.locator("#trk-gtin13")
    assert barcode.get_attribute("data-done") == "no"
    assert "GTIN-13" in barcode.inner_text()
    assert card.locator("#trk-channel_feeds").count() == 1  # this stage's items are listed too
    assert owner.locator("#channels-title").is_visible() and owner.locator("#margin-title").is_visible()
    assert owner.locator("#payouts-title").is_visible()
    assert _fits_the_screen(owner)
    shot(owner, "track-1-owner-dashboard-phone")
    barcode.locator("a.trk-item-fix").click()
    owner.wait_for_load_state()
    assert owner.url.endswith(f"/seller/{eid}/listings/{demo['beans']}/edit#retail-ready")
    owner.fill("#variants-0-gtin13", gtin13("885123409001"))
    shot(owner, "track-2-owner-adds-the-barcode-phone")
    owner.click("input#save")
    owner.wait_for_load_state()
    owner.goto(f"{base}/seller/{eid}/")
    assert owner.locator("#track #trk-gtin13").count() == 0  # nothing left of it on the card
    owner.goto(f"{base}/seller/{eid}/track")
    assert owner.locator("#trk-gtin13").get_attribute("data-done") == "yes"
    assert _fits_the_screen(owner)
    shot(owner, "track-3-owner-checklist-phone")
    owner.context.close()
    wide = new_page(browser)
    sign_in(wide, base, "maejaem@demo.test")
    wide.goto(f"{base}/seller/{eid}/")
    assert wide.locator("#track").is_visible() and _fits_the_screen(wide)
    shot(wide, "track-3b-owner-dashboard-desktop")
    wide.context.close()

    # Staff, on a desktop: tick the fair with a note, then move the stage with a reason.
    staff = new_page(browser)
    sign_in(staff, base, "admin@demo.test")
    staff.goto(f"{base}/admin/enterprises/{eid}#checklist")
    row = staff.locator(f"#trk-item-{demo['fair']}")
    assert row.get_attribute("data-done") == "no"
    row.locator("summary").click()
    row.locator("textarea[name=note]").fill("ออกบูธงานแสดงสินค้า OTOP ที่ลำปาง ขายกาแฟคั่วโอ่งได้ 120 ถุง")
    row.locator("form button[type=submit]").click()
    staff.wait_for_load_state()
    row = staff.locator(f"#trk-item-{demo['fair']}")
    assert row.get_attribute("data-done") == "yes"
    assert "OTOP" in row.inner_text()
    shot(staff, "track-4-staff-ticked")
    staff.select_option("#stage", "expansion")
    staff.fill("#note", "เครือข่ายครบ ขายออนไลน์และขายส่งได้แล้ว ต่อไปเน้นงานแสดงสินค้าและท่องเที่ยวชุมชน")
    staff.click("form[action$='/stage'] button[type=submit]")
    staff.wait_for_load_state()
    assert "ขยายผล" in staff.locator(".track-summary").inner_text() or "Expansion" in staff.content()
    staff.goto(f"{base}/admin/track?stage=expansion")
    shot(staff, "track-5-staff-overview")
    staff.context.close()

    db.session.expire_all()
    assert db.session.get(Enterprise, eid).track_stage == "expansion"
    event = db.session.scalar(select(EnterpriseEvent).where(EnterpriseEvent.enterprise_id == eid,
                                                            EnterpriseEvent.kind == EnterpriseEvent.KIND_STAGE))
    assert event.from_value == "networking" and event.actor_id is not None and "เครือข่ายครบ" in event.note
    tick = db.session.scalar(select(ChecklistTick).where(ChecklistTick.enterprise_id == eid,
                                                         ChecklistTick.item_id == demo["fair"]))
    assert tick.ticked_by_id is not None and tick.unticked_at is None
