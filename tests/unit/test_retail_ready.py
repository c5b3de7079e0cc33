"""The retail-ready rule: what each product lacks, and the SQL form agreeing with it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shop.catalog import retail_ready as rr
from shop.catalog.listing_models import ProductListingSettings
from shop.catalog.models import Product
from shop.extensions import db
from tests.factories import (
    CategoryFactory,
    CertificationFactory,
    ProductFactory,
    VariantFactory,
    WholesaleTierFactory,
)

GOOD_GTIN = "8850001000014"


def _gtin(n: int) -> str:
    first = f"885{n:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first))
    return first + str((10 - total % 10) % 10)


def ready_product(*, food=True, variants=1):
    category = CategoryFactory(is_food=food)
    product = ProductFactory(category=category)
    for i in range(variants):
        variant = VariantFactory(product=product, gtin13=_gtin(product.id * 10 + i), weight_grams=250,
                                 shelf_life_days=180, case_pack=6, moq=6)
        WholesaleTierFactory(variant=variant, min_quantity=24, unit_price_satang=10000)
    if food:
        CertificationFactory(enterprise=product.enterprise, product=product, kind="fda", number="5010112345678")
    db.session.refresh(product)
    return product


def sql_ready_ids() -> set[int]:
    return set(db.session.scalars(select(Product.id).where(rr.retail_ready_clause())))


def test_a_complete_food_product_is_ready(app):
    product = ready_product()
    assert rr.retail_ready(product).ready
    assert product.id in sql_ready_ids()


def test_the_gtin_helper_makes_valid_codes():
    from shop.catalog.certifications import gtin13_is_valid

    assert gtin13_is_valid(_gtin(12345))


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda v: setattr(v, "gtin13", None), rr.GTIN),
        (lambda v: setattr(v, "gtin13", "885000100001"), rr.GTIN),
        (lambda v: setattr(v, "weight_grams", 0), rr.WEIGHT),
        (lambda v: setattr(v, "shelf_life_days", None), rr.SHELF_LIFE),
        (lambda v: setattr(v, "case_pack", 1), rr.CASE_PACK),
        (lambda v: v.wholesale_tiers.clear(), rr.WHOLESALE_TIERS),
    ],
)
def test_each_missing_fact_is_named_with_the_variant(app, change, code):
    product = ready_product(variants=2)
    second = product.variants[1]
    change(second)
    db.session.commit()
    db.session.refresh(product)
    readiness = rr.retail_ready(product)
    assert not readiness.ready
    assert [(m.code, m.variant_sku) for m in readiness.missing] == [(code, second.sku)]
    assert readiness.grouped() == [(code, rr.LABELS[code], [second.sku])]
    assert product.id not in sql_ready_ids()


def test_an_inactive_variant_does_not_count(app):
    product = ready_product(variants=1)
    VariantFactory(product=product, is_active=False)  # no barcode, no tiers
    db.session.refresh(product)
    assert rr.retail_ready(product).ready
    assert product.id in sql_ready_ids()


def test_no_active_variant_is_not_ready(app):
    product = ready_product()
    product.variants[0].is_active = False
    db.session.commit()
    assert rr.retail_ready(product).codes() == {rr.NO_ACTIVE_VARIANT}
    assert product.id not in sql_ready_ids()


def test_food_needs_an_fda_number_and_non_food_does_not(app):
    food = ready_product(food=True)
    for cert in list(food.certifications):
        db.session.delete(cert)
    db.session.commit()
    db.session.refresh(food)
    assert rr.retail_ready(food).codes() == {rr.FDA_NUMBER}
    soap = ready_product(food=False)
    assert rr.retail_ready(soap).ready
    assert sql_ready_ids() == {soap.id}
    # The seller says the soap is food after all (ProductListingSettings overrides the category).
    db.session.add(ProductListingSettings(product_id=soap.id, is_food=True))
    db.session.commit()
    assert rr.retail_ready(soap).codes() == {rr.FDA_NUMBER}
    assert sql_ready_ids() == set()


def test_the_sql_rule_agrees_with_the_python_rule_on_the_demo_catalogue(app):
    from shop.catalog.demo import load_demo_catalogue

    load_demo_catalogue(photo_width=48)
    products = db.session.scalars(select(Product)).all()
    python_ready = {p.id for p in products if rr.retail_ready(p).ready}
    assert python_ready == sql_ready_ids()
    assert python_ready, "the demo catalogue has retail-ready products"
    assert len(python_ready) < len(products), "and products that are not"
