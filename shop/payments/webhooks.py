"""Provider webhooks, whoever sent them: each verified event recorded once, and what
it says happened applied to orders, payments and refunds (docs/product.md: Payment).

The provider verifies the request and reads its event into the shop's terms
(``PaymentProvider.verify_webhook`` returns a ``WebhookEvent``; Stripe's is in
``providers/stripe/webhooks.py``); nothing here knows a provider's object shapes.

Exactly once
    ``process_event`` inserts the ``ProviderEvent`` row *first* and flushes it, then
    runs the handler of the event's ``change.kind``, then commits both together. A
    second delivery of the same event id either sees the row (fast path) or, when two
    deliveries race, collides on the unique ``(provider, event_id)`` constraint: on
    PostgreSQL the loser's INSERT waits for the winner's transaction and then fails, on
    SQLite the write transaction (``BEGIN IMMEDIATE``) makes the loser wait and then see
    the row. The loser rolls back and is answered 200 with no effect. A handler that
    crashes rolls everything back, the event stays unrecorded, and the provider
    delivers it again.

Out of order, paid never goes back
    Every handler that changes an order locks the order row first (``FOR UPDATE``;
    SQLite already holds the database) and decides from the state it finds. An order
    that is paid stays paid: a late expiry or failure changes nothing. Events arrive
    at least once and in any order, so each handler is written to be harmless when its
    effect has already happened through another event.

Outcomes
    Each recorded event carries a short ``outcome`` code (what it did, or why it did
    nothing) for staff; the codes in ``ATTENTION_OUTCOMES`` mean money and order
    disagree and someone has to look (``events_needing_attention``).
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop import statemachine as sm
from shop.database import transaction
from shop.dbtypes import utcnow
from shop.extensions import db
from shop.hooks import Hook
from shop.orders import status as st
from shop.orders.models import Fulfilment, Order
from shop.orders.services import LAPSED_REASON, PAID_STATES, apply_cancel_order, apply_paid
from shop.payments import refunds
from shop.payments.machines import PAYMENTS
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
from shop.payments.providers.events import (
    REFUND_STATE_FAILED,
    REFUND_STATE_SUCCEEDED,
    AttemptChange,
    ChargeRefunds,
    RefundChange,
    RefundState,
    WebhookEvent,
)

log = logging.getLogger(__name__)

#: ``(order)``, after the event that paid the order has committed: the ledger creates
#: the order's Connect payouts and sends them (``shop/hooks.py``; it sits above payments).
order_paid_committed = Hook("payments.order_paid_committed")

# Work that talks to the provider (Connect transfers, clawbacks) runs after the event's
# transaction commits, never while it holds the order's row lock.
_followups: contextvars.ContextVar[list[Callable[[], None]] | None] = contextvars.ContextVar(
    "provider_event_followups", default=None)


def _after_commit(task: Callable[[], None]) -> None:
    tasks = _followups.get()
    if tasks is not None:
        tasks.append(task)


def _run_followups(tasks: list[Callable[[], None]]) -> None:
    for task in tasks:
        try:
            task()  # a use case: its own transactions roll back when it fails
        except Exception:  # each follow-up is retried by staff from the ledger pages
            log.exception("provider event follow-up failed")

CURRENCY = "thb"
# ``StatusChange.reason`` / ``Order.cancel_reason`` when the provider says the payment failed.
PAYMENT_FAILED_REASON = "payment failed"

# Outcome codes (``ProviderEvent.outcome``).
OUTCOME_PAID = "paid"
OUTCOME_ALREADY_PAID = "already_paid"
OUTCOME_AWAITING_ASYNC = "awaiting_async_payment"
OUTCOME_AMOUNT_MISMATCH = "amount_mismatch"
OUTCOME_PAID_AFTER_CANCEL = "paid_after_cancel"
OUTCOME_PAID_TWICE = "paid_twice"
OUTCOME_CANCELLED = "order_cancelled"
OUTCOME_PAYMENT_CLOSED = "payment_closed"  # the attempt ended, the order was not ours to cancel
OUTCOME_IGNORED_PAID = "ignored_order_paid"
OUTCOME_UNKNOWN_ORDER = "unknown_order"
OUTCOME_IGNORED_TYPE = "ignored_type"
OUTCOME_REFUNDS_SUCCEEDED = "refunds_succeeded"
OUTCOME_REFUND_FAILED = "refund_failed"
OUTCOME_DASHBOARD_REFUND = "dashboard_refund_recorded"
OUTCOME_REFUND_UNALLOCATED = "refund_unallocated"
OUTCOME_NOTHING_TO_DO = "nothing_to_do"

# Money and order disagree: staff must look (refund, or mark paid by hand).
ATTENTION_OUTCOMES = (OUTCOME_AMOUNT_MISMATCH, OUTCOME_PAID_AFTER_CANCEL, OUTCOME_PAID_TWICE,
                      OUTCOME_REFUND_UNALLOCATED)


@dataclass(frozen=True)
class Processed:
    duplicate: bool
    outcome: str | None


# ---------------------------------------------------------------- exactly once


def _seen(provider: str, event_id: str) -> bool:
    return db.session.scalar(
        select(ProviderEvent.id).where(ProviderEvent.provider == provider, ProviderEvent.event_id == event_id)
    ) is not None


def process_event(event: WebhookEvent) -> Processed:
    """Record ``event`` and apply its effect in one transaction, then commit. A
    duplicate (already recorded, or recorded meanwhile by a racing delivery) changes
    nothing and returns ``Processed(duplicate=True)``."""
    tasks: list[Callable[[], None]] = []
    token = _followups.set(tasks)
    try:
        with transaction():
            if _seen(event.provider, event.id):
                return Processed(duplicate=True, outcome=None)
            record = ProviderEvent(provider=event.provider, event_id=event.id, event_type=event.type,
                                   object_ref=(event.object_ref or "")[:255] or None)
            db.session.add(record)
            db.session.flush()  # claim the event id now: a racing delivery waits here, then fails
            handler = HANDLERS.get(event.change.kind) if event.change is not None else None
            outcome = handler(event) if handler is not None else OUTCOME_IGNORED_TYPE
            record.outcome = outcome[:80]
    except IntegrityError:
        # Rolled back by the block. A racing delivery recorded the event first (read
        # in a transaction of its own, which begins after the winner's commit).
        with transaction():
            seen = _seen(event.provider, event.id)
        if seen:
            log.info("%s event %s: a concurrent delivery recorded it first", event.provider, event.id)
            return Processed(duplicate=True, outcome=None)
        raise
    finally:
        _followups.reset(token)
    _run_followups(tasks)
    if outcome in ATTENTION_OUTCOMES:
        log.warning("%s event %s (%s) needs attention: %s", event.provider, event.id, event.type, outcome)
    return Processed(duplicate=False, outcome=outcome)


def _refund_succeeded(refund, *, provider_ref=None):
    """Settle ``refund`` now; take the enterprise's share back from its Connect
    account once the event has committed."""
    api = _refunds_api()
    settled = api.apply_refund_succeeded(refund, provider_ref=provider_ref)
    _after_commit(lambda refund=refund: api.settle_after_refund(refund))
    return settled


def _send_connect_payouts(order) -> None:
    order_paid_committed(order)


# ---------------------------------------------------------------- lookups


def _lock_order(order_id: int) -> Order:
    """The order, locked for this transaction and re-read (PostgreSQL waits here for
    any other event touching the same order)."""
    return db.session.execute(
        select(Order).where(Order.id == order_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def _payment_for_attempt(provider: str, change: AttemptChange) -> tuple[Payment | None, Order | None]:
    """The ``Payment`` row of this attempt and its order (locked). An attempt the app
    has no row for (its commit was lost after the provider created it) is adopted when
    it names one of our orders."""
    payment = None
    if change.attempt_ref:
        payment = db.session.scalar(
            select(Payment).where(Payment.provider == provider, Payment.provider_ref == change.attempt_ref)
        )
    if payment is not None:
        order = _lock_order(payment.order_id)
        db.session.refresh(payment)
        return payment, order
    public_id = change.order_ref
    order_id = db.session.scalar(select(Order.id).where(Order.public_id == public_id)) if public_id else None
    if order_id is None or change.attempt_ref is None:
        return None, None
    order = _lock_order(order_id)
    amount = change.amount_satang
    payment = Payment(order_id=order.id, provider=provider, status=PAYMENT_PENDING,
                      amount_satang=amount if amount is not None else order.total_satang,
                      currency=(change.currency or CURRENCY)[:3], provider_ref=change.attempt_ref)
    db.session.add(payment)
    db.session.flush()
    return payment, order


def _note_attempt_details(payment: Payment, change: AttemptChange) -> None:
    if change.payment_intent_ref and not payment.payment_intent_ref:
        payment.payment_intent_ref = change.payment_intent_ref
    if change.method:
        payment.method = change.method


# ---------------------------------------------------------------- payment attempts


def _amount_matches(order: Order, change: AttemptChange) -> bool:
    return (change.amount_satang == order.total_satang
            and change.currency is not None and change.currency.lower() == CURRENCY)


def _mark_paid(payment: Payment, order: Order, change: AttemptChange) -> str:
    """The buyer's money arrived for this attempt: payment succeeded and, when the
    order still awaits payment and the amount is right, the order paid."""
    if not _amount_matches(order, change):
        payment.failure_reason = (
            f"amount mismatch: {payment.provider} {change.amount_satang!r} {change.currency!r}, "
            f"order {order.total_satang} {CURRENCY}"
        )
        return OUTCOME_AMOUNT_MISMATCH
    was_succeeded = payment.status == PAYMENT_SUCCEEDED
    if not was_succeeded:
        sm.transition(PAYMENTS, payment, PAYMENT_SUCCEEDED, actor=None, role=st.ROLE_SYSTEM,
                      values={"succeeded_at": utcnow(), "failure_reason": None})
    if order.status == st.ORDER_PENDING_PAYMENT:
        apply_paid(order, actor=None, role=st.ROLE_SYSTEM)
        _after_commit(lambda order=order: _send_connect_payouts(order))
        return OUTCOME_PAID
    if was_succeeded:
        return OUTCOME_ALREADY_PAID
    other = db.session.scalar(
        select(Payment.id).where(Payment.order_id == order.id, Payment.id != payment.id,
                                 Payment.status == PAYMENT_SUCCEEDED).limit(1)
    )
    if other is not None:
        return OUTCOME_PAID_TWICE
    if order.status == st.ORDER_CANCELLED:
        return OUTCOME_PAID_AFTER_CANCEL
    return OUTCOME_ALREADY_PAID  # paid another way (e.g. staff) before the event came


def handle_payment_completed(event: WebhookEvent) -> str:
    """The buyer finished the provider's page: paid only when the money is there; a
    delayed method (PromptPay through Stripe) completes unpaid and confirms later, so
    the order's hold is paused (as for a slip under review) until the provider says
    succeeded or failed."""
    change = event.change
    payment, order = _payment_for_attempt(event.provider, change)
    if payment is None or order is None:
        return OUTCOME_UNKNOWN_ORDER
    _note_attempt_details(payment, change)
    if change.paid:
        return _mark_paid(payment, order, change)
    if payment.status == PAYMENT_SUCCEEDED or order.status in PAID_STATES:
        return OUTCOME_ALREADY_PAID  # the async success came first
    if order.status == st.ORDER_PENDING_PAYMENT and payment.status == PAYMENT_PENDING:
        order.expires_at = None
    return OUTCOME_AWAITING_ASYNC


def handle_payment_succeeded(event: WebhookEvent) -> str:
    """The delayed payment arrived."""
    change = event.change
    payment, order = _payment_for_attempt(event.provider, change)
    if payment is None or order is None:
        return OUTCOME_UNKNOWN_ORDER
    _note_attempt_details(payment, change)
    return _mark_paid(payment, order, change)


def _close_unpaid(payment: Payment, order: Order, *, payment_status: str, reason: str) -> str:
    """The attempt ended without money: the payment is marked ``payment_status`` and
    the order, if it still awaits payment and has no other open payment, cancelled with
    its stock released (``apply_cancel_order``: once, however often this runs)."""
    if payment.status == PAYMENT_SUCCEEDED or order.status in PAID_STATES or order.status == st.ORDER_REFUNDED:
        return OUTCOME_IGNORED_PAID  # paid never goes back
    if payment.status == PAYMENT_PENDING:
        sm.transition(PAYMENTS, payment, payment_status, actor=None, role=st.ROLE_SYSTEM, reason=reason)
    if order.status != st.ORDER_PENDING_PAYMENT:
        return OUTCOME_PAYMENT_CLOSED
    other_open = db.session.scalar(
        select(Payment.id).where(Payment.order_id == order.id, Payment.id != payment.id,
                                 Payment.status.in_((PAYMENT_PENDING, PAYMENT_SUCCEEDED))).limit(1)
    )
    if other_open is not None:
        return OUTCOME_PAYMENT_CLOSED  # the buyer is paying through a newer attempt
    apply_cancel_order(order, actor=None, role=st.ROLE_SYSTEM, reason=reason)
    return OUTCOME_CANCELLED


def handle_payment_failed(event: WebhookEvent) -> str:
    """The delayed payment did not go through; the order is cancelled (reason
    "payment failed") unless already paid."""
    change = event.change
    payment, order = _payment_for_attempt(event.provider, change)
    if payment is None or order is None:
        return OUTCOME_UNKNOWN_ORDER
    _note_attempt_details(payment, change)
    if payment.status == PAYMENT_PENDING:
        payment.failure_reason = PAYMENT_FAILED_REASON
    return _close_unpaid(payment, order, payment_status=PAYMENT_FAILED, reason=PAYMENT_FAILED_REASON)


def handle_payment_expired(event: WebhookEvent) -> str:
    """The buyer did not pay in time; the order lapses as the sweeper would lapse it
    (reason ``LAPSED_REASON``), unless already paid."""
    payment, order = _payment_for_attempt(event.provider, event.change)
    if payment is None or order is None:
        return OUTCOME_UNKNOWN_ORDER
    return _close_unpaid(payment, order, payment_status=PAYMENT_EXPIRED, reason=LAPSED_REASON)


# ---------------------------------------------------------------- refunds


def _payment_for_charge(provider: str, change: ChargeRefunds) -> Payment | None:
    charge_id, intent = change.charge_ref, change.payment_intent_ref
    payment = None
    if charge_id:
        payment = db.session.scalar(
            select(Payment).where(Payment.provider == provider, Payment.charge_ref == charge_id)
        )
    if payment is None and intent:
        payment = db.session.scalar(
            select(Payment).where(Payment.provider == provider, Payment.payment_intent_ref == intent)
            .order_by(Payment.id.desc()).limit(1)
        )
    if payment is not None and charge_id and not payment.charge_ref:
        payment.charge_ref = charge_id
    return payment


def _our_refund(provider: str, state: RefundState, payment: Payment | None) -> Refund | None:
    """The ``Refund`` row a provider's refund belongs to: by its reference, or by the
    row id / idempotency key the app sent along with it."""
    if state.ref:
        row = db.session.scalar(select(Refund).where(Refund.provider == provider, Refund.provider_ref == state.ref)
                                .order_by(Refund.id).limit(1))
        if row is not None:
            return row
    if state.idempotency_key:
        row = db.session.scalar(select(Refund).where(Refund.idempotency_key == state.idempotency_key))
        if row is not None:
            return row
    if state.refund_id is not None:
        row = db.session.get(Refund, state.refund_id)
        if row is not None and (payment is None or row.order_id == payment.order_id):
            return row
    return None


def _refunds_api():
    """The refund services (imported late: they import this area's models)."""
    return refunds


def _settle(row: Refund, state: RefundState) -> str | None:
    """Apply the provider's refund status to our row; returns what happened, or None."""
    if state.status == REFUND_STATE_SUCCEEDED:
        # The provider is the truth about money: a row we had marked failed (no answer
        # taken for a refusal) that it made after all is settled too.
        if row.status == REFUND_SUCCEEDED:
            return None  # already settled: events arrive more than once
        if _refund_succeeded(row, provider_ref=state.ref):
            return OUTCOME_REFUNDS_SUCCEEDED
        return None
    if state.status == REFUND_STATE_FAILED and row.status == REFUND_PENDING:
        _refunds_api().apply_refund_failed(row, reason=state.failure_reason or REFUND_STATE_FAILED)
        return OUTCOME_REFUND_FAILED
    return None


def _record_unrequested_refund(provider: str, order: Order, payment: Payment | None, state: RefundState,
                               reason: str) -> str:
    """A refund made at the provider (e.g. in Stripe's dashboard): recorded as
    ``Refund`` rows (reason ``reason``) and applied like the app's own. A refund does
    not name a fulfilment, so the amount goes to the order's fulfilments in id order,
    each up to what is left of its total; an amount larger than what is left is not
    applied and is flagged for staff."""
    amount, ref = state.amount_satang, state.ref
    if amount is None or amount <= 0 or ref is None:
        return OUTCOME_REFUND_UNALLOCATED
    if state.status not in (None, REFUND_STATE_SUCCEEDED):
        return OUTCOME_NOTHING_TO_DO  # pending at the provider: recorded when it succeeds
    parts = list(db.session.scalars(select(Fulfilment).where(Fulfilment.order_id == order.id).order_by(Fulfilment.id)))
    left = {f.id: f.total_satang - (f.refunded_satang or 0) for f in parts}
    # Amounts this order already has waiting (pending) count against what is left.
    for fid, pending in db.session.execute(
        select(Refund.fulfilment_id, Refund.amount_satang).where(Refund.order_id == order.id,
                                                                 Refund.status == REFUND_PENDING)
    ):
        left[fid] = left.get(fid, 0) - pending
    if amount > sum(max(v, 0) for v in left.values()):
        return OUTCOME_REFUND_UNALLOCATED
    remaining = amount
    rows: list[Refund] = []
    for part in parts:
        share = min(remaining, max(left[part.id], 0))
        if share <= 0:
            continue
        rows.append(Refund(
            order_id=order.id, fulfilment_id=part.id, payment_id=payment.id if payment else None,
            provider=provider, amount_satang=share, reason=reason, status=REFUND_PENDING,
            idempotency_key=f"dashboard-{ref}-f{part.id}"[:80], provider_ref=ref, requested_by_id=None,
            requested_role=st.ROLE_SYSTEM,
        ))
        remaining -= share
        if remaining == 0:
            break
    db.session.add_all(rows)
    db.session.flush()
    for row in rows:
        _refund_succeeded(row, provider_ref=ref)
    return OUTCOME_DASHBOARD_REFUND


def handle_charge_refunded(event: WebhookEvent) -> str:
    """The refunds of one charge: every refund the provider lists as succeeded settles
    the matching pending ``Refund`` (``refunds.apply_refund_succeeded``); a refund the
    app never asked for (made in the provider's dashboard) is recorded too.

    Without the refund list (Stripe leaves it out of newer API versions' payloads) the
    charge's cumulative refunded amount is compared with what the app knows: pending
    refunds are settled oldest first as far as it covers them."""
    change: ChargeRefunds = event.change
    payment = _payment_for_charge(event.provider, change)
    if payment is None:
        return OUTCOME_UNKNOWN_ORDER
    order = _lock_order(payment.order_id)
    outcomes: list[str] = []
    if change.refunds is not None:
        for state in change.refunds:
            row = _our_refund(event.provider, state, payment)
            if row is None:
                outcomes.append(_record_unrequested_refund(event.provider, order, payment, state,
                                                           change.unrequested_reason))
                continue
            done = _settle(row, state)
            if done:
                outcomes.append(done)
    else:
        outcomes.extend(_settle_by_amount(event.provider, order, change.amount_refunded))
    return _summarise(outcomes)


def _settle_by_amount(provider: str, order: Order, refunded: int | None) -> list[str]:
    if refunded is None:
        return []
    settled = sum(db.session.scalars(
        select(Refund.amount_satang).where(Refund.order_id == order.id, Refund.provider == provider,
                                           Refund.status == REFUND_SUCCEEDED)
    ))
    covered = refunded - settled
    outcomes = []
    for row in db.session.scalars(
        select(Refund).where(Refund.order_id == order.id, Refund.provider == provider,
                             Refund.status == REFUND_PENDING).order_by(Refund.id)
    ):
        if row.amount_satang > covered:
            break
        _refund_succeeded(row, provider_ref=row.provider_ref)
        covered -= row.amount_satang
        outcomes.append(OUTCOME_REFUNDS_SUCCEEDED)
    if covered > 0:
        outcomes.append(OUTCOME_REFUND_UNALLOCATED)
    return outcomes


def handle_refund_updated(event: WebhookEvent) -> str:
    """A refund that was pending at the provider (PromptPay through Stripe) succeeded
    or failed."""
    change: RefundChange = event.change
    row = _our_refund(event.provider, change.refund, None)
    if row is None:
        return OUTCOME_NOTHING_TO_DO  # a dashboard refund: the charge's event records it
    _lock_order(row.order_id)
    db.session.refresh(row)
    return _settle(row, change.refund) or OUTCOME_NOTHING_TO_DO


def _summarise(outcomes: list[str]) -> str:
    for code in ATTENTION_OUTCOMES:
        if code in outcomes:
            return code
    for code in (OUTCOME_DASHBOARD_REFUND, OUTCOME_REFUND_FAILED, OUTCOME_REFUNDS_SUCCEEDED):
        if code in outcomes:
            return code
    return OUTCOME_NOTHING_TO_DO


# By ``WebhookEvent.change.kind`` (``providers/events.py``).
HANDLERS: dict[str, Callable[[WebhookEvent], str]] = {
    events.PAYMENT_COMPLETED: handle_payment_completed,
    events.PAYMENT_SUCCEEDED: handle_payment_succeeded,
    events.PAYMENT_FAILED: handle_payment_failed,
    events.PAYMENT_EXPIRED: handle_payment_expired,
    events.CHARGE_REFUNDED: handle_charge_refunded,
    events.REFUND_UPDATED: handle_refund_updated,
}


# ---------------------------------------------------------------- staff


@dataclass(frozen=True)
class AttentionRow:
    event: ProviderEvent
    order_public_id: str | None
    detail: str | None  # the payment's failure_reason, when there is one


def events_needing_attention(*, provider: str | None = None, limit: int = 100) -> list[AttentionRow]:
    """Recorded events (of ``provider``, or of every provider) where money and order
    disagree, newest first, with the order they concern (through the attempt or
    charge id they carried)."""
    query = select(ProviderEvent).where(ProviderEvent.outcome.in_(ATTENTION_OUTCOMES))
    if provider is not None:
        query = query.where(ProviderEvent.provider == provider)
    recorded = list(db.session.scalars(
        query.order_by(ProviderEvent.received_at.desc(), ProviderEvent.id.desc()).limit(limit)
    ))
    rows = []
    for event in recorded:
        found = None
        if event.object_ref:
            found = db.session.execute(
                select(Order.public_id, Payment.failure_reason).join(Payment, Payment.order_id == Order.id)
                .where(Payment.provider == event.provider,
                       (Payment.provider_ref == event.object_ref) | (Payment.charge_ref == event.object_ref))
                .limit(1)
            ).first()
        rows.append(AttentionRow(event=event, order_public_id=found[0] if found else None,
                                 detail=found[1] if found else None))
    return rows
