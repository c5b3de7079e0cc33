"""The cart through the web (docs/product.md: Orders): guests and users, quantities
limited by stock, bad input refused with a clear message and the cart unchanged, prices
and stock re-read on every view and changes explained, the guest cart merged at
sign-in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shop.cart import services as cart_services
from shop.cart.models import CartItem
from shop.catalog import status as catalog_status
from shop.extensions import db
from tests.cart_helpers import add, count, english_client, make_catalogue, session_cart
from tests.factories import ProductFactory, UserFactory, VariantFactory
from tests.status_helpers import move_listing, suspend_enterprise


@pytest.fixture
def client(app):
    return english_client(app)


@pytest.fixture
def catalogue(app):
    return make_catalogue()


def user_cart(user) -> dict[int, int]:
    items = db.session.scalars(select(CartItem).where(CartItem.user_id == user.id).execution_options(
        populate_existing=True))
    return {item.variant_id: item.quantity for item in items}


# ---------------------------------------------------------------- guests


def test_guest_adds_items_and_sees_them_grouped_by_enterprise(client, catalogue):
    response = add(client, catalogue.coffee, 2)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/cart")
    add(client, catalogue.rice, 1)
    assert session_cart(client) == {str(catalogue.coffee.id): [2, 12000], str(catalogue.rice.id): [1, 8500]}

    page = client.get("/cart")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Mae Jam Coffee" in html and "Ban Na Rice" in html
    assert "Hill coffee" in html and "Jasmine rice" in html
    assert "฿240" in html  # 2 × ฿120
    # Items ฿325, each enterprise's built-in shipping ฿50: ฿425 in all.
    assert "฿325" in html and "฿425" in html
    assert 'data-cart-count>3<' in html  # the header counts units
    assert 'href="/checkout"' in html


def test_adding_the_same_item_again_adds_to_its_quantity(client, catalogue):
    add(client, catalogue.coffee, 2)
    add(client, catalogue.coffee, 3)
    assert session_cart(client)[str(catalogue.coffee.id)][0] == 5


def test_the_product_page_offers_the_options_in_stock(client, catalogue):
    catalogue.coffee_kilo.stock = 0
    db.session.commit()
    html = client.get(f"/products/{catalogue.coffee.product.slug}").get_data(as_text=True)
    assert 'action="/cart/add"' in html
    assert f'value="{catalogue.coffee.id}" checked' in html
    assert f'id="variant-{catalogue.coffee_kilo.id}" value="{catalogue.coffee_kilo.id}" disabled' in html


def test_a_sold_out_product_page_has_no_add_button(client, catalogue):
    catalogue.rice.stock = 0
    db.session.commit()
    html = client.get(f"/products/{catalogue.rice.product.slug}").get_data(as_text=True)
    assert 'action="/cart/add"' not in html
    assert "Sold out for now" in html


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("0", "The quantity must be at least 1."),
        ("-3", "The quantity must be at least 1."),
        ("", "Enter how many you want."),
        ("abc", "Enter the quantity as a whole number, e.g. 2."),
        ("1.5", "Enter the quantity as a whole number, e.g. 2."),
        ("1e3", "Enter the quantity as a whole number, e.g. 2."),
        ("10000", "You can buy at most 9999 of one item in one order."),
        ("9" * 5000, "You can buy at most 9999 of one item in one order."),
    ],
)
def test_bad_quantities_are_refused_and_the_cart_is_unchanged(client, catalogue, quantity, message):
    add(client, catalogue.rice, 1)
    response = add(client, catalogue.coffee, quantity)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert session_cart(client) == {str(catalogue.rice.id): [1, 8500]}


def test_more_than_the_stock_is_refused_with_what_is_left(client, catalogue):
    response = add(client, catalogue.coffee, 21)
    assert response.status_code == 409
    assert "Only 20 of Hill coffee (250 g) left." in response.get_data(as_text=True)
    add(client, catalogue.coffee, 15)
    response = add(client, catalogue.coffee, 6)
    assert response.status_code == 409
    assert "Only 20 of Hill coffee (250 g) left, and 15 are already in your cart." in response.get_data(as_text=True)
    assert session_cart(client)[str(catalogue.coffee.id)][0] == 15


def test_a_sold_out_item_cannot_be_added(client, catalogue):
    catalogue.coffee.stock = 0
    db.session.commit()
    response = add(client, catalogue.coffee, 1)
    assert response.status_code == 409
    assert "Hill coffee (250 g) is sold out." in response.get_data(as_text=True)


@pytest.mark.parametrize("variant_id", ["999999", "abc", "", "-1", "0", "1.5", str(2**31), "9" * 40, "1 OR 1=1"])
def test_a_forged_variant_id_is_not_found(client, catalogue, variant_id):
    response = add(client, variant_id, 1)
    assert response.status_code == 404
    assert "We could not find that item." in response.get_data(as_text=True)
    assert session_cart(client) == {}


@pytest.mark.parametrize("product_status", [catalog_status.DRAFT, catalog_status.PENDING_REVIEW,
                                            catalog_status.ARCHIVED, catalog_status.PAUSED])
def test_a_product_not_on_the_storefront_cannot_be_added(client, catalogue, product_status):
    hidden = VariantFactory(product=ProductFactory(status=product_status))
    response = add(client, hidden, 1)
    assert response.status_code == 404
    assert session_cart(client) == {}


def test_a_suspended_enterprises_product_cannot_be_added(client, catalogue):
    suspend_enterprise(catalogue.rice.product.enterprise)
    db.session.commit()
    assert add(client, catalogue.rice, 1).status_code == 404


def test_a_withdrawn_option_cannot_be_added(client, catalogue):
    catalogue.coffee_kilo.is_active = False
    db.session.commit()
    response = add(client, catalogue.coffee_kilo, 1)
    assert response.status_code == 409
    assert "This item is not on sale right now." in response.get_data(as_text=True)


def test_a_price_in_the_form_is_ignored(client, catalogue):
    add(client, catalogue.coffee, 1, price_satang="1", unit_price="0.01", price="1")
    assert session_cart(client)[str(catalogue.coffee.id)] == [1, 12000]


def test_next_only_goes_to_a_page_of_this_site(client, catalogue):
    product_path = f"/products/{catalogue.coffee.product.slug}"
    assert add(client, catalogue.coffee, 1, next=product_path).headers["Location"].endswith(product_path)
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        assert add(client, catalogue.coffee, 1, next=evil).headers["Location"].endswith("/cart")


def test_update_and_remove(client, catalogue):
    add(client, catalogue.coffee, 2)
    add(client, catalogue.rice, 1)
    response = client.post("/cart/update", data={"variant_id": catalogue.coffee.id, "quantity": "4"})
    assert response.status_code == 303
    assert session_cart(client)[str(catalogue.coffee.id)][0] == 4
    response = client.post("/cart/remove", data={"variant_id": catalogue.coffee.id})
    assert response.status_code == 303
    assert session_cart(client) == {str(catalogue.rice.id): [1, 8500]}
    # Removing again, or something never there, changes nothing and is no error.
    assert client.post("/cart/remove", data={"variant_id": catalogue.coffee.id}).status_code == 303
    assert client.post("/cart/remove", data={"variant_id": "junk"}).status_code == 303
    assert session_cart(client) == {str(catalogue.rice.id): [1, 8500]}


@pytest.mark.parametrize(("quantity", "status"), [("0", 422), ("-1", 422), ("x", 422), ("21", 409), ("99999", 422)])
def test_bad_updates_are_refused(client, catalogue, quantity, status):
    add(client, catalogue.coffee, 2)
    response = client.post("/cart/update", data={"variant_id": catalogue.coffee.id, "quantity": quantity})
    assert response.status_code == status
    assert session_cart(client)[str(catalogue.coffee.id)][0] == 2


def test_updating_an_item_not_in_the_cart_is_not_found(client, catalogue):
    response = client.post("/cart/update", data={"variant_id": catalogue.coffee.id, "quantity": "1"})
    assert response.status_code == 404
    assert "That item is no longer in your cart." in response.get_data(as_text=True)
    assert session_cart(client) == {}


def test_a_full_cart_refuses_a_new_item(client, catalogue, monkeypatch):
    monkeypatch.setattr(cart_services, "MAX_CART_LINES", 2)
    add(client, catalogue.coffee, 1)
    add(client, catalogue.rice, 1)
    response = add(client, catalogue.coffee_kilo, 1)
    assert response.status_code == 422
    assert "Your cart holds at most 2 different items." in response.get_data(as_text=True)
    assert add(client, catalogue.coffee, 1).status_code == 303  # more of one already there is fine


def test_empty_cart_page(client, app):
    html = client.get("/cart").get_data(as_text=True)
    assert "Your cart is empty." in html
    assert 'data-cart-count>0<' in html


def test_a_tampered_session_cart_is_read_defensively(client, catalogue):
    with client.session_transaction() as session:
        session["cart"] = {"abc": [1, 100], str(catalogue.coffee.id): [2, 12000], "5": "junk",
                           str(catalogue.rice.id): [-4, 100], "-7": [1, 1]}
    html = client.get("/cart").get_data(as_text=True)
    assert "Hill coffee" in html
    assert "Jasmine rice" not in html


def test_cart_forms_need_the_csrf_token(app, catalogue):
    app.config["WTF_CSRF_ENABLED"] = True
    client = english_client(app)
    response = add(client, catalogue.coffee, 1)
    assert response.status_code == 400
    assert session_cart(client) == {}


# ---------------------------------------------------------------- changes while in the cart


def test_a_price_change_is_explained_and_must_be_confirmed(client, catalogue):
    add(client, catalogue.coffee, 2)
    catalogue.coffee.price_satang = 13500
    db.session.commit()
    html = client.get("/cart").get_data(as_text=True)
    assert "Some prices have changed" in html
    assert "<del>฿120</del>" in html
    assert "now ฿135 each" in html
    assert "Price went up" in html
    assert 'href="/checkout"' not in html  # no way on until confirmed
    assert 'action="/cart/accept-prices"' in html
    assert session_cart(client)[str(catalogue.coffee.id)] == [2, 12000]  # not silently changed

    response = client.post("/cart/accept-prices")
    assert response.status_code == 303
    assert session_cart(client)[str(catalogue.coffee.id)] == [2, 13500]
    html = client.get("/cart").get_data(as_text=True)
    assert "Some prices have changed" not in html
    assert 'href="/checkout"' in html


def test_a_price_drop_is_shown_too(client, catalogue):
    add(client, catalogue.rice, 1)
    catalogue.rice.price_satang = 7900
    db.session.commit()
    html = client.get("/cart").get_data(as_text=True)
    assert "<del>฿85</del>" in html and "Price went down" in html


def test_stock_that_ran_short_is_explained(client, catalogue):
    add(client, catalogue.coffee, 5)
    add(client, catalogue.rice, 1)
    catalogue.coffee.stock = 3
    catalogue.rice.stock = 0
    db.session.commit()
    html = client.get("/cart").get_data(as_text=True)
    assert "Only 3 left: lower the quantity." in html
    assert "Sold out. Please remove it." in html
    assert 'href="/checkout"' not in html
    assert session_cart(client)[str(catalogue.coffee.id)][0] == 5  # nothing adjusted behind the buyer's back
    client.post("/cart/update", data={"variant_id": catalogue.coffee.id, "quantity": "3"})
    client.post("/cart/remove", data={"variant_id": catalogue.rice.id})
    assert 'href="/checkout"' in client.get("/cart").get_data(as_text=True)


def test_an_item_taken_off_sale_is_explained(client, catalogue):
    add(client, catalogue.rice, 1)
    move_listing(catalogue.rice.product, catalog_status.PAUSED)
    db.session.commit()
    html = client.get("/cart").get_data(as_text=True)
    assert "No longer on sale. Please remove it." in html
    assert 'href="/checkout"' not in html
    response = client.post("/cart/update", data={"variant_id": catalogue.rice.id, "quantity": "2"})
    assert response.status_code == 409


def test_an_item_deleted_from_the_catalogue_disappears_with_a_note(client, catalogue):
    add(client, catalogue.coffee_kilo, 1)
    add(client, catalogue.rice, 1)
    db.session.delete(catalogue.coffee_kilo)
    db.session.commit()
    html = client.get("/cart").get_data(as_text=True)
    assert "1 item in your cart no longer exists and was removed." in html
    assert list(session_cart(client)) == [str(catalogue.rice.id)]


# ---------------------------------------------------------------- signed-in users


def test_a_users_cart_is_stored_and_follows_them(app, catalogue, sign_in):
    user = UserFactory()
    first = english_client(app)
    sign_in(user, client=first)
    add(first, catalogue.coffee, 2)
    assert user_cart(user) == {catalogue.coffee.id: 2}
    assert session_cart(first) == {}
    second = english_client(app)  # another device
    sign_in(user, client=second)
    assert "Hill coffee" in second.get("/cart").get_data(as_text=True)


def test_the_guest_cart_is_merged_at_sign_in(app, client, catalogue, sign_in):
    user = UserFactory()
    db.session.add(CartItem(user_id=user.id, variant_id=catalogue.coffee.id, quantity=3, price_seen_satang=12000))
    db.session.add(CartItem(user_id=user.id, variant_id=catalogue.coffee_kilo.id, quantity=1, price_seen_satang=40000))
    db.session.commit()
    add(client, catalogue.coffee, 2)
    add(client, catalogue.rice, 4)
    sign_in(user)
    # The larger quantity of an item in both; the guest's new item joins.
    assert user_cart(user) == {catalogue.coffee.id: 3, catalogue.coffee_kilo.id: 1, catalogue.rice.id: 4}
    assert session_cart(client) == {}  # a user's cart lives in the database only
    html = client.get("/cart").get_data(as_text=True)
    assert 'data-cart-count>8<' in html


def test_a_merged_guest_cart_keeps_the_language(app, catalogue, sign_in):
    user = UserFactory()
    client = english_client(app)
    add(client, catalogue.rice, 1)
    sign_in(user, client=client)
    with client.session_transaction() as session:
        assert session["lang"] == "en"


def test_signing_out_leaves_an_empty_guest_cart(app, client, catalogue, sign_in):
    user = UserFactory()
    sign_in(user)
    add(client, catalogue.rice, 1)
    client.post("/account/logout")
    assert session_cart(client) == {}
    assert "Your cart is empty." in client.get("/cart").get_data(as_text=True)
    assert user_cart(user) == {catalogue.rice.id: 1}


def test_a_user_price_change_is_kept_until_confirmed(app, client, catalogue, sign_in):
    user = UserFactory()
    sign_in(user)
    add(client, catalogue.coffee, 1)
    catalogue.coffee.price_satang = 11000
    db.session.commit()
    assert "<del>฿120</del>" in client.get("/cart").get_data(as_text=True)
    client.post("/cart/accept-prices")
    item = db.session.scalar(select(CartItem).where(CartItem.user_id == user.id).execution_options(
        populate_existing=True))
    assert item.price_seen_satang == 11000


def test_a_users_bad_input_writes_nothing(app, client, catalogue, sign_in):
    user = UserFactory()
    sign_in(user)
    assert add(client, catalogue.coffee, "-1").status_code == 422
    assert add(client, catalogue.coffee, "50").status_code == 409
    assert add(client, "424242", "1").status_code == 404
    assert count(CartItem) == 0


def test_the_same_item_added_in_two_windows_at_once_is_a_conflict_that_changes_nothing(app, catalogue, monkeypatch):
    """The other window's line committed first (the unique user-and-item row decides):
    this add is refused with a 409 and the whole use case rolls back."""
    user = UserFactory()
    cart = cart_services.UserCart(user)
    cart_services.add_to_cart(cart, catalogue.coffee.id, 1, buyer=user, locale="en")
    # This request read the cart before the other window's line existed.
    monkeypatch.setattr(cart_services.UserCart, "_items", lambda self: {})
    with pytest.raises(cart_services.Conflict) as caught:
        cart_services.add_to_cart(cart, catalogue.coffee.id, 2, buyer=user, locale="en")
    assert caught.value.status_code == 409
    monkeypatch.undo()
    assert user_cart(user) == {catalogue.coffee.id: 1}
    cart_services.add_to_cart(cart, catalogue.rice.id, 1, buyer=user, locale="en")  # the session is usable
    assert user_cart(user) == {catalogue.coffee.id: 1, catalogue.rice.id: 1}
