"""The buyer's order pages over HTTP: who may open an order (its user, a guest with
the signed link or the session that placed it, staff; everyone else 404), the buyer's
cancel and "received" buttons, and the order history."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from shop.catalog.models import Variant
from shop.extensions import db
from shop.orders import status as st
from shop.orders.access import (
    GUEST_ORDERS_KEY,
    buyer_role,
    load_order_for_buyer,
    order_token,
    order_url,
    token_opens,
)
from shop.orders.models import Order
from tests.factories import EnterpriseFactory, MemberFactory, ProductFactory, UserFactory, VariantFactory
from tests.order_helpers import make_order, send_slip


@pytest.fixture
def shop_world(app):
    enterprise = EnterpriseFactory(name_th="วิสาหกิจชุมชนกาแฟดอยช้าง", name_en="Doi Chang Coffee Group")
    coffee = VariantFactory(product=ProductFactory(enterprise=enterprise, name_th="กาแฟคั่วกลาง",
                                                   name_en="Medium roast coffee"), stock=10)
    owner = MemberFactory(enterprise=enterprise).user
    shopper = UserFactory(email="shopper@example.test")
    return {"coffee": coffee, "owner": owner, "shopper": shopper}


def _stock(variant) -> int:
    return db.session.scalar(select(Variant.stock).where(Variant.id == variant.id))


def _path(order) -> str:
    return f"/orders/{order.public_id}"


# ---------------------------------------------------------------- who may look


def test_the_buyer_sees_their_order(client, auth, shop_world):
    order = make_order([(shop_world["coffee"], 2)], user=shop_world["shopper"])
    auth.login("shopper@example.test")
    response = client.get(_path(order))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert order.public_id in html and "กาแฟคั่วกลาง" in html and "วิสาหกิจชุมชนกาแฟดอยช้าง" in html
    assert "orders/" + order.public_id + "/cancel" in html


def test_another_users_order_is_not_found(client, auth, shop_world):
    order = make_order([(shop_world["coffee"], 1)], user=shop_world["owner"])
    auth.login("shopper@example.test")
    assert client.get(_path(order)).status_code == 404
    assert client.post(_path(order) + "/cancel").status_code == 404
    assert db.session.get(Order, order.id).status == st.ORDER_PENDING_PAYMENT


def test_a_guest_without_the_link_gets_404_like_for_a_missing_order(client, shop_world):
    order = make_order([(shop_world["coffee"], 1)])
    not_mine = client.get(_path(order))
    missing = client.get("/orders/CMZZZZZZZZZZ")
    assert not_mine.status_code == missing.status_code == 404
    # The same page, apart from the id echoed in the language links.
    assert not_mine.get_data(as_text=True).replace(order.public_id, "CMZZZZZZZZZZ") == missing.get_data(as_text=True)


def test_a_guest_with_the_signed_link_sees_the_order(client, shop_world):
    order = make_order([(shop_world["coffee"], 1)])
    response = client.get(order_url(order))
    assert response.status_code == 200
    assert order.public_id in response.get_data(as_text=True)


def test_a_signed_in_user_with_the_link_of_a_guest_order_sees_it(client, auth, shop_world):
    order = make_order([(shop_world["coffee"], 1)])
    auth.login("shopper@example.test")
    assert client.get(order_url(order)).status_code == 200


@pytest.mark.parametrize("tamper", ["flip", "other_order", "other_salt", "garbage", "huge", "empty"])
def test_a_tampered_token_opens_nothing(client, app, shop_world, tamper):
    order = make_order([(shop_world["coffee"], 1)])
    other = make_order([(shop_world["coffee"], 1)])
    token = order_token(order)
    if tamper == "flip":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif tamper == "other_order":
        token = order_token(other)
    elif tamper == "other_salt":
        from itsdangerous import URLSafeSerializer

        token = URLSafeSerializer(app.config["SECRET_KEY"], salt="chumchon.accounts.verify-email").dumps(
            order.public_id)
    elif tamper == "garbage":
        token = "not.a.token"
    elif tamper == "huge":
        token = "A" * 5000
    else:
        token = ""
    assert not token_opens(order, token)
    assert client.get(_path(order), query_string={"t": token}).status_code == 404
    response = client.post(_path(order) + "/cancel", data={"t": token})
    assert response.status_code == 404
    assert db.session.get(Order, order.id).status == st.ORDER_PENDING_PAYMENT


def test_a_token_signed_with_another_secret_is_refused(app, shop_world):
    order = make_order([(shop_world["coffee"], 1)])
    token = order_token(order)
    app.config["SECRET_KEY"] = "another-secret"
    assert not token_opens(order, token)


def test_the_session_that_placed_a_guest_order_sees_it_without_the_link(client, shop_world):
    order = make_order([(shop_world["coffee"], 1)])
    with client.session_transaction() as session:
        session[GUEST_ORDERS_KEY] = [order.public_id]
    assert client.get(_path(order)).status_code == 200


def test_a_session_cannot_claim_a_users_order(client, shop_world):
    """``guest_orders`` only opens guest orders: a forged or stale session entry does
    not open an order that belongs to an account."""
    order = make_order([(shop_world["coffee"], 1)], user=shop_world["shopper"])
    with client.session_transaction() as session:
        session[GUEST_ORDERS_KEY] = [order.public_id]
    assert client.get(_path(order)).status_code == 404


def test_staff_see_any_order_and_act_as_staff(client, auth, shop_world):
    staff = UserFactory(email="staff@example.test", is_staff=True)
    order = make_order([(shop_world["coffee"], 1)], user=shop_world["shopper"])
    auth.login("staff@example.test")
    assert client.get(_path(order)).status_code == 200
    assert buyer_role(order, staff) == st.ROLE_STAFF
    assert buyer_role(order, shop_world["shopper"]) == st.ROLE_BUYER


def test_an_order_number_from_before_the_alphabet_change_still_opens(client, auth, shop_world):
    """Numbers issued before order numbers dropped I and O keep working."""
    order = make_order([(shop_world["coffee"], 1)], user=shop_world["shopper"], public_id="CMIOABCDEFGO")
    auth.login("shopper@example.test")
    assert client.get("/orders/CMIOABCDEFGO").status_code == 200
    assert load_order_for_buyer("CMIOABCDEFGO", shop_world["shopper"], None) == order


@pytest.mark.parametrize("public_id", ["cmabc", "CM" + "A" * 30, "CM-1234567", "../admin", "CM%00"])
def test_malformed_public_ids_are_not_found(client, shop_world, public_id):
    assert client.get(f"/orders/{public_id}").status_code == 404


def test_load_order_for_buyer_never_says_forbidden(app, shop_world):
    from shop.errors import NotFound

    order = make_order([(shop_world["coffee"], 1)], user=shop_world["shopper"])
    with pytest.raises(NotFound):
        load_order_for_buyer(order.public_id, shop_world["owner"], None)
    assert load_order_for_buyer(order.public_id, shop_world["shopper"], None) is not None


# ---------------------------------------------------------------- what the page shows


def test_an_unpaid_order_shows_how_to_pay_and_the_hold(client, auth, shop_world):
    order = make_order([(shop_world["coffee"], 1)], user=shop_world["shopper"])
    auth.login("shopper@example.test")
    html = client.get(_path(order), query_string={"lang": "en"}).get_data(as_text=True)
    assert "Pay for your order" in html and "We hold your items until" in html


def test_a_shipped_order_shows_carrier_tracking_and_the_timeline(client, auth, shop_world):
    order = make_order([(shop_world["coffee"], 1)], user=shop_world["shopper"],
                       fulfilment_status=st.FULFILMENT_SHIPPED, carrier="flash", tracking_number="TH0123456789")
    auth.login("shopper@example.test")
    html = client.get(_path(order), query_string={"lang": "en"}).get_data(as_text=True)
    assert "Flash Express" in html and "TH0123456789" in html
    assert "Pay for your order" not in html
    for label in ("Awaiting payment", "Paid", "Accepted", "Packed", "Shipped"):
        assert label in html
    assert "I received this parcel" in html
    assert f"/orders/{order.public_id}/fulfilments/{order.fulfilments[0].id}/receipt.pdf" in html


def test_a_lapsed_order_explains_what_happened(client, auth, shop_world):
    from shop.orders.services import release_lapsed_orders

    order = make_order([(shop_world["coffee"], 1)], user=shop_world["shopper"], expires_in=-__import__(
        "datetime").timedelta(minutes=1))
    assert release_lapsed_orders() == 1
    auth.login("shopper@example.test")
    html = client.get(_path(order), query_string={"lang": "en"}).get_data(as_text=True)
    assert "Payment did not arrive in time" in html
    assert "Cancel this order" not in html


# ---------------------------------------------------------------- buyer actions


def test_a_guest_cancels_with_the_link_and_the_stock_comes_back(client, shop_world):
    order = make_order([(shop_world["coffee"], 3)])
    assert _stock(shop_world["coffee"]) == 7
    page = client.get(order_url(order)).get_data(as_text=True)
    token = re.search(r'name="t" value="([^"]+)"', page).group(1)

    response = client.post(_path(order) + "/cancel", data={"t": token, "reason": "wrong size"})

    assert response.status_code == 303
    assert response.headers["Location"].startswith(_path(order) + "?t=")
    assert db.session.get(Order, order.id).status == st.ORDER_CANCELLED
    assert _stock(shop_world["coffee"]) == 10
    assert client.get(response.headers["Location"]).status_code == 200


def test_the_buyer_cannot_cancel_a_paid_order_from_the_page(client, auth, shop_world):
    order = make_order([(shop_world["coffee"], 1)], user=shop_world["shopper"], paid=True)
    auth.login("shopper@example.test")
    response = client.post(_path(order) + "/cancel", query_string={"lang": "en"})
    assert response.status_code == 409
    assert "This order is paid, so it can no longer be cancelled here" in response.get_data(as_text=True)
    assert db.session.get(Order, order.id).status == st.ORDER_PAID


def test_the_cancel_button_goes_once_the_buyer_has_sent_a_slip(client, auth, shop_world):
    order = make_order([(shop_world["coffee"], 1)], user=shop_world["shopper"])
    auth.login("shopper@example.test")
    assert f'action="{_path(order)}/cancel"' in client.get(_path(order)).get_data(as_text=True)
    send_slip(order, buyer=shop_world["shopper"])
    page = client.get(_path(order)).get_data(as_text=True)
    assert "/cancel" not in page


def test_the_buyer_confirms_a_parcel_arrived(client, auth, shop_world):
    order = make_order([(shop_world["coffee"], 1)], user=shop_world["shopper"],
                       fulfilment_status=st.FULFILMENT_SHIPPED)
    fid = order.fulfilments[0].id
    auth.login("shopper@example.test")
    response = client.post(f"{_path(order)}/fulfilments/{fid}/delivered")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Order, order.id).fulfilments[0].status == st.FULFILMENT_DELIVERED
    again = client.post(f"{_path(order)}/fulfilments/{fid}/delivered")
    assert again.status_code == 409


def test_received_before_shipping_is_refused_with_a_message(client, auth, shop_world):
    order = make_order([(shop_world["coffee"], 1)], user=shop_world["shopper"], paid=True)
    auth.login("shopper@example.test")
    response = client.post(f"{_path(order)}/fulfilments/{order.fulfilments[0].id}/delivered")
    assert response.status_code == 409
    assert db.session.get(Order, order.id).fulfilments[0].status == st.FULFILMENT_NEW


def test_a_fulfilment_of_another_order_is_not_found(client, auth, shop_world):
    mine = make_order([(shop_world["coffee"], 1)], user=shop_world["shopper"], fulfilment_status="shipped")
    theirs = make_order([(shop_world["coffee"], 1)], user=shop_world["owner"], fulfilment_status="shipped")
    auth.login("shopper@example.test")
    response = client.post(f"{_path(mine)}/fulfilments/{theirs.fulfilments[0].id}/delivered")
    assert response.status_code == 404
    assert client.post(f"{_path(mine)}/fulfilments/abc/delivered").status_code == 404
    db.session.expire_all()
    assert db.session.get(Order, theirs.id).fulfilments[0].status == st.FULFILMENT_SHIPPED


# ---------------------------------------------------------------- history


def test_order_history_lists_only_the_users_orders(client, auth, shop_world):
    mine = make_order([(shop_world["coffee"], 1)], user=shop_world["shopper"])
    theirs = make_order([(shop_world["coffee"], 1)], user=shop_world["owner"])
    guest = make_order([(shop_world["coffee"], 1)])
    auth.login("shopper@example.test")
    html = client.get("/account/orders").get_data(as_text=True)
    assert mine.public_id in html
    assert theirs.public_id not in html and guest.public_id not in html


def test_order_history_needs_an_account(client, shop_world):
    response = client.get("/account/orders")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


@pytest.mark.parametrize("page", ["0", "-1", "abc", "999999999999"])
def test_order_history_survives_odd_page_numbers(client, auth, shop_world, page):
    auth.login("shopper@example.test")
    assert client.get("/account/orders", query_string={"page": page}).status_code == 200


def test_order_pages_are_private_and_keep_the_link_to_themselves(client, shop_world):
    order = make_order([(shop_world["coffee"], 1)])
    response = client.get(order_url(order))
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["Referrer-Policy"] == "same-origin"
