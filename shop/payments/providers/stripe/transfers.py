"""Stripe Connect transfers to an enterprise's connected account (``acct_…``), and
their reversals when a refund claws money back. Both carry the caller's idempotency
key, so a retry after a timeout never pays twice."""

from __future__ import annotations

from shop.database import transaction
from shop.extensions import db
from shop.orders.models import Order
from shop.payments.providers.base import ProviderError, Transfer
from shop.payments.providers.stripe.checkout import CURRENCY
from shop.payments.providers.stripe.client import call, stripe_client


def transfer_params(payout: Transfer, destination: str) -> dict:
    params: dict = {
        "amount": int(payout.amount_satang),
        "currency": CURRENCY,
        "destination": destination,
        "metadata": {"payout_id": str(payout.id), "enterprise_id": str(payout.enterprise_id)},
    }
    if payout.order_id is not None:
        order = db.session.get(Order, payout.order_id)
        if order is not None:
            params["transfer_group"] = order.public_id
            params["metadata"]["order_id"] = order.public_id
    return params


def create_transfer(payout: Transfer, destination: str) -> str:
    if not destination or not destination.startswith("acct_"):
        raise ProviderError(provider_code="bad_destination")
    # What to send is read in a transaction of its own that ends before the call.
    with transaction():
        if payout.amount_satang <= 0:
            raise ProviderError(provider_code="bad_amount")
        params = transfer_params(payout, destination)
        key = payout.idempotency_key
    client = stripe_client()
    result = call("transfer", lambda: client.v1.transfers.create(
        params=params, options={"idempotency_key": key}))
    return str(result["id"])


def reverse_transfer(transfer_id: str, amount_satang: int, *, idempotency_key: str,
                     metadata: dict[str, str] | None = None) -> str:
    """Take ``amount_satang`` back from a transfer (a clawback); the reversal id (trr_…)."""
    params: dict = {"amount": int(amount_satang)}
    if metadata:
        params["metadata"] = metadata
    client = stripe_client()
    result = call("transfer reversal", lambda: client.v1.transfers.reversals.create(
        transfer_id, params=params, options={"idempotency_key": idempotency_key}))
    return str(result["id"])
