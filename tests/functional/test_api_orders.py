"""Buying through the API (``/api/v1/orders``): placing an order from lines named by
variant id or SKU, every kind of bad input refused with a JSON error naming the field
and nothing written, ``Idempotency-Key`` replays (also under concurrency), one's own
orders only, and cancelling while unpaid."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from shop.accounts import api_tokens
from shop.api.idempotency import prune_expired_keys
from shop.api.models import IdempotencyKey
from shop.catalog import status as catalog_status
from shop.dbtypes import utcnow
from shop.extensions import db, limiter
from shop.notifications.models import OutboxJob, OutboxMessage
from shop.notifications.services import SendReport, run_pending_jobs
from shop.orders import status as st
from shop.orders.models import Fulfilment, Order, OrderLine, StatusChange
from tests.api_helpers import bearer, token_for
from tests.cart_helpers import ADDRESS, CHIANG_MAI_POSTCODE, count, make_catalogue, make_option, stock_of
from tests.factories import EnterpriseFactory, ProductFactory, RetailBuyerFactory, UserFactory, VariantFactory
from tests.order_helpers import make_order

URL = "/api/v1/orders"


@pytest.fixture
def catalogue(app):
    return make_catalogue()


@pytest.fixture
def buyer(app):
    user = UserFactory(email="buyer@example.test")
    db.session.commit()
    return user


@pytest.fixture
def headers(buyer):
    return bearer(buyer, lang="en")


def order_body(*lines, **overrides) -> dict:
    body = {"lines": list(lines), "address": dict(ADDRESS), "payment_method": "promptpay_qr"}
    body.update(overrides)
    return body


def error_of(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


def nothing_written(catalogue, coffee_stock: int = 20, rice_stock: int = 30) -> None:
    db.session.rollback()
    assert count(Order) == 0
    assert count(Fulfilment) == 0
    assert count(OrderLine) == 0
    assert count(StatusChange) == 0
    assert count(OutboxMessage) == 0 and count(OutboxJob) == 0
    assert count(IdempotencyKey) == 0
    assert stock_of(catalogue.coffee.id) == coffee_stock
    assert stock_of(catalogue.rice.id) == rice_stock


# ---------------------------------------------------------------- happy paths


def test_a_buyer_orders_by_variant_id_and_by_sku_from_two_enterprises(client, catalogue, buyer, headers):
    response = client.post(URL, headers=headers, json=order_body(
        {"variant_id": catalogue.coffee.id, "quantity": 2},
        {"sku": catalogue.rice.sku, "quantity": 3},
        buyer_note="Please ring twice",
    ))
    assert response.status_code == 201, response.get_data(as_text=True)
    data = response.get_json()
    assert response.headers["Location"] == f"/api/v1/orders/{data['id']}"
    assert "Idempotent-Replayed" not in response.headers
    assert data["status"] == "pending_payment" and data["payment_method"] == "promptpay_qr"
    # ฿240 + ฿255 of goods, and each enterprise's built-in delivery at ฿50.
    assert data["subtotal"]["satang"] == 49500
    assert data["shipping"]["satang"] == 10000
    assert data["total"] == {"satang": 59500, "display": "฿595"}
    assert data["buyer_note"] == "Please ring twice"
    assert data["address"]["phone"] == "0812345678" and data["address"]["postcode"] == "10110"
    assert data["expires_at"] is not None
    coffee_part, rice_part = data["fulfilments"]
    assert coffee_part["enterprise"]["name"] == "Mae Jam Coffee" and coffee_part["status"] == "new"
    assert [(line["sku"], line["quantity"], line["line_total"]["satang"]) for line in coffee_part["lines"]] == [
        (catalogue.coffee.sku, 2, 24000)]
    assert coffee_part["shipping"]["fee"]["satang"] == 5000 and coffee_part["total"]["satang"] == 29000
    assert rice_part["lines"][0]["name"] == "Jasmine rice — 1 kg bag"
    payment = data["payment"]
    assert payment["method"] == "promptpay_qr" and payment["amount"]["satang"] == 59500
    assert payment["promptpay"]["payload"].startswith("000201")
    assert payment["promptpay"]["payee_name"] and payment["promptpay"]["slip_status"] is None
    assert payment["order_page_url"].startswith(f"http://localhost/orders/{data['id']}?t=")
    assert payment["checkout_url"] is None

    order = db.session.scalar(select(Order).where(Order.public_id == data["id"]))
    assert order.user_id == buyer.id and order.email == buyer.email and order.locale == "en"
    assert stock_of(catalogue.coffee.id) == 18 and stock_of(catalogue.rice.id) == 27
    run_pending_jobs(SendReport())  # "order placed" is a job the sender renders
    [mail] = db.session.scalars(select(OutboxMessage)).all()
    assert mail.to_address == buyer.email and mail.kind == "order_placed"


def test_the_answer_is_in_thai_by_default(client, catalogue, buyer):
    response = client.post(URL, headers=bearer(buyer), json=order_body({"variant_id": catalogue.rice.id, "quantity": 1}))
    assert response.status_code == 201
    data = response.get_json()
    assert data["fulfilments"][0]["enterprise"]["name"] == "วิสาหกิจชุมชนข้าวบ้านนา"
    assert db.session.scalar(select(Order.locale)) == "th"


def test_a_chosen_shipping_option_and_the_expected_total(client, catalogue, headers):
    enterprise_id = catalogue.coffee.enterprise_id
    option = make_option(enterprise_id, base_fee_satang=7000)
    response = client.post(URL, headers=headers, json=order_body(
        {"variant_id": catalogue.coffee.id, "quantity": 1},
        shipping={str(enterprise_id): str(option.id)}, expected_total_satang=19000,
    ))
    assert response.status_code == 201, response.get_data(as_text=True)
    shipping = response.get_json()["fulfilments"][0]["shipping"]
    assert shipping["option_id"] == option.id and shipping["fee"]["satang"] == 7000


def test_an_sku_two_enterprises_share_needs_the_enterprise(client, catalogue, headers):
    twin = VariantFactory(product=ProductFactory(enterprise=EnterpriseFactory(slug="twin-farm")),
                          sku=catalogue.rice.sku, stock=5)
    line = {"sku": twin.sku, "quantity": 1}
    error = error_of(client.post(URL, headers=headers, json=order_body(line)), 422, "validation_failed")
    assert "enterprise_id" in error["fields"]["lines.0.sku"]
    nothing_written(catalogue)

    by_slug = client.post(URL, headers=headers, json=order_body({**line, "enterprise_slug": "twin-farm"}))
    assert by_slug.status_code == 201
    assert by_slug.get_json()["fulfilments"][0]["enterprise"]["id"] == twin.enterprise_id
    by_id = client.post(URL, headers=headers, json=order_body({**line, "enterprise_id": catalogue.rice.enterprise_id}))
    assert by_id.status_code == 201
    assert by_id.get_json()["fulfilments"][0]["lines"][0]["variant_id"] == catalogue.rice.id


def test_a_verified_retail_buyer_may_give_a_po_number(client, catalogue, headers):
    retail = RetailBuyerFactory().user
    db.session.commit()
    body = order_body({"variant_id": catalogue.rice.id, "quantity": 1}, po_number="PO-2026-118")
    response = client.post(URL, headers=bearer(retail), json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["po_number"] == "PO-2026-118"
    error = error_of(client.post(URL, headers=headers, json=body), 422, "po_number_not_allowed")
    assert "retail buyers" in error["fields"]["po_number"]


def test_stripe_orders_answer_the_checkout_page(app, client, catalogue, headers, fake_stripe):
    response = client.post(URL, headers=headers,
                           json=order_body({"variant_id": catalogue.rice.id, "quantity": 1}, payment_method="stripe"))
    assert response.status_code == 201, response.get_data(as_text=True)
    payment = response.get_json()["payment"]
    assert payment["method"] == "stripe" and payment["promptpay"] is None
    assert payment["checkout_url"].startswith("https://checkout.stripe.test/")
    assert len(fake_stripe.calls("POST", "/v1/checkout/sessions")) == 1
    # Reading it again shows the same page, without asking Stripe for another.
    again = client.get(response.headers["Location"], headers=headers).get_json()
    assert again["payment"]["checkout_url"] == payment["checkout_url"]
    assert len(fake_stripe.calls("POST", "/v1/checkout/sessions")) == 1


def test_stripe_down_still_places_the_order_and_the_replay_opens_the_page(client, catalogue, headers, fake_stripe):
    fake_stripe.fail_once("/v1/checkout/sessions", status=500)
    body = order_body({"variant_id": catalogue.rice.id, "quantity": 1}, payment_method="stripe")
    first = client.post(URL, headers={**headers, "Idempotency-Key": "stripe-1"}, json=body)
    assert first.status_code == 201
    assert first.get_json()["payment"]["checkout_url"] is None
    again = client.post(URL, headers={**headers, "Idempotency-Key": "stripe-1"}, json=body)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["payment"]["checkout_url"].startswith("https://checkout.stripe.test/")
    assert count(Order) == 1


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(("line", "field"), [
    ({"variant_id": 2**31 - 1, "quantity": 1}, "lines.0.variant_id"),
    ({"sku": "NO-SUCH-SKU", "quantity": 1}, "lines.0.sku"),
])
def test_unknown_items_are_named(client, catalogue, headers, line, field):
    error = error_of(client.post(URL, headers=headers, json=order_body(line)), 422, "validation_failed")
    assert field in error["fields"] and "no item on sale" in error["fields"][field]
    nothing_written(catalogue)


def test_items_not_on_the_storefront_are_unknown(client, catalogue, headers):
    draft = VariantFactory(product=ProductFactory(status=catalog_status.DRAFT))
    suspended = VariantFactory(product=ProductFactory(
        enterprise=EnterpriseFactory(status=catalog_status.ENTERPRISE_SUSPENDED)))
    response = client.post(URL, headers=headers, json=order_body(
        {"variant_id": catalogue.rice.id, "quantity": 1},
        {"variant_id": draft.id, "quantity": 1}, {"sku": suspended.sku, "quantity": 1},
    ))
    error = error_of(response, 422)
    assert set(error["fields"]) == {"lines.1.variant_id", "lines.2.sku"}
    nothing_written(catalogue)


@pytest.mark.parametrize(("quantity", "message"), [
    (0, "Give at least 1."), (-3, "Give at least 1."), (10**9, "Give at most"), (2**70, "Give at most"),
    ("2", "Give a whole number."), (2.5, "Give a whole number."), (True, "Give a whole number."),
    (None, "Give a whole number."),
])
def test_bad_quantities(client, catalogue, headers, quantity, message):
    error = error_of(client.post(URL, headers=headers, json=order_body(
        {"variant_id": catalogue.rice.id, "quantity": quantity})), 422, "validation_failed")
    assert error["fields"]["lines.0.quantity"].startswith(message)
    nothing_written(catalogue)


def test_the_shops_own_line_limit(app, client, catalogue, headers):
    app.config["ORDER_MAX_LINE_QUANTITY"] = 3
    error = error_of(client.post(URL, headers=headers, json=order_body(
        {"variant_id": catalogue.rice.id, "quantity": 4})), 422)
    assert error["fields"]["lines.0.quantity"] == "You can buy at most 3 of one item in one order."
    nothing_written(catalogue)


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"lines": []}, "lines", "Give at least 1 items."),
    ({"lines": "coffee"}, "lines", "Give a list."),
    ({"lines": [{"quantity": 1}]}, "lines.0", "Give either variant_id or sku"),
    ({"lines": [{"variant_id": 1, "sku": "X", "quantity": 1}]}, "lines.0", "Give either variant_id or sku"),
    ({"lines": [{"variant_id": 1, "enterprise_id": 1, "quantity": 1}]}, "lines.0", "enterprise_id and"),
    ({"lines": [{"variant_id": "1", "quantity": 1}]}, "lines.0.variant_id", "Give a whole number."),
    ({"lines": [{"variant_id": 0, "quantity": 1}]}, "lines.0.variant_id", "Give at least 1."),
    ({"lines": [{"variant_id": 2**31, "quantity": 1}]}, "lines.0.variant_id", "Give at most"),
    ({"lines": [{"variant_id": 1}]}, "lines.0.quantity", "This field is required."),
    ({"lines": [{"sku": "", "quantity": 1}]}, "lines.0.sku", "This field cannot be empty."),
    ({"lines": [{"sku": "X" * 65, "quantity": 1}]}, "lines.0.sku", "Use at most 64 characters."),
    ({"lines": [{"variant_id": 1, "quantity": 1, "price": 1}]}, "lines.0.price", "This field is not part"),
    ({"payment_method": "cash"}, "payment_method", "Choose one of"),
    ({"payment_method": None}, "payment_method", "Choose one of"),
    ({"address": None}, "address", "Give an object."),
    ({"address": {**ADDRESS, "postcode": 10110}}, "address.postcode", "Give a text value."),
    ({"address": {k: v for k, v in ADDRESS.items() if k != "phone"}}, "address.phone", "This field is required."),
    ({"coupon": "FREE"}, "coupon", "This field is not part"),
    ({"shipping": {"abc": "default"}}, "shipping.abc.[key]", "This value is not in the expected format."),
    ({"expected_total_satang": -1}, "expected_total_satang", "Give at least 0."),
    ({"expected_total_satang": 10**12}, "expected_total_satang", "Give at most"),
    ({"buyer_note": "x" * 501}, "buyer_note", "Use at most 500 characters."),
    ({"po_number": 12}, "po_number", "Give a text value."),
])
def test_bad_fields(client, catalogue, headers, body, field, message):
    full = order_body({"variant_id": catalogue.rice.id, "quantity": 1})
    full.update(body)
    error = error_of(client.post(URL, headers=headers, json=full), 422, "validation_failed")
    assert field in error["fields"], error
    assert error["fields"][field].startswith(message), error
    nothing_written(catalogue)


def test_missing_fields_are_each_named(client, catalogue, headers):
    error = error_of(client.post(URL, headers=headers, json={}), 422)
    assert set(error["fields"]) == {"lines", "address", "payment_method"}
    assert error["fields"]["lines"] == "This field is required."


def test_at_most_fifty_lines(client, catalogue, headers):
    lines = [{"variant_id": n, "quantity": 1} for n in range(1, 52)]
    error = error_of(client.post(URL, headers=headers, json=order_body(*lines)), 422)
    assert error["fields"]["lines"] == "Give at most 50 items."


def test_the_same_variant_twice_is_refused(client, catalogue, headers):
    error = error_of(client.post(URL, headers=headers, json=order_body(
        {"variant_id": catalogue.rice.id, "quantity": 1}, {"sku": catalogue.rice.sku, "quantity": 2})), 422)
    assert error["fields"]["lines.1"].startswith("This item is already in line 0.")
    nothing_written(catalogue)


def test_not_json_and_bad_json(client, catalogue, headers):
    error_of(client.post(URL, headers=headers, data="lines=1"), 415, "unsupported_media_type")
    error_of(client.post(URL, headers={**headers, "Content-Type": "application/json"}, data="{"), 400, "invalid_json")
    nothing_written(catalogue)


def test_a_bad_address_names_each_field_in_the_request(client, catalogue, headers):
    address = {**ADDRESS, "postcode": CHIANG_MAI_POSTCODE, "phone": "12", "recipient_name": "  "}
    error = error_of(client.post(URL, headers=headers, json=order_body(
        {"variant_id": catalogue.rice.id, "quantity": 1}, address=address)), 422)
    assert set(error["fields"]) == {"address.postcode", "address.phone", "address.recipient_name"}
    assert "is not in Bangkok" in error["fields"]["address.postcode"]
    nothing_written(catalogue)


def test_a_payment_method_not_offered(client, catalogue, headers):
    error = error_of(client.post(URL, headers=headers, json=order_body(
        {"variant_id": catalogue.rice.id, "quantity": 1}, payment_method="stripe")), 422)
    assert error["fields"] == {"payment_method": "Choose a payment method from the list."}
    nothing_written(catalogue)


def test_a_shipping_choice_for_another_enterprise_or_option(client, catalogue, headers):
    rice_enterprise = catalogue.rice.enterprise_id
    foreign = make_option(catalogue.coffee.enterprise_id)
    line = {"variant_id": catalogue.rice.id, "quantity": 1}
    error = error_of(client.post(URL, headers=headers, json=order_body(
        line, shipping={str(catalogue.coffee.enterprise_id): "default"})), 422)
    assert set(error["fields"]) == {f"shipping.{catalogue.coffee.enterprise_id}"}
    error = error_of(client.post(URL, headers=headers, json=order_body(
        line, shipping={str(rice_enterprise): str(foreign.id)})), 422)
    assert error["fields"] == {f"shipping.{rice_enterprise}": "Choose one of the shipping options shown."}
    nothing_written(catalogue)


def test_sold_out_short_and_withdrawn_items_are_conflicts(client, catalogue, headers):
    catalogue.coffee.stock = 0
    catalogue.coffee_kilo.is_active = False
    db.session.commit()
    sold_out = error_of(client.post(URL, headers=headers, json=order_body(
        {"variant_id": catalogue.coffee.id, "quantity": 1})), 409, "out_of_stock")
    assert sold_out["fields"] == {"lines.0.quantity": "Hill coffee (250 g) is sold out."}
    short = error_of(client.post(URL, headers=headers, json=order_body(
        {"variant_id": catalogue.rice.id, "quantity": 31})), 409, "out_of_stock")
    assert short["fields"]["lines.0.quantity"] == "Only 30 of Jasmine rice (1 kg bag) left."
    withdrawn = error_of(client.post(URL, headers=headers, json=order_body(
        {"variant_id": catalogue.rice.id, "quantity": 1}, {"variant_id": catalogue.coffee_kilo.id, "quantity": 1})),
        409, "not_on_sale")
    assert set(withdrawn["fields"]) == {"lines.1"}
    nothing_written(catalogue, coffee_stock=0)


def test_a_total_that_changed_is_a_conflict(client, catalogue, headers):
    error = error_of(client.post(URL, headers=headers, json=order_body(
        {"variant_id": catalogue.rice.id, "quantity": 1}, expected_total_satang=8500)), 409, "total_changed")
    assert "฿135" in error["message"]
    nothing_written(catalogue)


def test_tokens_missing_wrong_or_revoked(client, catalogue, buyer):
    body = order_body({"variant_id": catalogue.rice.id, "quantity": 1})
    error_of(client.post(URL, json=body), 401, "unauthorized")
    error_of(client.post(URL, json=body, headers=bearer("cm_not-a-token")), 401, "invalid_token")
    secret = token_for(buyer)
    token = api_tokens.authenticate(secret)
    api_tokens.revoke_token(buyer, token.id)
    error_of(client.post(URL, json=body, headers=bearer(secret)), 401, "invalid_token")
    error_of(client.get(URL, headers=bearer(secret)), 401, "invalid_token")
    nothing_written(catalogue)


# ---------------------------------------------------------------- idempotency


def test_the_same_key_and_body_answers_the_same_order(client, catalogue, headers):
    body = order_body({"variant_id": catalogue.rice.id, "quantity": 2})
    keyed = {**headers, "Idempotency-Key": "order-7f3a"}
    first = client.post(URL, headers=keyed, json=body)
    again = client.post(URL, headers=keyed, json={**body, "lines": [{"quantity": 2, "variant_id": catalogue.rice.id}]})
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.headers["Location"] == first.headers["Location"]
    assert count(Order) == 1 and stock_of(catalogue.rice.id) == 28
    assert count(OutboxJob) == 1  # one "order placed" e-mail
    # Another key is another order.
    other = client.post(URL, headers={**headers, "Idempotency-Key": "order-7f3b"}, json=body)
    assert other.status_code == 201 and other.get_json()["id"] != first.get_json()["id"]


def test_a_replay_shows_the_order_as_it_is_now(client, catalogue, buyer, headers):
    body = order_body({"variant_id": catalogue.rice.id, "quantity": 1})
    keyed = {**headers, "Idempotency-Key": "k1"}
    public_id = client.post(URL, headers=keyed, json=body).get_json()["id"]
    assert client.post(f"{URL}/{public_id}/cancel", headers=headers, json={}).status_code == 200
    again = client.post(URL, headers=keyed, json=body)
    assert again.status_code == 201 and again.get_json()["status"] == "cancelled"
    assert again.get_json()["payment"] is None


def test_the_same_key_with_another_body_is_refused(client, catalogue, headers):
    keyed = {**headers, "Idempotency-Key": "k1"}
    assert client.post(URL, headers=keyed, json=order_body({"variant_id": catalogue.rice.id, "quantity": 1})
                       ).status_code == 201
    error = error_of(client.post(URL, headers=keyed, json=order_body({"variant_id": catalogue.rice.id, "quantity": 2})),
                     422, "idempotency_key_reused")
    assert "different request" in error["message"]
    assert count(Order) == 1


def test_keys_are_per_account(client, catalogue, headers):
    body = order_body({"variant_id": catalogue.rice.id, "quantity": 1})
    other = UserFactory()
    db.session.commit()
    first = client.post(URL, headers={**headers, "Idempotency-Key": "shared"}, json=body)
    second = client.post(URL, headers={**bearer(other), "Idempotency-Key": "shared"}, json=body)
    assert first.status_code == second.status_code == 201
    assert first.get_json()["id"] != second.get_json()["id"]


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "ไทย", "tab\tkey"])
def test_malformed_keys_are_a_bad_request(client, catalogue, headers, key):
    response = client.post(URL, headers={**headers, "Idempotency-Key": key},
                           json=order_body({"variant_id": catalogue.rice.id, "quantity": 1}))
    error_of(response, 400, "invalid_idempotency_key")
    nothing_written(catalogue)


def test_an_expired_key_is_ignored_and_pruned(client, runner, catalogue, buyer, headers):
    body = order_body({"variant_id": catalogue.rice.id, "quantity": 1})
    keyed = {**headers, "Idempotency-Key": "old-key"}
    first = client.post(URL, headers=keyed, json=body).get_json()["id"]
    row = db.session.scalar(select(IdempotencyKey))
    row.created_at = utcnow() - timedelta(hours=25)
    db.session.commit()
    second = client.post(URL, headers=keyed, json=body)
    assert second.status_code == 201 and "Idempotent-Replayed" not in second.headers
    assert second.get_json()["id"] != first
    [row] = db.session.scalars(select(IdempotencyKey)).all()  # the old row made way for the new one
    assert row.order_id == db.session.scalar(select(Order.id).where(Order.public_id == second.get_json()["id"]))
    row.created_at = utcnow() - timedelta(hours=25)
    db.session.commit()
    from shop.orders.cli import register_cli

    if "orders" not in runner.app.cli.commands:
        register_cli(runner.app)
    result = runner.invoke(args=["orders", "sweep"])
    assert result.exit_code == 0, result.output
    assert "pruned 1 expired idempotency keys" in result.output
    assert count(IdempotencyKey) == 0
    assert prune_expired_keys() == 0


def test_losing_a_race_on_the_key_rolls_back_and_replays(client, catalogue, headers, monkeypatch):
    """The second request did not see the key yet (the first had not committed): its
    own order fails on the unique key, is rolled back with its stock, and it answers
    the first request's order."""
    from shop.api import idempotency

    body = order_body({"variant_id": catalogue.rice.id, "quantity": 3})
    keyed = {**headers, "Idempotency-Key": "raced"}
    first = client.post(URL, headers=keyed, json=body).get_json()["id"]
    real_find = idempotency.find_order
    calls = []

    def not_yet_committed(user, key, digest):
        calls.append(key)
        return None if len(calls) == 1 else real_find(user, key, digest)

    monkeypatch.setattr(idempotency, "find_order", not_yet_committed)
    again = client.post(URL, headers=keyed, json=body)
    assert again.status_code == 201, again.get_data(as_text=True)
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_json()["id"] == first
    assert len(calls) == 2
    db.session.rollback()
    assert count(Order) == 1 and count(IdempotencyKey) == 1 and count(OutboxJob) == 1
    assert stock_of(catalogue.rice.id) == 27


def test_errors_are_in_thai_by_default(client, catalogue, buyer):
    error = error_of(client.post(URL, headers=bearer(buyer), json=order_body({"sku": "NOPE", "quantity": 1})), 422)
    assert error["message"] == "มีบางรายการที่ต้องแก้ไข"
    assert error["fields"] == {"lines.0.sku": "ไม่มีสินค้าที่วางขายซึ่งมี SKU นี้"}


def test_concurrent_requests_with_one_key_make_one_order(app, catalogue, buyer):
    secret = token_for(buyer)
    rice_id = catalogue.rice.id
    body = order_body({"variant_id": rice_id, "quantity": 1})
    db.session.remove()  # on SQLite the test's own transaction would hold the write lock
    threads_count = 6
    start = threading.Barrier(threads_count)
    answers: list[tuple[int, str | None, str | None]] = []
    lock = threading.Lock()

    def post() -> None:
        client = app.test_client()
        start.wait()
        response = client.post(URL, headers={**bearer(secret), "Idempotency-Key": "same-key"}, json=body)
        data = response.get_json()
        with lock:
            answers.append((response.status_code, (data or {}).get("id"), response.headers.get("Idempotent-Replayed")))

    threads = [threading.Thread(target=post) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert Counter(status for status, _id, _r in answers) == Counter({201: threads_count}), answers
    assert len({public_id for _s, public_id, _r in answers}) == 1
    assert Counter(replayed for _s, _id, replayed in answers) == Counter({"true": threads_count - 1, None: 1})
    assert count(Order) == 1 and count(IdempotencyKey) == 1
    assert stock_of(rice_id) == 29


# ---------------------------------------------------------------- reading one's orders


def test_my_orders_newest_first_and_paginated(client, catalogue, buyer, headers):
    other = UserFactory()
    db.session.commit()
    mine = [make_order([(catalogue.rice, 1)], user=buyer) for _ in range(3)]
    make_order([(catalogue.coffee, 1)], user=other)
    make_order([(catalogue.coffee, 1)])  # a guest's
    page1 = client.get(f"{URL}?per_page=2", headers=headers)
    assert page1.status_code == 200
    data = page1.get_json()
    assert data["meta"] == {"page": 1, "per_page": 2, "total": 3, "pages": 2, "next_page": 2}
    page2 = client.get(f"{URL}?per_page=2&page=2", headers=headers).get_json()
    ids = [o["id"] for o in data["data"] + page2["data"]]
    assert sorted(ids) == sorted(o.public_id for o in mine) and len(set(ids)) == 3
    created = [o["created_at"] for o in data["data"] + page2["data"]]
    assert created == sorted(created, reverse=True)
    first = data["data"][0]
    assert first["item_count"] == 1 and first["fulfilments"][0]["enterprise"]["name"] == "Ban Na Rice"
    assert first["total"]["satang"] == 8500 + 5000


@pytest.mark.parametrize("query", ["page=0", "per_page=101", "page=abc", "per_page=-1", "page=99999999999"])
def test_bad_paging_is_a_422(client, headers, query):
    error_of(client.get(f"{URL}?{query}", headers=headers), 422, "validation_failed")


def test_one_order_and_nobody_elses(client, catalogue, buyer, headers):
    mine = make_order([(catalogue.rice, 2)], user=buyer)
    theirs = make_order([(catalogue.rice, 1)], user=UserFactory())
    guest = make_order([(catalogue.rice, 1)])
    response = client.get(f"{URL}/{mine.public_id}", headers=headers)
    assert response.status_code == 200
    data = response.get_json()
    assert data["id"] == mine.public_id and data["fulfilments"][0]["lines"][0]["quantity"] == 2
    for public_id in (theirs.public_id, guest.public_id, "CMNOSUCHORDR", "x" * 200, "ไทย"):
        error_of(client.get(f"{URL}/{public_id}", headers=headers), 404, "not_found")
        error_of(client.post(f"{URL}/{public_id}/cancel", headers=headers, json={}), 404, "not_found")
    db.session.expire_all()
    assert db.session.get(Order, theirs.id).status == st.ORDER_PENDING_PAYMENT


def test_staff_see_only_their_own_orders_here_too(client, catalogue):
    staff = UserFactory(is_staff=True)
    db.session.commit()
    order = make_order([(catalogue.rice, 1)], user=UserFactory())
    error_of(client.get(f"{URL}/{order.public_id}", headers=bearer(staff)), 404)


def test_a_paid_order_shows_no_payment_and_its_tracking(client, catalogue, buyer, headers):
    order = make_order([(catalogue.rice, 1)], user=buyer, fulfilment_status=st.FULFILMENT_SHIPPED)
    data = client.get(f"{URL}/{order.public_id}", headers=headers).get_json()
    assert data["status"] == "paid" and data["payment"] is None and data["paid_at"]
    shipping = data["fulfilments"][0]["shipping"]
    assert (shipping["carrier"], shipping["tracking_number"]) == ("kerry", "KEX123456789")
    assert data["fulfilments"][0]["status"] == "shipped"


# ---------------------------------------------------------------- cancelling


def test_cancel_an_unpaid_order_gives_the_stock_back(client, catalogue, buyer, headers):
    placed = client.post(URL, headers=headers, json=order_body({"variant_id": catalogue.rice.id, "quantity": 4}))
    public_id = placed.get_json()["id"]
    assert stock_of(catalogue.rice.id) == 26
    response = client.post(f"{URL}/{public_id}/cancel", headers=headers, json={"reason": "Ordered twice"})
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()
    assert data["status"] == "cancelled" and data["cancel_reason"] == "Ordered twice"
    assert data["fulfilments"][0]["status"] == "cancelled"
    assert stock_of(catalogue.rice.id) == 30
    again = error_of(client.post(f"{URL}/{public_id}/cancel", headers=headers, json={}), 409)
    assert "already cancelled" in again["message"]


def test_a_paid_order_cannot_be_cancelled_here(client, catalogue, buyer, headers):
    order = make_order([(catalogue.rice, 1)], user=buyer, paid=True)
    error = error_of(client.post(f"{URL}/{order.public_id}/cancel", headers=headers, json={}), 409)
    assert "paid" in error["message"]
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == st.ORDER_PAID


@pytest.mark.parametrize(("body", "field"), [
    ({"reason": "x" * 501}, "reason"), ({"reason": 5}, "reason"), ({"why": "x"}, "why"),
])
def test_bad_cancel_requests(client, catalogue, buyer, headers, body, field):
    order = make_order([(catalogue.rice, 1)], user=buyer)
    error = error_of(client.post(f"{URL}/{order.public_id}/cancel", headers=headers, json=body), 422)
    assert field in error["fields"]
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == st.ORDER_PENDING_PAYMENT


# ---------------------------------------------------------------- limits and the document


@pytest.fixture
def limits(app_config):
    """Rate limits on, with the limits a test sets in ``app_config`` before the app
    is built; the limiter's counters are cleared around the test."""
    app_config.update(RATELIMIT_ENABLED=True, API_ORDER_RATE_LIMIT="2 per minute",
                      API_RATE_LIMIT="100 per minute", API_ADDRESS_RATE_LIMIT="100 per minute")
    return app_config


@pytest.fixture
def limited_client(limits, app, client):
    limiter.reset()
    yield client
    limiter.reset()


def test_each_token_may_place_only_so_many_orders_a_minute(limited_client, catalogue, buyer):
    client = limited_client
    first, second = token_for(buyer, "one"), token_for(buyer, "two")
    body = order_body({"variant_id": catalogue.rice.id, "quantity": 1})
    statuses = [client.post(URL, headers=bearer(first, lang="en"), json=body).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    response = client.post(URL, headers=bearer(first, lang="en"), json=body)
    error = error_of(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) > 0 and "wait" in error["message"]
    assert client.post(URL, headers=bearer(second), json=body).status_code == 201
    # Reading is not placing.
    assert client.get(URL, headers=bearer(first)).status_code == 200
    assert count(Order) == 3


@pytest.fixture
def general_limits(limits):
    limits.update(API_ORDER_RATE_LIMIT="100 per minute", API_RATE_LIMIT="2 per minute")


def test_the_general_limits_still_apply_to_placing_orders(general_limits, limited_client, catalogue, buyer):
    secret = token_for(buyer)
    body = order_body({"variant_id": catalogue.rice.id, "quantity": 1})
    statuses = [limited_client.post(URL, headers=bearer(secret), json=body).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]


def test_refused_requests_to_place_orders_count_too(general_limits, limited_client):
    # No token, an invented one, a bad body: all are limited before anything else runs.
    statuses = [limited_client.post(URL, headers=bearer("cm_invented"), json={}).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


def test_the_document_describes_the_buying_endpoints(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    create = doc["paths"]["/api/v1/orders"]["post"]
    assert set(create["responses"]) >= {"201", "400", "401", "409", "413", "415", "422", "429", "503"}
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in create["parameters"])
    assert create["security"] == [{"bearerAuth": []}]
    assert set(doc["paths"]["/api/v1/orders/{public_id}"]["get"]["responses"]) >= {"200", "401", "404"}
    assert set(doc["paths"]["/api/v1/orders/{public_id}/cancel"]["post"]["responses"]) >= {"200", "404", "409", "422"}
