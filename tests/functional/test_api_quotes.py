"""Requests for quote through the JSON API (docs/api.md): ask, quote, write, accept
into an order at the quoted price; decline, withdraw, expiry; bad input on every
endpoint; someone else's request is 404; two accepts at once place one order; the
OpenAPI document links the operations."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from shop.extensions import db
from shop.orders.models import Order, OrderLine
from shop.quotes import services as svc
from shop.quotes.models import ACCEPTED, DECLINED, QUOTED, REQUESTED, WITHDRAWN, QuoteMessage, QuoteRequest
from tests.api_helpers import bearer, token_for
from tests.cart_helpers import ADDRESS, count, stock_of
from tests.factories import InDays, with_dates
from tests.functional.test_quotes import Shop, make_quote, make_request


@pytest.fixture
def shop(app):
    return Shop()


def day(days: int) -> str:
    return (svc.bangkok_today() + timedelta(days=days)).isoformat()


def ask_body(shop, **overrides) -> dict:
    body = {"variant_id": shop.bag.id, "quantity": 120, "target_unit_satang": 14000, "delivery_date": day(20),
            "message": "Monthly, for three cafés."}
    body.update(overrides)
    return {k: v for k, v in with_dates(body, day).items() if v is not None}


def quote_body(**overrides) -> dict:
    body = {"unit_price_satang": 14250, "quantity": 120, "shipping_satang": 30000, "valid_until": day(7),
            "lead_time_days": 5, "note": "Roasted to order."}
    body.update(overrides)
    return with_dates(body, day)


def seller_path(shop, req_id, tail: str = "") -> str:
    return f"/api/v1/seller/enterprises/{shop.enterprise.id}/quotes/{req_id}{tail}"


def reload(req_id: int) -> QuoteRequest:
    return db.session.get(QuoteRequest, req_id, populate_existing=True)


def test_full_flow_through_the_api(client, shop):
    buyer, seller = bearer(shop.buyer, lang="en"), bearer(shop.owner, lang="en")
    created = client.post("/api/v1/quotes", json=ask_body(shop), headers=buyer)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    req_id = body["id"]
    assert created.headers["Location"].endswith(f"/api/v1/quotes/{req_id}")
    assert (body["status"], body["quantity"], body["target_unit_price"]["satang"]) == (REQUESTED, 120, 14000)

    listed = client.get(f"/api/v1/seller/enterprises/{shop.enterprise.id}/quotes?to_answer=true", headers=seller)
    assert [r["id"] for r in listed.get_json()["data"]] == [req_id]
    assert client.get(seller_path(shop, req_id), headers=seller).status_code == 200

    quoted = client.post(seller_path(shop, req_id, "/quote"), json=quote_body(), headers=seller)
    assert quoted.status_code == 200, quoted.get_json()
    assert quoted.get_json()["quote"]["total"]["satang"] == 14250 * 120 + 30000

    assert client.post(seller_path(shop, req_id, "/messages"), json={"body": "Logo printing is free."},
                       headers=seller).status_code == 201
    said = client.post(f"/api/v1/quotes/{req_id}/messages", json={"body": "Thank you"}, headers=buyer)
    assert said.status_code == 201
    assert [m["author"] for m in said.get_json()["messages"]] == ["seller", "buyer"]
    assert [r["id"] for r in client.get("/api/v1/quotes", headers=buyer).get_json()["data"]] == [req_id]

    headers = {**buyer, "Idempotency-Key": "accept-1"}
    accept = {"address": ADDRESS, "payment_method": "promptpay_qr", "po_number": "PO-9"}
    accepted = client.post(f"/api/v1/quotes/{req_id}/accept", json=accept, headers=headers)
    assert accepted.status_code == 201, accepted.get_json()
    order = accepted.get_json()
    assert accepted.headers["Location"].endswith(f"/api/v1/orders/{order['id']}")
    assert (order["subtotal"]["satang"], order["shipping"]["satang"], order["total"]["satang"]) == (
        1710000, 30000, 1740000)
    assert order["fulfilments"][0]["lines"][0]["unit_price"]["satang"] == 14250
    assert order["po_number"] == "PO-9"
    assert stock_of(shop.bag.id) == 80
    assert reload(req_id).status == ACCEPTED
    assert client.get(f"/api/v1/quotes/{req_id}", headers=buyer).get_json()["order_id"] == order["id"]
    assert client.get(f"/api/v1/orders/{order['id']}", headers=buyer).status_code == 200

    # The same key again: the same order, nothing new. Without the key: refused.
    replay = client.post(f"/api/v1/quotes/{req_id}/accept", json=accept, headers=headers)
    assert replay.status_code == 201 and replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.get_json()["id"] == order["id"]
    again = client.post(f"/api/v1/quotes/{req_id}/accept", json=accept, headers=buyer)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "quote_changed"
    reused = client.post(f"/api/v1/quotes/{req_id}/accept", json={**accept, "po_number": "PO-10"}, headers=headers)
    assert reused.status_code == 422 and reused.get_json()["error"]["code"] == "idempotency_key_reused"
    assert count(Order) == 1 and count(OrderLine) == 1 and stock_of(shop.bag.id) == 80


def test_decline_and_withdraw(client, shop):
    seller, buyer = bearer(shop.owner, lang="en"), bearer(shop.buyer, lang="en")
    one = make_request(shop)
    assert client.post(seller_path(shop, one.id, "/decline"), json={"reason": ""}, headers=seller).status_code == 422
    declined = client.post(seller_path(shop, one.id, "/decline"), json={"reason": "Out of season"}, headers=seller)
    assert declined.status_code == 200 and declined.get_json()["status"] == DECLINED
    assert declined.get_json()["decline_reason"] == "Out of season"
    closed = client.post(f"/api/v1/quotes/{one.id}/messages", json={"body": "Why?"}, headers=buyer)
    assert closed.status_code == 409 and closed.get_json()["error"]["code"] == "quote_closed"

    two = make_quote(shop)
    withdrawn = client.post(f"/api/v1/quotes/{two.id}/withdraw", json={}, headers=buyer)
    assert withdrawn.status_code == 200 and withdrawn.get_json()["status"] == WITHDRAWN
    assert client.post(f"/api/v1/quotes/{two.id}/withdraw", json={}, headers=buyer).status_code == 409
    assert client.post(seller_path(shop, two.id, "/quote"), json=quote_body(), headers=seller).status_code == 409


def test_expired_quote_is_refused_at_accept_time(client, shop):
    req = make_quote(shop)
    db.session.execute(QuoteRequest.__table__.update().where(QuoteRequest.id == req.id)
                       .values(valid_until=svc.bangkok_today() - timedelta(days=1)))
    db.session.commit()
    buyer = bearer(shop.buyer, lang="en")
    assert client.get(f"/api/v1/quotes/{req.id}", headers=buyer).get_json()["status"] == "expired"
    response = client.post(f"/api/v1/quotes/{req.id}/accept", json={"address": ADDRESS}, headers=buyer)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "quote_expired"
    assert count(Order) == 0 and reload(req.id).status == QUOTED


def test_who_may_ask(client, shop):
    for user in (shop.shopper, shop.pending):
        response = client.post("/api/v1/quotes", json=ask_body(shop), headers=bearer(user, lang="en"))
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "not_verified_retail_buyer"
    assert client.post("/api/v1/quotes", json=ask_body(shop)).status_code == 401
    assert count(QuoteRequest) == 0


@pytest.mark.parametrize(("overrides", "status", "field"), [
    ({"quantity": 0}, 422, "quantity"),
    ({"quantity": -3}, 422, "quantity"),
    ({"quantity": 10**12}, 422, "quantity"),
    ({"quantity": 100000}, 422, "quantity"),
    ({"quantity": "12"}, 422, "quantity"),
    ({"quantity": 1.5}, 422, "quantity"),
    ({"target_unit_satang": 0}, 422, "target_unit_satang"),
    ({"target_unit_satang": -100}, 422, "target_unit_satang"),
    ({"target_unit_satang": 100_000_001}, 422, "target_unit_satang"),
    ({"delivery_date": InDays(0)}, 422, "delivery_date"),
    ({"delivery_date": InDays(-10)}, 422, "delivery_date"),
    ({"delivery_date": InDays(400)}, 422, "delivery_date"),
    ({"delivery_date": "31/12/2026"}, 422, "delivery_date"),
    ({"message": ""}, 422, "message"),
    ({"message": "x" * 2001}, 422, "message"),
    ({"message": "bad \u202e"}, 422, "message"),
    ({"variant_id": 0}, 422, "variant_id"),
    ({"variant_id": 987654}, 404, None),
    ({"surprise": 1}, 422, "surprise"),
])
def test_create_refuses_bad_input(client, shop, overrides, status, field):
    response = client.post("/api/v1/quotes", json=ask_body(shop, **overrides), headers=bearer(shop.buyer))
    assert response.status_code == status, response.get_json()
    if field:
        assert field in response.get_json()["error"]["fields"]
    assert count(QuoteRequest) == 0


@pytest.mark.parametrize(("overrides", "field"), [
    ({"unit_price_satang": 0}, "unit_price_satang"),
    ({"unit_price_satang": -5}, "unit_price_satang"),
    ({"unit_price_satang": 100_000_001}, "unit_price_satang"),
    ({"unit_price_satang": "142"}, "unit_price_satang"),
    ({"quantity": 0}, "quantity"),
    ({"quantity": -6}, "quantity"),
    ({"quantity": 125}, "quantity"),
    ({"quantity": 10**12}, "quantity"),
    ({"shipping_satang": -1}, "shipping_satang"),
    ({"shipping_satang": 10_000_001}, "shipping_satang"),
    ({"valid_until": InDays(-1)}, "valid_until"),
    ({"valid_until": InDays(91)}, "valid_until"),
    ({"lead_time_days": -1}, "lead_time_days"),
    ({"lead_time_days": 366}, "lead_time_days"),
    ({"unit_price_satang": 99_999_900, "quantity": 9996}, "quantity"),
])
def test_quote_refuses_bad_input(client, shop, overrides, field):
    req = make_request(shop)
    response = client.post(seller_path(shop, req.id, "/quote"), json=quote_body(**overrides),
                           headers=bearer(shop.owner))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert reload(req.id).status == REQUESTED


@pytest.mark.parametrize(("body", "status", "field"), [
    ({}, 422, "address"),
    ({"address": {**ADDRESS, "postcode": "123"}}, 422, "address.postcode"),
    ({"address": ADDRESS, "payment_method": "cash"}, 422, "payment_method"),
    ({"address": ADDRESS, "po_number": "P" * 65}, 422, "po_number"),
    ({"saved_address_id": 424242}, 404, None),
    ({"address": ADDRESS, "extra": True}, 422, "extra"),
])
def test_accept_refuses_bad_input(client, shop, body, status, field):
    req = make_quote(shop)
    response = client.post(f"/api/v1/quotes/{req.id}/accept", json=body, headers=bearer(shop.buyer))
    assert response.status_code == status, response.get_json()
    if field:
        assert field in response.get_json()["error"]["fields"]
    assert count(Order) == 0 and reload(req.id).status == QUOTED and stock_of(shop.bag.id) == 200


def test_someone_elses_request_is_404(client, shop):
    req = make_quote(shop)
    other_buyer, other_seller = bearer(shop.second_buyer), bearer(shop.other_owner)
    for method, path, body in (
        ("get", f"/api/v1/quotes/{req.id}", None),
        ("post", f"/api/v1/quotes/{req.id}/accept", {"address": ADDRESS}),
        ("post", f"/api/v1/quotes/{req.id}/withdraw", {}),
        ("post", f"/api/v1/quotes/{req.id}/messages", {"body": "hi"}),
    ):
        assert getattr(client, method)(path, json=body, headers=other_buyer).status_code == 404
    theirs = f"/api/v1/seller/enterprises/{shop.other.id}/quotes/{req.id}"
    assert client.get(theirs, headers=other_seller).status_code == 404
    assert client.post(theirs + "/quote", json=quote_body(), headers=other_seller).status_code == 404
    assert client.post(theirs + "/decline", json={"reason": "x"}, headers=other_seller).status_code == 404
    assert client.get(seller_path(shop, req.id), headers=other_seller).status_code == 404
    assert client.get(f"/api/v1/seller/enterprises/{shop.enterprise.id}/quotes", headers=other_seller).status_code == 404
    assert client.get("/api/v1/quotes/0", headers=other_buyer).status_code == 404
    assert reload(req.id).status == QUOTED and count(QuoteMessage) == 0


def test_openapi_links_the_operations(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    created = doc["paths"]["/api/v1/quotes"]["post"]["responses"]["201"]["links"]
    assert created["AcceptQuote"] == {"operationId": "accept_quote", "parameters": {"request_id": "$response.body#/id"}}
    accepted = doc["paths"]["/api/v1/quotes/{request_id}/accept"]["post"]["responses"]["201"]["links"]
    assert accepted["GetOrder"]["operationId"] == "get_order"
    operation_ids = {op["operationId"] for item in doc["paths"].values() for op in item.values()}
    for item in doc["paths"].values():
        for op in item.values():
            for response in op["responses"].values():
                for link in response.get("links", {}).values():
                    assert link["operationId"] in operation_ids


@pytest.mark.slow
def test_two_accepts_at_once_over_http_place_one_order(app, shop):
    req = make_quote(shop)
    secret, req_id, bag_id = token_for(shop.buyer), req.id, shop.bag.id
    db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/api/v1/quotes/{req_id}/accept"
    start = threading.Barrier(2)
    answers: list[tuple[int, dict]] = []

    def accept(n: int) -> None:
        data = json.dumps({"address": ADDRESS, "payment_method": "promptpay_qr"}).encode()
        request = urllib.request.Request(url, data=data, method="POST", headers={
            "Authorization": f"Bearer {secret}", "Content-Type": "application/json", "Idempotency-Key": f"k{n}"})
        start.wait()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                answers.append((response.status, json.loads(response.read())))
        except urllib.error.HTTPError as exc:
            answers.append((exc.code, json.loads(exc.read())))

    try:
        racers = [threading.Thread(target=accept, args=(n,)) for n in range(2)]
        for racer in racers:
            racer.start()
        for racer in racers:
            racer.join(60)
    finally:
        server.shutdown()
    statuses = Counter(status for status, _ in answers)
    assert statuses == Counter({201: 1, 409: 1}), answers
    assert [body["error"]["code"] for status, body in answers if status == 409] == ["quote_changed"]
    assert count(Order) == 1
    assert stock_of(bag_id) == 80
    assert db.session.scalar(select(QuoteRequest.status).where(QuoteRequest.id == req_id)) == ACCEPTED
