"""Storefront services: the visibility rule, listing arguments, badges and the track."""

from __future__ import annotations

import pytest

from shop.catalog import services, status
from shop.catalog.models import Certification, Enterprise, Product, Variant
from tests.factories import CategoryFactory, EnterpriseFactory, ProductFactory, VariantFactory


@pytest.mark.parametrize(
    ("product_status", "enterprise_status", "visible"),
    [
        (status.LIVE, status.ENTERPRISE_APPROVED, True),
        (status.LIVE, status.ENTERPRISE_PENDING, False),
        (status.LIVE, status.ENTERPRISE_SUSPENDED, False),
        (status.LIVE, status.ENTERPRISE_REJECTED, False),
        (status.DRAFT, status.ENTERPRISE_APPROVED, False),
        (status.PENDING_REVIEW, status.ENTERPRISE_APPROVED, False),
        (status.PAUSED, status.ENTERPRISE_APPROVED, False),
        (status.ARCHIVED, status.ENTERPRISE_APPROVED, False),
    ],
)
def test_visibility_rule_agrees_in_python_and_sql(app, product_status, enterprise_status, visible):
    product = ProductFactory(status=product_status, enterprise=EnterpriseFactory(status=enterprise_status))
    assert services.is_product_visible(product) is visible
    found = services.db.session.scalars(services.select_visible_products()).all()
    assert (product in found) is visible


def test_parse_sort(app):
    assert services.parse_sort(None) == services.SORT_NEWEST
    assert services.parse_sort("PRICE_ASC") == services.SORT_PRICE_ASC
    with app.test_request_context(), pytest.raises(services.BadListingRequest):
        services.parse_sort("random")


def test_price_range_uses_active_variants_only():
    product = Product(min_price_satang=999)
    product.variants = [
        Variant(price_satang=12000, is_active=True),
        Variant(price_satang=9000, is_active=False),
        Variant(price_satang=30000, is_active=True),
    ]
    assert services.price_range(product) == (12000, 30000)
    assert services.price_range(Product(min_price_satang=999)) == (999, 999)


@pytest.mark.parametrize(("stock", "level"), [(0, "out"), (3, "low"), (5, "low"), (6, "in")])
def test_stock_level(stock, level):
    assert services.stock_level(Variant(stock=stock, low_stock_threshold=5)) == level


def test_certification_badge_formats_the_fda_number(app):
    with app.test_request_context():
        badge = services.certification_badge(Certification(kind="fda", number="5010112345678"))
        assert badge.number == "50-1-01123-4-5678"
        otop = services.certification_badge(Certification(kind="otop", stars=3))
        assert otop.stars == 3 and otop.number is None


@pytest.mark.parametrize(
    ("stage", "states"),
    [
        (status.STAGE_FOUNDATION, ["current", "todo", "todo", "todo"]),
        (status.STAGE_NETWORKING, ["done", "done", "current", "todo"]),
        (status.STAGE_EXPANSION, ["done", "done", "done", "current"]),
    ],
)
def test_track_progress(app, stage, states):
    with app.test_request_context():
        steps = services.track_progress(Enterprise(track_stage=stage))
    assert [s.state for s in steps] == states
    assert [s.code for s in steps] == list(status.TRACK_STAGES)


def test_listing_of_an_enterprise_pages_without_counting(app):
    enterprise = EnterpriseFactory()
    for _ in range(5):
        VariantFactory(product=ProductFactory(enterprise=enterprise))
    first = services.enterprise_products(enterprise.id, 1, per_page=3)
    assert len(first.items) == 3 and first.has_next and not first.has_prev
    second = services.enterprise_products(enterprise.id, 2, per_page=3)
    assert len(second.items) == 2 and not second.has_next and second.has_prev
    with app.test_request_context(), pytest.raises(services.NotFound):
        services.enterprise_products(enterprise.id, 3, per_page=3)


def test_category_ids_with_descendants_goes_every_level_down(app):
    food = CategoryFactory()
    coffee = CategoryFactory(parent=food)
    tea = CategoryFactory(parent=food)
    beans = CategoryFactory(parent=coffee)
    washed = CategoryFactory(parent=beans)
    other = CategoryFactory()
    ids = services.category_ids_with_descendants(food.id)
    assert ids[0] == food.id and set(ids) == {food.id, coffee.id, tea.id, beans.id, washed.id}
    assert services.category_ids_with_descendants(beans.id) == [beans.id, washed.id]
    assert services.category_ids_with_descendants(other.id) == [other.id]
    # Given the categories, it reads none.
    assert services.category_ids_with_descendants(coffee.id, [food, coffee, beans, washed]) == [
        coffee.id, beans.id, washed.id]
