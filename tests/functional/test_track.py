"""The expansion track (docs/product.md: Expansion track): the checklist's automatic
items follow the data, staff and assigned mentors tick and untick the others with
evidence, the dashboard shows the track card, the channel mix, the margin and the
payouts, and staff see who is ready to move."""

from __future__ import annotations

import io
import time
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from shop.accounts.models import RetailBuyer
from shop.catalog import status
from shop.catalog.models import Certification, Enterprise, MentorAssignment, Variant
from shop.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shop.experiences import services as experiences
from shop.extensions import db
from shop.orders import status as st
from shop.quotes.models import QuoteRequest
from shop.sellers.models import EnterpriseEvent, EnterpriseFeedKey
from shop.track import dashboard, services
from shop.track.models import ChecklistItem, ChecklistTick
from tests.experience_helpers import FORM
from tests.factories import (
    MemberFactory,
    ProductFactory,
    RetailBuyerFactory,
    UserFactory,
    VariantFactory,
    WholesaleTierFactory,
    add_product_photo,
)
from tests.order_helpers import make_order


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (40, 120, 60)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def member(app):
    return MemberFactory(enterprise__promptpay_id="0812345678")


@pytest.fixture
def enterprise(member):
    return member.enterprise


@pytest.fixture
def staff(app):
    return UserFactory(is_staff=True)


def _item(rule=None, label_en=None) -> ChecklistItem:
    services.ensure_checklist()
    stmt = select(ChecklistItem)
    stmt = stmt.where(ChecklistItem.rule == rule) if rule else stmt.where(ChecklistItem.label_en == label_en)
    return db.session.scalar(stmt)


def _done(enterprise, key) -> bool:
    for section in services.checklist(enterprise):
        for item in section.items:
            if item.key == key:
                return item.done
    raise AssertionError(key)


def _ready_variant(enterprise, **values):
    defaults = dict(product__enterprise=enterprise, gtin13="8850999000016", weight_grams=250, shelf_life_days=180,
                    case_pack=6, cost_materials_satang=5000, price_satang=12000)
    defaults.update(values)
    variant = VariantFactory(**defaults)
    WholesaleTierFactory(variant=variant, min_quantity=12, unit_price_satang=10000)
    return variant


# ---------------------------------------------------------------- the default checklist


def test_every_stage_has_its_default_items(app, enterprise):
    sections = services.checklist(enterprise)
    assert [s.stage for s in sections] == list(status.TRACK_STAGES)
    keys = {s.stage: [i.key for i in s.items] for s in sections}
    assert keys["foundation"] == ["story_photos", "cost_sheets", "prices_above_cost", "promptpay"]
    assert keys["advancing"] == ["standards_numbers", "gtin13", "packaging_spec", "retail_ready"]
    assert keys["networking"] == ["online_sale", "channel_feeds", "retail_order", "quote_answered"]
    assert keys["expansion"][1:] == ["experience_offered", "repeat_retail_buyers"]
    assert [i.auto for i in sections[3].items] == [False, True, True]
    # Calling it again writes nothing more.
    services.ensure_checklist()
    assert db.session.scalar(select(func.count(ChecklistItem.id))) == 15


# ---------------------------------------------------------------- automatic items


def test_foundation_items_follow_the_data(app, enterprise):
    assert _done(enterprise, "promptpay")
    assert not _done(enterprise, "story_photos")  # a story, but no photo
    assert not _done(enterprise, "cost_sheets")  # nothing on sale yet
    variant = VariantFactory(product__enterprise=enterprise, price_satang=10000)
    assert not _done(enterprise, "cost_sheets")
    variant.cost_materials_satang = 12000
    db.session.commit()
    assert _done(enterprise, "cost_sheets")
    assert not _done(enterprise, "prices_above_cost")  # ฿120 of cost, sold at ฿100
    variant.price_satang = 15000
    db.session.commit()
    assert _done(enterprise, "prices_above_cost")
    WholesaleTierFactory(variant=variant, min_quantity=50, unit_price_satang=11000)
    assert not _done(enterprise, "prices_above_cost")  # a wholesale price under cost


def test_advancing_items_and_the_fix_links(app, enterprise):
    variant = _ready_variant(enterprise, gtin13=None)
    sections = services.checklist(enterprise)
    gtin = next(i for i in sections[1].items if i.key == "gtin13")
    assert not gtin.done
    assert gtin.fix_url == f"/seller/{enterprise.id}/listings/{variant.product_id}/edit#retail-ready"
    assert "1" in gtin.detail
    assert not _done(enterprise, "standards_numbers")  # food, no FDA number
    db.session.add(Certification(enterprise_id=enterprise.id, product_id=variant.product_id, kind="fda",
                                 number="5010112345678"))
    variant.gtin13 = "8850999000016"
    db.session.commit()
    assert _done(enterprise, "gtin13")
    assert _done(enterprise, "standards_numbers")
    assert _done(enterprise, "packaging_spec")
    assert _done(enterprise, "retail_ready")


def test_a_community_product_standard_counts_for_the_whole_enterprise(app, enterprise):
    VariantFactory(product__enterprise=enterprise)
    db.session.add(Certification(enterprise_id=enterprise.id, product_id=None, kind="mpc", number="1012/2558"))
    db.session.commit()
    assert _done(enterprise, "standards_numbers")


def test_networking_items_follow_orders_quotes_and_feeds(app, enterprise):
    variant = _ready_variant(enterprise, stock=100)
    add_product_photo(variant.product)
    assert not _done(enterprise, "online_sale")
    make_order([(variant, 1)], paid=True)
    assert _done(enterprise, "online_sale")
    assert not _done(enterprise, "retail_order")
    assert not _done(enterprise, "channel_feeds")
    db.session.add(EnterpriseFeedKey(enterprise_id=enterprise.id))
    db.session.commit()
    assert _done(enterprise, "channel_feeds")
    business = RetailBuyerFactory(status=RetailBuyer.VERIFIED, verified_at=db.func.now())
    make_order([(variant, 12)], user=business.user, paid=True)
    assert _done(enterprise, "retail_order")
    assert not _done(enterprise, "repeat_retail_buyers")
    make_order([(variant, 12)], user=business.user, paid=True)
    assert _done(enterprise, "repeat_retail_buyers")
    assert not _done(enterprise, "quote_answered")
    from datetime import date

    db.session.add(QuoteRequest(buyer_id=business.user_id, enterprise_id=enterprise.id, variant_id=variant.id,
                                quantity=50, delivery_date=date(2030, 1, 1), message="?", status="quoted",
                                quoted_at=db.func.now(), quoted_unit_satang=9000, quoted_quantity=48))
    db.session.commit()
    assert _done(enterprise, "quote_answered")


def test_an_unpaid_order_is_no_sale(app, enterprise):
    variant = _ready_variant(enterprise)
    make_order([(variant, 1)], paid=False)
    assert not _done(enterprise, "online_sale")


# ---------------------------------------------------------------- ticks


def test_staff_tick_with_a_note_and_photo_and_untick_with_a_reason(app, enterprise, staff):
    item = _item(label_en="A fair or showcase attended")
    row = services.tick(staff, enterprise.id, item.id, "  OTOP City 2026  ", _png())
    assert row.note == "OTOP City 2026" and row.photo_key and row.ticked_by_id == staff.id
    assert _done(enterprise, f"item-{item.id}")
    with pytest.raises(Conflict):
        services.tick(staff, enterprise.id, item.id, "again")
    undone = services.untick(staff, enterprise.id, item.id, "The fair was cancelled")
    assert undone.unticked_by_id == staff.id and undone.untick_reason == "The fair was cancelled"
    assert not _done(enterprise, f"item-{item.id}")
    with pytest.raises(Conflict):
        services.untick(staff, enterprise.id, item.id, "twice")
    # Ticking again keeps the history.
    services.tick(staff, enterprise.id, item.id, "Bangkok fair")
    assert db.session.scalar(select(func.count(ChecklistTick.id))) == 2


def test_ticks_refuse_bad_input_and_write_nothing(app, enterprise, staff):
    item = _item(label_en="A fair or showcase attended")
    with pytest.raises(ValidationFailed) as refused:
        services.tick(staff, enterprise.id, item.id, "   ")
    assert "note" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        services.tick(staff, enterprise.id, item.id, "ok", b"not an image")
    assert "photo" in refused.value.fields
    with pytest.raises(Conflict):
        services.tick(staff, enterprise.id, _item(rule="gtin13").id, "I saw the barcodes")
    with pytest.raises(NotFound):
        services.tick(staff, enterprise.id, 99999, "x")
    services.tick(staff, enterprise.id, item.id, "ok")
    with pytest.raises(ValidationFailed):
        services.untick(staff, enterprise.id, item.id, "")
    assert db.session.scalar(select(func.count(ChecklistTick.id))) == 1


def test_only_staff_and_assigned_mentors_tick(app, enterprise, member, staff):
    item = _item(label_en="A fair or showcase attended")
    with pytest.raises(PermissionDenied):
        services.tick(member.user, enterprise.id, item.id, "we did it")
    with pytest.raises(NotFound):
        services.tick(UserFactory(), enterprise.id, item.id, "x")
    mentor = UserFactory(is_mentor=True)
    with pytest.raises(NotFound):
        services.tick(mentor, enterprise.id, item.id, "x")
    db.session.add(MentorAssignment(mentor_id=mentor.id, enterprise_id=enterprise.id, assigned_by_id=staff.id))
    db.session.commit()
    assert services.tick(mentor, enterprise.id, item.id, "Homestay weekend").ticked_by_id == mentor.id
    assert services.untick(mentor, enterprise.id, item.id, "Homestay closed").unticked_by_id == mentor.id


def test_evidence_photos_reach_members_staff_and_mentors_only(app, client, enterprise, member, staff, sign_in):
    item = _item(label_en="A fair or showcase attended")
    row = services.tick(staff, enterprise.id, item.id, "Fair", _png())
    url = f"/seller/{enterprise.id}/track/evidence/{row.id}/thumb.webp"
    sign_in(member.user)
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/webp"
    assert "no-store" in response.headers["Cache-Control"]
    assert client.get(f"/media/private/track-evidence/{row.photo_key}-thumb.webp").status_code == 404
    other = UserFactory()
    client.post("/account/logout")
    sign_in(other)
    assert client.get(url).status_code == 404
    assert client.get(f"/seller/{enterprise.id}/track").status_code == 404


# ---------------------------------------------------------------- progress and the overview


def _offer_an_experience(enterprise):
    experience = experiences.create_experience(enterprise, dict(FORM))
    day = experiences.local_now().date() + timedelta(days=3)
    return experiences.add_session(experience, day=day.isoformat(), start_time="09:00", seats="8")


def test_a_published_experience_with_a_session_ticks_the_experience_item(app, enterprise, staff):
    item = _item(rule="experience_offered")
    assert item.label_en == "A community visit or experience offered" and item.stage == "expansion"
    assert not _done(enterprise, "experience_offered")
    draft = experiences.create_experience(enterprise, {**FORM, "is_published": ""})
    experiences.add_session(draft, day=(experiences.local_now().date() + timedelta(days=3)).isoformat(),
                            start_time="09:00", seats="8")
    assert not _done(enterprise, "experience_offered")  # not published
    published = experiences.create_experience(enterprise, dict(FORM))
    assert not _done(enterprise, "experience_offered")  # no session yet
    session = experiences.add_session(published, day=(experiences.local_now().date() + timedelta(days=4)).isoformat(),
                                      start_time="09:00", seats="8")
    assert _done(enterprise, "experience_offered")
    experiences.cancel_session(session, actor=staff)
    assert not _done(enterprise, "experience_offered")  # its only session was cancelled
    with pytest.raises(Conflict):  # the data decides; nobody ticks it
        services.tick(staff, enterprise.id, item.id, "We had visitors")


def test_progress_and_ready_to_move(app, enterprise, staff):
    enterprise.track_stage = status.STAGE_EXPANSION
    db.session.commit()
    assert services.progress(enterprise) == (0, 3)
    services.tick(staff, enterprise.id, _item(label_en="A fair or showcase attended").id, "done")
    _offer_an_experience(enterprise)
    assert services.progress(enterprise) == (2, 3)
    assert not services.ready_to_move(enterprise)
    rows = services.overview(status.STAGE_EXPANSION)
    assert [(r.enterprise.id, r.done, r.total) for r in rows] == [(enterprise.id, 2, 3)]
    assert services.overview(status.STAGE_EXPANSION, ready_only=True) == []
    # A retired item no longer counts.
    services.retire_item(staff, _item(rule="repeat_retail_buyers").id)
    assert services.ready_to_move(enterprise)
    assert [r.enterprise.id for r in services.overview(ready_only=True)] == [enterprise.id]


def test_a_thousand_products_render_the_dashboard_quickly(app, client, enterprise, member, sign_in):
    product_rows, variant_rows = [], []
    category = ProductFactory(enterprise=enterprise).category
    base = db.session.scalar(select(func.max(Variant.id))) or 0
    from shop.catalog.models import Product

    for n in range(1000):
        product_rows.append({"enterprise_id": enterprise.id, "category_id": category.id, "slug": f"bulk-{n}",
                             "name_th": f"สินค้า {n}", "status": status.LIVE, "min_price_satang": 10000,
                             "sales_count": 0, "rating_sum": 0, "rating_count": 0, "is_featured": False})
    db.session.execute(Product.__table__.insert(), product_rows)
    ids = db.session.scalars(select(Product.id).where(Product.slug.like("bulk-%"))).all()
    for n, pid in enumerate(ids):
        variant_rows.append({"product_id": pid, "enterprise_id": enterprise.id, "sku": f"B-{base + n}",
                             "name_th": "ถุง", "price_satang": 10000, "stock": 5, "weight_grams": 100,
                             "low_stock_threshold": 1, "position": 0, "is_active": True, "moq": 1,
                             "case_pack": 1, "cost_materials_satang": 4000})
    db.session.execute(Variant.__table__.insert(), variant_rows)
    db.session.commit()
    sign_in(member.user)
    client.get(f"/seller/{enterprise.id}/")  # warm the templates
    started = time.perf_counter()
    response = client.get(f"/seller/{enterprise.id}/")
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    print(f"dashboard with 1,000 products: {elapsed * 1000:.0f} ms")
    assert elapsed < 2.0, elapsed
    page = response.get_data(as_text=True)
    assert 'data-key="gtin13" data-done="no"' in page
    assert "1,000" in page or "1000" in page  # the products not yet retail-ready are counted


# ---------------------------------------------------------------- the dashboard


def test_the_dashboard_shows_channels_margin_payouts_and_the_card(app, client, enterprise, member, sign_in):
    variant = _ready_variant(enterprise, stock=100, cost_materials_satang=7000, price_satang=12000)
    uncosted = VariantFactory(product__enterprise=enterprise, product__name_th="ไม่มีต้นทุน", stock=10)
    make_order([(variant, 2)], paid=True)
    make_order([(uncosted, 1)], paid=True)
    business = RetailBuyerFactory(status=RetailBuyer.VERIFIED, verified_at=db.func.now())
    make_order([(variant, 12)], user=business.user, paid=True)
    sign_in(member.user)
    page = client.get(f"/seller/{enterprise.id}/").get_data(as_text=True)
    assert 'id="channels-title"' in page and 'id="margin-title"' in page and 'id="payouts-title"' in page
    assert 'id="track-title"' in page
    assert "ไม่มีต้นทุน" in page  # named where costs are missing
    from datetime import date

    since = dashboard._since(date(2000, 1, 1))
    mix = {c.code: c for c in dashboard.channel_mix(enterprise, since)}
    assert mix["online"].orders == 2 and mix["retail"].orders == 1
    assert mix["retail"].total_satang > 0
    m = dashboard.margin(enterprise, since)
    assert m.revenue_satang == 2 * 12000 + 12 * 10000 and m.cost_satang == 14 * 7000  # the tier from 12
    assert m.uncosted_revenue_satang == 12000 and m.uncosted_count == 1


def test_an_invoice_order_and_an_accepted_quote_have_their_own_channels(app, enterprise):
    variant = _ready_variant(enterprise, stock=100)
    business = RetailBuyerFactory(status=RetailBuyer.VERIFIED, verified_at=db.func.now())
    from shop.invoicing import services as invoicing

    staff = UserFactory(is_staff=True)
    invoicing.set_terms(staff, business.id, net_days=30, credit_limit="50000")
    make_order([(variant, 12)], user=business.user, payment_method=st.PAYMENT_INVOICE)
    quoted = make_order([(variant, 24)], user=business.user, paid=True)
    from datetime import date

    db.session.add(QuoteRequest(buyer_id=business.user_id, enterprise_id=enterprise.id, variant_id=variant.id,
                                quantity=24, delivery_date=date(2030, 1, 1), message="?", status="accepted",
                                quoted_at=db.func.now(), order_id=quoted.id))
    db.session.commit()
    mix = {c.code: c for c in dashboard.channel_mix(enterprise, dashboard._since(date(2000, 1, 1)))}
    assert (mix["invoice"].orders, mix["quote"].orders, mix["retail"].orders, mix["online"].orders) == (1, 1, 0, 0)


def test_experience_bookings_are_a_channel_of_their_own(app, client, enterprise, member, sign_in):
    from datetime import date

    from tests.experience_helpers import book
    from tests.order_helpers import pay_by_slip

    variant = _ready_variant(enterprise, stock=100)
    make_order([(variant, 2)], paid=True)
    session = _offer_an_experience(enterprise)
    pay_by_slip(book(session.id, adults=2))
    book(session.id, adults=1, email="unpaid@example.test")  # not a sale
    mix = {c.code: c for c in dashboard.channel_mix(enterprise, dashboard._since(date(2000, 1, 1)))}
    assert mix["experience"].orders == 1 and mix["experience"].total_satang == 2 * 65000
    assert mix["online"].orders == 1  # the goods; the booking is not counted twice
    assert list(mix) == ["online", "retail", "quote", "invoice", "experience"]
    sign_in(member.user)
    page = client.get(f"/seller/{enterprise.id}/?lang=en").get_data(as_text=True)
    assert "trk-bar-fill--experience" in page and "Experiences" in page


def test_the_whole_checklist_page(app, client, enterprise, member, sign_in):
    sign_in(member.user)
    response = client.get(f"/seller/{enterprise.id}/track")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('data-key=') == 15


def test_a_member_of_another_enterprise_gets_404(app, client, enterprise, sign_in):
    sign_in(MemberFactory().user)
    assert client.get(f"/seller/{enterprise.id}/track").status_code == 404


def test_the_stage_move_needs_a_reason_and_is_recorded(app, client, enterprise, staff, sign_in):
    sign_in(staff)
    response = client.post(f"/admin/enterprises/{enterprise.id}/stage", data={"stage": "advancing", "note": ""})
    assert response.status_code == 422
    assert db.session.get(Enterprise, enterprise.id).track_stage == status.STAGE_FOUNDATION
    response = client.post(f"/admin/enterprises/{enterprise.id}/stage",
                           data={"stage": "advancing", "note": "Every foundation item done"})
    assert response.status_code == 302
    db.session.expire_all()
    event = db.session.scalar(select(EnterpriseEvent).where(EnterpriseEvent.kind == EnterpriseEvent.KIND_STAGE))
    assert (event.to_value, event.note, event.actor_id) == ("advancing", "Every foundation item done", staff.id)


# ---------------------------------------------------------------- the back office


def test_staff_create_partners_and_programmes_and_add_enterprises(app, client, enterprise, staff, sign_in):
    from shop.catalog.models import EnterpriseProgramme, PartnerOrganisation, Programme

    sign_in(staff)
    assert client.get("/admin/partners/new").status_code == 200
    response = client.post("/admin/partners/new", data={"name_th": "", "kind": "company"})
    assert response.status_code == 422
    response = client.post("/admin/partners/new", data={"name_th": "สมาคมเพื่อนชุมชน", "kind": "castle"})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(PartnerOrganisation.id))) == 0
    response = client.post("/admin/partners/new", data={"name_th": "สมาคมเพื่อนชุมชน",
                                                       "name_en": "Community Partnership Association",
                                                       "kind": "association"})
    assert response.status_code == 303
    partner = db.session.scalar(select(PartnerOrganisation))
    assert client.get("/admin/partners").status_code == 200
    form = {"name_th": "โครงการทดสอบ", "name_en": "Test Programme", "partner_id": str(partner.id),
            "region_th": "ระยอง", "region_en": "Rayong", "started_on": "2026-13-01"}
    response = client.post("/admin/programmes/new", data=form)
    assert response.status_code == 422
    assert "2026-03-15" in response.get_data(as_text=True)  # the format, by example
    assert db.session.scalar(select(func.count(Programme.id))) == 0
    response = client.post("/admin/programmes/new", data=form | {"partner_id": "999"})
    assert response.status_code == 422
    response = client.post("/admin/programmes/new", data=form | {"started_on": "2026-01-15"})
    assert response.status_code == 303
    programme = db.session.scalar(select(Programme))
    assert (programme.slug, programme.partner_id, str(programme.started_on)) == (
        "test-programme", partner.id, "2026-01-15")
    # The same name again: refused, nothing written.
    response = client.post("/admin/programmes/new", data=form | {"started_on": ""})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(Programme.id))) == 1
    # Editing keeps the slug.
    response = client.post(f"/admin/programmes/{programme.id}/edit", data=form | {"name_en": "Renamed",
                                                                                  "started_on": ""})
    assert response.status_code == 303
    db.session.expire_all()
    assert programme.slug == "test-programme" and programme.name_en == "Renamed"
    url = f"/admin/programmes/{programme.id}/enterprises"
    assert client.post(url, data={"member-enterprise_id": "", "member-joined_on": ""}).status_code == 422
    assert client.post(url, data={"member-enterprise_id": str(enterprise.id),
                                  "member-joined_on": "15/01/2026"}).status_code == 422
    assert client.post(url, data={"member-enterprise_id": str(enterprise.id),
                                  "member-joined_on": "2026-02-01"}).status_code == 303
    assert client.post(url, data={"member-enterprise_id": str(enterprise.id)}).status_code == 409
    assert db.session.scalar(select(func.count()).select_from(EnterpriseProgramme)) == 1
    assert client.get(f"/admin/programmes/{programme.id}/edit").status_code == 200
    # The enterprise's pages show the programme.
    assert "Renamed" in client.get(f"/admin/enterprises/{enterprise.id}?lang=en").get_data(as_text=True)
    assert "โครงการทดสอบ" in client.get(f"/enterprises/{enterprise.slug}?lang=th").get_data(as_text=True)
    response = client.post(f"/admin/programmes/{programme.id}/enterprises/{enterprise.id}/remove")
    assert response.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(EnterpriseProgramme)) == 0


def test_programme_pages_are_staff_only(app, client, member, sign_in):
    sign_in(member.user)
    for url in ("/admin/programmes", "/admin/partners", "/admin/track", "/admin/track/checklist"):
        assert client.get(url).status_code == 403


def test_staff_edit_the_checklist(app, client, staff, sign_in):
    sign_in(staff)
    assert client.get("/admin/track/checklist").status_code == 200
    response = client.post("/admin/track/checklist", data={"new-stage": "expansion", "new-label_th": ""})
    assert response.status_code == 422
    response = client.post("/admin/track/checklist", data={"new-stage": "moon", "new-label_th": "x"})
    assert response.status_code == 422
    response = client.post("/admin/track/checklist", data={
        "new-stage": "expansion", "new-label_th": "แบ่งปันความรู้ให้กลุ่มอื่น", "new-label_en": "Shared know-how"})
    assert response.status_code == 303
    item = _item(label_en="Shared know-how")
    assert (item.stage, item.rule, item.position) == ("expansion", None, 3)
    assert client.post(f"/admin/track/checklist/{item.id}/move", data={"move": "up"}).status_code == 303
    db.session.expire_all()
    assert item.position == 2
    assert client.post(f"/admin/track/checklist/{item.id}/move", data={"move": "sideways"}).status_code == 422
    gtin = _item(rule="gtin13")
    response = client.post(f"/admin/track/checklist/{gtin.id}", data={
        f"i{gtin.id}-label_th": "บาร์โค้ดครบ", f"i{gtin.id}-label_en": "Barcodes"})
    assert response.status_code == 303
    db.session.expire_all()
    assert (gtin.label_en, gtin.rule) == ("Barcodes", "gtin13")  # the rule stays
    assert client.post(f"/admin/track/checklist/{gtin.id}", data={f"i{gtin.id}-label_th": " "}).status_code == 422
    assert client.post(f"/admin/track/checklist/{item.id}/retire").status_code == 303
    assert client.post(f"/admin/track/checklist/{item.id}/retire").status_code == 409
    assert client.post(f"/admin/track/checklist/{item.id}/restore").status_code == 303
    assert client.post("/admin/track/checklist/99999/retire").status_code == 404


def test_staff_tick_on_the_review_page_and_see_the_overview(app, client, enterprise, staff, sign_in):
    sign_in(staff)
    item = _item(label_en="A fair or showcase attended")
    url = f"/admin/enterprises/{enterprise.id}/checklist/{item.id}/tick"
    response = client.post(url, data={"note": ""})
    assert response.status_code == 422
    response = client.post(url, data={"note": "Fair", "photo": (io.BytesIO(b"GIF89a"), "x.gif")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(ChecklistTick.id))) == 0
    response = client.post(url, data={"note": "OTOP fair", "photo": (io.BytesIO(_png()), "fair.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    page = client.get(f"/admin/enterprises/{enterprise.id}").get_data(as_text=True)
    assert "OTOP fair" in page and "/track/evidence/" in page
    untick = f"/admin/enterprises/{enterprise.id}/checklist/{item.id}/untick"
    assert client.post(untick, data={"reason": ""}).status_code == 422
    assert client.post(untick, data={"reason": "Wrong fair"}).status_code == 303
    assert client.get("/admin/track").status_code == 200
    assert client.get("/admin/track?stage=foundation&ready=1").status_code == 200
    assert client.get("/admin/track?stage=moon").status_code == 422


def test_staff_and_assigned_mentors_read_the_checklist_page(app, client, enterprise, staff, sign_in):
    url = f"/seller/{enterprise.id}/track"
    mentor = UserFactory(is_mentor=True)
    sign_in(mentor)
    assert client.get(url).status_code == 404  # not assigned
    db.session.add(MentorAssignment(mentor_id=mentor.id, enterprise_id=enterprise.id))
    db.session.commit()
    assert client.get(url).status_code == 200
    client.post("/account/logout")
    sign_in(staff)
    assert client.get(url).status_code == 200


def test_a_pending_enterprise_sees_the_track_card_without_sales_figures(app, client, sign_in):
    member = MemberFactory(enterprise__status=status.ENTERPRISE_PENDING, enterprise__approved_at=None)
    sign_in(member.user)
    page = client.get(f"/seller/{member.enterprise_id}/").get_data(as_text=True)
    assert 'id="track-title"' in page
    assert 'id="channels-title"' not in page and 'id="payouts-title"' not in page
