"""Stripe webhooks at ``/webhooks/stripe`` (issue 6 item 2): signatures checked on the
raw body with Stripe's algorithm, stale and future timestamps refused, each event
processed once (also when two deliveries race), events out of order handled, paid
never going back, stock released once, refunds settled.

Given an unpaid order with a Stripe Checkout Session (a ``Payment`` row), when Stripe
posts a signed event, then the order moves as the event says, or not at all.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections import Counter

import pytest
import stripe
from flask import g
from sqlalchemy import func, select

import shop.models  # noqa: F401  (every model first)
from shop.catalog.models import Variant
from shop.extensions import db
from shop.notifications.models import OutboxMessage
from shop.orders import status as st
from shop.orders.models import Order, StatusChange
from shop.orders.services import LAPSED_REASON
from shop.payments import webhooks
from shop.payments.models import (
    PAYMENT_EXPIRED,
    PAYMENT_FAILED,
    PAYMENT_PENDING,
    PAYMENT_SUCCEEDED,
    REFUND_PENDING,
    REFUND_SUCCEEDED,
    Payment,
    ProviderEvent,
    Refund,
)
from shop.payments.providers import events
from shop.payments.providers.events import WebhookRejected
from shop.payments.providers.stripe import webhooks as stripe_webhooks
from tests.factories import UserFactory, VariantFactory
from tests.order_helpers import make_order
from tests.stripe_fake import (
    WEBHOOK_SECRET,
    charge_refunded_event,
    checkout_session_event,
    refund_object,
    sign_webhook,
    webhook_request,
)

URL = "/webhooks/stripe"


# ---------------------------------------------------------------- helpers


@pytest.fixture
def stripe_on(app, fake_stripe):  # noqa: F811
    return fake_stripe


def stripe_order(*, stock: int = 5, quantity: int = 2, session_id: str = "cs_test_a1", lines=None) -> Order:
    """An unpaid order (stock taken) with a pending Stripe Checkout Session."""
    if lines is None:
        lines = [(VariantFactory(stock=stock, price_satang=12000), quantity)]
    order = make_order(lines)
    db.session.add(Payment(order_id=order.id, provider="stripe", status=PAYMENT_PENDING,
                           amount_satang=order.total_satang, currency="thb", provider_ref=session_id,
                           redirect_url=f"https://checkout.stripe.test/c/pay/{session_id}"))
    db.session.commit()
    return order


def post(client, event: dict, **kwargs):
    body, headers = webhook_request(event, **kwargs)
    return client.post(URL, data=body, headers=headers)


def reload(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def stock_of(variant_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Variant, variant_id).stock


def count(model, *where) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*where)))


def paid_changes(order_id: int) -> int:
    return count(StatusChange, StatusChange.order_id == order_id, StatusChange.machine == st.ORDER,
                 StatusChange.to_status == st.ORDER_PAID)


def emails(kind: str) -> int:
    return count(OutboxMessage, OutboxMessage.kind == kind)


def variant_of(order: Order) -> int:
    return order.fulfilments[0].lines[0].variant_id


# ---------------------------------------------------------------- verification


def test_a_signed_completed_event_marks_the_order_paid(client, stripe_on):
    order = stripe_order()
    event = checkout_session_event("completed", "cs_test_a1", order, payment_intent="pi_test_1")
    response = post(client, event)
    assert response.status_code == 200
    assert response.get_json() == {"received": True, "duplicate": False, "outcome": "paid"}
    order = reload(Order, order.id)
    assert order.status == st.ORDER_PAID and order.paid_at is not None and order.expires_at is None
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id))
    assert (payment.status, payment.payment_intent_ref, payment.method) == (PAYMENT_SUCCEEDED, "pi_test_1", "card")
    assert payment.succeeded_at is not None
    change = db.session.scalar(select(StatusChange).where(StatusChange.order_id == order.id,
                                                         StatusChange.to_status == st.ORDER_PAID))
    assert (change.actor_role, change.actor_id) == (st.ROLE_SYSTEM, None)
    recorded = db.session.scalar(select(ProviderEvent))
    assert (recorded.provider, recorded.event_id, recorded.event_type, recorded.object_ref, recorded.outcome) == (
        "stripe", event["id"], "checkout.session.completed", "cs_test_a1", "paid")
    assert emails("order_paid") == 1


def test_a_tampered_body_is_refused(client, stripe_on):
    order = stripe_order()
    body, headers = webhook_request(checkout_session_event("completed", "cs_test_a1", order))
    tampered = body.replace(str(order.total_satang), str(order.total_satang - 1))
    assert tampered != body
    response = client.post(URL, data=tampered, headers=headers)
    assert response.status_code == 400
    assert response.get_json() == {"error": "signature_mismatch"}
    assert reload(Order, order.id).status == st.ORDER_PENDING_PAYMENT
    assert count(ProviderEvent) == 0


@pytest.mark.parametrize(("offset", "expected"), [
    (-301, 400), (-3600, 400), (301, 400), (3600, 400), (-290, 200), (290, 200),
])
def test_timestamps_outside_five_minutes_either_side_are_refused(client, stripe_on, offset, expected):
    order = stripe_order()
    event = checkout_session_event("completed", "cs_test_a1", order)
    response = post(client, event, timestamp=int(time.time()) + offset)
    assert response.status_code == expected
    if expected == 400:
        assert response.get_json()["error"] in ("timestamp_too_old", "timestamp_in_future")
        assert reload(Order, order.id).status == st.ORDER_PENDING_PAYMENT
        assert count(ProviderEvent) == 0
    else:
        assert reload(Order, order.id).status == st.ORDER_PAID


def test_a_signature_with_another_secret_is_refused(client, stripe_on):
    order = stripe_order()
    response = post(client, checkout_session_event("completed", "cs_test_a1", order), secret="whsec_someone_else")
    assert response.status_code == 400
    assert response.get_json() == {"error": "signature_mismatch"}
    assert reload(Order, order.id).status == st.ORDER_PENDING_PAYMENT


@pytest.mark.parametrize("header", [
    None, "", "garbage", "t=abc,v1=00", "v1=00", "t=123", "t=123,v1", "t=" + "9" * 40 + ",v1=00",
])
def test_a_missing_or_malformed_signature_header_is_refused(client, stripe_on, header):
    body = json.dumps(checkout_session_event("completed", "cs_test_x", None, public_id="CMNOPE"))
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers["Stripe-Signature"] = header
    response = client.post(URL, data=body, headers=headers)
    assert response.status_code == 400
    assert response.get_json()["error"] in ("signature_header_missing", "signature_header_malformed")


@pytest.mark.parametrize("body", [
    "{not json", "[]", '"text"', "{}", '{"id": "evt_1", "type": "x"}', '{"id": 5, "type": "x", "data": {"object": {}}}',
    '{"id": "evt_1", "type": "x", "data": {"object": []}}', "\udcff",
])
def test_signed_but_malformed_events_are_refused(client, stripe_on, body):
    raw = body.encode("utf-8", "surrogateescape") if body == "\udcff" else body.encode()
    t = int(time.time())
    signature = hmac.new(WEBHOOK_SECRET.encode(), str(t).encode() + b"." + raw, hashlib.sha256).hexdigest()
    header = f"t={t},v1={signature}"
    response = client.post(URL, data=raw, headers={"Stripe-Signature": header, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["error"] in ("malformed_json", "malformed_event")
    assert count(ProviderEvent) == 0


def test_without_a_webhook_secret_the_endpoint_is_not_there(app, client):
    app.config["STRIPE_WEBHOOK_SECRET"] = None
    body, headers = webhook_request(checkout_session_event("completed", "cs_x", None, public_id="CMX"))
    assert client.post(URL, data=body, headers=headers).status_code == 404


def test_csrf_does_not_stop_stripe(app, client, stripe_on):
    app.config["WTF_CSRF_ENABLED"] = True
    order = stripe_order()
    response = post(client, checkout_session_event("completed", "cs_test_a1", order))
    assert response.status_code == 200
    assert reload(Order, order.id).status == st.ORDER_PAID


def test_the_signature_matches_the_stripe_library_and_a_rotated_secret_verifies():
    payload = json.dumps({"id": "evt_1", "object": "event", "type": "ping", "data": {"object": {"id": "x"}}})
    header = sign_webhook(payload, WEBHOOK_SECRET)
    # stripe-python accepts our test signatures, so the checks below test the real algorithm.
    assert stripe.Webhook.construct_event(payload, header, WEBHOOK_SECRET).id == "evt_1"
    assert stripe_webhooks.construct_event(payload.encode(), header, WEBHOOK_SECRET).id == "evt_1"
    # During a secret rotation Stripe sends one v1 per secret: any of them may match.
    old = sign_webhook(payload, "whsec_old").split(",")[1]
    assert stripe_webhooks.construct_event(payload.encode(), f"{header},{old},v0=ignored", WEBHOOK_SECRET).type == "ping"
    # The library alone accepts a signature from the future; we do not.
    future = int(time.time()) + 3600
    future_header = sign_webhook(payload, WEBHOOK_SECRET, future)
    assert stripe.Webhook.construct_event(payload, future_header, WEBHOOK_SECRET).id == "evt_1"
    with pytest.raises(WebhookRejected) as refused:
        stripe_webhooks.construct_event(payload.encode(), future_header, WEBHOOK_SECRET)
    assert refused.value.reason == "timestamp_in_future"


# ---------------------------------------------------------------- exactly once


def test_the_same_event_twice_has_one_effect(client, stripe_on):
    order = stripe_order()
    event = checkout_session_event("completed", "cs_test_a1", order)
    assert post(client, event).get_json()["duplicate"] is False
    again = post(client, event)
    assert again.status_code == 200
    assert again.get_json() == {"received": True, "duplicate": True}
    assert paid_changes(order.id) == 1
    assert emails("order_paid") == 1
    assert count(ProviderEvent) == 1


def _race(app, event: dict, deliveries: int) -> list[tuple[int, dict]]:
    """``deliveries`` threads post ``event`` at the same moment; (status, json) of each."""
    db.session.remove()  # the test's own session must not hold SQLite's write lock
    body, headers = webhook_request(event)
    start = threading.Barrier(deliveries)
    results: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def deliver() -> None:
        client = app.test_client()
        start.wait()
        response = client.post(URL, data=body, headers=headers)
        with lock:
            results.append((response.status_code, response.get_json(silent=True) or {}))

    threads = [threading.Thread(target=deliver) for _ in range(deliveries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


@pytest.mark.slow
def test_the_same_event_delivered_concurrently_has_one_effect(app, stripe_on):
    order = stripe_order()
    order_id, variant_id = order.id, variant_of(order)
    stock_before = stock_of(variant_id)
    results = _race(app, checkout_session_event("completed", "cs_test_a1", order), 6)
    assert [status for status, _ in results] == [200] * 6
    assert Counter(body.get("duplicate") for _, body in results) == Counter({True: 5, False: 1})
    assert paid_changes(order_id) == 1
    assert emails("order_paid") == 1
    assert count(ProviderEvent) == 1
    assert reload(Order, order_id).status == st.ORDER_PAID
    assert stock_of(variant_id) == stock_before


@pytest.mark.slow
def test_expiry_delivered_concurrently_gives_stock_back_once(app, stripe_on):
    order = stripe_order(stock=5, quantity=2)
    order_id, variant_id = order.id, variant_of(order)
    assert stock_of(variant_id) == 3
    results = _race(app, checkout_session_event("expired", "cs_test_a1", order), 6)
    assert [status for status, _ in results] == [200] * 6
    assert stock_of(variant_id) == 5
    assert reload(Order, order_id).status == st.ORDER_CANCELLED
    assert emails("order_cancelled") == 1


@pytest.mark.slow
def test_two_different_paid_events_racing_pay_the_order_once(app, stripe_on):
    """completed (paid) and async_payment_succeeded for the same session at once."""
    order = stripe_order()
    order_id = order.id
    events = [checkout_session_event("completed", "cs_test_a1", order),
              checkout_session_event("async_payment_succeeded", "cs_test_a1", order)]
    db.session.remove()
    start = threading.Barrier(len(events))
    statuses: list[int] = []

    def deliver(event) -> None:
        body, headers = webhook_request(event)
        client = app.test_client()
        start.wait()
        statuses.append(client.post(URL, data=body, headers=headers).status_code)

    threads = [threading.Thread(target=deliver, args=(e,)) for e in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert statuses == [200, 200]
    assert paid_changes(order_id) == 1
    assert emails("order_paid") == 1
    assert sorted(db.session.scalars(select(ProviderEvent.outcome))) == ["already_paid", "paid"]


def test_the_unique_constraint_decides_when_two_deliveries_pass_the_first_check(client, stripe_on, monkeypatch):
    """Both deliveries saw no row; the second's INSERT collides, it rolls back its
    effect and answers 200 (what a PostgreSQL race does, made deterministic)."""
    order = stripe_order()
    event = checkout_session_event("completed", "cs_test_a1", order)
    assert post(client, event).get_json()["duplicate"] is False
    real_seen = webhooks._seen
    calls = []

    def first_check_misses(provider, event_id):
        calls.append(event_id)
        return False if len(calls) == 1 else real_seen(provider, event_id)

    monkeypatch.setattr(webhooks, "_seen", first_check_misses)
    assert post(client, event).get_json() == {"received": True, "duplicate": True}
    assert len(calls) == 2
    assert paid_changes(order.id) == 1 and emails("order_paid") == 1 and count(ProviderEvent) == 1


def test_a_handler_that_crashes_records_nothing_so_stripe_retries(app, client, stripe_on, monkeypatch):
    order = stripe_order()
    event = checkout_session_event("completed", "cs_test_a1", order)

    def boom(_event):
        raise RuntimeError("bug")

    monkeypatch.setitem(webhooks.HANDLERS, events.PAYMENT_COMPLETED, boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert post(client, event).status_code == 500
    assert count(ProviderEvent) == 0
    monkeypatch.undo()
    assert post(client, event).get_json()["outcome"] == "paid"


# ---------------------------------------------------------------- out of order


def test_async_success_before_completion_pays_and_completion_changes_nothing(client, stripe_on):
    order = stripe_order()
    succeeded = checkout_session_event("async_payment_succeeded", "cs_test_a1", order, method="promptpay")
    completed = checkout_session_event("completed", "cs_test_a1", order, payment_status="unpaid", method="promptpay")
    assert post(client, succeeded).get_json()["outcome"] == "paid"
    assert post(client, completed).get_json()["outcome"] == "already_paid"
    order = reload(Order, order.id)
    assert order.status == st.ORDER_PAID
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id))
    assert (payment.status, payment.method) == (PAYMENT_SUCCEEDED, "promptpay")
    assert paid_changes(order.id) == 1


def test_completion_unpaid_waits_then_async_success_pays(client, stripe_on):
    order = stripe_order()
    completed = checkout_session_event("completed", "cs_test_a1", order, payment_status="unpaid", method="promptpay")
    assert post(client, completed).get_json()["outcome"] == "awaiting_async_payment"
    order = reload(Order, order.id)
    assert order.status == st.ORDER_PENDING_PAYMENT
    assert order.expires_at is None  # the hold is paused: the sweeper must not lapse it meanwhile
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id))
    assert (payment.status, payment.method) == (PAYMENT_PENDING, "promptpay")
    succeeded = checkout_session_event("async_payment_succeeded", "cs_test_a1", order, method="promptpay")
    assert post(client, succeeded).get_json()["outcome"] == "paid"
    assert reload(Order, order.id).status == st.ORDER_PAID


def test_async_failure_cancels_the_order_and_gives_stock_back(client, stripe_on):
    order = stripe_order(stock=5, quantity=2)
    variant_id = variant_of(order)
    post(client, checkout_session_event("completed", "cs_test_a1", order, payment_status="unpaid", method="promptpay"))
    failed = checkout_session_event("async_payment_failed", "cs_test_a1", order, payment_status="unpaid",
                                    method="promptpay")
    assert post(client, failed).get_json()["outcome"] == "order_cancelled"
    order = reload(Order, order.id)
    assert order.status == st.ORDER_CANCELLED
    assert order.cancel_reason == webhooks.PAYMENT_FAILED_REASON == "payment failed"
    change = db.session.scalar(select(StatusChange).where(StatusChange.order_id == order.id,
                                                         StatusChange.to_status == st.ORDER_CANCELLED))
    assert change.actor_role == st.ROLE_SYSTEM
    assert db.session.scalar(select(Payment.status).where(Payment.order_id == order.id)) == PAYMENT_FAILED
    assert stock_of(variant_id) == 5


def test_expiry_twice_gives_stock_back_once(client, stripe_on):
    order = stripe_order(stock=5, quantity=2)
    variant_id = variant_of(order)
    assert stock_of(variant_id) == 3
    first = post(client, checkout_session_event("expired", "cs_test_a1", order))
    second = post(client, checkout_session_event("expired", "cs_test_a1", order))  # another event id
    assert first.get_json()["outcome"] == "order_cancelled"
    assert second.get_json()["outcome"] == "payment_closed"
    assert stock_of(variant_id) == 5
    order = reload(Order, order.id)
    assert (order.status, order.cancel_reason) == (st.ORDER_CANCELLED, LAPSED_REASON)
    assert db.session.scalar(select(Payment.status).where(Payment.order_id == order.id)) == PAYMENT_EXPIRED
    assert emails("order_cancelled") == 1


@pytest.mark.parametrize("late", ["expired", "async_payment_failed"])
def test_paid_never_goes_back(client, stripe_on, late):
    order = stripe_order(stock=5, quantity=2)
    variant_id = variant_of(order)
    post(client, checkout_session_event("completed", "cs_test_a1", order))
    response = post(client, checkout_session_event(late, "cs_test_a1", order, payment_status="unpaid"))
    assert response.get_json()["outcome"] == "ignored_order_paid"
    order = reload(Order, order.id)
    assert order.status == st.ORDER_PAID
    assert db.session.scalar(select(Payment.status).where(Payment.order_id == order.id)) == PAYMENT_SUCCEEDED
    assert stock_of(variant_id) == 3


def test_expiry_of_an_old_session_leaves_the_newer_one_open(client, stripe_on):
    order = stripe_order(session_id="cs_test_old")
    db.session.add(Payment(order_id=order.id, provider="stripe", status=PAYMENT_PENDING,
                           amount_satang=order.total_satang, provider_ref="cs_test_new"))
    db.session.commit()
    response = post(client, checkout_session_event("expired", "cs_test_old", order))
    assert response.get_json()["outcome"] == "payment_closed"
    assert reload(Order, order.id).status == st.ORDER_PENDING_PAYMENT
    assert post(client, checkout_session_event("completed", "cs_test_new", order)).get_json()["outcome"] == "paid"


# ---------------------------------------------------------------- what staff must see


def test_a_wrong_amount_or_currency_is_recorded_not_paid(app, client, stripe_on, sign_in):
    order = stripe_order()
    short = checkout_session_event("completed", "cs_test_a1", order, amount_total=order.total_satang - 100)
    assert post(client, short).get_json()["outcome"] == "amount_mismatch"
    usd = checkout_session_event("async_payment_succeeded", "cs_test_a1", order, currency="usd")
    assert post(client, usd).get_json()["outcome"] == "amount_mismatch"
    order = reload(Order, order.id)
    assert order.status == st.ORDER_PENDING_PAYMENT
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id))
    assert payment.status == PAYMENT_PENDING and "amount mismatch" in payment.failure_reason
    # Staff see it, in their language.
    staff = UserFactory(is_staff=True, locale="th")
    staff_client = sign_in(staff, client=app.test_client())
    page = staff_client.get("/admin/payments/stripe-events")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert order.public_id in text and short["id"] in text
    assert "ยอดเงิน" in text  # the Thai explanation
    # Nobody else does.
    g.pop("_login_user", None)
    assert app.test_client().get("/admin/payments/stripe-events").status_code in (302, 401, 404)


def test_payment_after_the_order_lapsed_is_flagged(client, stripe_on):
    order = stripe_order()
    post(client, checkout_session_event("expired", "cs_test_a1", order))  # the hold ran out first
    response = post(client, checkout_session_event("completed", "cs_test_a1", order))
    assert response.get_json()["outcome"] == "paid_after_cancel"
    assert reload(Order, order.id).status == st.ORDER_CANCELLED
    assert [row.event.outcome for row in webhooks.events_needing_attention()] == ["paid_after_cancel"]


def test_unknown_types_and_unknown_orders_are_answered_and_recorded(client, stripe_on):
    ping = {"id": "evt_ping", "object": "event", "type": "customer.created", "data": {"object": {"id": "cus_1"}}}
    assert post(client, ping).get_json() == {"received": True, "duplicate": False, "outcome": "ignored_type"}
    stranger = checkout_session_event("completed", "cs_test_zz", None, public_id="CMDOESNOTEXIST")
    assert post(client, stranger).get_json()["outcome"] == "unknown_order"
    assert count(ProviderEvent) == 2


def test_a_session_without_a_payment_row_is_adopted_through_its_metadata(client, stripe_on):
    """The app created the session at Stripe but lost its own commit."""
    order = make_order([(VariantFactory(stock=5), 1)])
    response = post(client, checkout_session_event("completed", "cs_test_lost", order, payment_intent="pi_lost"))
    assert response.get_json()["outcome"] == "paid"
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id))
    assert (payment.provider_ref, payment.status, payment.amount_satang) == (
        "cs_test_lost", PAYMENT_SUCCEEDED, order.total_satang)


# ---------------------------------------------------------------- refunds


def paid_stripe_order(client, **kwargs) -> Order:
    order = stripe_order(**kwargs)
    post(client, checkout_session_event("completed", "cs_test_a1", order, payment_intent="pi_test_9"))
    return reload(Order, order.id)


def test_charge_refunded_settles_a_pending_refund(client, stripe_on):
    order = paid_stripe_order(client)
    fulfilment = order.fulfilments[0]
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id))
    refund = Refund(order_id=order.id, fulfilment_id=fulfilment.id, payment_id=payment.id, provider="stripe",
                    amount_satang=5000, reason="damaged", status=REFUND_PENDING,
                    idempotency_key=f"refund-{order.public_id}-{fulfilment.id}-1", provider_ref="re_test_1",
                    requested_role=st.ROLE_SELLER)
    db.session.add(refund)
    db.session.commit()
    event = charge_refunded_event("ch_test_1", payment_intent="pi_test_9", amount=order.total_satang,
                                  amount_refunded=5000, refunds=[refund_object("re_test_1", 5000)])
    assert post(client, event).get_json()["outcome"] == "refunds_succeeded"
    assert post(client, event).get_json()["duplicate"] is True
    refund = reload(Refund, refund.id)
    assert refund.status == REFUND_SUCCEEDED
    order = reload(Order, order.id)
    assert (order.status, order.refunded_satang) == (st.ORDER_PARTIALLY_REFUNDED, 5000)
    assert order.fulfilments[0].refunded_satang == 5000
    assert db.session.get(Payment, payment.id).charge_ref == "ch_test_1"
    assert emails("order_refunded") == 1


def test_a_refund_made_in_the_stripe_dashboard_is_recorded(client, stripe_on):
    order = paid_stripe_order(client)
    total = order.total_satang
    event = charge_refunded_event("ch_test_2", payment_intent="pi_test_9", amount=total, amount_refunded=total,
                                  refunds=[refund_object("re_dash_1", total)])
    assert post(client, event).get_json()["outcome"] == "dashboard_refund_recorded"
    refund = db.session.scalar(select(Refund).where(Refund.order_id == order.id))
    assert (refund.provider_ref, refund.amount_satang, refund.status, refund.reason) == (
        "re_dash_1", total, REFUND_SUCCEEDED, stripe_webhooks.DASHBOARD_REFUND_REASON)
    assert reload(Order, order.id).status == st.ORDER_REFUNDED
    # A later event listing the same refund again changes nothing.
    again = charge_refunded_event("ch_test_2", payment_intent="pi_test_9", amount=total, amount_refunded=total,
                                  refunds=[refund_object("re_dash_1", total)])
    assert post(client, again).get_json()["outcome"] == "nothing_to_do"
    assert count(Refund) == 1


def test_a_dashboard_refund_on_a_two_enterprise_order_is_split_by_part(client, stripe_on):
    a, b = VariantFactory(stock=5, price_satang=10000), VariantFactory(stock=5, price_satang=20000)
    order = stripe_order(lines=[(a, 1), (b, 1)])
    post(client, checkout_session_event("completed", "cs_test_a1", order, payment_intent="pi_test_9"))
    order = reload(Order, order.id)
    first, second = sorted(order.fulfilments, key=lambda f: f.id)
    amount = first.total_satang + 1000
    event = charge_refunded_event("ch_test_3", payment_intent="pi_test_9", amount=order.total_satang,
                                  amount_refunded=amount, refunds=[refund_object("re_dash_2", amount)])
    assert post(client, event).get_json()["outcome"] == "dashboard_refund_recorded"
    shares = {r.fulfilment_id: r.amount_satang for r in db.session.scalars(select(Refund))}
    assert shares == {first.id: first.total_satang, second.id: 1000}
    assert reload(Order, order.id).status == st.ORDER_PARTIALLY_REFUNDED


def test_a_refund_larger_than_what_is_left_is_flagged_not_applied(client, stripe_on):
    order = paid_stripe_order(client)
    event = charge_refunded_event("ch_test_4", payment_intent="pi_test_9", amount=order.total_satang,
                                  amount_refunded=order.total_satang + 1,
                                  refunds=[refund_object("re_dash_3", order.total_satang + 1)])
    assert post(client, event).get_json()["outcome"] == "refund_unallocated"
    assert count(Refund) == 0
    assert reload(Order, order.id).status == st.ORDER_PAID


def test_charge_refunded_for_an_unknown_charge_is_recorded(client, stripe_on):
    event = charge_refunded_event("ch_nope", payment_intent="pi_nope", amount=100, amount_refunded=100,
                                  refunds=[refund_object("re_x", 100)])
    assert post(client, event).get_json()["outcome"] == "unknown_order"


def _pending_refund(order: Order, amount: int, *, provider_ref: str | None) -> Refund:
    fulfilment = order.fulfilments[0]
    payment = db.session.scalar(select(Payment).where(Payment.order_id == order.id))
    refund = Refund(order_id=order.id, fulfilment_id=fulfilment.id, payment_id=payment.id, provider="stripe",
                    amount_satang=amount, reason="late", status=REFUND_PENDING,
                    idempotency_key=f"refund-{order.public_id}-{fulfilment.id}-1", provider_ref=provider_ref,
                    requested_role=st.ROLE_STAFF)
    db.session.add(refund)
    db.session.commit()
    return refund


def test_a_refund_whose_answer_was_lost_is_matched_by_its_metadata_not_counted_twice(client, stripe_on):
    """The app's call timed out after Stripe made the refund: the row has no re_ id,
    but the metadata the provider sends (``refund_id``) ties Stripe's refund to it."""
    order = paid_stripe_order(client)
    refund = _pending_refund(order, 4000, provider_ref=None)
    stripe_refund = refund_object("re_lost_1", 4000, metadata={"refund_id": str(refund.id),
                                                               "order_id": order.public_id})
    event = charge_refunded_event("ch_test_5", payment_intent="pi_test_9", amount=order.total_satang,
                                  amount_refunded=4000, refunds=[stripe_refund])
    assert post(client, event).get_json()["outcome"] == "refunds_succeeded"
    assert count(Refund) == 1
    refund = reload(Refund, refund.id)
    assert (refund.status, refund.provider_ref) == (REFUND_SUCCEEDED, "re_lost_1")
    assert reload(Order, order.id).refunded_satang == 4000


def test_charge_refunded_without_the_refund_list_settles_by_the_amount(client, stripe_on):
    """Newer API versions leave ``charge.refunds`` out of the payload."""
    order = paid_stripe_order(client)
    first = _pending_refund(order, 3000, provider_ref="re_p_1")
    event = charge_refunded_event("ch_test_6", payment_intent="pi_test_9", amount=order.total_satang,
                                  amount_refunded=3000)
    del event["data"]["object"]["refunds"]
    assert post(client, event).get_json()["outcome"] == "refunds_succeeded"
    assert reload(Refund, first.id).status == REFUND_SUCCEEDED


@pytest.mark.parametrize(("status", "expected_outcome", "expected_status"), [
    ("succeeded", "refunds_succeeded", REFUND_SUCCEEDED),
    ("failed", "refund_failed", "failed"),
])
def test_a_promptpay_refund_completes_or_fails_later(client, stripe_on, status, expected_outcome, expected_status):
    from tests.stripe_fake import refund_event

    order = paid_stripe_order(client)
    refund = _pending_refund(order, 2500, provider_ref="re_pp_1")
    event = refund_event("updated", refund_object("re_pp_1", 2500, status=status))
    assert post(client, event).get_json()["outcome"] == expected_outcome
    assert reload(Refund, refund.id).status == expected_status
    expected_order = st.ORDER_PARTIALLY_REFUNDED if status == "succeeded" else st.ORDER_PAID
    assert reload(Order, order.id).status == expected_order
