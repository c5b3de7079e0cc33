"""Wholesale buying end to end (docs/product.md: Wholesale): a verified retail buyer's
cart, web checkout and API order pay the tier for the line's quantity and are held to
the minimum order and case pack; a shopper buying the same pays retail and is not."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shop.accounts.models import RetailBuyer
from shop.admin import services as admin_services
from shop.cart.models import CartItem
from shop.catalog.models import WholesaleTier
from shop.extensions import db
from shop.notifications.models import OutboxMessage
from shop.orders.models import Fulfilment, Order, OrderLine
from tests.api_helpers import bearer
from tests.cart_helpers import ADDRESS, add, checkout_form, count, english_client, stock_of
from tests.factories import (
    EnterpriseFactory,
    ProductFactory,
    RetailBuyerFactory,
    UserFactory,
    VariantFactory,
    WholesaleTierFactory,
)

API_URL = "/api/v1/orders"


@pytest.fixture
def client(app):
    return english_client(app)


class Shelf:
    """The Mae Jaem medium roast: 250 g at ฿180 (packs of 6 from 6) and 1 kg at ฿650
    (packs of 2 from 2)."""

    def __init__(self):
        farm = EnterpriseFactory(name_en="Mae Jaem Coffee")
        product = ProductFactory(enterprise=farm, name_en="Medium roast", name_th="กาแฟคั่วกลาง")
        self.bag = VariantFactory(product=product, sku="MJ-MED-250-WB", name_en="250 g", name_th="250 กรัม",
                                  price_satang=18000, stock=200, moq=6, case_pack=6)
        for min_quantity, price in ((1, 18000), (12, 17200), (50, 15800), (100, 15000)):
            WholesaleTierFactory(variant=self.bag, min_quantity=min_quantity, unit_price_satang=price)
        self.kilo = VariantFactory(product=product, sku="MJ-MED-1KG-WB", name_en="1 kg", name_th="1 กิโลกรัม",
                                   price_satang=65000, stock=40, moq=2, case_pack=2, weight_grams=1000, position=1)
        WholesaleTierFactory(variant=self.kilo, min_quantity=20, unit_price_satang=59000)
        db.session.commit()


@pytest.fixture
def shelf(app):
    return Shelf()


@pytest.fixture
def verified(app):
    return RetailBuyerFactory(status=RetailBuyer.VERIFIED, user__email="shop@example.test").user


@pytest.fixture
def shopper(app):
    return UserFactory(email="somsri@example.test")


def cart_of(user) -> dict[int, tuple[int, int]]:
    items = db.session.scalars(select(CartItem).where(CartItem.user_id == user.id)
                               .execution_options(populate_existing=True))
    return {item.variant_id: (item.quantity, item.price_seen_satang) for item in items}


def only_line() -> OrderLine:
    lines = db.session.scalars(select(OrderLine)).all()
    assert len(lines) == 1
    return lines[0]


def nothing_ordered(shelf, *, mails_before: int = 0) -> None:
    db.session.rollback()
    assert count(Order) == count(Fulfilment) == count(OrderLine) == 0
    assert count(OutboxMessage) == mails_before
    assert stock_of(shelf.bag.id) == 200 and stock_of(shelf.kilo.id) == 40


def api_order(client, user, *lines, **extra):
    body = {"lines": list(lines), "address": dict(ADDRESS), "payment_method": "promptpay_qr", **extra}
    return client.post(API_URL, headers=bearer(user, lang="en"), json=body)


# ---------------------------------------------------------------- prices


def test_a_verified_buyer_pays_the_tier_in_the_cart_and_at_checkout(client, shelf, verified, sign_in):
    # Given a verified retail buyer with 60 bags in the cart
    sign_in(verified)
    assert add(client, shelf.bag, 60).status_code == 303
    # when they look at the cart
    html = client.get("/cart").get_data(as_text=True)
    # then each bag costs the ฿158 tier: ฿9,480, saving ฿1,320 against ฿180 retail,
    assert "฿158 each" in html and "฿9,480" in html and "฿10,800" not in html
    assert "Wholesale price for 50 or more" in html
    assert "You save ฿1,320 against the retail price of ฿180 each." in html
    # and 42 more (102 = 17 packs of 6) would reach the ฿150 tier.
    assert "Add 42 more for ฿150 each." in html
    assert cart_of(verified) == {shelf.bag.id: (60, 15800)}

    # When they place the order, the line is bought at ฿158.
    response = client.post("/checkout", data=checkout_form(expected_total=str(948000 + 5000)))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    line = only_line()
    assert (line.quantity, line.unit_price_satang, line.line_total_satang) == (60, 15800, 948000)
    assert db.session.scalars(select(Order)).one().subtotal_satang == 948000


def test_a_verified_buyer_pays_the_tier_through_the_api(client, shelf, verified):
    response = api_order(client, verified, {"sku": "MJ-MED-250-WB", "quantity": 60})
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["fulfilments"][0]["lines"][0]["unit_price"]["satang"] == 15800
    assert body["subtotal"]["satang"] == 948000
    assert (only_line().unit_price_satang, only_line().line_total_satang) == (15800, 948000)


def test_a_shopper_pays_retail_for_the_same_in_the_cart_and_the_api(client, shelf, shopper, sign_in):
    sign_in(shopper)
    add(client, shelf.bag, 60)
    html = client.get("/cart").get_data(as_text=True)
    assert "฿180 each" in html and "฿10,800" in html
    assert "You save" not in html and "more for" not in html
    assert client.post("/checkout", data=checkout_form()).status_code == 303
    assert only_line().unit_price_satang == 18000
    db.session.execute(db.delete(OrderLine))
    db.session.commit()

    response = api_order(client, shopper, {"sku": "MJ-MED-250-WB", "quantity": 60})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["fulfilments"][0]["lines"][0]["unit_price"]["satang"] == 18000


def test_changing_the_quantity_moves_the_line_to_its_tier_without_a_price_alert(client, shelf, verified, sign_in):
    sign_in(verified)
    add(client, shelf.bag, 60)
    assert client.post("/cart/update", data={"variant_id": shelf.bag.id, "quantity": 12}).status_code == 303
    html = client.get("/cart").get_data(as_text=True)
    # The buyer changed the quantity: the ฿172 tier is simply the price now.
    assert "Some prices have changed" not in html and "฿172 each" in html
    assert "Add 42 more for ฿158 each." in html  # 54 is the first whole pack past 50
    assert cart_of(verified) == {shelf.bag.id: (12, 17200)}


def test_a_tier_changed_while_in_the_cart_is_explained_and_the_total_follows(client, shelf, verified, sign_in):
    # Given 60 bags in the cart at the ฿158 tier
    sign_in(verified)
    add(client, shelf.bag, 60)
    # when the enterprise lowers that tier to ฿155
    tier = db.session.scalars(select(WholesaleTier).where(WholesaleTier.variant_id == shelf.bag.id,
                                                          WholesaleTier.min_quantity == 50)).one()
    tier.unit_price_satang = 15500
    db.session.commit()
    # then the cart explains it, old and new, with the new total
    html = client.get("/cart").get_data(as_text=True)
    assert "Some prices have changed" in html and "Price went down" in html
    assert "<del>฿158</del>" in html and "now ฿155 each" in html and "฿9,300" in html
    # and checkout refuses until the buyer confirms, writing nothing.
    refused = client.post("/checkout", data=checkout_form())
    assert refused.status_code == 409
    nothing_ordered(shelf)
    assert client.post("/cart/accept-prices").status_code == 303
    assert cart_of(verified) == {shelf.bag.id: (60, 15500)}
    assert client.post("/checkout", data=checkout_form()).status_code == 303
    assert only_line().unit_price_satang == 15500


def test_a_buyer_verified_while_items_wait_sees_the_wholesale_price_as_a_change(client, shelf, sign_in):
    buyer = RetailBuyerFactory(status=RetailBuyer.PENDING).user
    sign_in(buyer)
    add(client, shelf.bag, 60)
    assert cart_of(buyer) == {shelf.bag.id: (60, 18000)}
    admin_services.verify_retail_buyer(UserFactory(is_staff=True), buyer.retail_buyer.id)
    html = client.get("/cart").get_data(as_text=True)
    assert "<del>฿180</del>" in html and "now ฿158 each" in html and "Price went down" in html


# ---------------------------------------------------------------- minimum order and case pack


def test_a_verified_buyer_is_refused_a_broken_case_pack_and_offered_the_nearest(client, shelf, verified, sign_in):
    sign_in(verified)
    # When they add 3 one-kilo bags (packs of 2)
    response = add(client, shelf.kilo, 3)
    html = response.get_data(as_text=True)
    # then the cart refuses, says the rule with its numbers and offers 4 in one click,
    assert response.status_code == 422
    assert "Medium roast (1 kg) comes in packs of 2: order a multiple of 2." in html
    assert "The nearest quantity you can order is 4." in html
    assert 'action="/cart/add"' in html and 'name="quantity" value="4"' in html and "Add 4 to the cart" in html
    assert cart_of(verified) == {}
    # and that click puts 4 in the cart.
    assert add(client, shelf.kilo, 4).status_code == 303
    assert cart_of(verified) == {shelf.kilo.id: (4, 65000)}

    # Changing it to 5 is refused too, with "Change to 6".
    response = client.post("/cart/update", data={"variant_id": shelf.kilo.id, "quantity": 5})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Change to 6" in html and 'action="/cart/update"' in html
    assert cart_of(verified) == {shelf.kilo.id: (4, 65000)}


def test_under_the_minimum_order_is_refused_naming_the_minimum(client, shelf, verified, sign_in):
    sign_in(verified)
    response = add(client, shelf.bag, 1)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The minimum order of Medium roast (250 g) is 6, in packs of 6." in html
    assert 'name="quantity" value="6"' in html
    assert cart_of(verified) == {}


def test_the_refusal_is_in_thai_by_default(app, shelf, verified, sign_in):
    thai = app.test_client()
    sign_in(verified, client=thai)
    html = add(thai, shelf.kilo, 3).get_data(as_text=True)
    assert "กาแฟคั่วกลาง (1 กิโลกรัม) ขายเป็นแพ็กละ 2 ชิ้น" in html
    assert "เปลี่ยนเป็น" in html or "ใส่ 4 ชิ้นลงตะกร้า" in html


def test_a_line_that_breaks_the_terms_is_explained_and_fixed_in_one_click(client, shelf, sign_in):
    # Given a business account that put 3 one-kilo bags in the cart while waiting for review
    buyer = RetailBuyerFactory(status=RetailBuyer.PENDING).user
    sign_in(buyer)
    assert add(client, shelf.kilo, 3).status_code == 303
    # when staff verify it
    admin_services.verify_retail_buyer(UserFactory(is_staff=True), buyer.retail_buyer.id)
    mails = count(OutboxMessage)  # the "your business account is verified" mail
    # then the cart explains the line and blocks checkout
    html = client.get("/cart").get_data(as_text=True)
    assert "comes in packs of 2" in html and "Change to 4" in html
    assert "Go to checkout" not in html
    assert "more for" not in html  # no next-tier hint on a line that cannot be bought
    # and checkout refuses it (4xx), writing nothing.
    refused = client.post("/checkout", data=checkout_form())
    assert refused.status_code == 422
    assert "comes in packs of 2" in refused.get_data(as_text=True)
    nothing_ordered(shelf, mails_before=mails)
    # The one-click fix sets 4; the order then goes through at 4 × ฿650.
    assert client.post("/cart/update", data={"variant_id": shelf.kilo.id, "quantity": 4}).status_code == 303
    assert "Go to checkout" in client.get("/cart").get_data(as_text=True)
    assert client.post("/checkout", data=checkout_form()).status_code == 303
    assert (only_line().quantity, only_line().unit_price_satang) == (4, 65000)


def test_the_api_refuses_a_broken_case_pack_naming_the_line(client, shelf, verified):
    response = api_order(client, verified, {"sku": "MJ-MED-250-WB", "quantity": 60},
                         {"variant_id": shelf.kilo.id, "quantity": 3})
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "wholesale_quantity"
    assert set(error["fields"]) == {"lines.1.quantity"}
    assert "packs of 2" in error["fields"]["lines.1.quantity"] and "is 4" in error["fields"]["lines.1.quantity"]
    nothing_ordered(shelf)

    under = api_order(client, verified, {"variant_id": shelf.bag.id, "quantity": 1}).get_json()["error"]
    assert "minimum order" in under["fields"]["lines.0.quantity"] and " 6" in under["fields"]["lines.0.quantity"]
    nothing_ordered(shelf)


def test_a_shopper_buys_three_at_retail_in_the_cart_and_the_api(client, shelf, shopper, sign_in):
    sign_in(shopper)
    assert add(client, shelf.kilo, 3).status_code == 303
    assert cart_of(shopper) == {shelf.kilo.id: (3, 65000)}
    assert client.post("/checkout", data=checkout_form()).status_code == 303
    assert (only_line().quantity, only_line().unit_price_satang) == (3, 65000)
    response = api_order(client, shopper, {"variant_id": shelf.kilo.id, "quantity": 3})
    assert response.status_code == 201, response.get_data(as_text=True)


@pytest.mark.parametrize("quantity", ["0", "-6", "99999999999999999999", "6.5", ""])
def test_bad_quantities_are_refused_as_before_for_a_verified_buyer(client, shelf, verified, sign_in, quantity):
    sign_in(verified)
    response = add(client, shelf.bag, quantity)
    assert 400 <= response.status_code < 500
    assert cart_of(verified) == {}
    add(client, shelf.bag, 6)
    response = client.post("/cart/update", data={"variant_id": shelf.bag.id, "quantity": quantity})
    assert 400 <= response.status_code < 500
    assert cart_of(verified) == {shelf.bag.id: (6, 18000)}


@pytest.mark.parametrize("quantity", [0, -6, 10**12])
def test_bad_api_quantities_are_refused_as_before_for_a_verified_buyer(client, shelf, verified, quantity):
    response = api_order(client, verified, {"variant_id": shelf.bag.id, "quantity": quantity})
    assert response.status_code == 422, response.get_data(as_text=True)
    nothing_ordered(shelf)


# ---------------------------------------------------------------- the product page and the catalogue API


def test_the_product_page_starts_a_verified_buyer_at_the_minimum_order(client, shelf, verified, shopper, sign_in):
    slug = shelf.bag.product.slug
    assert 'name="quantity" value="1"' in client.get(f"/products/{slug}").get_data(as_text=True)
    sign_in(verified)
    html = client.get(f"/products/{slug}").get_data(as_text=True)
    assert 'name="quantity" value="6"' in html
    assert "minimum order 2, in packs of 2" in html  # on the one-kilo option


def test_a_tier_dearer_than_retail_is_never_shown(client, shelf, verified, sign_in):
    WholesaleTierFactory(variant=shelf.bag, min_quantity=150, unit_price_satang=19000)
    sign_in(verified)
    html = client.get(f"/products/{shelf.bag.product.slug}").get_data(as_text=True)
    assert "฿158" in html and "฿190" not in html
    detail = client.get(f"/api/v1/products/by-slug/{shelf.bag.product.slug}", headers=bearer(verified, lang="en"))
    tiers = next(v for v in detail.get_json()["variants"] if v["sku"] == "MJ-MED-250-WB")["wholesale_tiers"]
    assert [t["min_quantity"] for t in tiers] == [1, 12, 50, 100]
