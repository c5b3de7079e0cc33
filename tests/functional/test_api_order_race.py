"""Many API clients racing for the last units (docs/product.md: Orders, Contracts): each
with its own account and token, all POSTing ``/api/v1/orders`` at once. Exactly the
stock is sold, it never goes below zero, and every loser gets a JSON 409 (or a 503
"busy"), never a 500 or a database error. Runs on SQLite (writers queue on ``BEGIN
IMMEDIATE``) and on PostgreSQL (the stock UPDATE's row lock decides)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections import Counter

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from shop.extensions import db
from shop.orders.models import Order, OrderLine
from tests.api_helpers import token_for
from tests.cart_helpers import ADDRESS, count, make_catalogue, stock_of
from tests.factories import UserFactory

pytestmark = pytest.mark.slow

BUYERS = 24
LAST_UNITS = 5


def sold_units(variant_id: int) -> int:
    return int(db.session.scalar(
        select(func.coalesce(func.sum(OrderLine.quantity), 0)).where(OrderLine.variant_id == variant_id)
    ))


def _buyers_with_tokens(n: int) -> list[str]:
    secrets = []
    for i in range(n):
        user = UserFactory(email=f"racer{i}@example.test")
        db.session.commit()
        secrets.append(token_for(user))
    return secrets


def _body(variant_id: int) -> dict:
    return {"lines": [{"variant_id": variant_id, "quantity": 1}], "address": dict(ADDRESS),
            "payment_method": "promptpay_qr"}


def _check_outcomes(answers: list[tuple[int, dict | None, str]], rice_id: int) -> None:
    statuses = Counter(status for status, _body, _text in answers)
    assert len(answers) == BUYERS
    assert statuses[201] == LAST_UNITS, statuses
    assert set(statuses) <= {201, 409, 503}, statuses
    for status, body, text in answers:
        assert body is not None, text  # JSON, never an HTML error page
        assert "locked" not in text.lower()
        if status == 409:
            assert body["error"]["code"] == "out_of_stock", body
        elif status == 503:
            assert body["error"]["code"] == "busy", body
    db.session.rollback()
    assert stock_of(rice_id) == 0
    assert sold_units(rice_id) == LAST_UNITS
    assert count(Order) == LAST_UNITS


def test_api_clients_racing_for_the_last_units_through_the_test_client(app):
    rice_id = make_catalogue(rice_stock=LAST_UNITS).rice.id
    secrets = _buyers_with_tokens(BUYERS)
    # The test's own session must not hold a transaction: on SQLite it would hold the
    # write lock every buyer waits for.
    db.session.remove()
    answers: list[tuple[int, dict | None, str]] = []
    lock = threading.Lock()
    start = threading.Barrier(BUYERS)

    def buy(secret: str) -> None:
        client = app.test_client()
        start.wait()
        response = client.post("/api/v1/orders", json=_body(rice_id),
                               headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"})
        body = response.get_json(silent=True)
        with lock:
            answers.append((response.status_code, body, response.get_data(as_text=True)))

    threads = [threading.Thread(target=buy, args=(secret,)) for secret in secrets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    _check_outcomes(answers, rice_id)


def test_api_clients_racing_over_http(app):
    """The same race through a real threaded WSGI server and real HTTP requests."""
    rice_id = make_catalogue(rice_stock=LAST_UNITS).rice.id
    secrets = _buyers_with_tokens(BUYERS)
    db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    url = f"http://127.0.0.1:{server.server_port}/api/v1/orders"
    answers: list[tuple[int, dict | None, str]] = []
    lock = threading.Lock()
    start = threading.Barrier(BUYERS)

    def buy(secret: str) -> None:
        request = urllib.request.Request(
            url, data=json.dumps(_body(rice_id)).encode(), method="POST",
            headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json",
                     "Accept-Language": "en"},
        )
        start.wait()
        try:
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 (a local test server)
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode()
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        with lock:
            answers.append((status, body, text))

    try:
        threads = [threading.Thread(target=buy, args=(secret,)) for secret in secrets]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(150)
    finally:
        server.shutdown()
        serving.join(10)
    _check_outcomes(answers, rice_id)
