"""Mentors (docs/product.md: Programmes and mentors): staff make mentors and assign
them; a mentor's home with figures; coaching notes and visits with next steps the
enterprise ticks; the seller API's read endpoints for a mentor and 403 for its writes.

The seller pages are walked route by route for mentors in test_seller_access.py."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shop.api.routing import OPERATIONS
from shop.catalog.models import Mentor, MentorAssignment, PartnerOrganisation, Programme
from shop.extensions import db
from shop.mentoring import services as svc
from shop.mentoring.models import CoachingNote, NextStep
from shop.notifications.models import OutboxMessage
from shop.orders import status as st
from shop.orders.models import Order
from tests.api_helpers import bearer
from tests.factories import MemberFactory, ProductFactory, UserFactory, VariantFactory
from tests.order_helpers import make_order


@pytest.fixture
def world(app):
    owner = MemberFactory(enterprise__name_th="วิสาหกิจชุมชนกาแฟบ้านแม่แจ๋ม", enterprise__name_en="Ban Mae Jaem Coffee",
                          user__email="owner@example.test")
    other_owner = MemberFactory(enterprise__name_en="Ban Na Rice")
    partner = PartnerOrganisation(name_th="บริษัทปูนซิเมนต์ลำปาง", name_en="Lampang Cement Co.", kind="company")
    programme = Programme(slug="civ-lampang", name_th="หมู่บ้านอุตสาหกรรมสร้างสรรค์ ลำปาง", name_en="CIV Lampang")
    db.session.add_all([partner, programme])
    mentor = UserFactory(email="kitti@example.test", display_name="Kitti Mentor")
    staff = UserFactory(email="desk@example.test", is_staff=True)
    db.session.commit()
    return {"enterprise": owner.enterprise, "owner": owner.user, "other": other_owner.enterprise,
            "partner": partner, "programme": programme, "mentor": mentor, "staff": staff}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _assign(world):
    svc.make_mentor(world["staff"], world["mentor"].email, world["partner"].id)
    return svc.assign(world["staff"], world["enterprise"].id, world["mentor"].id, world["programme"].id)


# ---------------------------------------------------------------- staff


def test_staff_make_a_mentor_assign_and_end(client, sign_in, world):
    sign_in(world["staff"])
    assert client.get("/admin/mentors").status_code == 200
    response = client.post("/admin/mentors", data={"email": " Kitti@Example.test ", "partner_id": world["partner"].id})
    assert response.status_code == 303
    db.session.expire_all()
    assert world["mentor"].is_mentor and db.session.get(Mentor, world["mentor"].id).partner_id == world["partner"].id
    page = client.get("/admin/mentors?lang=en").get_data(as_text=True)
    assert "Kitti Mentor" in page and "Lampang Cement Co." in page

    eid = world["enterprise"].id
    assert "Kitti Mentor" in client.get(f"/admin/enterprises/{eid}").get_data(as_text=True)
    response = client.post(f"/admin/enterprises/{eid}/mentors",
                           data={"mentor_id": world["mentor"].id, "programme_id": world["programme"].id})
    assert response.status_code == 303
    assignment = db.session.scalars(select(MentorAssignment)).one()
    assert (assignment.enterprise_id, assignment.programme_id, assignment.assigned_by_id) == (
        eid, world["programme"].id, world["staff"].id)
    # Twice is refused with a message; nothing more is written.
    again = client.post(f"/admin/enterprises/{eid}/mentors", data={"mentor_id": world["mentor"].id},
                        follow_redirects=True)
    assert "already coaches" in again.get_data(as_text=True) or "ดูแลวิสาหกิจนี้อยู่แล้ว" in again.get_data(as_text=True)
    assert _count(MentorAssignment) == 1
    assert client.post(f"/admin/mentor-assignments/{assignment.id}/end").status_code == 303
    assert _count(MentorAssignment) == 0
    assert client.post(f"/admin/mentor-assignments/{assignment.id}/end").status_code == 404


@pytest.mark.parametrize(("form", "field_text"), [
    ({"email": ""}, "Enter the e-mail address"),
    ({"email": "nobody@example.test"}, "No account uses this e-mail address"),
    ({"email": "desk@example.test"}, "This is a staff account"),
    ({"email": "kitti@example.test", "partner_id": "999999"}, "Choose a partner organisation from the list"),
    ({"email": "kitti@example.test", "partner_id": "abc"}, "Choose a partner organisation from the list"),
])
def test_bad_mentor_forms_are_refused(client, sign_in, world, form, field_text):
    sign_in(world["staff"])
    response = client.post("/admin/mentors?lang=en", data=form)
    assert response.status_code == 422
    assert field_text in response.get_data(as_text=True)
    db.session.expire_all()
    assert not world["mentor"].is_mentor and _count(Mentor) == 0


def test_assigning_someone_who_is_not_a_mentor_or_nonsense_is_refused(client, sign_in, world):
    sign_in(world["staff"])
    eid = world["enterprise"].id
    for data in ({"mentor_id": world["mentor"].id}, {"mentor_id": "x"}, {"mentor_id": ""}):
        page = client.post(f"/admin/enterprises/{eid}/mentors?lang=en", data=data, follow_redirects=True)
        assert "Choose a mentor from the list." in page.get_data(as_text=True)
    svc.make_mentor(world["staff"], world["mentor"].email)
    page = client.post(f"/admin/enterprises/{eid}/mentors?lang=en",
                       data={"mentor_id": world["mentor"].id, "programme_id": "12345"}, follow_redirects=True)
    assert "Choose a programme from the list." in page.get_data(as_text=True)
    assert client.post("/admin/enterprises/999999/mentors", data={"mentor_id": world["mentor"].id}).status_code == 404
    assert _count(MentorAssignment) == 0


def test_only_staff_manage_mentors(client, sign_in, world):
    _assign(world)
    sign_in(world["mentor"])
    assert client.get("/admin/mentors").status_code == 403
    assert client.post(f"/admin/enterprises/{world['other'].id}/mentors",
                       data={"mentor_id": world["mentor"].id}).status_code == 403
    assert _count(MentorAssignment) == 1


# ---------------------------------------------------------------- the mentor's home


def test_the_mentor_home_lists_their_enterprises_with_figures(client, sign_in, world):
    _assign(world)
    enterprise = world["enterprise"]
    product = ProductFactory(enterprise=enterprise, status="live")
    cheap = VariantFactory(product=product, price_satang=10_000, stock=2, low_stock_threshold=5,
                           cost_materials_satang=9_000, cost_labour_satang=2_000)
    make_order([(cheap, 1)], paid=True)  # ฿100 sold in the last 30 days
    late = make_order([(VariantFactory(product=product, price_satang=20_000, stock=50), 1)], paid=True)
    late.paid_at = late.paid_at - timedelta(days=svc.LATE_TO_SHIP_DAYS + 1)
    db.session.commit()
    # Another enterprise's figures never show.
    make_order([(VariantFactory(product__enterprise=world["other"], price_satang=99_900), 1)], paid=True)

    # Sales as on the enterprise's dashboard: its parts' totals (goods and shipping).
    sold = sum(f.total_satang for o in db.session.scalars(select(Order)) for f in o.fulfilments
               if f.enterprise_id == enterprise.id)
    sign_in(world["mentor"])
    page = client.get("/mentor/?lang=en").get_data(as_text=True)
    assert "Ban Mae Jaem Coffee" in page and "Ban Na Rice" not in page and "CIV Lampang" in page
    assert f"฿{sold // 100:,}" in page
    assert "1 order part paid more than 3 days ago and not shipped" in page
    assert "1 option priced below its cost" in page
    assert "1 option low on stock" in page
    [row] = svc.mentor_rows(world["mentor"])
    assert (row.sales_30d_satang, row.orders_30d, row.late_to_ship, row.below_cost, row.low_stock) == (
        sold, 2, 1, 1, 1)
    assert sold >= 30_000


def test_only_mentors_have_a_home_and_only_their_enterprises_open(client, sign_in, world):
    _assign(world)
    sign_in(world["owner"])
    assert client.get("/mentor/").status_code == 403
    assert client.get(f"/mentor/enterprises/{world['enterprise'].id}").status_code == 403
    sign_in(world["mentor"])
    assert client.get(f"/mentor/enterprises/{world['enterprise'].id}").status_code == 200
    assert client.get(f"/mentor/enterprises/{world['other'].id}").status_code == 404
    assert client.post(f"/mentor/enterprises/{world['other'].id}/notes", data={"kind": "note", "body": "x"}
                       ).status_code == 404
    assert client.get("/mentor/enterprises/999999").status_code == 404
    assert _count(CoachingNote) == 0


# ---------------------------------------------------------------- notes, visits and next steps


def test_a_visit_with_next_steps_reaches_the_enterprise_which_ticks_them(client, sign_in, world, make_client):
    _assign(world)
    eid = world["enterprise"].id
    today = svc.bangkok_today()
    sign_in(world["mentor"])
    response = client.post(f"/mentor/enterprises/{eid}/notes", data={
        "kind": "visit", "visited_on": today.isoformat(), "topics": "ต้นทุน, บรรจุภัณฑ์",
        "body": "คั่วได้สม่ำเสมอ\n\nควรทำใบต้นทุนให้ครบทุกขนาด",
        "steps_0_text": "กรอกต้นทุนถุง 1 กก.", "steps_0_due_on": (today + timedelta(days=14)).isoformat(),
        "steps_1_text": "ขอเลข อย.", "steps_1_due_on": "", "steps_2_text": "", "steps_2_due_on": "",
    })
    assert response.status_code == 303
    note = db.session.scalars(select(CoachingNote)).one()
    assert (note.kind, note.visited_on, note.author_role, note.author_id) == ("visit", today, "mentor",
                                                                              world["mentor"].id)
    assert [s.text for s in note.steps] == ["กรอกต้นทุนถุง 1 กก.", "ขอเลข อย."]
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "coaching_note")).one()
    assert mail.to_address == "owner@example.test" and "กรอกต้นทุนถุง 1 กก." in mail.body_text
    assert f"/seller/{eid}/coaching" in mail.body_text

    owner = make_client()
    sign_in(world["owner"], client=owner)
    page = owner.get(f"/seller/{eid}/coaching").get_data(as_text=True)
    assert "ควรทำใบต้นทุนให้ครบทุกขนาด" in page and "Kitti Mentor" in page
    step = note.steps[0]
    assert owner.post(f"/seller/{eid}/coaching/steps/{step.id}/done").status_code == 303
    db.session.expire_all()
    done = db.session.get(NextStep, step.id)
    assert done.done_at is not None and done.done_by_id == world["owner"].id
    assert owner.post(f"/seller/{eid}/coaching/steps/{step.id}/done", follow_redirects=True).status_code == 200
    assert owner.post(f"/seller/{eid}/coaching/steps/{step.id}/undo").status_code == 303
    db.session.expire_all()
    assert db.session.get(NextStep, step.id).done_at is None

    # The mentor reads the page, without the buttons, and cannot tick.
    page = client.get(f"/seller/{eid}/coaching").get_data(as_text=True)
    assert "ควรทำใบต้นทุนให้ครบทุกขนาด" in page and f"/coaching/steps/{step.id}/done" not in page
    assert client.post(f"/seller/{eid}/coaching/steps/{step.id}/done").status_code == 403
    # Another enterprise's step under this enterprise's URL is not found.
    other_owner_step = f"/seller/{world['other'].id}/coaching/steps/{step.id}/done"
    assert owner.post(other_owner_step).status_code == 404
    # Staff read the notes on the mentor page too.
    staff = make_client()
    sign_in(world["staff"], client=staff)
    assert "ควรทำใบต้นทุนให้ครบทุกขนาด" in staff.get(f"/mentor/enterprises/{eid}").get_data(as_text=True)


@pytest.mark.parametrize(("form", "text"), [
    ({"kind": "note", "body": ""}, "Write what you saw and advised."),
    ({"kind": "note", "body": "   "}, "Write what you saw and advised."),
    ({"kind": "chat", "body": "x"}, "Choose a note or a visit."),
    ({"kind": "visit", "body": "x", "visited_on": ""}, "Enter the date."),
    ({"kind": "visit", "body": "x", "visited_on": "31/12/2026"}, "Enter the date as YYYY-MM-DD."),
    ({"kind": "visit", "body": "x", "visited_on": "2999-01-01"}, "A visit cannot be in the future."),
    ({"kind": "visit", "body": "x", "visited_on": "2001-01-01"}, "Record visits of the past year only."),
    ({"kind": "note", "body": "x" * 5001}, "Use at most 5000 characters."),
    ({"kind": "note", "body": "x", "steps_0_text": "", "steps_0_due_on": "2030-01-01"},
     "Say what is to be done by this date."),
    ({"kind": "note", "body": "x", "steps_0_text": "y", "steps_0_due_on": "2001-01-01"},
     "Choose a due date from today to a year ahead."),
    ({"kind": "note", "body": "x", "steps_0_text": "y" * 301}, "Use at most 300 characters."),
    ({"kind": "note", "body": "ok\u202e"}, "changes the direction of the text"),
])
def test_bad_notes_are_refused_and_nothing_is_written(client, sign_in, world, form, text):
    _assign(world)
    sign_in(world["mentor"])
    response = client.post(f"/mentor/enterprises/{world['enterprise'].id}/notes?lang=en", data=form)
    assert response.status_code == 422
    assert text in response.get_data(as_text=True)
    assert _count(CoachingNote) == 0 and _count(NextStep) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "coaching_note")) == 0


def test_the_seller_pages_show_a_read_only_banner_to_the_mentor(client, sign_in, world):
    _assign(world)
    sign_in(world["mentor"])
    page = client.get(f"/seller/{world['enterprise'].id}/?lang=en").get_data(as_text=True)
    assert "You are viewing as this enterprise's mentor" in page
    assert "Enterprises you coach" in client.get("/?lang=en").get_data(as_text=True)
    sign_in(world["owner"])
    page = client.get(f"/seller/{world['enterprise'].id}/?lang=en").get_data(as_text=True)
    assert "You are viewing as this enterprise" not in page and "Coaching" in page


def test_ending_the_assignment_ends_the_access_at_once(client, sign_in, world):
    assignment = _assign(world)
    sign_in(world["mentor"])
    assert client.get(f"/seller/{world['enterprise'].id}/").status_code == 200
    svc.end_assignment(world["staff"], assignment.id)
    assert client.get(f"/seller/{world['enterprise'].id}/").status_code == 404
    assert client.get(f"/mentor/enterprises/{world['enterprise'].id}").status_code == 404


# ---------------------------------------------------------------- the seller API


SELLER_OPERATIONS = [op for op in OPERATIONS if op.rule.startswith("/seller/enterprises/<id:enterprise_id>")]


def _api_url(op, ids: dict) -> str:
    return "/api/v1" + re.sub(r"<id:(\w+)>", lambda m: str(ids.get(m.group(1), 1)), op.rule)


@pytest.fixture
def api_world(world):
    _assign(world)
    enterprise = world["enterprise"]
    variant = VariantFactory(product=ProductFactory(enterprise=enterprise, status="live"), stock=40)
    order = make_order([(variant, 2)], paid=True)
    return {"product_id": variant.product_id, "variant_id": variant.id, "fulfilment_id": order.fulfilments[0].id,
            "enterprise_id": enterprise.id}


@pytest.mark.parametrize("op", SELLER_OPERATIONS, ids=[f"{op.method} {op.rule}" for op in SELLER_OPERATIONS])
def test_the_seller_api_reads_for_the_mentor_and_refuses_every_write(client, world, api_world, op):
    headers = bearer(world["mentor"])
    url = _api_url(op, api_world)
    response = client.open(url, method=op.method, json={}, headers=headers)
    if op.method == "GET":
        known = all(name in api_world for name in re.findall(r"<id:(\w+)>", op.rule))
        assert response.status_code == (200 if known else response.status_code) and response.status_code != 403, url
    else:
        assert response.status_code == 403, (url, response.get_json())
        assert response.get_json()["error"]["code"] == "forbidden"
    db.session.expire_all()
    assert db.session.get(Order, db.session.scalars(select(Order.id)).one()).status == st.ORDER_PAID


@pytest.mark.parametrize("op", SELLER_OPERATIONS, ids=[f"{op.method} {op.rule}" for op in SELLER_OPERATIONS])
def test_the_seller_api_answers_404_to_a_mentor_of_another_enterprise(client, world, api_world, op):
    stranger = UserFactory(is_mentor=True)
    svc.assign(world["staff"], world["other"].id, stranger.id)
    response = client.open(_api_url(op, api_world), method=op.method, json={}, headers=bearer(stranger))
    assert response.status_code == 404


def test_the_api_lists_the_coached_enterprises_with_the_mentor_role(client, world):
    _assign(world)
    data = client.get("/api/v1/seller/enterprises", headers=bearer(world["mentor"])).get_json()["data"]
    assert [(e["id"], e["role"]) for e in data] == [(world["enterprise"].id, "mentor")]
    owner = client.get("/api/v1/seller/enterprises", headers=bearer(world["owner"])).get_json()["data"]
    assert [(e["id"], e["role"]) for e in owner] == [(world["enterprise"].id, "owner")]
