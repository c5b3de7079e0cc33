"""The provider interface and the Stripe provider against the fake Stripe
(``tests/stripe_fake.py``): configuration, capabilities, Checkout Session parameters,
refunds and transfers with deterministic idempotency keys, error translation, webhook
verification through the SDK, and the rule that only ``shop/payments/providers/stripe/``
imports the SDK."""

from __future__ import annotations

import contextlib
import json
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
import stripe
from sqlalchemy import select

from shop.dbtypes import utcnow
from shop.extensions import db
from shop.ledger.models import Payout
from shop.orders import status as st
from shop.orders.models import Order
from shop.payments.models import PAYMENT_PENDING, Payment, Refund
from shop.payments.providers import (
    PaymentProvider,
    ProviderCapabilities,
    ProviderError,
    ProviderNotSupported,
    ProviderUnavailable,
    available_methods,
    capabilities_of,
    get_provider,
    stripe_enabled,
)
from shop.payments.providers.events import PAYMENT_COMPLETED, WebhookNotConfigured, WebhookRejected
from shop.payments.providers.promptpay_qr import PromptPayQRProvider
from shop.payments.providers.stripe import checkout as stripe_checkout
from shop.payments.providers.stripe import webhooks as stripe_webhooks
from tests.cart_helpers import make_catalogue
from tests.factories import UserFactory
from tests.order_helpers import make_order
from tests.stripe_fake import WEBHOOK_SECRET, sign_webhook

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def catalogue(app):
    return make_catalogue()


def _stripe_order(catalogue, **kw):
    """Bought with Stripe Checkout (needs ``fake_stripe``); ``paid=True`` pays it
    through the session and its signed webhook."""
    return make_order([(catalogue.coffee, 2), (catalogue.rice, 1)], email="buyer@example.test",
                      payment_method=st.PAYMENT_STRIPE, **kw)


def _payment_of(order) -> Payment:
    return db.session.scalar(select(Payment).where(Payment.order_id == order.id))


def _refund(order, amount, key="refund-x-1-1", payment=None) -> Refund:
    # The pending row ``refunds.request_refund`` writes before it calls the provider:
    # here the test calls the provider itself.
    refund = Refund(order_id=order.id, fulfilment_id=order.fulfilments[0].id, payment_id=payment.id if payment else None,
                    provider="stripe", amount_satang=amount, reason="damaged", idempotency_key=key,
                    requested_role=st.ROLE_STAFF)
    db.session.add(refund)
    db.session.commit()
    return refund


# ---------------------------------------------------------------- configuration


def test_stripe_is_off_without_both_keys(app):
    app.config.update(STRIPE_SECRET_KEY=None, STRIPE_WEBHOOK_SECRET=None)
    assert not stripe_enabled()
    assert available_methods() == [st.PAYMENT_PROMPTPAY_QR]
    app.config["STRIPE_SECRET_KEY"] = "sk_test_x"
    assert not stripe_enabled()  # the webhook secret is needed too: no confirmation without it
    app.config["STRIPE_WEBHOOK_SECRET"] = "whsec_x"
    assert stripe_enabled()
    assert available_methods() == [st.PAYMENT_STRIPE, st.PAYMENT_PROMPTPAY_QR]


def test_get_provider(app):
    for method in (st.PAYMENT_PROMPTPAY_QR, st.PAYMENT_STRIPE):
        provider = get_provider(method)
        assert provider.name == method
        assert isinstance(provider, PaymentProvider)
    with pytest.raises(LookupError):
        get_provider("bitcoin")


def test_promptpay_qr_provider(app, catalogue):
    order = make_order([(catalogue.coffee, 1)])
    provider = get_provider(st.PAYMENT_PROMPTPAY_QR)
    start = provider.start_payment(order)
    assert start.redirect_url is None and start.payment is None
    outcome = provider.refund(_refund(order, 100))
    assert outcome.status == "pending" and outcome.provider_ref is None  # paid back by staff
    with pytest.raises(ProviderNotSupported):
        provider.transfer(Payout(enterprise_id=1, method="promptpay", amount_satang=1, idempotency_key="k"),
                          destination="acct_1")


def test_client_uses_the_configured_api_base_and_key(app, fake_stripe, catalogue):
    order = _stripe_order(catalogue)
    app.config["STRIPE_API_BASE"] = "http://stripe-mock.test:12111"
    get_provider(st.PAYMENT_STRIPE).start_payment(order)
    req = fake_stripe.last("POST", "/v1/checkout/sessions")
    assert req.url.startswith("http://stripe-mock.test:12111/v1/checkout/sessions")
    assert req.header("Authorization") == f"Bearer {app.config['STRIPE_SECRET_KEY']}"


def test_default_api_base(app, fake_stripe, catalogue):
    app.config["STRIPE_API_BASE"] = None
    get_provider(st.PAYMENT_STRIPE).start_payment(_stripe_order(catalogue))
    assert fake_stripe.last().url.startswith("https://api.stripe.com/v1/")


# ---------------------------------------------------------------- checkout sessions


def test_session_parameters(app, fake_stripe, catalogue):
    order = _stripe_order(catalogue, expires_in=timedelta(minutes=50))
    start = get_provider(st.PAYMENT_STRIPE).start_payment(order)
    db.session.commit()

    req = fake_stripe.last("POST", "/v1/checkout/sessions")
    p = req.params
    assert p["mode"] == "payment" and p["currency"] == "thb"
    assert p["payment_method_types"] == ["card", "promptpay"]
    assert p["client_reference_id"] == order.public_id
    assert p["metadata"] == {"order_id": order.public_id}
    assert p["payment_intent_data"]["metadata"] == {"order_id": order.public_id}
    assert p["payment_intent_data"]["transfer_group"] == order.public_id
    assert p["customer_email"] == "buyer@example.test"
    # One line per order line, one shipping line per enterprise; satang, integers.
    items = p["line_items"]
    assert len(items) == len(order.lines) + len(order.fulfilments)
    assert all(i["price_data"]["currency"] == "thb" for i in items)
    total = sum(int(i["price_data"]["unit_amount"]) * int(i["quantity"]) for i in items)
    assert total == order.total_satang
    coffee = next(i for i in items if i["price_data"]["product_data"].get("metadata", {}).get("sku") == catalogue.coffee.sku)
    assert (coffee["quantity"], coffee["price_data"]["unit_amount"]) == ("2", str(catalogue.coffee.price_satang))
    assert int(p["expires_at"]) == int(order.expires_at.timestamp())
    base = app.config["PUBLIC_BASE_URL"].rstrip("/")
    assert p["success_url"].startswith(f"{base}/orders/{order.public_id}/payment-return?t=")
    assert p["success_url"].endswith("&session_id={CHECKOUT_SESSION_ID}")
    assert "cancelled=1" in p["cancel_url"]
    assert req.idempotency_key == f"checkout-{order.public_id}-1-{int(order.expires_at.timestamp())}"

    payment = start.payment
    assert payment.status == PAYMENT_PENDING and payment.provider == "stripe"
    assert payment.provider_ref == fake_stripe.sessions[payment.provider_ref]["id"]
    assert payment.amount_satang == order.total_satang == fake_stripe.sessions[payment.provider_ref]["amount_total"]
    assert start.redirect_url == payment.redirect_url and start.redirect_url.startswith("https://checkout.stripe.test/")


def test_hold_is_pushed_to_stripes_minimum(app, fake_stripe, catalogue):
    order = _stripe_order(catalogue)  # make_order holds 30 minutes: Stripe wants ≥ 30 at creation
    now = utcnow()
    order.expires_at = now + timedelta(minutes=10)
    assert stripe_checkout.ensure_hold(order, now=now)
    assert order.expires_at >= now + timedelta(minutes=stripe_checkout.MIN_SESSION_MINUTES)
    assert not stripe_checkout.ensure_hold(order, now=now)  # already far enough: unchanged
    order.expires_at = now + timedelta(hours=30)
    assert stripe_checkout.ensure_hold(order, now=now)
    assert order.expires_at <= now + timedelta(hours=24)


def test_a_total_the_lines_do_not_explain_is_charged_as_one_line(app, fake_stripe, catalogue):
    order = _stripe_order(catalogue)
    order.total_satang += 1  # whatever the reason, the order's total is what is owed
    db.session.commit()
    get_provider(st.PAYMENT_STRIPE).start_payment(order)
    items = fake_stripe.last("POST", "/v1/checkout/sessions").params["line_items"]
    assert len(items) == 1 and items[0]["price_data"]["unit_amount"] == str(order.total_satang)


def test_session_timeout_then_retry_gets_the_same_session(app, fake_stripe, catalogue):
    order = _stripe_order(catalogue)
    provider = get_provider(st.PAYMENT_STRIPE)
    stripe_checkout.ensure_hold(order)
    db.session.commit()
    fake_stripe.timeout_once("/v1/checkout/sessions", processed=True)
    with pytest.raises(ProviderUnavailable):
        provider.start_payment(order)
    db.session.rollback()
    start = provider.start_payment(order)
    db.session.commit()
    first, second = fake_stripe.calls("POST", "/v1/checkout/sessions")
    assert first.idempotency_key == second.idempotency_key
    assert len(fake_stripe.sessions) == 1 and start.payment.provider_ref in fake_stripe.sessions


def test_session_refused(app, fake_stripe, catalogue):
    order = _stripe_order(catalogue)
    fake_stripe.fail_once("/v1/checkout/sessions", status=400, error_type="invalid_request_error",
                          code="parameter_invalid_integer")
    with pytest.raises(ProviderError) as info:
        get_provider(st.PAYMENT_STRIPE).start_payment(order)
    assert not isinstance(info.value, ProviderUnavailable)
    assert info.value.provider_code == "parameter_invalid_integer"
    assert info.value.status_code >= 400


# ---------------------------------------------------------------- no transaction during a call


@pytest.fixture
def transaction_open_at_calls(monkeypatch) -> list[tuple[str, bool]]:
    """(action, whether the session had a transaction open) for each call to Stripe."""
    from shop.payments.providers.stripe import client

    seen: list[tuple[str, bool]] = []
    real = client.translated_errors

    @contextlib.contextmanager
    def recording(action: str):
        seen.append((action, db.session().in_transaction()))
        with real(action):
            yield

    monkeypatch.setattr(client, "translated_errors", recording)
    return seen


def test_no_transaction_is_open_while_stripe_is_called(app, fake_stripe, catalogue, transaction_open_at_calls):
    """A call may take seconds, and on SQLite a write transaction holds the whole
    database: payment start, refund, transfer and clawback each commit what they read
    or wrote before calling and record the answer in a transaction after."""
    from shop.ledger import services as ledger
    from shop.payments import refunds
    from shop.payments.providers.flow import begin_payment

    order = _stripe_order(catalogue)
    start = begin_payment(order)  # a new Checkout Session
    assert begin_payment(order).redirect_url == start.redirect_url  # the open one, retrieved

    catalogue.coffee.product.enterprise.stripe_account_id = "acct_1Coffee"
    db.session.commit()
    # Paid through its Checkout Session and signed webhook, which sends the transfer.
    paid = _stripe_order(catalogue, paid=True)
    coffee_part = next(f for f in paid.fulfilments if f.enterprise_id == catalogue.coffee.product.enterprise_id)
    [payout] = db.session.scalars(select(Payout).where(Payout.order_id == paid.id))
    assert payout.status == "paid"
    refund = refunds.request_refund(coffee_part, 1000, actor=UserFactory(is_staff=True), role=st.ROLE_STAFF,
                                    reason="damaged")
    assert refund.status == "succeeded"
    assert ledger.balance(catalogue.coffee.product.enterprise_id) == 0  # clawed back

    assert transaction_open_at_calls == [
        ("checkout session", False), ("retrieve session", False), ("checkout session", False), ("transfer", False),
        ("refund", False), ("transfer reversal", False),
    ]


def test_a_payment_start_stripe_does_not_answer_keeps_the_hold_and_records_no_payment(app, fake_stripe, catalogue):
    """The hold pushed to Stripe's minimum is committed before the call, so the retry
    sends the same parameters with the same key; no ``Payment`` without a session."""
    from shop.payments.providers.flow import begin_payment

    order = _stripe_order(catalogue)
    hold = order.expires_at
    fake_stripe.timeout_once("/v1/checkout/sessions", processed=True)
    with pytest.raises(ProviderUnavailable):
        begin_payment(order)
    db.session.rollback()  # only what was committed counts
    order = db.session.get(Order, order.id, populate_existing=True)
    assert order.status == st.ORDER_PENDING_PAYMENT
    assert order.expires_at > hold
    assert db.session.scalars(select(Payment)).all() == []

    start = begin_payment(order)
    first, second = fake_stripe.calls("POST", "/v1/checkout/sessions")
    assert first.idempotency_key == second.idempotency_key
    assert len(fake_stripe.sessions) == 1
    assert [p.provider_ref for p in db.session.scalars(select(Payment))] == [start.payment.provider_ref]


# ---------------------------------------------------------------- refunds


def test_refund_sends_the_rows_key_and_the_payment_intent(app, fake_stripe, catalogue):
    order = _stripe_order(catalogue, paid=True)
    payment = _payment_of(order)
    refund = _refund(order, 1234, key=f"refund-{order.public_id}-{order.fulfilments[0].id}-1", payment=payment)
    outcome = get_provider(st.PAYMENT_STRIPE).refund(refund)
    req = fake_stripe.last("POST", "/v1/refunds")
    assert req.idempotency_key == refund.idempotency_key
    assert req.params["payment_intent"] == payment.payment_intent_ref == f"pi_test_{order.public_id}"
    assert req.params["amount"] == "1234"
    assert req.params["metadata"]["refund_id"] == str(refund.id)
    assert outcome.status == "succeeded" and outcome.provider_ref.startswith("re_")
    assert refund.status == "pending"  # the provider changes no row


def test_refund_finds_the_orders_payment_and_reports_pending(app, fake_stripe, catalogue):
    order = _stripe_order(catalogue, paid=True)
    payment = _payment_of(order)
    # No webhook records a charge without its payment intent; the provider still
    # falls back to the charge, so the row is made so by hand.
    payment.payment_intent_ref, payment.charge_ref = None, "ch_test_9"
    db.session.commit()
    fake_stripe.refund_status = "pending"  # PromptPay refunds complete later
    outcome = get_provider(st.PAYMENT_STRIPE).refund(_refund(order, 500))
    assert fake_stripe.last("POST", "/v1/refunds").params["charge"] == "ch_test_9"
    assert outcome.status == "pending"


def test_refund_timeout_then_retry_refunds_once(app, fake_stripe, catalogue):
    order = _stripe_order(catalogue, paid=True)
    refund = _refund(order, 700)
    provider = get_provider(st.PAYMENT_STRIPE)
    fake_stripe.timeout_once("/v1/refunds", processed=True)
    with pytest.raises(ProviderUnavailable):
        provider.refund(refund)
    outcome = provider.refund(refund)
    keys = {r.idempotency_key for r in fake_stripe.calls("POST", "/v1/refunds")}
    assert keys == {refund.idempotency_key}
    assert len(fake_stripe.refunds) == 1 and outcome.provider_ref in fake_stripe.refunds


def test_refund_server_error_is_unavailable_and_refusal_is_an_error(app, fake_stripe, catalogue):
    order = _stripe_order(catalogue, paid=True)
    refund = _refund(order, 700)
    provider = get_provider(st.PAYMENT_STRIPE)
    fake_stripe.fail_once("/v1/refunds", status=500)
    with pytest.raises(ProviderUnavailable):
        provider.refund(refund)
    fake_stripe.fail_once("/v1/refunds", status=400, error_type="invalid_request_error", code="charge_already_refunded")
    with pytest.raises(ProviderError) as info:
        provider.refund(refund)
    assert info.value.provider_code == "charge_already_refunded"
    assert provider.refund(refund).status == "succeeded"


def test_refund_without_a_stripe_payment(app, fake_stripe, catalogue):
    order = make_order([(catalogue.coffee, 2), (catalogue.rice, 1)], paid=True)  # paid by slip
    with pytest.raises(ProviderError):
        get_provider(st.PAYMENT_STRIPE).refund(_refund(order, 100))
    assert fake_stripe.calls() == []


# ---------------------------------------------------------------- transfers


def test_transfer(app, fake_stripe, catalogue):
    order = _stripe_order(catalogue, paid=True)
    # The payout as ``ledger.services.apply_connect_payouts`` makes it (the enterprise
    # has no connected account, so paying the order made none).
    payout = Payout(enterprise_id=catalogue.coffee.enterprise_id, method="stripe_connect", amount_satang=27550,
                    idempotency_key=f"transfer-{order.public_id}-{catalogue.coffee.enterprise_id}", order_id=order.id)
    db.session.add(payout)
    db.session.commit()
    provider = get_provider(st.PAYMENT_STRIPE)
    fake_stripe.timeout_once("/v1/transfers", processed=True)
    with pytest.raises(ProviderUnavailable):
        provider.transfer(payout, destination="acct_1Coffee")
    transfer_id = provider.transfer(payout, destination="acct_1Coffee")
    assert transfer_id.startswith("tr_") and len(fake_stripe.transfers) == 1
    req = fake_stripe.last("POST", "/v1/transfers")
    assert req.idempotency_key == payout.idempotency_key
    assert req.params["destination"] == "acct_1Coffee"
    assert (req.params["amount"], req.params["currency"]) == ("27550", "thb")
    assert req.params["transfer_group"] == order.public_id

    reversal = provider.reverse_transfer(transfer_id, 1000, idempotency_key="clawback-r1")
    assert reversal.startswith("trr_") and fake_stripe.transfers[transfer_id]["amount_reversed"] == 1000
    assert fake_stripe.last().idempotency_key == "clawback-r1"


def test_transfer_refuses_a_bad_destination(app, fake_stripe):
    payout = Payout(enterprise_id=1, method="stripe_connect", amount_satang=100, idempotency_key="k")
    with pytest.raises(ProviderError):
        get_provider(st.PAYMENT_STRIPE).transfer(payout, destination="")
    assert fake_stripe.calls() == []


# ---------------------------------------------------------------- the SDK stays in one package


def test_only_the_stripe_provider_imports_stripe():
    allowed = ROOT / "shop" / "payments" / "providers" / "stripe"
    pattern = re.compile(r"^\s*(import\s+stripe\b|from\s+stripe\b)", re.MULTILINE)
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "shop").rglob("*.py")
        if allowed not in path.parents and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_only_get_provider_reaches_into_the_stripe_package():
    """The rest of the shop asks ``get_provider`` and the interface: no module outside
    the package imports ``shop.payments.providers.stripe`` (webhook processing, the
    payment flow and refunds included)."""
    allowed = ROOT / "shop" / "payments" / "providers" / "stripe"
    pattern = re.compile(r"^\s*(from\s+shop\.payments\.providers\.stripe\b|import\s+shop\.payments\.providers\.stripe\b"
                         r"|from\s+shop\.payments\.providers\s+import\s+stripe\b)", re.MULTILINE)
    importers = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "shop").rglob("*.py")
        if allowed not in path.parents and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert importers == ["shop/payments/providers/__init__.py"]


# ---------------------------------------------------------------- capabilities


def test_each_provider_declares_what_it_can_do(app):
    assert capabilities_of(st.PAYMENT_STRIPE) == ProviderCapabilities(
        hosted_checkout=True, refunds_through_provider=True, connect_payouts=True)
    assert capabilities_of(st.PAYMENT_PROMPTPAY_QR) == ProviderCapabilities(slip_review=True)
    assert capabilities_of("manual") == ProviderCapabilities()  # a refund paid back by hand
    app.config.update(STRIPE_SECRET_KEY=None, STRIPE_WEBHOOK_SECRET=None)
    assert get_provider(st.PAYMENT_PROMPTPAY_QR).is_enabled() and not get_provider(st.PAYMENT_STRIPE).is_enabled()
    assert get_provider(st.PAYMENT_PROMPTPAY_QR).checkout_origin() is None
    # The default is declared in config.py; the provider reads the setting plainly.
    assert get_provider(st.PAYMENT_STRIPE).checkout_origin() == "https://checkout.stripe.com"
    app.config["STRIPE_CHECKOUT_ORIGIN"] = "https://pay.example.test"
    assert get_provider(st.PAYMENT_STRIPE).checkout_origin() == "https://pay.example.test"


def test_paying_an_order_asks_the_capability_not_the_method_name(app, catalogue, monkeypatch):
    """Connect payouts follow ``connect_payouts``: a PromptPay QR order gets them once
    its provider says it pays enterprises by transfer, and not before."""
    from shop.orders.services import apply_paid

    catalogue.coffee.product.enterprise.stripe_account_id = "acct_coffee"
    db.session.commit()
    first = make_order([(catalogue.coffee, 1)])
    apply_paid(first, actor=None, role=st.ROLE_SYSTEM)
    db.session.commit()
    assert db.session.scalars(select(Payout)).all() == []

    monkeypatch.setattr(PromptPayQRProvider, "capabilities", ProviderCapabilities(slip_review=True, connect_payouts=True))
    second = make_order([(catalogue.coffee, 1)])
    apply_paid(second, actor=None, role=st.ROLE_SYSTEM)
    db.session.commit()
    assert [p.order_id for p in db.session.scalars(select(Payout))] == [second.id]


# ---------------------------------------------------------------- webhook verification


def _event_body() -> str:
    return json.dumps({"id": "evt_1", "object": "event", "type": "checkout.session.completed", "created": 1,
                       "data": {"object": {"id": "cs_1", "payment_status": "paid", "amount_total": 100,
                                           "currency": "thb", "metadata": {"order_id": "CM1"}}}})


def test_verification_goes_through_the_sdk_with_the_tolerance(monkeypatch):
    calls = []
    real = stripe.Webhook.construct_event

    def recording(payload, sig_header, secret, tolerance=stripe.Webhook.DEFAULT_TOLERANCE, **kw):
        calls.append((sig_header, secret, tolerance))
        return real(payload, sig_header, secret, tolerance=tolerance, **kw)

    monkeypatch.setattr(stripe.Webhook, "construct_event", recording)
    body = _event_body()
    header = sign_webhook(body, WEBHOOK_SECRET)
    event = stripe_webhooks.construct_event(body.encode(), header, WEBHOOK_SECRET)
    assert calls == [(header, WEBHOOK_SECRET, 300)]  # five minutes, as before
    assert (event.provider, event.id, event.type, event.object_ref) == ("stripe", "evt_1", "checkout.session.completed", "cs_1")
    change = event.change
    assert (change.kind, change.attempt_ref, change.order_ref, change.paid, change.amount_satang, change.currency) == (
        PAYMENT_COMPLETED, "cs_1", "CM1", True, 100, "thb")


@pytest.mark.parametrize(("offset", "secret", "reason"), [
    (-400, WEBHOOK_SECRET, "timestamp_too_old"),  # signed right, too long ago (the SDK refuses)
    (-400, "whsec_someone_else", "signature_mismatch"),  # too old and signed wrong: the signature first
    (0, "whsec_someone_else", "signature_mismatch"),
    (400, WEBHOOK_SECRET, "timestamp_in_future"),  # the SDK accepts it; the shop does not
    (290, WEBHOOK_SECRET, None),
])
def test_each_refusal_says_why(offset, secret, reason):
    body = _event_body()
    header = sign_webhook(body, secret, int(time.time()) + offset)
    if reason is None:
        assert stripe_webhooks.construct_event(body.encode(), header, WEBHOOK_SECRET).id == "evt_1"
        return
    with pytest.raises(WebhookRejected) as refused:
        stripe_webhooks.construct_event(body.encode(), header, WEBHOOK_SECRET)
    assert refused.value.reason == reason and refused.value.status_code == 400


def test_webhooks_need_the_secret(app):
    app.config["STRIPE_WEBHOOK_SECRET"] = None
    with pytest.raises(WebhookNotConfigured) as missing:
        get_provider(st.PAYMENT_STRIPE).verify_webhook(b"{}", {"Stripe-Signature": "t=1,v1=00"})
    assert missing.value.status_code == 404
    with pytest.raises(WebhookNotConfigured):
        get_provider(st.PAYMENT_PROMPTPAY_QR).verify_webhook(b"{}", {})
