"""Starting and resuming an order's provider payment (the views' one service call).

``begin_payment(order)`` (commits) is used right after checkout and by ``POST
/orders/<public_id>/pay``:

* an order whose provider has no hosted checkout (PromptPay QR) gets
  ``PaymentStart(None, None)``: stay on the order page;
* a pending payment whose checkout page (Stripe: Checkout Session) is still open is
  reused (the buyer goes back to the same page; no second session);
* otherwise the order's hold is pushed to the provider's minimum and committed first,
  so that a retry after a timeout sends the same parameters with the same idempotency
  key, then a new session is made and its ``Payment`` committed.

A provider with ``capabilities.hosted_checkout`` also has ``ensure_hold(order, now=)``
and ``retrieve_session(ref)``.

Provider failures propagate (``ProviderUnavailable`` / ``ProviderError``) after a
rollback: the order stays unpaid and can be retried from its page.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from shop import statemachine as sm
from shop.dbtypes import utcnow
from shop.errors import Conflict
from shop.extensions import db
from shop.orders import status as st
from shop.orders.models import Order
from shop.payments.machines import PAYMENTS
from shop.payments.models import PAYMENT_EXPIRED, PAYMENT_PENDING, Payment
from shop.payments.providers import get_provider
from shop.payments.providers.base import PaymentStart, ProviderError


class OrderNotPayable(Conflict):
    code = "order_not_payable"

    def __init__(self) -> None:
        from flask_babel import lazy_gettext as _l

        super().__init__(_l("This order is no longer waiting for payment."))


def latest_pending_payment(order: Order) -> Payment | None:
    return db.session.scalars(
        select(Payment)
        .where(Payment.order_id == order.id, Payment.provider == order.payment_method,
               Payment.status == PAYMENT_PENDING)
        .order_by(Payment.id.desc())
    ).first()


def payment_under_way():
    """``orders.services.PAYMENT_UNDER_WAY``: the order (correlated) has a pending
    payment, i.e. an open Checkout Session."""
    return (
        select(Payment.id)
        .where(Payment.order_id == Order.id, Payment.status == PAYMENT_PENDING)
        .exists()
    )


def _open_session_url(provider, payment: Payment) -> str | None:
    """The still-usable Checkout URL of ``payment``, else None (an expired session
    is marked so here; its webhook may follow and changes nothing more)."""
    session = provider.retrieve_session(payment.provider_ref)
    status = session.get("status")
    if status == "open":
        return session.get("url") or payment.redirect_url
    if status == "expired":
        sm.transition(PAYMENTS, payment, PAYMENT_EXPIRED, actor=None, role=st.ROLE_SYSTEM)
    return None


def begin_payment(order: Order, *, now: datetime | None = None) -> PaymentStart:
    """Start or resume the provider payment of ``order``. Commits."""
    if order.status != st.ORDER_PENDING_PAYMENT:
        raise OrderNotPayable()
    provider = get_provider(order.payment_method)
    if not provider.capabilities.hosted_checkout:
        return provider.start_payment(order)
    now = now or utcnow()
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    try:
        existing = latest_pending_payment(order)
        if existing is not None:
            url = _open_session_url(provider, existing)
            if url:
                db.session.commit()
                return PaymentStart(redirect_url=url, payment=existing)
            if existing.status == PAYMENT_PENDING:
                # Complete at the provider, waiting for its webhook (PromptPay through
                # Stripe may take a while): send the buyer to the return page rather
                # than pay twice.
                db.session.commit()
                return PaymentStart(redirect_url=None, payment=existing)
        if provider.ensure_hold(order, now=now):
            db.session.commit()
        start = provider.start_payment(order)
        db.session.commit()
        return start
    except ProviderError:
        db.session.rollback()
        raise
