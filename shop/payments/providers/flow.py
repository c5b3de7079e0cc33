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

The provider is never called inside a transaction: a call may take seconds, and on
SQLite a write transaction holds the whole database. So one payment start is up to
three transactions around the calls (see ``begin_payment``).

A provider with ``capabilities.hosted_checkout`` also has ``ensure_hold(order, now=)``,
``retrieve_session(ref)`` and the three steps of a new session:
``prepare_checkout(order)`` (reads), ``open_checkout(request)`` (the call) and
``record_checkout(order, session)`` (adds the ``Payment``).

Provider failures propagate (``ProviderUnavailable`` / ``ProviderError``): the order
stays unpaid with its pushed hold and no new ``Payment``, and can be retried from its
page.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shop import statemachine as sm
from shop.database import transaction
from shop.dbtypes import utcnow
from shop.errors import Conflict
from shop.extensions import db
from shop.orders import status as st
from shop.orders.models import Order
from shop.payments.machines import PAYMENTS
from shop.payments.models import PAYMENT_EXPIRED, PAYMENT_PENDING, Payment
from shop.payments.providers import get_provider
from shop.payments.providers.base import CheckoutRequest, PaymentStart


class OrderNotPayable(Conflict):
    code = "order_not_payable"

    def __init__(self) -> None:
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


def _open_session_url(payment: Payment, session: dict) -> str | None:
    """The still-usable Checkout URL of ``payment`` given the provider's ``session``,
    else None (an expired session is marked so here; its webhook may follow and
    changes nothing more)."""
    status = session.get("status")
    if status == "open":
        return session.get("url") or payment.redirect_url
    if status == "expired":
        sm.transition(PAYMENTS, payment, PAYMENT_EXPIRED, actor=None, role=st.ROLE_SYSTEM)
    return None


def _prepare(provider, order: Order, now: datetime) -> CheckoutRequest:
    provider.ensure_hold(order, now=now)
    return provider.prepare_checkout(order)


def begin_payment(order: Order, *, now: datetime | None = None) -> PaymentStart:
    """Start or resume the provider payment of ``order``. Commits.

    Several transactions on purpose, none open while the provider is asked:

    1. check the order and record the intent: the pending attempt to resume, or the
       hold pushed to the provider's minimum (committed before the call, so a retry
       after a timeout sends the same parameters with the same idempotency key);
    2. when resuming: record what the provider says of that attempt (an expired one
       is marked so, and the hold is pushed for the new one);
    3. record the new attempt's ``Payment``.
    """
    now = now or utcnow()
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    with transaction():
        if order.status != st.ORDER_PENDING_PAYMENT:
            raise OrderNotPayable()
        provider = get_provider(order.payment_method)
        if not provider.capabilities.hosted_checkout:
            return provider.start_payment(order)
        existing = latest_pending_payment(order)
        resume = (existing.id, existing.provider_ref) if existing is not None else None
        request = _prepare(provider, order, now) if existing is None else None
    if resume is not None:
        payment_id, session_ref = resume
        session = provider.retrieve_session(session_ref)
        with transaction():
            existing = db.session.get(Payment, payment_id)
            url = _open_session_url(existing, session)
            if url:
                return PaymentStart(redirect_url=url, payment=existing)
            if existing.status == PAYMENT_PENDING:
                # Complete at the provider, waiting for its webhook (PromptPay through
                # Stripe may take a while): send the buyer to the return page rather
                # than pay twice.
                return PaymentStart(redirect_url=None, payment=existing)
            if order.status != st.ORDER_PENDING_PAYMENT:  # paid or cancelled meanwhile
                raise OrderNotPayable()
            request = _prepare(provider, order, now)
    session = provider.open_checkout(request)
    with transaction():
        return provider.record_checkout(order, session)
