"""Selling through the API: the token user's enterprises, listings (create, partial
update, status moves, stock), orders and the fulfilment steps, bad input of every
kind (a 4xx naming the field, nothing written), and access: another enterprise's
ids and a non-member's token answer 404, a missing or revoked token 401."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from shop.accounts import api_tokens
from shop.catalog import status
from shop.catalog.listing_models import ListingStatusChange
from shop.catalog.listing_status import transition_product
from shop.catalog.listings import MAX_STOCK
from shop.catalog.models import Certification, Product, ProductTag, Variant
from shop.extensions import db
from shop.orders import status as st
from shop.orders.models import Fulfilment
from tests.api_helpers import bearer, token_for
from tests.cart_helpers import stock_of
from tests.factories import (
    CategoryFactory,
    MemberFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
)
from tests.order_helpers import make_order
from tests.status_helpers import move_listing

GOOD_GTIN = "8850123456787"
GOOD_FDA = "10-1-23456-5-0001"


@pytest.fixture
def owner(app):
    return MemberFactory(enterprise__name_en="Ban Mae Jaem Coffee", enterprise__slug="maejaem")


@pytest.fixture
def headers(owner):
    return bearer(owner.user, lang="en")


@pytest.fixture
def category(app):
    return CategoryFactory(slug="coffee", name_en="Coffee", name_th="กาแฟ", is_food=True)


@pytest.fixture
def coffee(owner, category):
    return VariantFactory(product__enterprise=owner.enterprise, product__category=category,
                          product__name_th="กาแฟคั่วโอ่ง", product__name_en="Jar-roasted coffee",
                          product__status=status.LIVE, sku="MJ-250", price_satang=12000, stock=20)


@pytest.fixture
def other(app, category):
    """Another enterprise with a paused product, a variant and a paid order (placed
    while the product was on sale)."""
    member = MemberFactory(enterprise__slug="banpaen")
    variant = VariantFactory(product__enterprise=member.enterprise, product__category=category, sku="BP-1", stock=9)
    order = make_order([(variant, 1)], paid=True)
    transition_product(variant.product, status.PAUSED, actor=member.user)
    db.session.commit()
    return {"member": member, "enterprise": member.enterprise, "product": variant.product, "variant": variant,
            "fulfilment": order.fulfilments[0]}


def base(owner) -> str:
    return f"/api/v1/seller/enterprises/{owner.enterprise_id}"


def new_product(category_id: int, **overrides) -> dict:
    body = {
        "name_th": "กาแฟคั่วโอ่ง", "name_en": "Jar-roasted coffee", "summary_th": "คั่วในโอ่งดิน",
        "description_th": "ย่อหน้าแรก\n\nย่อหน้าสอง", "category_id": category_id,
        "tags": ["กาแฟ", "coffee", " Coffee ", "#คั่วโอ่ง", ""], "is_food": None,
        "variants": [
            {"name_th": "250 กรัม", "name_en": "250 g", "sku": "NEW-250", "gtin13": GOOD_GTIN, "weight_grams": 250,
             "price_satang": 12000, "stock": 30, "moq": 10, "case_pack": 10,
             "tiers": [{"min_quantity": 50, "unit_price_satang": 10500}]},
            {"name_th": "500 กรัม", "sku": "NEW-500", "price_satang": 22050, "stock": 12},
        ],
        "certifications": [{"kind": "fda", "number": GOOD_FDA}],
    }
    body.update(overrides)
    return body


def counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count(m.id))) for m in (Product, Variant, ProductTag, Certification))


def error_of(response) -> dict:
    assert response.is_json, response.get_data(as_text=True)[:200]
    return response.get_json()["error"]


# ------------------------------------------------------------------ enterprises


def test_enterprises_lists_the_token_users_memberships_only(client, owner, other):
    second = MemberFactory(user=owner.user, role=status.MEMBER_STAFF, enterprise__slug="second")
    response = client.get("/api/v1/seller/enterprises", headers=bearer(owner.user))
    assert response.status_code == 200
    body = response.get_json()
    assert [(e["id"], e["slug"], e["role"]) for e in body["data"]] == [
        (owner.enterprise_id, "maejaem", "owner"), (second.enterprise_id, "second", "staff")]
    assert body["data"][0]["status"] == "approved"
    assert body["meta"]["total"] == 2


def test_a_user_without_enterprise_gets_an_empty_list(client):
    response = client.get("/api/v1/seller/enterprises", headers=bearer(UserFactory()))
    assert response.status_code == 200
    assert response.get_json()["data"] == []


# ------------------------------------------------------------------ listings: read


def test_products_are_paginated_newest_first_with_stock_and_filter(client, owner, headers, coffee, category):
    drafts = [ProductFactory(enterprise=owner.enterprise, category=category, status=status.DRAFT) for _ in range(3)]
    archived = ProductFactory(enterprise=owner.enterprise, category=category, status=status.ARCHIVED)
    ids = []
    for page in (1, 2):
        response = client.get(f"{base(owner)}/products?per_page=2&page={page}", headers=headers)
        assert response.status_code == 200
        body = response.get_json()
        ids += [p["id"] for p in body["data"]]
        assert body["meta"]["total"] == 4
    assert ids == sorted([coffee.product_id, *(p.id for p in drafts)], reverse=True)
    assert archived.id not in ids

    live = client.get(f"{base(owner)}/products?status=live", headers=headers).get_json()["data"]
    assert [p["id"] for p in live] == [coffee.product_id]
    assert live[0]["variants"][0].items() >= {"sku": "MJ-250", "stock": 20, "price_satang": 12000}.items()
    only_archived = client.get(f"{base(owner)}/products?status=archived", headers=headers).get_json()["data"]
    assert [p["id"] for p in only_archived] == [archived.id]
    by_sku = client.get(f"{base(owner)}/products?q=mj-2", headers=headers).get_json()["data"]
    assert [p["id"] for p in by_sku] == [coffee.product_id]


@pytest.mark.parametrize("query", ["status=gone", "page=0", "per_page=101", "page=abc", "q=" + "x" * 101])
def test_bad_product_list_queries_are_422(client, owner, headers, query):
    response = client.get(f"{base(owner)}/products?{query}", headers=headers)
    assert response.status_code == 422
    assert error_of(response)["fields"]


def test_product_detail_has_status_history_and_allowed_moves(client, owner, headers, coffee):
    response = client.get(f"{base(owner)}/products/{coffee.product_id}", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "live" and body["status_label"] == "Live"
    assert set(body["allowed_statuses"]) == {"paused", "archived"}
    assert body["variants"][0]["sku"] == "MJ-250"
    assert body["history"] == [] and body["checklist"]


# ------------------------------------------------------------------ listings: create


def test_create_a_draft_with_variants_tiers_tags_and_certifications(client, owner, headers, category):
    response = client.post(f"{base(owner)}/products", json=new_product(category.id), headers=headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"] == f"{base(owner)}/products/{body['id']}"
    assert body["status"] == "draft" and body["slug"] == "jar-roasted-coffee"
    assert body["tags"] == ["กาแฟ", "coffee", "คั่วโอ่ง"]
    assert [(v["sku"], v["price_satang"], v["stock"]) for v in body["variants"]] == [
        ("NEW-250", 12000, 30), ("NEW-500", 22050, 12)]
    assert body["variants"][0]["tiers"] == [{"min_quantity": 50, "unit_price_satang": 10500}]
    assert body["certifications"][0]["kind"] == "fda"
    product = db.session.get(Product, body["id"])
    assert product.enterprise_id == owner.enterprise_id and product.min_price_satang == 12000
    again = client.get(response.headers["Location"], headers=headers).get_json()
    assert again["id"] == body["id"]


def test_an_enterprise_id_in_the_body_is_refused_and_never_used(client, owner, headers, category, other):
    before = counts()
    body = new_product(category.id, enterprise_id=other["enterprise"].id)
    response = client.post(f"{base(owner)}/products", json=body, headers=headers)
    assert response.status_code == 422
    assert "enterprise_id" in error_of(response)["fields"]
    assert counts() == before
    patch = client.patch(f"{base(owner)}/products/{other['product'].id}", json={"enterprise_id": owner.enterprise_id},
                         headers=headers)
    assert patch.status_code in (404, 422)


@pytest.mark.parametrize(("change", "field"), [
    (lambda b: b.pop("name_th"), "name_th"),
    (lambda b: b.update(name_th=""), "name_th"),
    (lambda b: b.update(name_th="   "), "name_th"),
    (lambda b: b.update(category_id="1"), "category_id"),
    (lambda b: b.update(category_id=999999), "category_id"),
    (lambda b: b.update(category_id=10**12), "category_id"),
    (lambda b: b.update(tags="coffee"), "tags"),
    (lambda b: b.update(tags=["x" * 61]), "tags.0"),
    (lambda b: b.update(variants=[]), "variants"),
    (lambda b: b["variants"][0].update(price_satang="120"), "variants.0.price_satang"),
    (lambda b: b["variants"][0].update(price_satang=120.5), "variants.0.price_satang"),
    (lambda b: b["variants"][0].update(price_satang=0), "variants.0.price_satang"),
    (lambda b: b["variants"][0].update(price_satang=10**12), "variants.0.price_satang"),
    (lambda b: b["variants"][0].update(stock=-1), "variants.0.stock"),
    (lambda b: b["variants"][0].update(stock=10**9), "variants.0.stock"),
    (lambda b: b["variants"][0].update(moq=10**9), "variants.0.moq"),
    (lambda b: b["variants"][1].pop("sku"), "variants.1.sku"),
    (lambda b: b["variants"][1].update(sku="bad sku!"), "variants.1.sku"),
    (lambda b: b["variants"][1].update(sku="new-250"), "variants.1.sku"),
    (lambda b: b["variants"][0].update(gtin13="8850123456780"), "variants.0.gtin13"),
    (lambda b: b["variants"][0].update(tiers=[{"min_quantity": 50, "unit_price_satang": 1},
                                              {"min_quantity": 50, "unit_price_satang": 2}]),
     "variants.0.tiers.1.min_quantity"),
    (lambda b: b["variants"][0].update(tiers=[{"min_quantity": 0, "unit_price_satang": 1}]),
     "variants.0.tiers.0.min_quantity"),
    (lambda b: b["certifications"][0].update(number="12345"), "certifications.0.number"),
    (lambda b: b["certifications"].append({"kind": "fda", "number": GOOD_FDA}), "certifications.1.kind"),
    (lambda b: b["certifications"][0].update(kind="iso"), "certifications.0.kind"),
    (lambda b: b.update(is_food="yes"), "is_food"),
])
def test_bad_product_input_names_the_field_and_writes_nothing(client, owner, headers, category, change, field):
    before = counts()
    body = new_product(category.id)
    change(body)
    response = client.post(f"{base(owner)}/products", json=body, headers=headers)
    assert response.status_code == 422, response.get_json()
    error = error_of(response)
    assert field in error["fields"], error
    assert counts() == before


def test_a_sku_already_used_by_another_product_is_refused(client, owner, headers, category, coffee):
    before = counts()
    body = new_product(category.id)
    body["variants"][1]["sku"] = "mj-250"
    response = client.post(f"{base(owner)}/products", json=body, headers=headers)
    assert response.status_code == 422
    assert error_of(response)["fields"]["variants.1.sku"] == "Another of your products already uses this SKU."
    assert counts() == before


def test_another_enterprises_sku_is_free_to_use(client, owner, headers, category, other):
    body = new_product(category.id)
    body["variants"][0]["sku"] = "BP-1"
    assert client.post(f"{base(owner)}/products", json=body, headers=headers).status_code == 201


@pytest.mark.parametrize("payload", ["not json", "[1, 2]", "null", '{"name_th": '])
def test_bodies_that_are_not_a_json_object_are_refused(client, owner, headers, payload):
    response = client.post(f"{base(owner)}/products", data=payload, content_type="application/json",
                           headers=headers)
    assert response.status_code in (400, 422)
    assert error_of(response)


def test_messages_are_thai_by_default(client, owner, category):
    body = new_product(category.id)
    body["variants"][0]["stock"] = -5
    response = client.post(f"{base(owner)}/products", json=body, headers=bearer(owner.user))
    assert response.status_code == 422
    message = error_of(response)["fields"]["variants.0.stock"]
    assert message and message.isascii() is False


# ------------------------------------------------------------------ listings: update


def test_patch_changes_only_the_fields_given_and_keeps_unlisted_variants(client, owner, headers, coffee):
    kilo = VariantFactory(product=coffee.product, sku="MJ-1000", price_satang=40000, stock=5, position=1)
    url = f"{base(owner)}/products/{coffee.product_id}"
    response = client.patch(url, json={
        "name_en": "Clay-jar coffee", "tags": ["coffee"],
        "variants": [{"id": coffee.id, "price_satang": 13000},
                     {"name_th": "ซองทดลอง", "sku": "MJ-50", "price_satang": 3000, "stock": 40}],
    }, headers=headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["name_en"] == "Clay-jar coffee" and body["name_th"] == "กาแฟคั่วโอ่ง"
    assert body["status"] == "live" and body["tags"] == ["coffee"]
    by_sku = {v["sku"]: v for v in body["variants"]}
    assert by_sku["MJ-250"]["price_satang"] == 13000 and by_sku["MJ-250"]["stock"] == 20
    assert by_sku["MJ-1000"] == {**by_sku["MJ-1000"], "price_satang": 40000, "stock": 5}
    assert by_sku["MJ-50"]["stock"] == 40
    assert db.session.get(Variant, kilo.id).is_active


def test_patch_can_clear_a_nullable_field_but_not_a_required_one(client, owner, headers, coffee):
    url = f"{base(owner)}/products/{coffee.product_id}"
    assert client.patch(url, json={"name_en": None}, headers=headers).get_json()["name_en"] is None
    response = client.patch(url, json={"name_th": None}, headers=headers)
    assert response.status_code == 422 and "name_th" in error_of(response)["fields"]


@pytest.mark.parametrize(("body", "field"), [
    ({"variants": [{"name_th": "ใหม่", "price_satang": 100, "stock": 1}]}, "variants.0.sku"),
    ({"variants": [{"sku": "X-1"}]}, "variants.0.price_satang"),
    ({"variants": [{"id": "1"}]}, "variants.0.id"),
    ({"variants": [{"price_satang": 10**9 * 1000}]}, "variants.0.price_satang"),
    ({"category_id": None}, "category_id"),
    ({"certifications": [{"kind": "otop"}]}, "certifications.0.stars"),
])
def test_bad_patches_write_nothing(client, owner, headers, coffee, body, field):
    before = counts()
    response = client.patch(f"{base(owner)}/products/{coffee.product_id}", json=body, headers=headers)
    assert response.status_code == 422, response.get_json()
    assert field in error_of(response)["fields"]
    assert counts() == before
    db.session.expire_all()
    assert db.session.get(Variant, coffee.id).price_satang == 12000


def test_patch_with_a_sku_clash_names_the_variant(client, owner, headers, coffee, category):
    other_product = VariantFactory(product__enterprise=owner.enterprise, product__category=category, sku="MJ-OTHER")
    response = client.patch(f"{base(owner)}/products/{coffee.product_id}",
                            json={"variants": [{"id": coffee.id, "sku": "mj-other"}]}, headers=headers)
    assert response.status_code == 422
    assert "variants.0.sku" in error_of(response)["fields"]
    assert db.session.get(Variant, other_product.id).sku == "MJ-OTHER"


def test_patch_with_another_products_variant_id_is_404(client, owner, headers, coffee, category, other):
    mine = VariantFactory(product__enterprise=owner.enterprise, product__category=category)
    for variant_id in (mine.id, other["variant"].id):
        response = client.patch(f"{base(owner)}/products/{coffee.product_id}",
                                json={"variants": [{"id": variant_id, "price_satang": 1}]}, headers=headers)
        assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Variant, other["variant"].id).price_satang == 12000


def test_an_archived_listing_cannot_be_changed(client, owner, headers, coffee):
    move_listing(coffee.product, status.ARCHIVED)
    db.session.commit()
    response = client.patch(f"{base(owner)}/products/{coffee.product_id}", json={"name_en": "x"}, headers=headers)
    assert response.status_code == 409


# ------------------------------------------------------------------ listings: status


def move(client, owner, headers, product_id, to_status, **extra):
    return client.post(f"{base(owner)}/products/{product_id}/status", json={"status": to_status, **extra},
                       headers=headers)


def test_member_moves_through_the_listing_states(client, owner, headers, category):
    draft = VariantFactory(product__enterprise=owner.enterprise, product__category=category,
                           product__status=status.DRAFT).product
    response = move(client, owner, headers, draft.id, "pending_review", reason="ready")
    assert response.status_code == 200
    assert response.get_json()["status"] == "pending_review"
    assert response.get_json()["history"][0] | {"created_at": None} == {
        "from_status": "draft", "to_status": "pending_review", "actor_role": "member", "reason": "ready",
        "created_at": None}
    assert move(client, owner, headers, draft.id, "draft").get_json()["status"] == "draft"
    assert move(client, owner, headers, draft.id, "archived").get_json()["status"] == "archived"
    assert db.session.scalar(select(func.count(ListingStatusChange.id))) == 3


def test_pause_and_resume_a_live_listing(client, owner, headers, coffee):
    assert move(client, owner, headers, coffee.product_id, "paused").get_json()["status"] == "paused"
    assert move(client, owner, headers, coffee.product_id, "live").get_json()["status"] == "live"


@pytest.mark.parametrize(("start", "target"), [
    (status.DRAFT, "live"), (status.DRAFT, "paused"), (status.DRAFT, "draft"),
    (status.PENDING_REVIEW, "live"), (status.LIVE, "pending_review"), (status.LIVE, "draft"),
    (status.PAUSED, "pending_review"), (status.ARCHIVED, "draft"), (status.ARCHIVED, "live"),
    (status.ARCHIVED, "archived"),
])
def test_impossible_moves_are_409_and_change_nothing(client, owner, headers, category, start, target):
    product = VariantFactory(product__enterprise=owner.enterprise, product__category=category,
                             product__status=start).product
    response = move(client, owner, headers, product.id, target)
    assert response.status_code == 409
    assert error_of(response)["message"]
    db.session.expire_all()
    assert db.session.get(Product, product.id).status == start
    assert db.session.scalar(select(func.count(ListingStatusChange.id))) == 0


def test_submitting_a_listing_without_an_option_on_sale_is_409(client, owner, headers, category):
    product = VariantFactory(product__enterprise=owner.enterprise, product__category=category,
                             product__status=status.DRAFT, is_active=False).product
    assert move(client, owner, headers, product.id, "pending_review").status_code == 409


@pytest.mark.parametrize("body", [{"status": "approved"}, {"status": 1}, {}, {"status": "live", "reason": "x" * 2001},
                                  {"status": "live", "actor": "staff"}])
def test_bad_status_bodies_are_422(client, owner, headers, coffee, body):
    response = client.post(f"{base(owner)}/products/{coffee.product_id}/status", json=body, headers=headers)
    assert response.status_code == 422


# ------------------------------------------------------------------ stock


def put_stock(client, owner, headers, variant_id, body):
    return client.put(f"{base(owner)}/variants/{variant_id}/stock", json=body, headers=headers)


def test_set_stock_without_and_with_the_expected_value(client, owner, headers, coffee):
    response = put_stock(client, owner, headers, coffee.id, {"stock": 35})
    assert response.status_code == 200
    assert response.get_json() == {"variant_id": coffee.id, "product_id": coffee.product_id, "sku": "MJ-250",
                                   "stock": 35, "changed": True}
    assert stock_of(coffee.id) == 35
    response = put_stock(client, owner, headers, coffee.id, {"stock": 40, "expected_stock": 35})
    assert response.get_json()["stock"] == 40
    same = put_stock(client, owner, headers, coffee.id, {"stock": 40})
    assert same.status_code == 200 and same.get_json()["changed"] is False


def test_a_stale_expected_stock_is_409_with_the_current_stock(client, owner, headers, coffee):
    make_order([(coffee, 3)])  # a sale since the client read 20
    for new in (25, 20):
        response = put_stock(client, owner, headers, coffee.id, {"stock": new, "expected_stock": 20})
        assert response.status_code == 409
        assert "17" in error_of(response)["message"]
    assert stock_of(coffee.id) == 17


@pytest.mark.parametrize("body", [
    {"stock": -1}, {"stock": MAX_STOCK + 1}, {"stock": 10**18}, {"stock": "5"}, {"stock": 5.5}, {"stock": None},
    {}, {"stock": 5, "expected_stock": -1}, {"stock": 5, "expected_stock": 2**31}, {"stock": 5, "variant_id": 1},
])
def test_bad_stock_bodies_are_422_and_change_nothing(client, owner, headers, coffee, body):
    response = put_stock(client, owner, headers, coffee.id, body)
    assert response.status_code == 422
    assert error_of(response)["fields"]
    assert stock_of(coffee.id) == 20


# ------------------------------------------------------------------ orders


def orders_url(owner, tail=""):
    return f"{base(owner)}/orders{tail}"


def test_orders_are_listed_newest_first_with_seller_status_filters(client, owner, headers, coffee, other):
    unpaid = make_order([(coffee, 1)])
    paid = make_order([(coffee, 2)], paid=True)
    shipped = make_order([(coffee, 1)], paid=True, fulfilment_status=st.FULFILMENT_SHIPPED)
    body = client.get(orders_url(owner), headers=headers).get_json()
    assert [o["order_number"] for o in body["data"]] == [shipped.public_id, paid.public_id, unpaid.public_id]
    assert [o["status"] for o in body["data"]] == ["shipped", "new", "awaiting_payment"]
    assert other["fulfilment"].id not in [o["id"] for o in body["data"]]
    awaiting = client.get(orders_url(owner, "?status=awaiting_payment"), headers=headers).get_json()["data"]
    assert [o["order_number"] for o in awaiting] == [unpaid.public_id]
    new = client.get(orders_url(owner, "?status=new"), headers=headers).get_json()["data"]
    assert [o["order_number"] for o in new] == [paid.public_id]
    page2 = client.get(orders_url(owner, "?per_page=2&page=2"), headers=headers).get_json()
    assert [o["order_number"] for o in page2["data"]] == [unpaid.public_id]
    assert page2["meta"] | {"per_page": 2} == {"page": 2, "per_page": 2, "total": 3, "pages": 2, "next_page": None}
    assert client.get(orders_url(owner, "?status=lost"), headers=headers).status_code == 422


def test_order_detail_shows_lines_address_timeline_and_actions(client, owner, headers, coffee):
    order = make_order([(coffee, 2)], paid=True)
    response = client.get(orders_url(owner, f"/{order.fulfilments[0].id}"), headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["lines"][0].items() >= {"sku": "MJ-250", "quantity": 2, "line_total_satang": 24000,
                                        "product_name": "Jar-roasted coffee"}.items()
    assert body["ship_to"]["postcode"] == "10110" and body["ship_to"]["province_name"] == "Bangkok"
    assert body["actions"]["accept"] is True and body["actions"]["ship"] is False
    assert [c["to_status"] for c in body["timeline"]] == ["pending_payment", "paid"]


def test_a_pickup_order_shows_only_the_buyers_name_and_phone(client, owner, headers, coffee):
    order = make_order([(coffee, 1)], paid=True, shipping_kind=st.SHIPPING_PICKUP)
    ship_to = client.get(orders_url(owner, f"/{order.fulfilments[0].id}"), headers=headers).get_json()["ship_to"]
    assert ship_to["recipient_name"] and ship_to["phone"] and ship_to["address_line"] is None


def step(client, owner, headers, fulfilment_id, action, body=None):
    return client.post(orders_url(owner, f"/{fulfilment_id}/{action}"), json=body, headers=headers)


def test_fulfilment_steps_in_order(client, owner, headers, coffee):
    part = make_order([(coffee, 1)], paid=True).fulfilments[0]
    assert step(client, owner, headers, part.id, "accept").get_json()["status"] == "accepted"
    assert step(client, owner, headers, part.id, "pack").get_json()["status"] == "packed"
    response = step(client, owner, headers, part.id, "ship", {"carrier": "kerry", "tracking_number": "kex 1234 5678"})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["carrier"], body["tracking_number"]) == ("shipped", "kerry", "KEX12345678")
    assert [c["to_status"] for c in body["timeline"]][-3:] == ["accepted", "packed", "shipped"]
    assert body["actions"]["cancel"] is False


@pytest.mark.parametrize(("reached", "action", "body"), [
    (st.FULFILMENT_NEW, "pack", None),
    (st.FULFILMENT_NEW, "ship", {"carrier": "kerry", "tracking_number": "KEX123456"}),
    (st.FULFILMENT_ACCEPTED, "accept", None),
    (st.FULFILMENT_ACCEPTED, "ship", {"carrier": "kerry", "tracking_number": "KEX123456"}),
    (st.FULFILMENT_SHIPPED, "pack", None),
    (st.FULFILMENT_SHIPPED, "cancel", {"reason": "too late"}),
    (st.FULFILMENT_DELIVERED, "ship", {"carrier": "kerry", "tracking_number": "KEX123456"}),
])
def test_steps_out_of_order_are_409_and_change_nothing(client, owner, headers, coffee, reached, action, body):
    part = make_order([(coffee, 1)], paid=True, fulfilment_status=reached).fulfilments[0]
    response = step(client, owner, headers, part.id, action, body)
    assert response.status_code == 409, response.get_json()
    db.session.expire_all()
    assert db.session.get(Fulfilment, part.id).status == reached


def test_an_unpaid_order_cannot_be_accepted_but_can_be_cancelled(client, owner, headers, coffee):
    part = make_order([(coffee, 2)]).fulfilments[0]
    assert stock_of(coffee.id) == 18
    response = step(client, owner, headers, part.id, "accept")
    assert response.status_code == 409
    assert "paid" in error_of(response)["message"]
    response = step(client, owner, headers, part.id, "cancel", {"reason": "Out of beans"})
    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled"
    assert stock_of(coffee.id) == 20


@pytest.mark.parametrize(("action", "body", "field"), [
    ("ship", {"carrier": "kerry", "tracking_number": "!!"}, "tracking_number"),
    ("ship", {"carrier": "kerry"}, "tracking_number"),
    ("ship", {"tracking_number": "KEX123456"}, "carrier"),
    ("ship", {"carrier": 5, "tracking_number": "KEX123456"}, "carrier"),
    ("ship", {"carrier": "x" * 41, "tracking_number": "KEX123456"}, "carrier"),
    ("cancel", {"reason": ""}, "reason"),
    ("cancel", {"reason": "   "}, "reason"),
    ("cancel", {}, "reason"),
    ("cancel", {"reason": "x" * 501}, "reason"),
])
def test_bad_step_bodies_are_422(client, owner, headers, coffee, action, body, field):
    part = make_order([(coffee, 1)], paid=True, fulfilment_status=st.FULFILMENT_PACKED).fulfilments[0]
    response = step(client, owner, headers, part.id, action, body)
    assert response.status_code == 422, response.get_json()
    assert field in error_of(response)["fields"]
    db.session.expire_all()
    assert db.session.get(Fulfilment, part.id).status == st.FULFILMENT_PACKED


# ------------------------------------------------------------------ access


def selling_requests(own: int, ids: dict) -> list[tuple[str, str, dict | None]]:
    """Every selling endpoint with the given ids: (method, path, body)."""
    e = f"/api/v1/seller/enterprises/{ids.get('enterprise', own)}"
    return [
        ("GET", f"{e}/products", None),
        ("POST", f"{e}/products", {"name_th": "x", "category_id": 1, "variants": [
            {"name_th": "x", "sku": "Z-1", "price_satang": 100, "stock": 1}]}),
        ("GET", f"{e}/products/{ids['product']}", None),
        ("PATCH", f"{e}/products/{ids['product']}", {"name_en": "Taken"}),
        ("POST", f"{e}/products/{ids['product']}/status", {"status": "archived"}),
        ("PUT", f"{e}/variants/{ids['variant']}/stock", {"stock": 1}),
        ("GET", f"{e}/orders", None),
        ("GET", f"{e}/orders/{ids['fulfilment']}", None),
        ("POST", f"{e}/orders/{ids['fulfilment']}/accept", None),
        ("POST", f"{e}/orders/{ids['fulfilment']}/pack", None),
        ("POST", f"{e}/orders/{ids['fulfilment']}/ship", {"carrier": "kerry", "tracking_number": "KEX123456"}),
        ("POST", f"{e}/orders/{ids['fulfilment']}/cancel", {"reason": "no"}),
    ]


ENDPOINT_NAMES = ["list products", "create product", "product", "update product", "status", "stock", "orders",
                  "order", "accept", "pack", "ship", "cancel"]


def _untouched(other):
    db.session.expire_all()
    assert db.session.get(Product, other["product"].id).status == status.PAUSED
    assert db.session.get(Product, other["product"].id).name_en != "Taken"
    assert stock_of(other["variant"].id) == 8
    assert db.session.get(Fulfilment, other["fulfilment"].id).status == st.FULFILMENT_NEW


NO_OBJECT_ID = {"list products", "create product", "orders"}
FOREIGN_CASES = [
    *(pytest.param("url", index, id=f"other enterprise in the URL: {name}")
      for index, name in enumerate(ENDPOINT_NAMES)),
    *(pytest.param("objects", index, id=f"other enterprise's ids: {name}")
      for index, name in enumerate(ENDPOINT_NAMES) if name not in NO_OBJECT_ID),
]


@pytest.mark.parametrize(("whose", "index"), FOREIGN_CASES)
def test_another_enterprises_ids_are_404_everywhere(client, owner, headers, coffee, other, whose, index):
    own_part = make_order([(coffee, 1)], paid=True).fulfilments[0]
    if whose == "url":
        # The other enterprise's URL with this enterprise's own objects: not a member there.
        ids = {"enterprise": other["enterprise"].id, "product": coffee.product_id, "variant": coffee.id,
               "fulfilment": own_part.id}
    else:
        ids = {"product": other["product"].id, "variant": other["variant"].id, "fulfilment": other["fulfilment"].id}
    method, path, body = selling_requests(owner.enterprise_id, ids)[index]
    before = counts()
    response = client.open(path, method=method, json=body, headers=headers)
    assert response.status_code == 404, (path, response.get_json())
    assert error_of(response)["code"] == "not_found"
    assert counts() == before
    _untouched(other)


@pytest.mark.parametrize("index", range(len(ENDPOINT_NAMES)), ids=ENDPOINT_NAMES)
def test_a_non_members_token_gets_404_on_the_enterprises_urls(client, owner, coffee, other, index):
    part = make_order([(coffee, 1)], paid=True).fulfilments[0]
    ids = {"product": coffee.product_id, "variant": coffee.id, "fulfilment": part.id}
    method, path, body = selling_requests(owner.enterprise_id, ids)[index]
    stranger = bearer(UserFactory())
    response = client.open(path, method=method, json=body, headers=stranger)
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Fulfilment, part.id).status == st.FULFILMENT_NEW
    assert stock_of(coffee.id) == 19


def test_a_removed_member_loses_access_at_once(client, owner, headers, coffee):
    assert client.get(f"{base(owner)}/products", headers=headers).status_code == 200
    db.session.delete(owner)
    db.session.commit()
    assert client.get(f"{base(owner)}/products", headers=headers).status_code == 404


def test_a_staff_member_of_the_enterprise_may_sell_too(client, owner, coffee):
    staff = MemberFactory(enterprise=owner.enterprise, role=status.MEMBER_STAFF)
    response = put_stock(client, owner, bearer(staff.user), coffee.id, {"stock": 3})
    assert response.status_code == 200 and stock_of(coffee.id) == 3


@pytest.mark.parametrize("index", range(len(ENDPOINT_NAMES)), ids=ENDPOINT_NAMES)
@pytest.mark.parametrize("token", ["missing", "revoked", "garbage"])
def test_without_a_valid_token_every_endpoint_is_401(client, owner, coffee, index, token):
    part = make_order([(coffee, 1)], paid=True).fulfilments[0]
    ids = {"product": coffee.product_id, "variant": coffee.id, "fulfilment": part.id}
    method, path, body = selling_requests(owner.enterprise_id, ids)[index]
    if token == "missing":
        headers = {}
    elif token == "revoked":
        new = api_tokens.create_token(owner.user, "old script")
        api_tokens.revoke_token(owner.user, new.token.id)
        headers = bearer(new.secret)
    else:
        headers = bearer("cm_" + "x" * 40)
    response = client.open(path, method=method, json=body, headers=headers)
    assert response.status_code == 401
    assert error_of(response)["code"] in ("unauthorized", "invalid_token")
    assert stock_of(coffee.id) == 19
    assert client.get("/api/v1/seller/enterprises", headers=headers).status_code == 401


def test_every_selling_endpoint_is_walked_by_the_access_tests(app):
    from shop.api.routing import OPERATIONS

    selling = [op for op in OPERATIONS if op.tag == "selling" and "<id:enterprise_id>" in op.rule]
    assert len(selling) == len(ENDPOINT_NAMES)


def test_the_enterprise_list_uses_only_the_token_users_memberships(client, owner, other):
    token = token_for(other["member"].user)
    data = client.get("/api/v1/seller/enterprises", headers=bearer(token)).get_json()["data"]
    assert [e["id"] for e in data] == [other["enterprise"].id]
