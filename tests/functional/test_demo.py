"""``flask demo load`` and ``flask demo generate`` through the CLI runner."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import geothai
import pytest
from sqlalchemy import func, select

from shop import storage
from shop.accounts.models import RetailBuyer, User
from shop.accounts.passwords import verify_password
from shop.catalog import demo, status
from shop.catalog.certifications import gtin13_is_valid, normalize_fda_number
from shop.catalog.demo_data import DEMO_PASSWORD
from shop.catalog.models import (
    Category,
    Certification,
    Enterprise,
    EnterpriseMember,
    Product,
    Variant,
    WholesaleTier,
)
from shop.extensions import db
from shop.reviews import ratings as review_ratings
from shop.reviews.models import Review
from tests.factories import ProductFactory, VariantFactory

# The programme's three Lampang villages, where the news reports place them
# (subdistrict and district as the Thai standard lists spell them).
THREE_VILLAGES = {
    "ban-mae-jaem-coffee": ("บ้านแม่แจ๋ม", "52", "maejaem@demo.test", "แจ้ซ้อน", "เมืองปาน"),
    "ban-chae-khon-organic": ("บ้านแจ้คอน", "52", "chaekhon@demo.test", "ทุ่งผึ้ง", "แจ้ห่ม"),
    "ban-paen-tai-lime": ("บ้านแป้นใต้", "52", "paentai@demo.test", "บ้านสา", "แจ้ห่ม"),
}


@pytest.fixture
def app_config(app_config):
    # Small photos keep the test quick; they still go through the whole upload pipeline.
    return {**app_config, "DEMO_PHOTO_WIDTH": 240}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def upload_files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def thai_tax_id_is_valid(tax_id: str) -> bool:
    if len(tax_id) != 13 or not tax_id.isdigit():
        return False
    total = sum(int(d) * (13 - i) for i, d in enumerate(tax_id[:12]))
    return (11 - total % 11) % 10 == int(tax_id[12])


def test_demo_load_builds_the_curated_catalogue(app, runner):
    result = runner.invoke(args=["demo", "load"])

    assert result.exit_code == 0, result.output
    assert "Loaded" in result.output and "maejaem@demo.test" in result.output
    db.session.expire_all()

    enterprises = db.session.scalars(select(Enterprise)).all()
    assert len(enterprises) >= 12
    assert all(e.status == status.ENTERPRISE_APPROVED for e in enterprises)
    assert len({e.province_code for e in enterprises}) >= 8
    assert {e.track_stage for e in enterprises} == set(status.TRACK_STAGES)
    assert sum(e.is_featured for e in enterprises) >= 2
    vat = [e for e in enterprises if e.vat_registered]
    assert len(vat) >= 2 and all(thai_tax_id_is_valid(e.tax_id) for e in vat)

    by_slug = {e.slug: e for e in enterprises}
    for slug, (village, province_code, owner_email, subdistrict, district) in THREE_VILLAGES.items():
        enterprise = by_slug[slug]
        assert enterprise.village == village and enterprise.province_code == province_code
        assert (enterprise.subdistrict, enterprise.district) == (subdistrict, district)
        assert village in enterprise.name_th or village in enterprise.story_th
        owners = [m.user.email for m in enterprise.members if m.role == status.MEMBER_OWNER]
        assert owners == [owner_email]
    assert "กาแฟคั่วโอ่ง" in by_slug["ban-mae-jaem-coffee"].name_th

    for enterprise in enterprises:
        assert enterprise.name_th and enterprise.name_en and enterprise.story_th and enterprise.story_en
        assert enterprise.photos, enterprise.slug
        districts = {d.name_th: d.code for d in geothai.districts(enterprise.province_code)}
        assert enterprise.district in districts, enterprise.slug
        assert enterprise.subdistrict in {s.name_th for s in geothai.subdistricts(districts[enterprise.district])}
        assert [m.role for m in enterprise.members] == [status.MEMBER_OWNER]

    products = db.session.scalars(select(Product)).all()
    live = [p for p in products if p.status == status.LIVE]
    assert len(live) >= 60
    assert Counter(p.status for p in products)[status.DRAFT] >= 1
    assert Counter(p.status for p in products)[status.PAUSED] >= 1
    per_enterprise = Counter(p.enterprise_id for p in live)
    assert min(per_enterprise.values()) >= 4 and len(per_enterprise) == len(enterprises)
    assert len({p.category_id for p in live}) >= 8

    for product in live:
        assert product.name_th and product.name_en and product.description_th and product.description_en
        assert product.published_at is not None
        assert 1 <= len(product.variants) <= 3
        assert product.min_price_satang == min(v.price_satang for v in product.variants) > 0
        tags = {t.tag for t in product.tags}
        assert any(any("\u0e00" <= ch <= "\u0e7f" for ch in tag) for tag in tags), product.slug  # a Thai tag
        assert any(tag.isascii() for tag in tags), product.slug  # and an English one
        assert product.photos, product.slug
        for photo in product.photos:
            for size in storage.IMAGE_SIZES:
                assert storage.path_for(storage.image_file_key("products", photo.image_key, size)).is_file()

    variants = db.session.scalars(select(Variant)).all()
    gtins = [v.gtin13 for v in variants if v.gtin13]
    assert len(gtins) >= 20 and all(gtin13_is_valid(g) for g in gtins) and len(set(gtins)) == len(gtins)
    assert all(g.startswith("885") for g in gtins)
    assert count(WholesaleTier) >= 30
    assert any(v.unit_cost_satang for v in variants)
    for variant in variants:
        tiers = [t.min_quantity for t in variant.wholesale_tiers]
        assert tiers == sorted(set(tiers))

    for cert in db.session.scalars(select(Certification).where(Certification.kind == "fda")):
        assert cert.product_id is not None
        assert normalize_fda_number(cert.number) == cert.number
        assert cert.number[:2] == db.session.get(Enterprise, cert.enterprise_id).province_code

    categories = db.session.scalars(select(Category)).all()
    assert {c.slug: c.is_food for c in categories}["coffee-tea"] is True
    assert {c.slug: c.is_food for c in categories}["textiles-clothing"] is False


    # Every demo account can sign in (checked on the hash: the login views live elsewhere).
    users = {u.email: u for u in db.session.scalars(select(User))}
    expected = {"admin@demo.test", "shopper@demo.test", "buyer@demo.test", "mentor@demo.test"}
    expected |= {spec[2] for spec in THREE_VILLAGES.values()}
    assert expected <= set(users)
    assert len(users) >= 4 + 12
    for user in users.values():
        assert user.email_verified and user.is_active
        assert verify_password(user.password_hash, DEMO_PASSWORD), user.email
        assert not verify_password(user.password_hash, "wrong-password")
    # Hashed once and shared: argon2 is slow by design.
    assert len({u.password_hash for u in users.values()}) == 1
    assert users["admin@demo.test"].is_staff and not users["shopper@demo.test"].is_staff
    assert users["mentor@demo.test"].is_mentor
    # The mentor coaches the three Lampang villages for the partner company.
    from shop.catalog.models import Mentor, MentorAssignment
    from shop.mentoring.models import CoachingNote

    coached = db.session.scalars(select(Enterprise.slug).join(MentorAssignment, MentorAssignment.enterprise_id == Enterprise.id)
                                 .where(MentorAssignment.mentor_id == users["mentor@demo.test"].id)).all()
    assert set(coached) == set(THREE_VILLAGES)
    assert "Lampang" in db.session.get(Mentor, users["mentor@demo.test"].id).partner.name_en
    visit = db.session.scalars(select(CoachingNote)).one()
    assert visit.kind == "visit" and visit.steps and visit.visited_on <= visit.created_at.date()
    buyer = users["buyer@demo.test"].retail_buyer
    assert buyer.status == RetailBuyer.VERIFIED and buyer.company_name and thai_tax_id_is_valid(buyer.tax_id)
    assert users["buyer@demo.test"].is_verified_retail_buyer
    owners = db.session.scalars(select(EnterpriseMember.user_id)).all()
    assert len(set(owners)) == count(Enterprise)

    # Reviews of the delivered past orders' items, counted in their products' ratings.
    reviews = db.session.scalars(select(Review)).all()
    assert len(reviews) >= 10
    assert any(r.reply_body for r in reviews) and any(r.body and r.body.isascii() for r in reviews)
    for review in reviews:
        assert review.line.fulfilment.status == "delivered" and review.user_id == review.line.order.user_id
    for product in db.session.scalars(select(Product)):
        assert (product.rating_sum, product.rating_count) == review_ratings.recomputed(product.id)


def test_second_load_changes_nothing_and_generate_adds_on_top(app, runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    before = (count(Enterprise), count(Product), count(Variant), len(upload_files(app)))

    quiet = runner.invoke(args=["demo", "load", "--if-empty"])
    assert quiet.exit_code == 0
    assert "not loaded" in quiet.output

    refused = runner.invoke(args=["demo", "load"])
    assert refused.exit_code != 0
    assert "already has enterprises" in refused.output

    assert (count(Enterprise), count(Product), count(Variant), len(upload_files(app))) == before

    generated = runner.invoke(args=["demo", "generate", "--products", "120"])
    assert generated.exit_code == 0, generated.output
    assert count(Product) == before[1] + 120
    assert db.session.scalar(select(Product).where(Product.slug == "mae-jaem-jar-roasted-coffee-medium")) is not None


def test_a_failed_load_leaves_no_rows_and_no_files(app, runner, monkeypatch):
    calls = {"n": 0}
    real = demo._load_product

    def fail_on_the_tenth(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 10:
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)

    monkeypatch.setattr(demo, "_load_product", fail_on_the_tenth)
    result = runner.invoke(args=["demo", "load"])

    assert result.exit_code != 0 and isinstance(result.exception, RuntimeError)
    db.session.expire_all()
    assert count(Enterprise) == 0 and count(Product) == 0 and count(User) == 0
    assert upload_files(app) == []


@pytest.mark.parametrize("args", [["demo", "load"], ["demo", "load", "--if-empty"],
                                  ["demo", "generate", "--products", "10"]])
def test_demo_data_is_refused_in_production(app_config, args):
    from shop import create_app

    app = create_app({**app_config, "DEMO_DATA_ALLOWED": False})
    with app.app_context():
        result = app.test_cli_runner().invoke(args=args)
        assert result.exit_code != 0
        assert "DEMO_DATA_ALLOWED" in result.output
        assert count(Enterprise) == 0 and count(User) == 0


def product_snapshot(products: list[Product]) -> list[tuple]:
    return [(p.name_th, p.name_en, p.status, p.min_price_satang,
             tuple((v.name_en, v.price_satang, v.stock) for v in p.variants)) for p in products]


def test_generate_is_reproducible_and_collision_free(app, runner):
    first = runner.invoke(args=["demo", "generate", "--products", "500", "--seed", "7", "--batch", "150"])
    assert first.exit_code == 0, first.output
    assert "rows/s" in first.output
    second = runner.invoke(args=["demo", "generate", "--products", "500", "--seed", "7"])
    assert second.exit_code == 0, second.output
    db.session.expire_all()

    products = db.session.scalars(select(Product).order_by(Product.id)).all()
    assert len(products) == 1000
    # The same seed gives the same catalogue, even written on top of an earlier one.
    assert product_snapshot(products[:500]) == product_snapshot(products[500:])
    assert len({p.slug for p in products}) == 1000
    skus = db.session.execute(select(Variant.enterprise_id, Variant.sku)).all()
    assert len(set(skus)) == len(skus)
    assert count(Category) == 9  # the curated categories, reused by the second run

    for product in products:
        assert 1 <= len(product.variants) <= 3
        assert product.min_price_satang == min(v.price_satang for v in product.variants)
        assert any("\u0e00" <= ch <= "\u0e7f" for ch in product.name_th)
        assert (product.published_at is None) == (product.status == status.DRAFT)
    statuses = Counter(p.status for p in products)
    assert statuses[status.LIVE] / len(products) > 0.9
    assert 15 <= count(Enterprise) <= 30  # about one enterprise per 50 products
    assert count(WholesaleTier) > 0
    gtins = db.session.scalars(select(Variant.gtin13).where(Variant.gtin13.is_not(None))).all()
    assert gtins and all(gtin13_is_valid(g) for g in gtins)

    # Rows added the ordinary way afterwards do not collide with the explicit ids
    # (on PostgreSQL the id sequences must have been moved past them).
    variant = VariantFactory(product=ProductFactory())
    assert variant.product.id > products[-1].id


def test_generate_with_another_seed_differs(app, runner):
    assert runner.invoke(args=["demo", "generate", "--products", "60", "--seed", "1"]).exit_code == 0
    assert runner.invoke(args=["demo", "generate", "--products", "60", "--seed", "2"]).exit_code == 0
    db.session.expire_all()
    products = db.session.scalars(select(Product).order_by(Product.id)).all()
    assert product_snapshot(products[:60]) != product_snapshot(products[60:])


@pytest.mark.parametrize("args", [["demo", "generate"], ["demo", "generate", "--products", "0"],
                                  ["demo", "generate", "--products", "ten"]])
def test_generate_needs_a_positive_product_count(app, runner, args):
    result = runner.invoke(args=args)
    assert result.exit_code == 2
    assert count(Product) == 0


def test_demo_dates_tell_one_story(app, runner):
    """Nobody is approved before applying, and the one unpaid order is minutes old."""
    from shop.orders import status as st
    from shop.orders.models import Order

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    for enterprise in db.session.scalars(select(Enterprise)):
        if enterprise.approved_at is not None:
            assert enterprise.created_at < enterprise.approved_at, enterprise.slug
    for buyer in db.session.scalars(select(RetailBuyer)):
        if buyer.verified_at is not None:
            assert buyer.user.created_at <= buyer.created_at < buyer.verified_at
    hold = app.config["ORDER_HOLD_MINUTES"]
    for order in db.session.scalars(select(Order).where(Order.status == st.ORDER_PENDING_PAYMENT)):
        assert order.expires_at is not None
        assert (order.expires_at - order.created_at).total_seconds() == hold * 60
        assert order.expires_at > demo.utcnow()


def test_demo_load_adds_the_programmes_of_the_reports(app, runner):
    from shop.catalog.models import PartnerOrganisation, Programme
    from shop.track import programmes, services

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    db.session.expire_all()
    by_slug = {p.slug: p for p in db.session.scalars(select(Programme))}
    assert set(by_slug) == {"civ-lampang", "eec-connect", "community-partnership-rayong", "sedz-phetchabun"}
    civ = {m.enterprise.slug for m in programmes.members_of(by_slug["civ-lampang"])}
    assert set(THREE_VILLAGES) <= civ
    assert by_slug["civ-lampang"].partner.kind == "government"
    assert {p.kind for p in db.session.scalars(select(PartnerOrganisation))} == {
        "government", "company", "association"}
    # Each programme's enterprises lie where the programme works.
    eec = programmes.members_of(by_slug["eec-connect"])
    assert eec and all(m.enterprise.province_code in ("20", "21", "24") for m in eec)
    # Every enterprise of the demo has its checklist, and the ticked items show (Don Koi's
    # fair by a tick, its indigo-dyeing mornings by the data).
    don_koi = db.session.scalar(select(Enterprise).where(Enterprise.slug == "don-koi-indigo"))
    assert services.progress(don_koi)[0] >= 2


def test_demo_load_adds_four_experiences_with_sessions(app, runner, client):
    from shop.experiences import services as experiences
    from shop.experiences.models import Experience

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    db.session.expire_all()
    found = {e.slug: e for e in db.session.scalars(select(Experience))}
    assert set(found) == {"mae-jaem-jar-roasting-workshop", "chae-khon-rice-planting-day", "tha-sawang-weaving-class",
                          "don-koi-indigo-dyeing-morning"}
    workshop = found["mae-jaem-jar-roasting-workshop"]
    assert workshop.enterprise.slug == "ban-mae-jaem-coffee" and workshop.is_published
    for experience in found.values():
        sessions = experiences.upcoming_sessions(experience)
        assert len(sessions) >= 6 and all(experiences.is_bookable(s) for s in sessions)
    assert client.get(f"/experiences/{workshop.slug}").status_code == 200
    assert workshop.title_th in client.get("/experiences/").get_data(as_text=True)
