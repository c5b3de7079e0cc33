"""Stripe refunds: one ``POST /v1/refunds`` per ``Refund`` row, sent with the row's
idempotency key, against the payment intent (or charge) of the order's payment."""

from __future__ import annotations

from sqlalchemy import select

from shop.database import transaction
from shop.extensions import db
from shop.payments.models import PAYMENT_SUCCEEDED, Payment, Refund
from shop.payments.providers.base import (
    OUTCOME_FAILED,
    OUTCOME_PENDING,
    OUTCOME_SUCCEEDED,
    ProviderError,
    RefundOutcome,
)
from shop.payments.providers.stripe.client import call, stripe_client

_STATUS = {
    "succeeded": OUTCOME_SUCCEEDED,
    "pending": OUTCOME_PENDING,
    "requires_action": OUTCOME_PENDING,
    "failed": OUTCOME_FAILED,
    "canceled": OUTCOME_FAILED,
}


def payment_for(refund: Refund) -> Payment | None:
    """The payment the refund gives money back from: its own, else the order's
    succeeded Stripe payment."""
    if refund.payment_id is not None:
        return db.session.get(Payment, refund.payment_id)
    return db.session.scalars(
        select(Payment)
        .where(Payment.order_id == refund.order_id, Payment.provider == "stripe",
               Payment.status == PAYMENT_SUCCEEDED)
        .order_by(Payment.id.desc())
    ).first()


def refund_params(refund: Refund, payment: Payment) -> dict:
    params: dict = {
        "amount": int(refund.amount_satang),
        "metadata": {
            "order_id": refund.order.public_id,
            "refund_id": str(refund.id),
            "fulfilment_id": str(refund.fulfilment_id),
        },
    }
    if payment.payment_intent_ref:
        params["payment_intent"] = payment.payment_intent_ref
    elif payment.charge_ref:
        params["charge"] = payment.charge_ref
    else:
        raise ProviderError(provider_code="no_payment_intent")
    return params


def create_refund(refund: Refund) -> RefundOutcome:
    # What to send is read in a transaction of its own that ends before the call.
    with transaction():
        payment = payment_for(refund)
        if payment is None:
            raise ProviderError(provider_code="no_payment")
        params = refund_params(refund, payment)
        key = refund.idempotency_key
    client = stripe_client()
    result = call("refund", lambda: client.v1.refunds.create(
        params=params, options={"idempotency_key": key})).to_dict()
    status = _STATUS.get(result.get("status") or "", OUTCOME_PENDING)
    reason = result.get("failure_reason") if status == OUTCOME_FAILED else None
    return RefundOutcome(status=status, provider_ref=result.get("id"), failure_reason=reason)
