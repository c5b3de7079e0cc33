"""Stripe behind the provider interface (the only package that imports ``stripe``).

``StripeProvider.start_payment`` creates a Checkout Session (``checkout.py``) and a
pending ``Payment`` row (added, not committed); ``refund`` and ``transfer`` send the
row's idempotency key (``refunds.py``, ``transfers.py``); ``verify_webhook`` checks
and reads Stripe's webhook events (``webhooks.py``). Errors from the SDK come out as
``ProviderUnavailable`` (retry with the same key) or ``ProviderError``. Stripe is
enabled when both ``STRIPE_SECRET_KEY`` and ``STRIPE_WEBHOOK_SECRET`` are set: without
the webhook secret no payment could ever be confirmed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import func, select

from shop.extensions import db
from shop.orders.models import Order
from shop.payments.models import PAYMENT_PENDING, Payment, Refund
from shop.payments.providers.base import CheckoutRequest, PaymentStart, ProviderCapabilities, RefundOutcome, Transfer
from shop.payments.providers.events import WebhookEvent, WebhookNotConfigured
from shop.payments.providers.stripe import checkout, refunds, transfers, webhooks
from shop.payments.providers.stripe.client import call, stripe_client

if TYPE_CHECKING:
    from collections.abc import Mapping

PROVIDER = "stripe"


class StripeProvider:
    name = PROVIDER
    capabilities = ProviderCapabilities(hosted_checkout=True, refunds_through_provider=True, connect_payouts=True)

    def is_enabled(self) -> bool:
        cfg = current_app.config
        return bool(cfg["STRIPE_SECRET_KEY"]) and bool(cfg["STRIPE_WEBHOOK_SECRET"])

    def checkout_origin(self) -> str | None:
        return current_app.config["STRIPE_CHECKOUT_ORIGIN"]

    # -- webhooks ----------------------------------------------------------------------

    def verify_webhook(self, payload: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """The verified event, ``WebhookRejected`` (400), or ``WebhookNotConfigured``
        (404) without a webhook secret."""
        secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
        if not secret:
            raise WebhookNotConfigured()
        return webhooks.verify_webhook(payload, headers, secret)

    # -- payments ----------------------------------------------------------------------

    def ensure_hold(self, order: Order, *, now=None) -> bool:
        """Push the order's hold to the Checkout Session's minimum (``checkout.ensure_hold``);
        True when it changed. Never commits."""
        return checkout.ensure_hold(order, now=now)

    def start_payment(self, order: Order) -> PaymentStart:
        """A new Checkout Session for ``order`` and its pending ``Payment`` (added to
        the session; the caller commits). Commit a changed hold (``checkout.ensure_hold``)
        before calling this, or a retry cannot reuse the idempotency key.

        All in one go, for callers that hold no transaction; ``flow.begin_payment`` runs
        the three steps itself so that no transaction is open during the request."""
        checkout.ensure_hold(order)
        return self.record_checkout(order, self.open_checkout(self.prepare_checkout(order)))

    def prepare_checkout(self, order: Order) -> CheckoutRequest:
        """What to send for a new Checkout Session (reads the order; writes nothing)."""
        attempt = 1 + (db.session.scalar(
            select(func.count(Payment.id)).where(Payment.order_id == order.id, Payment.provider == PROVIDER)
        ) or 0)
        return CheckoutRequest(params=checkout.build_session_params(order),
                               idempotency_key=checkout.idempotency_key(order, attempt))

    def open_checkout(self, request: CheckoutRequest) -> dict[str, Any]:
        """Create the Checkout Session at Stripe (the network call only; no database)."""
        client = stripe_client()
        return call("checkout session", lambda: client.v1.checkout.sessions.create(
            params=request.params, options={"idempotency_key": request.idempotency_key})).to_dict()

    def record_checkout(self, order: Order, session: Mapping[str, Any]) -> PaymentStart:
        """The pending ``Payment`` of a session Stripe made (added to the session)."""
        payment = db.session.scalar(
            select(Payment).where(Payment.provider == PROVIDER, Payment.provider_ref == session["id"]))
        if payment is None:  # a replayed answer may name a session we already recorded
            payment = Payment(
                order_id=order.id,
                provider=PROVIDER,
                status=PAYMENT_PENDING,
                amount_satang=int(order.total_satang),
                currency=checkout.CURRENCY,
                provider_ref=session["id"],
                redirect_url=session.get("url"),
            )
            db.session.add(payment)
        return PaymentStart(redirect_url=session.get("url"), payment=payment)

    def retrieve_session(self, session_id: str) -> dict[str, Any]:
        """The Checkout Session as Stripe has it now (status, payment_status, url…)."""
        client = stripe_client()
        return call("retrieve session", lambda: client.v1.checkout.sessions.retrieve(session_id)).to_dict()

    def expire_session(self, session_id: str) -> None:
        client = stripe_client()
        call("expire session", lambda: client.v1.checkout.sessions.expire(session_id))

    # -- refunds and transfers ---------------------------------------------------------

    def refund(self, refund: Refund) -> RefundOutcome:
        return refunds.create_refund(refund)

    def transfer(self, payout: Transfer, *, destination: str) -> str:
        return transfers.create_transfer(payout, destination)

    def reverse_transfer(self, transfer_id: str, amount_satang: int, *, idempotency_key: str,
                         metadata: dict[str, str] | None = None) -> str:
        return transfers.reverse_transfer(transfer_id, amount_satang, idempotency_key=idempotency_key,
                                          metadata=metadata)

