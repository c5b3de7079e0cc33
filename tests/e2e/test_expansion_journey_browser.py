"""The expansion track's journey on the demo catalogue, in a real browser.

Staff assign ``mentor@demo.test`` to Ban Mae Jaem; the mentor opens its dashboard
(read-only), writes a visit note with a next step, and cannot edit a listing; the owner
sees the note and the checklist on a phone; the barcode item ticks itself when the owner
adds the missing GTIN; a shopper's paid order and the stage move staff make show on
the public impact page.

CSRF protection is on, as in production. Screenshots go to ``E2E_SCREENSHOT_DIR``
when it is set.
"""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from shop.accounts.models import User
from shop.catalog.demo import gtin13, load_demo_catalogue
from shop.catalog.models import Enterprise, MentorAssignment, Product, Variant
from shop.extensions import db
from shop.mentoring.models import CoachingNote, NextStep
from tests.e2e.test_order_journey_browser import new_page
from tests.e2e.test_retail_buyer_journey_browser import sign_in
from tests.e2e.test_seller_listing_browser import shot
from tests.order_helpers import make_order

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo(app, app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    load_demo_catalogue(photo_width=48)
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.slug == "ban-mae-jaem-coffee"))
    mentor = db.session.scalar(select(User).where(User.email == "mentor@demo.test"))
    # Start from an enterprise the mentor does not coach yet, with no notes.
    db.session.execute(delete(MentorAssignment).where(MentorAssignment.enterprise_id == enterprise.id))
    db.session.execute(delete(NextStep).where(NextStep.enterprise_id == enterprise.id))
    db.session.execute(delete(CoachingNote).where(CoachingNote.enterprise_id == enterprise.id))
    beans = db.session.scalar(select(Product).where(Product.slug == "mae-jaem-green-coffee-beans"))
    data = {"enterprise": enterprise.id, "mentor": mentor.id, "beans": beans.id}
    db.session.commit()
    db.session.rollback()  # release SQLite's lock for the server thread
    return data


def test_mentor_owner_and_staff_through_the_track(app, live_server, browser, demo):
    base, eid = live_server, demo["enterprise"]

    # Staff assign the mentor from the enterprise's page.
    staff = new_page(browser)
    sign_in(staff, base, "admin@demo.test")
    staff.goto(f"{base}/admin/enterprises/{eid}#mentors")
    panel = staff.locator("#mentors")
    panel.locator("select[name=mentor_id]").select_option(str(demo["mentor"]))
    panel.locator("button[type=submit]", has_text="มอบหมาย").click()
    staff.wait_for_load_state()
    assert "คุณกิตติ" in staff.locator("#mentors").inner_text()
    shot(staff, "expansion-1-staff-assign-mentor")

    # The mentor finds the enterprise at home, reads its dashboard, records a visit.
    mentor = new_page(browser)
    sign_in(mentor, base, "mentor@demo.test")
    mentor.goto(f"{base}/mentor/")
    assert mentor.locator(f"#enterprise-{eid}").count() == 1
    shot(mentor, "expansion-2-mentor-home")
    mentor.goto(f"{base}/seller/{eid}/")
    assert mentor.locator(".mentor-banner").is_visible()
    shot(mentor, "expansion-3-mentor-reads-dashboard")
    mentor.goto(f"{base}/mentor/enterprises/{eid}")
    mentor.check("input[name=kind][value=visit]")
    mentor.fill("#topics", "บาร์โค้ด, ขายส่ง")
    mentor.fill("#body", "ดูโรงคั่วแล้ว พร้อมขายส่ง เหลือบาร์โค้ดของเมล็ดกาแฟดิบ")
    mentor.fill("#steps_0_text", "ใส่บาร์โค้ด GTIN ให้เมล็ดกาแฟดิบ")
    mentor.locator("form.account-form button[type=submit]").click()
    mentor.wait_for_load_state()
    assert "ใส่บาร์โค้ด GTIN ให้เมล็ดกาแฟดิบ" in mentor.content()
    shot(mentor, "expansion-4-mentor-visit-note")
    # ... and cannot change a listing: the edit form is readable, saving it is refused.
    mentor.goto(f"{base}/seller/{eid}/listings/{demo['beans']}/edit")
    mentor.click("input#save")
    mentor.wait_for_load_state()
    assert "403" in mentor.content() or "แก้ไขไม่ได้" in mentor.content()
    mentor.context.close()
    db.session.expire_all()
    assert db.session.get(Product, demo["beans"]).variants[0].gtin13 in (None, "")  # nothing saved
    db.session.rollback()

    # The owner, on a phone: the note and its step, then the barcode the checklist asks for.
    owner = new_page(browser, phone=True)
    sign_in(owner, base, "maejaem@demo.test")
    owner.goto(f"{base}/seller/{eid}/coaching")
    assert "ดูโรงคั่วแล้ว" in owner.content()
    shot(owner, "expansion-5-owner-coaching-phone")
    owner.goto(f"{base}/seller/{eid}/track")
    assert owner.locator("#trk-gtin13").get_attribute("data-done") == "no"
    owner.goto(f"{base}/seller/{eid}/listings/{demo['beans']}/edit")
    owner.fill("#variants-0-gtin13", gtin13("885123409001"))
    owner.click("input#save")
    owner.wait_for_load_state()
    owner.goto(f"{base}/seller/{eid}/track")
    assert owner.locator("#trk-gtin13").get_attribute("data-done") == "yes"
    shot(owner, "expansion-6-owner-checklist-phone")
    owner.goto(f"{base}/seller/{eid}/coaching")
    owner.locator("form[action$='/done'] button").first.click()
    owner.wait_for_load_state()
    owner.context.close()
    db.session.expire_all()
    assert db.session.scalars(select(NextStep).where(NextStep.enterprise_id == eid)).one().done_at is not None
    db.session.rollback()

    # The public impact page before: the open data's totals.
    visitor = new_page(browser, phone=True)
    before = visitor.request.get(f"{base}/impact.json").json()
    # Meanwhile a shopper buys a bag of Mae Jaem's coffee and pays.
    bag = db.session.scalar(select(Variant).where(Variant.sku == "MJ-MED-250-WB"))
    order = make_order([(bag, 2)], paid=True)
    share = sum(f.total_satang for f in order.fulfilments if f.enterprise_id == eid)
    db.session.commit()
    db.session.rollback()

    # Staff move the stage, with the reason.
    staff.goto(f"{base}/admin/enterprises/{eid}")
    staff.select_option("#stage", "expansion")
    staff.fill("#note", "ขายส่งและขายออนไลน์ครบ พร้อมขยายผลสู่การท่องเที่ยวชุมชน")
    staff.click("form[action$='/stage'] button[type=submit]")
    staff.wait_for_load_state()
    shot(staff, "expansion-7-staff-moved-stage")
    staff.context.close()
    db.session.expire_all()
    assert db.session.get(Enterprise, eid).track_stage == "expansion"
    db.session.rollback()

    # /impact shows the new totals and the move.
    after = visitor.request.get(f"{base}/impact.json").json()
    assert after["income_total_satang"] > before["income_total_satang"]
    assert after["income_total_satang"] - before["income_total_satang"] <= share
    moved = [story for story in after["stories"] if story["slug"] == "ban-mae-jaem-coffee"]
    assert moved and moved[0]["to_stage"] == "expansion"
    visitor.goto(f"{base}/impact")
    assert visitor.locator(".impact-stories").get_by_text("วิสาหกิจชุมชนกาแฟคั่วโอ่งบ้านแม่แจ๋ม").count() >= 1
    shot(visitor, "expansion-8-impact-phone")
    visitor.context.close()
