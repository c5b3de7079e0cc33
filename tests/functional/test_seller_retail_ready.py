"""Retail-readiness on the seller dashboard (docs/product.md: Expansion track): the
listings list says per product whether it is retail-ready or what it lacks, and the
edit page lists the same things with links to the fields that fix them."""

from __future__ import annotations

import re

import pytest

from shop.catalog import status
from shop.extensions import db
from tests.factories import (
    CategoryFactory,
    CertificationFactory,
    MemberFactory,
    ProductFactory,
    VariantFactory,
    WholesaleTierFactory,
)

GOOD_GTIN = "8850123456787"
OTHER_GTIN = "8850001000019"


@pytest.fixture
def owner(app, make_client, sign_in):
    member = MemberFactory(enterprise__name_en="Ban Mae Jaem Coffee")
    member.client = sign_in(member.user, client=make_client("en"))
    return member


def coffee(owner, *, ready=True):
    """A food product with two options; ``ready=False`` leaves the second without a
    barcode, a shelf life or wholesale prices, and the product without an FDA number."""
    product = ProductFactory(enterprise=owner.enterprise, category=CategoryFactory(is_food=True),
                             name_en="Jar-roasted coffee", status=status.LIVE)
    first = VariantFactory(product=product, sku="MJ-250", gtin13=GOOD_GTIN, weight_grams=250, shelf_life_days=180,
                           case_pack=6, moq=6)
    WholesaleTierFactory(variant=first, min_quantity=24, unit_price_satang=10000)
    second = VariantFactory(product=product, sku="MJ-500", gtin13=None if not ready else OTHER_GTIN,
                            weight_grams=500, shelf_life_days=None if not ready else 180, case_pack=6, position=1)
    if ready:
        WholesaleTierFactory(variant=second, min_quantity=24, unit_price_satang=18000)
        CertificationFactory(enterprise=owner.enterprise, product=product, kind="fda", number="5010112345678")
    db.session.refresh(product)
    return product


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_the_list_says_retail_ready(app, owner):
    coffee(owner)
    body = text_of(owner.client.get(f"/seller/{owner.enterprise_id}/listings"))
    assert "Retail-ready" in body and "Not yet retail-ready" not in body


def test_the_list_names_what_is_missing_with_the_skus(app, owner):
    coffee(owner, ready=False)
    body = text_of(owner.client.get(f"/seller/{owner.enterprise_id}/listings"))
    text = re.sub(r"\s+", " ", body)
    assert "Not yet retail-ready:" in text
    assert "A Thai FDA (อย.) number" in text
    assert "A GTIN-13 barcode (MJ-500)" in text
    assert "The shelf life (MJ-500)" in text
    assert "Wholesale prices (MJ-500)" in text
    assert "MJ-250)" not in text


def test_the_edit_page_links_to_the_fields_to_fix(app, owner):
    product = coffee(owner, ready=False)
    body = text_of(owner.client.get(f"/seller/{owner.enterprise_id}/listings/{product.id}/edit"))
    assert 'id="retail-ready"' in body
    # The second option's row is variants-1; the FDA number goes in the certifications.
    assert '<a href="#variants-1-gtin13">MJ-500</a>' in body
    assert '<a href="#variants-1-shelf_life_days">MJ-500</a>' in body
    assert '<a href="#variants-1-tiers-0-min_quantity">MJ-500</a>' in body
    assert '<a href="#lst-certifications">A Thai FDA (อย.) number</a>' in body
    for anchor in ("variants-1-gtin13", "variants-1-shelf_life_days", "variants-1-tiers-0-min_quantity",
                   "lst-certifications"):
        assert f'id="{anchor}"' in body
    # The second row's folded wholesale part starts open; the first, complete, stays folded.
    assert body.count('<details class="lst-more" open>') == 1


def test_the_edit_page_says_when_it_is_ready(app, owner):
    product = coffee(owner)
    body = text_of(owner.client.get(f"/seller/{owner.enterprise_id}/listings/{product.id}/edit"))
    assert "Yes: shops and hotels with a verified business account find it" in body


def test_fixing_the_barcode_in_the_form_clears_it_from_the_list(app, owner):
    product = coffee(owner, ready=False)
    page = owner.client.get(f"/seller/{owner.enterprise_id}/listings/{product.id}/edit")
    assert "#variants-1-gtin13" in text_of(page)
    product.variants[1].gtin13 = OTHER_GTIN
    db.session.commit()
    body = text_of(owner.client.get(f"/seller/{owner.enterprise_id}/listings/{product.id}/edit"))
    assert "#variants-1-gtin13" not in body and "#variants-1-shelf_life_days" in body


def test_thai(app, owner, make_client, sign_in):
    coffee(owner, ready=False)
    client = sign_in(owner.user, client=make_client("th"))
    body = text_of(client.get(f"/seller/{owner.enterprise_id}/listings"))
    assert "ยังไม่พร้อมขายปลีก" in body


def test_the_seller_api_lists_readiness_with_codes(app, owner):
    from tests.api_helpers import bearer

    ready = coffee(owner)
    lacking = ProductFactory(enterprise=owner.enterprise, category=CategoryFactory(is_food=False), name_en="Basket")
    VariantFactory(product=lacking, sku="BK-1", gtin13=GOOD_GTIN, weight_grams=300, shelf_life_days=None, case_pack=4)
    client = app.test_client()
    response = client.get(f"/api/v1/seller/enterprises/{owner.enterprise_id}/products", headers=bearer(owner.user))
    assert response.status_code == 200
    by_id = {p["id"]: p for p in response.get_json()["data"]}
    assert by_id[ready.id]["retail_ready"] is True and by_id[ready.id]["missing"] == []
    assert by_id[lacking.id]["retail_ready"] is False
    assert [(m["code"], m["variant_sku"]) for m in by_id[lacking.id]["missing"]] == [
        ("shelf_life", "BK-1"), ("wholesale_tiers", "BK-1")]
    detail = client.get(f"/api/v1/seller/enterprises/{owner.enterprise_id}/products/{lacking.id}",
                        headers=bearer(owner.user, lang="th")).get_json()
    assert detail["missing"][0]["message"] == "อายุการเก็บรักษา"
