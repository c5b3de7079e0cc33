"""Listing services without the web layer: parsing helpers, validation, saving,
stock with its optimistic check, costs and margins, photos, CSV parsing, feed keys."""

from __future__ import annotations

import io

import pytest
from flask_babel import force_locale
from PIL import Image
from sqlalchemy import func, select, text
from sqlalchemy.orm.attributes import set_committed_value

from shop.catalog import listings as services
from shop.catalog import status
from shop.catalog.models import Product, ProductPhoto, Variant
from shop.errors import Conflict, NotFound, ValidationFailed
from shop.extensions import db
from shop.sellers import csv_io, feeds
from tests.factories import CategoryFactory, MemberFactory, ProductFactory, VariantFactory, WholesaleTierFactory


@pytest.fixture(autouse=True)
def english(app):
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.fixture
def member(app):
    return MemberFactory()


def variant_input(**overrides) -> services.VariantInput:
    values = dict(id=None, name_th="250 กรัม", name_en="250 g", sku="A-1", gtin13=None, weight_grams=250,
                  price_satang=12000, stock=10, prefix="variants-0")
    values.update(overrides)
    return services.VariantInput(**values)


def product_input(category_id: int, *variants, **overrides) -> services.ProductInput:
    values = dict(name_th="กาแฟ", name_en="Coffee", summary_th=None, summary_en=None, description_th=None,
                  description_en=None, category_id=category_id, tags=["coffee"], is_food=None,
                  variants=list(variants) or [variant_input()])
    values.update(overrides)
    return services.ProductInput(**values)


# ---------------------------------------------------------------- small helpers


@pytest.mark.parametrize("text, expected", [
    ("", []),
    (" coffee , Coffee,กาแฟ,, #organic ", ["coffee", "กาแฟ", "organic"]),
    ("a,b，c", ["a", "b", "c"]),
    ("two  words", ["two words"]),
])
def test_parse_tags(text, expected):
    assert services.parse_tags(text) == expected


@pytest.mark.parametrize("text", [",".join(str(i) for i in range(21)), "x" * 61])
def test_parse_tags_refuses(text):
    with pytest.raises(ValueError):
        services.parse_tags(text)


@pytest.mark.parametrize("price, cost, margin, bps", [
    (10000, 6550, 3450, 3450),
    (10000, None, None, None),
    (6000, 6550, -550, -917),
    (300, 100, 200, 6667),
    (0, 100, -100, None),
])
def test_margin_at(price, cost, margin, bps):
    assert services.margin_at(price, cost) == (margin, bps)


def test_format_bps():
    assert services.format_bps(3450, "en") == "34.5%"
    assert services.format_bps(-917, "en") == "-9.2%"
    assert services.format_bps(None) == "–"


@pytest.mark.parametrize("overrides, field", [
    ({"sku": ""}, "sku"),
    ({"sku": "-A"}, "sku"),
    ({"gtin13": "1234567890123"}, "gtin13"),
    ({"price_satang": None}, "price"),
    ({"price_satang": -1}, "price"),
    ({"stock": -1}, "stock"),
    ({"stock": None}, "stock"),
    ({"moq": 0}, "moq"),
    ({"case_pack": 0}, "case_pack"),
    ({"low_stock_threshold": -2}, "low_stock_threshold"),
    ({"tiers": [services.TierInput(10, 100), services.TierInput(10, 90)]}, "tiers-1-min_quantity"),
    ({"tiers": [services.TierInput(10, None)]}, "tiers-0-price"),
    ({"name_th": " "}, "name_th"),
])
def test_validate_variant(overrides, field):
    assert field in services.validate_variant(variant_input(**overrides))


def test_valid_variant_has_no_errors():
    assert services.validate_variant(variant_input(gtin13="8850123456787")) == {}


# -------------------------------------------------------------------- saving


def test_create_and_update_product(app, member):
    category = CategoryFactory()
    product = services.create_product(member.enterprise, member.user, product_input(category.id))
    assert (product.status, product.slug, product.min_price_satang) == (status.DRAFT, "coffee", 12000)
    second = services.create_product(member.enterprise, member.user,
                                     product_input(category.id, variant_input(sku="B-1")))
    assert second.slug == "coffee-2"
    data = services.input_from_product(product)
    data.variants[0].price_satang = 9000
    data.variants.append(variant_input(sku="A-2", price_satang=15000, prefix="variants-1"))
    services.update_product(product, member.user, data)
    assert [v.sku for v in product.variants] == ["A-1", "A-2"]
    assert product.min_price_satang == 9000


def test_create_refuses_a_taken_sku_case_insensitively(app, member):
    category = CategoryFactory()
    VariantFactory(product=ProductFactory(enterprise=member.enterprise), sku="a-1")
    with pytest.raises(ValidationFailed) as refused:
        services.create_product(member.enterprise, member.user, product_input(category.id))
    assert "variants-0-sku" in refused.value.fields
    assert db.session.scalar(select(func.count(Product.id))) == 1


def saw_no_clash(monkeypatch):
    """The checks pass, as when another save takes the SKU just after them."""
    monkeypatch.setattr(services, "_validate_product", lambda *args: {})


def test_create_losing_a_race_for_the_sku_says_so_and_writes_nothing(app, member, monkeypatch):
    category = CategoryFactory()
    VariantFactory(product=ProductFactory(enterprise=member.enterprise), sku="A-1")
    saw_no_clash(monkeypatch)

    with pytest.raises(ValidationFailed, match="saved at the same moment"):
        services.create_product(member.enterprise, member.user, product_input(category.id))

    assert db.session.scalar(select(func.count(Product.id))) == 1


def test_an_edit_failing_on_its_last_step_writes_none_of_it(app, member, monkeypatch):
    category = CategoryFactory()
    product = services.create_product(member.enterprise, member.user, product_input(category.id))
    VariantFactory(product=ProductFactory(enterprise=member.enterprise), sku="TAKEN")
    data = services.input_from_product(product)
    data.name_th = "กาแฟคั่วใหม่"
    data.variants.append(variant_input(sku="TAKEN", prefix="variants-1"))  # clashes only when flushed, at the end
    saw_no_clash(monkeypatch)

    with pytest.raises(ValidationFailed, match="saved at the same moment"):
        services.update_product(product, member.user, data)

    db.session.expire_all()
    assert (product.name_th, [v.sku for v in product.variants]) == ("กาแฟ", ["A-1"])


def test_a_create_that_fails_midway_leaves_nothing_for_a_later_commit(app, member, monkeypatch):
    category = CategoryFactory()

    def broken(product, choice):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(services, "_set_food_choice", broken)  # after the product and its options were flushed
    with pytest.raises(RuntimeError):
        services.create_product(member.enterprise, member.user, product_input(category.id))
    monkeypatch.undo()
    services.create_product(member.enterprise, member.user, product_input(category.id, variant_input(sku="B-1")))

    db.session.expire_all()
    assert [v.sku for v in db.session.scalars(select(Variant))] == ["B-1"]


def test_non_member_cannot_create(app, member):
    category = CategoryFactory()
    stranger = MemberFactory().user
    with pytest.raises(NotFound):
        services.create_product(member.enterprise, stranger, product_input(category.id))


def test_food_flag_follows_the_category_unless_chosen(app, member):
    food, craft = CategoryFactory(is_food=True), CategoryFactory(is_food=False)
    product = services.create_product(member.enterprise, member.user, product_input(craft.id))
    assert services.is_food(product) is False
    data = services.input_from_product(product)
    data.is_food = True
    services.update_product(product, member.user, data)
    assert services.is_food(product) is True and services.food_choice(product) is True
    data.is_food, data.category_id = None, food.id
    services.update_product(product, member.user, data)
    assert services.food_choice(product) is None and services.is_food(product) is True
    assert any(not item.ok and "FDA" in item.message for item in services.listing_checklist(product))


def test_archived_product_cannot_be_edited(app, member):
    product = ProductFactory(enterprise=member.enterprise, status=status.ARCHIVED)
    with pytest.raises(Conflict):
        services.update_product(product, member.user, product_input(product.category_id))


def test_product_for_enterprise_is_scoped(app, member):
    other = ProductFactory()
    with pytest.raises(NotFound):
        services.product_for_enterprise(member.enterprise_id, other.id)


# --------------------------------------------------------------------- stock


def test_update_stock_checks_what_the_seller_saw(app, member):
    product = ProductFactory(enterprise=member.enterprise)
    a = VariantFactory(product=product, stock=5)
    b = VariantFactory(product=product, stock=7)
    result = services.update_stock(member.enterprise, member.user, [
        services.StockChange(a.id, 5, 9), services.StockChange(b.id, 6, 1), services.StockChange(a.id, 5, 9),
    ])
    assert result.saved == 1
    assert [(c.variant.id, c.seen, c.wanted) for c in result.conflicts] == [(b.id, 6, 1)]
    assert (db.session.get(Variant, a.id).stock, db.session.get(Variant, b.id).stock) == (9, 7)


def sold_behind_the_sessions_back(variant: Variant, stock: int) -> None:
    """A sale committed by someone else after this session read the variant: the row
    now has ``stock``, the object the session holds still has what it read."""
    seen = variant.stock
    db.session.execute(text("UPDATE variants SET stock = :stock WHERE id = :id"), {"stock": stock, "id": variant.id})
    db.session.commit()
    set_committed_value(variant, "stock", seen)
    assert variant.stock == seen


def test_update_stock_compares_with_the_stock_of_now_not_of_the_session(app, member):
    a = VariantFactory(product=ProductFactory(enterprise=member.enterprise), stock=20)
    sold_behind_the_sessions_back(a, 17)
    result = services.update_stock(member.enterprise, member.user, [services.StockChange(a.id, 20, 25)])
    assert result.saved == 0 and [(c.seen, c.variant.stock) for c in result.conflicts] == [(20, 17)]
    assert db.session.scalar(select(Variant.stock).where(Variant.id == a.id)) == 17


def test_set_stock_without_expected_sets_it_whatever_it_was(app, member):
    variant = VariantFactory(product=ProductFactory(enterprise=member.enterprise), stock=20)
    result = services.set_stock(member.enterprise, member.user, variant.id, 35)
    assert (result.variant.id, result.changed, result.variant.stock) == (variant.id, True, 35)
    again = services.set_stock(member.enterprise, member.user, variant.id, 35)
    assert again.changed is False and again.variant.stock == 35


def test_set_stock_with_the_expected_value_writes_it(app, member):
    variant = VariantFactory(product=ProductFactory(enterprise=member.enterprise), stock=20)
    result = services.set_stock(member.enterprise, member.user, variant.id, 40, expected=20)
    assert result.changed and db.session.scalar(select(Variant.stock).where(Variant.id == variant.id)) == 40


@pytest.mark.parametrize("new", [25, 20, 17])
def test_set_stock_refuses_a_stale_expected_value_naming_todays_figure(app, member, new):
    variant = VariantFactory(product=ProductFactory(enterprise=member.enterprise), stock=20)
    sold_behind_the_sessions_back(variant, 17)  # three sold since the seller read 20
    with pytest.raises(services.StockChanged) as caught:
        services.set_stock(member.enterprise, member.user, variant.id, new, expected=20)
    error = caught.value
    assert isinstance(error, Conflict) and error.status_code == 409 and error.current == 17
    assert "17" in str(error.message) and "20" in str(error.message)
    assert error.fields["expected_stock"] == error.message
    assert db.session.scalar(select(Variant.stock).where(Variant.id == variant.id)) == 17


def test_set_stock_refuses_bad_numbers_and_other_enterprises_options(app, member):
    variant = VariantFactory(product=ProductFactory(enterprise=member.enterprise), stock=20)
    elsewhere = VariantFactory(stock=5)
    for bad in (-1, services.MAX_STOCK + 1):
        with pytest.raises(ValidationFailed) as caught:
            services.set_stock(member.enterprise, member.user, variant.id, bad, expected=20)
        assert "stock" in caught.value.fields
    with pytest.raises(NotFound):
        services.set_stock(member.enterprise, member.user, elsewhere.id, 1)
    with pytest.raises(NotFound):  # not a member of the variant's enterprise
        services.set_stock(elsewhere.product.enterprise, member.user, elsewhere.id, 1)
    assert db.session.scalar(select(Variant.stock).where(Variant.id == variant.id)) == 20
    assert db.session.scalar(select(Variant.stock).where(Variant.id == elsewhere.id)) == 5


def test_low_stock_listing(app, member):
    product = ProductFactory(enterprise=member.enterprise)
    VariantFactory(product=product, stock=2, low_stock_threshold=3, sku="LOW")
    VariantFactory(product=product, stock=20, sku="OK")
    VariantFactory(product=product, stock=0, is_active=False, sku="OFF")
    archived = ProductFactory(enterprise=member.enterprise, status=status.ARCHIVED)
    VariantFactory(product=archived, stock=0, sku="GONE")
    page = services.stock_page(member.enterprise, low_only=True)
    assert [v.sku for v in page.variants] == ["LOW"]
    assert services.low_stock_count(member.enterprise) == 1
    assert {v.sku for v in services.stock_page(member.enterprise).variants} == {"LOW", "OK", "OFF"}


# --------------------------------------------------------------------- costs


def test_costing_lines_and_below_cost(app, member):
    variant = VariantFactory(product=ProductFactory(enterprise=member.enterprise), price_satang=10000)
    WholesaleTierFactory(variant=variant, min_quantity=50, unit_price_satang=6000)
    costing = services.save_costs(variant.product, member.user, [
        services.CostInput(variant.id, 4000, 1050, 1500, None)])
    (vc,) = costing
    assert vc.unit_cost_satang == 6550
    assert [(line.price_satang, line.margin_satang, line.below_cost) for line in vc.lines] == [
        (10000, 3450, False), (6000, -550, True)]
    assert vc.below_cost
    with pytest.raises(ValidationFailed):
        services.save_costs(variant.product, member.user, [services.CostInput(variant.id, -1, None, None, None)])


# -------------------------------------------------------------------- photos


def png(color=(10, 200, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), color).save(buffer, format="PNG")
    return buffer.getvalue()


def test_photos_add_move_delete(app, member):
    product = ProductFactory(enterprise=member.enterprise)
    photos = services.add_photos(product, member.user, [("a.png", png()), ("b.png", png((1, 2, 3)))])
    assert [p.position for p in photos] == [0, 1]
    services.move_photo(product, member.user, photos[1].id, "cover")
    assert [p.id for p in sorted(product.photos, key=lambda p: p.position)] == [photos[1].id, photos[0].id]
    services.delete_photo(product, member.user, photos[1].id)
    assert [(p.id, p.position) for p in product.photos] == [(photos[0].id, 0)]
    with pytest.raises(NotFound):
        services.delete_photo(product, member.user, 999_999)


def test_too_many_photos(app, member, monkeypatch):
    monkeypatch.setattr(services, "MAX_PHOTOS", 1)
    product = ProductFactory(enterprise=member.enterprise)
    with pytest.raises(ValidationFailed):
        services.add_photos(product, member.user, [("a.png", png()), ("b.png", png())])
    assert db.session.scalar(select(func.count(ProductPhoto.id))) == 0


# ----------------------------------------------------------------------- CSV


def test_parse_csv_file_problems():
    assert csv_io.parse_csv(b"").file_errors
    assert csv_io.parse_csv(b"\xff\xfe\x00bad").file_errors
    assert csv_io.parse_csv(b"name,price\nx,1\n").file_errors  # no sku column
    assert csv_io.parse_csv(b"sku,sku\nA,B\n").file_errors
    assert csv_io.parse_csv(b"sku,price_baht\n").file_errors  # no rows
    big = b"sku\n" + b"A\n" * (csv_io.MAX_IMPORT_ROWS + 1)
    assert csv_io.parse_csv(big).file_errors


def test_parse_csv_bom_semicolons_and_formula_guard():
    data = "\ufeffSKU;Product_Name_TH;extra\n'=A1;ชื่อ;x\n".encode()
    preview = csv_io.parse_csv(data)
    assert preview.file_errors == []
    assert preview.columns == ["sku", "product_name_th"] and preview.ignored_columns == ["extra"]
    assert preview.rows[0].values == {"sku": "=A1", "product_name_th": "ชื่อ"}


# --------------------------------------------------------------------- feeds


def test_feed_key_rotates_and_is_checked(app, member):
    enterprise = member.enterprise
    assert feeds.secret_for(enterprise) is None
    first = feeds.rotate_feed_key(enterprise, member.user)
    assert feeds.enterprise_for_feed(enterprise.slug, first).id == enterprise.id
    second = feeds.rotate_feed_key(enterprise, member.user)
    assert second != first
    for slug, secret in ((enterprise.slug, first), (enterprise.slug, ""), ("nope", second),
                         (MemberFactory().enterprise.slug, second)):
        with pytest.raises(NotFound):
            feeds.enterprise_for_feed(slug, secret)
    app.config["SECRET_KEY"] = "another-secret"
    with pytest.raises(NotFound):
        feeds.enterprise_for_feed(enterprise.slug, second)
