"""Order again (docs/product.md: Wholesale): a buyer's own past order back into the
cart at today's prices, with what changed said line by line."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shop.accounts.models import RetailBuyer
from shop.cart.models import CartItem
from shop.catalog import status
from shop.catalog.models import WholesaleTier
from shop.extensions import db
from tests.cart_helpers import english_client, make_catalogue
from tests.factories import RetailBuyerFactory, UserFactory, VariantFactory, WholesaleTierFactory
from tests.order_helpers import make_order


@pytest.fixture
def client(app):
    return english_client(app)


@pytest.fixture
def catalogue(app):
    return make_catalogue(coffee_stock=50, rice_stock=50)


@pytest.fixture
def shopper(app):
    return UserFactory(email="somsri@example.test")


def cart_of(user) -> dict[int, tuple[int, int]]:
    items = db.session.scalars(select(CartItem).where(CartItem.user_id == user.id)
                               .execution_options(populate_existing=True))
    return {item.variant_id: (item.quantity, item.price_seen_satang) for item in items}


def change(row, **values) -> None:
    for name, value in values.items():
        setattr(row, name, value)
    db.session.commit()


def order_again(client, order):
    return client.post(f"/cart/order-again/{order.public_id}")


def test_an_order_comes_back_at_todays_prices_with_each_change_explained(app, client, sign_in, catalogue, shopper):
    order = make_order([(catalogue.coffee, 2), (catalogue.coffee_kilo, 5), (catalogue.rice, 3)], user=shopper,
                       paid=True)
    change(catalogue.coffee, price_satang=13500)  # dearer now
    change(catalogue.coffee_kilo, stock=3)  # fewer left than ordered
    change(catalogue.rice, is_active=False)  # withdrawn
    sign_in(shopper)
    response = order_again(client, order)
    assert response.status_code == 303 and response.headers["Location"].endswith("/cart")
    assert cart_of(shopper) == {catalogue.coffee.id: (2, 13500), catalogue.coffee_kilo.id: (3, 40000)}
    page = client.get("/cart").get_data(as_text=True)
    assert f"2 items of order {order.public_id} are in your cart at today&#39;s prices." in page
    assert "Hill coffee (250 g): Price now ฿135 (was ฿120)." in page
    assert "Hill coffee (1 kg): Only 3 in stock: quantity lowered to 3." in page
    assert "Jasmine rice (1 kg bag): No longer on sale: skipped." in page
    # Today's prices were shown and taken: nothing to confirm again in the cart.
    assert "Some prices have changed" not in page


def test_the_order_is_added_on_top_of_the_cart_and_a_sold_out_item_is_skipped(
        app, client, sign_in, catalogue, shopper):
    order = make_order([(catalogue.coffee, 2), (catalogue.rice, 1)], user=shopper)
    change(catalogue.rice, stock=0)
    sign_in(shopper)
    client.post("/cart/add", data={"variant_id": catalogue.coffee.id, "quantity": 1})
    order_again(client, order)
    assert cart_of(shopper) == {catalogue.coffee.id: (3, 12000)}
    assert "Jasmine rice (1 kg bag): Sold out: skipped." in client.get("/cart").get_data(as_text=True)


def test_a_product_taken_off_sale_or_deleted_is_skipped(app, client, sign_in, catalogue, shopper):
    order = make_order([(catalogue.coffee, 1), (catalogue.rice, 1)], user=shopper)
    change(catalogue.rice.product, status=status.PAUSED)
    sign_in(shopper)
    order_again(client, order)
    assert cart_of(shopper) == {catalogue.coffee.id: (1, 12000)}


def test_nothing_to_add_is_said(app, client, sign_in, catalogue, shopper):
    order = make_order([(catalogue.rice, 1)], user=shopper)
    change(catalogue.rice, is_active=False)
    sign_in(shopper)
    order_again(client, order)
    assert cart_of(shopper) == {}
    assert f"Nothing of order {order.public_id} could be added" in client.get("/cart").get_data(as_text=True)


def test_a_verified_buyer_gets_todays_tier_and_terms(app, client, sign_in):
    buyer = RetailBuyerFactory(status=RetailBuyer.VERIFIED).user
    bag = VariantFactory(sku="MJ-MED-250-WB", price_satang=18000, stock=300, moq=6, case_pack=6)
    tier = WholesaleTierFactory(variant=bag, min_quantity=50, unit_price_satang=15800)
    kilo = VariantFactory(product=bag.product, sku="MJ-1KG", price_satang=65000, stock=40, moq=2, case_pack=2)
    order = make_order([(bag, 60), (kilo, 4)], user=buyer, paid=True)
    # Since then: the 50+ tier is cheaper, and the kilo now comes in packs of 6 from 6.
    db.session.get(WholesaleTier, tier.id).unit_price_satang = 15000
    change(kilo, moq=6, case_pack=6)
    sign_in(buyer)
    order_again(client, order)
    assert cart_of(buyer) == {bag.id: (60, 15000), kilo.id: (6, 65000)}
    page = client.get("/cart").get_data(as_text=True)
    assert "Price now ฿150 (was ฿158)." in page
    assert "Quantity changed to 6 for the minimum order of 6." in page


def test_a_verified_buyers_line_lowered_to_the_stock_keeps_whole_packs(app, client, sign_in):
    buyer = RetailBuyerFactory(status=RetailBuyer.VERIFIED).user
    bag = VariantFactory(sku="BAG", price_satang=18000, stock=100, moq=6, case_pack=6)
    order = make_order([(bag, 24)], user=buyer)
    change(bag, stock=20)
    sign_in(buyer)
    order_again(client, order)
    assert cart_of(buyer) == {bag.id: (18, 18000)}
    assert "Only 20 in stock: quantity lowered to 18." in client.get("/cart").get_data(as_text=True)


def test_someone_elses_order_is_404_and_changes_nothing(app, client, sign_in, catalogue, shopper):
    order = make_order([(catalogue.coffee, 1)], user=shopper)
    other = UserFactory()
    sign_in(other)
    assert order_again(client, order).status_code == 404
    assert cart_of(other) == {}
    # Staff may open the order page, but not put someone else's order in their cart.
    staff = UserFactory(is_staff=True)
    staff_client = sign_in(staff, client=app.test_client())
    assert staff_client.get(f"/orders/{order.public_id}").status_code == 200
    assert order_again(staff_client, order).status_code == 404


@pytest.mark.parametrize("public_id", ["CMNOSUCHORDER", "not-an-id", "x" * 300])
def test_an_unknown_order_is_404(app, client, sign_in, shopper, public_id):
    sign_in(shopper)
    assert client.post(f"/cart/order-again/{public_id}").status_code == 404


def test_guests_cannot_order_again(app, client, catalogue):
    order = make_order([(catalogue.coffee, 1)], email="guest@example.test")
    assert order_again(client, order).status_code == 404
    with client.session_transaction() as session:
        assert not session.get("cart")


def test_the_buttons_are_on_the_buyers_order_pages_only(app, client, sign_in, catalogue, shopper):
    order = make_order([(catalogue.coffee, 1)], user=shopper)
    sign_in(shopper)
    action = f'action="/cart/order-again/{order.public_id}"'
    assert action in client.get(f"/orders/{order.public_id}").get_data(as_text=True)
    assert action in client.get("/account/orders").get_data(as_text=True)
    staff_client = sign_in(UserFactory(is_staff=True), client=app.test_client())
    assert action not in staff_client.get(f"/orders/{order.public_id}").get_data(as_text=True)
