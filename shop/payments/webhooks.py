"""Stripe webhooks: signature verification, exactly-once processing, and the handlers
that turn Stripe's events into order changes (docs/product.md: Payment; issue 6 item 2).

Verification
    ``verify_and_parse`` checks the ``Stripe-Signature`` header against the raw body
    exactly as Stripe signs it (HMAC-SHA256 of ``f"{t}.{body}"`` with the endpoint's
    secret, any of the ``v1`` values may match) and refuses a timestamp more than
    ``TOLERANCE_SECONDS`` in the past *or in the future* (the library only checks the
    past). It is written with ``hmac`` rather than ``stripe.Webhook`` so that only
    ``payments/providers/stripe/`` imports ``stripe``. The body is parsed only after it
    has been authenticated; anything malformed raises ``WebhookRejected`` (400).

Exactly once
    ``process_event`` inserts the ``ProviderEvent`` row *first* and flushes it, then
    runs the handler, then commits both together. A second delivery of the same event
    id either sees the row (fast path) or, when two deliveries race, collides on the
    unique ``(provider, event_id)`` constraint: on PostgreSQL the loser's INSERT waits
    for the winner's transaction and then fails, on SQLite the write transaction
    (``BEGIN IMMEDIATE``) makes the loser wait and then see the row. The loser rolls
    back and is answered 200 with no effect. A handler that crashes rolls everything
    back, the event stays unrecorded, and Stripe delivers it again.

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
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop.dbtypes import utcnow
from shop.errors import DomainError
from shop.extensions import db
from shop.orders import status as st
from shop.orders.models import Fulfilment, Order
from shop.orders.services import LAPSED_REASON, PAID_STATES, apply_cancel_order, apply_paid
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

log = logging.getLogger(__name__)

# Work that talks to Stripe (Connect transfers, clawbacks) runs after the event's
# transaction commits, never while it holds the order's row lock.
_followups: contextvars.ContextVar[list[Callable[[], None]] | None] = contextvars.ContextVar(
    "stripe_event_followups", default=None)


def _after_commit(task: Callable[[], None]) -> None:
    tasks = _followups.get()
    if tasks is not None:
        tasks.append(task)


def _run_followups(tasks: list[Callable[[], None]]) -> None:
    for task in tasks:
        try:
            task()
        except Exception:  # each follow-up is retried by staff from the ledger pages
            db.session.rollback()
            log.exception("stripe event follow-up failed")

PROVIDER = "stripe"
TOLERANCE_SECONDS = 300
CURRENCY = "thb"
# ``StatusChange.reason`` / ``Order.cancel_reason`` when Stripe says the payment failed.
PAYMENT_FAILED_REASON = "payment failed"
# ``Refund.reason`` of a refund made in Stripe's dashboard (found through charge.refunded).
DASHBOARD_REFUND_REASON = "Refunded in the Stripe dashboard"

# Outcome codes (``ProviderEvent.outcome``).
OUTCOME_PAID = "paid"
OUTCOME_ALREADY_PAID = "already_paid"
OUTCOME_AWAITING_ASYNC = "awaiting_async_payment"
OUTCOME_AMOUNT_MISMATCH = "amount_mismatch"
OUTCOME_PAID_AFTER_CANCEL = "paid_after_cancel"
OUTCOME_PAID_TWICE = "paid_twice"
OUTCOME_CANCELLED = "order_cancelled"
OUTCOME_PAYMENT_CLOSED = "payment_closed"  # the session ended, the order was not ours to cancel
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


class WebhookRejected(DomainError):
    """The request is not a genuine, fresh, well-formed Stripe event (400)."""

    status_code = 400
    code = "webhook_rejected"

    def __init__(self, reason: str):
        self.reason = reason  # a code for logs and the response, not shown to people
        super().__init__(reason)


@dataclass(frozen=True)
class StripeEvent:
    id: str
    type: str
    object: dict[str, Any]
    created: int | None = None
    payload: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def object_ref(self) -> str | None:
        ref = self.object.get("id")
        return ref if isinstance(ref, str) else None


@dataclass(frozen=True)
class Processed:
    duplicate: bool
    outcome: str | None


# ---------------------------------------------------------------- verification


def _parse_signature_header(header: str | None) -> tuple[int, list[str]]:
    if not header or len(header) > 4096:
        raise WebhookRejected("signature_header_missing")
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            raise WebhookRejected("signature_header_malformed")
        if key == "t":
            if not value.isdigit() or len(value) > 12:
                raise WebhookRejected("signature_header_malformed")
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        raise WebhookRejected("signature_header_malformed")
    return timestamp, signatures


def compute_signature(payload: bytes, secret: str, timestamp: int) -> str:
    """Stripe's ``v1`` scheme: hex HMAC-SHA256 of ``"<t>.<raw body>"``."""
    signed = str(timestamp).encode("ascii") + b"." + payload
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def verify_signature(payload: bytes, header: str | None, secret: str, *, now: float | None = None,
                     tolerance: int = TOLERANCE_SECONDS) -> int:
    """Raise ``WebhookRejected`` unless ``header`` signs ``payload`` with ``secret`` at a
    time within ``tolerance`` seconds of ``now`` (either side). Returns the timestamp."""
    if not secret:
        raise WebhookRejected("not_configured")
    timestamp, signatures = _parse_signature_header(header)
    expected = compute_signature(payload, secret, timestamp)
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise WebhookRejected("signature_mismatch")
    now = time.time() if now is None else now
    if timestamp < now - tolerance:
        raise WebhookRejected("timestamp_too_old")
    if timestamp > now + tolerance:
        raise WebhookRejected("timestamp_in_future")
    return timestamp


def parse_event(payload: bytes) -> StripeEvent:
    """The authenticated body as a ``StripeEvent``; malformed JSON or shape → 400."""
    try:
        data = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise WebhookRejected("malformed_json") from exc
    if not isinstance(data, dict):
        raise WebhookRejected("malformed_event")
    event_id, event_type = data.get("id"), data.get("type")
    inner = data.get("data")
    obj = inner.get("object") if isinstance(inner, dict) else None
    if (not isinstance(event_id, str) or not event_id or len(event_id) > 255
            or not isinstance(event_type, str) or not event_type or len(event_type) > 80
            or not isinstance(obj, dict)):
        raise WebhookRejected("malformed_event")
    created = data.get("created")
    return StripeEvent(id=event_id, type=event_type, object=obj,
                       created=created if isinstance(created, int) else None, payload=data)


def verify_and_parse(payload: bytes, header: str | None, secret: str, *, now: float | None = None) -> StripeEvent:
    verify_signature(payload, header, secret, now=now)
    return parse_event(payload)


# ---------------------------------------------------------------- exactly once


def _seen(event_id: str) -> bool:
    return db.session.scalar(
        select(ProviderEvent.id).where(ProviderEvent.provider == PROVIDER, ProviderEvent.event_id == event_id)
    ) is not None


def process_event(event: StripeEvent) -> Processed:
    """Record ``event`` and apply its effect in one transaction, then commit. A
    duplicate (already recorded, or recorded meanwhile by a racing delivery) changes
    nothing and returns ``Processed(duplicate=True)``."""
    tasks: list[Callable[[], None]] = []
    token = _followups.set(tasks)
    try:
        if _seen(event.id):
            db.session.rollback()
            return Processed(duplicate=True, outcome=None)
        record = ProviderEvent(provider=PROVIDER, event_id=event.id, event_type=event.type,
                               object_ref=(event.object_ref or "")[:255] or None)
        db.session.add(record)
        db.session.flush()  # claim the event id now: a racing delivery waits here, then fails
        handler = HANDLERS.get(event.type)
        outcome = handler(event) if handler is not None else OUTCOME_IGNORED_TYPE
        record.outcome = outcome[:80]
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if _seen(event.id):
            db.session.rollback()
            log.info("stripe event %s: a concurrent delivery recorded it first", event.id)
            return Processed(duplicate=True, outcome=None)
        raise
    except Exception:
        db.session.rollback()
        raise
    finally:
        _followups.reset(token)
    _run_followups(tasks)
    if outcome in ATTENTION_OUTCOMES:
        log.warning("stripe event %s (%s) needs attention: %s", event.id, event.type, outcome)
    return Processed(duplicate=False, outcome=outcome)


def _refund_succeeded(refund, *, provider_ref=None):
    """Settle ``refund`` now; take the enterprise's share back from its Connect
    account once the event has committed."""
    api = _refunds_api()
    settled = api.apply_refund_succeeded(refund, provider_ref=provider_ref)
    _after_commit(lambda refund=refund: api.settle_after_refund(refund))
    return settled


def _send_connect_payouts(order) -> None:
    from shop.ledger.services import create_connect_payouts

    create_connect_payouts(order)


# ---------------------------------------------------------------- lookups


def _lock_order(order_id: int) -> Order:
    """The order, locked for this transaction and re-read (PostgreSQL waits here for
    any other event touching the same order)."""
    return db.session.execute(
        select(Order).where(Order.id == order_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def _session_order_public_id(session: dict) -> str | None:
    metadata = session.get("metadata")
    candidates = [metadata.get("order_id") if isinstance(metadata, dict) else None,
                  session.get("client_reference_id")]
    for value in candidates:
        if isinstance(value, str) and value:
            return value
    return None


def _str(value: Any) -> str | None:
    """An id that may come expanded (``{"id": …}``) or as a plain string."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _payment_for_session(session: dict) -> tuple[Payment | None, Order | None]:
    """The ``Payment`` row of this Checkout Session and its order (locked). A session
    the app has no row for (its commit was lost after Stripe created it) is adopted
    when its metadata names one of our orders."""
    session_id = _str(session.get("id"))
    payment = None
    if session_id:
        payment = db.session.scalar(
            select(Payment).where(Payment.provider == PROVIDER, Payment.provider_ref == session_id)
        )
    if payment is not None:
        order = _lock_order(payment.order_id)
        db.session.refresh(payment)
        return payment, order
    public_id = _session_order_public_id(session)
    order_id = db.session.scalar(select(Order.id).where(Order.public_id == public_id)) if public_id else None
    if order_id is None or session_id is None:
        return None, None
    order = _lock_order(order_id)
    amount = session.get("amount_total")
    payment = Payment(order_id=order.id, provider=PROVIDER, status=PAYMENT_PENDING,
                      amount_satang=amount if isinstance(amount, int) else order.total_satang,
                      currency=str(session.get("currency") or CURRENCY)[:3], provider_ref=session_id)
    db.session.add(payment)
    db.session.flush()
    return payment, order


def _note_session_details(payment: Payment, session: dict) -> None:
    intent = _str(session.get("payment_intent"))
    if intent and not payment.payment_intent_ref:
        payment.payment_intent_ref = intent
    method = _method_of(session)
    if method:
        payment.method = method


def _method_of(session: dict) -> str | None:
    """The payment method the buyer used, when the event tells it: an expanded
    payment intent names it; otherwise a completed session still ``unpaid`` can only be
    PromptPay (the one delayed method the app offers)."""
    intent = session.get("payment_intent")
    if isinstance(intent, dict):
        types = intent.get("payment_method_types")
        if isinstance(types, list) and len(types) == 1 and isinstance(types[0], str):
            return types[0][:24]
    types = session.get("payment_method_types")
    if isinstance(types, list) and len(types) == 1 and isinstance(types[0], str):
        return types[0][:24]
    if session.get("payment_status") == "unpaid" and session.get("status") == "complete":
        return "promptpay"
    return None


# ---------------------------------------------------------------- checkout sessions


def _amount_matches(order: Order, session: dict) -> bool:
    amount, currency = session.get("amount_total"), session.get("currency")
    return (isinstance(amount, int) and not isinstance(amount, bool) and amount == order.total_satang
            and isinstance(currency, str) and currency.lower() == CURRENCY)


def _mark_paid(payment: Payment, order: Order, session: dict) -> str:
    """The buyer's money arrived for this session: payment succeeded and, when the
    order still awaits payment and the amount is right, the order paid."""
    if not _amount_matches(order, session):
        payment.failure_reason = (
            f"amount mismatch: Stripe {session.get('amount_total')!r} {session.get('currency')!r}, "
            f"order {order.total_satang} {CURRENCY}"
        )
        return OUTCOME_AMOUNT_MISMATCH
    was_succeeded = payment.status == PAYMENT_SUCCEEDED
    if not was_succeeded:
        payment.status = PAYMENT_SUCCEEDED
        payment.succeeded_at = utcnow()
        payment.failure_reason = None
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


def handle_session_completed(event: StripeEvent) -> str:
    """``checkout.session.completed``: paid only when ``payment_status`` is "paid"; a
    delayed method (PromptPay) completes "unpaid" and confirms later, so the order's
    hold is paused (as for a slip under review) until Stripe says succeeded or failed."""
    session = event.object
    payment, order = _payment_for_session(session)
    if payment is None or order is None:
        return OUTCOME_UNKNOWN_ORDER
    _note_session_details(payment, session)
    if session.get("payment_status") == "paid":
        return _mark_paid(payment, order, session)
    if payment.status == PAYMENT_SUCCEEDED or order.status in PAID_STATES:
        return OUTCOME_ALREADY_PAID  # the async success came first
    if order.status == st.ORDER_PENDING_PAYMENT and payment.status == PAYMENT_PENDING:
        order.expires_at = None
    return OUTCOME_AWAITING_ASYNC


def handle_async_succeeded(event: StripeEvent) -> str:
    """``checkout.session.async_payment_succeeded``: the delayed payment arrived."""
    session = event.object
    payment, order = _payment_for_session(session)
    if payment is None or order is None:
        return OUTCOME_UNKNOWN_ORDER
    _note_session_details(payment, session)
    return _mark_paid(payment, order, session)


def _close_unpaid(payment: Payment, order: Order, *, payment_status: str, reason: str) -> str:
    """The session ended without money: the payment is marked ``payment_status`` and
    the order, if it still awaits payment and has no other open payment, cancelled with
    its stock released (``apply_cancel_order``: once, however often this runs)."""
    if payment.status == PAYMENT_SUCCEEDED or order.status in PAID_STATES or order.status == st.ORDER_REFUNDED:
        return OUTCOME_IGNORED_PAID  # paid never goes back
    if payment.status == PAYMENT_PENDING:
        payment.status = payment_status
    if order.status != st.ORDER_PENDING_PAYMENT:
        return OUTCOME_PAYMENT_CLOSED
    other_open = db.session.scalar(
        select(Payment.id).where(Payment.order_id == order.id, Payment.id != payment.id,
                                 Payment.status.in_((PAYMENT_PENDING, PAYMENT_SUCCEEDED))).limit(1)
    )
    if other_open is not None:
        return OUTCOME_PAYMENT_CLOSED  # the buyer is paying through a newer session
    apply_cancel_order(order, actor=None, role=st.ROLE_SYSTEM, reason=reason)
    return OUTCOME_CANCELLED


def handle_async_failed(event: StripeEvent) -> str:
    """``checkout.session.async_payment_failed``: the delayed payment did not go
    through; the order is cancelled (reason "payment failed") unless already paid."""
    session = event.object
    payment, order = _payment_for_session(session)
    if payment is None or order is None:
        return OUTCOME_UNKNOWN_ORDER
    _note_session_details(payment, session)
    if payment.status == PAYMENT_PENDING:
        payment.failure_reason = PAYMENT_FAILED_REASON
    return _close_unpaid(payment, order, payment_status=PAYMENT_FAILED, reason=PAYMENT_FAILED_REASON)


def handle_session_expired(event: StripeEvent) -> str:
    """``checkout.session.expired``: the buyer did not pay in time; the order lapses
    as the sweeper would lapse it (reason ``LAPSED_REASON``), unless already paid."""
    session = event.object
    payment, order = _payment_for_session(session)
    if payment is None or order is None:
        return OUTCOME_UNKNOWN_ORDER
    return _close_unpaid(payment, order, payment_status=PAYMENT_EXPIRED, reason=LAPSED_REASON)


# ---------------------------------------------------------------- refunds


def _payment_for_charge(charge: dict) -> Payment | None:
    charge_id, intent = _str(charge.get("id")), _str(charge.get("payment_intent"))
    payment = None
    if charge_id:
        payment = db.session.scalar(
            select(Payment).where(Payment.provider == PROVIDER, Payment.charge_ref == charge_id)
        )
    if payment is None and intent:
        payment = db.session.scalar(
            select(Payment).where(Payment.provider == PROVIDER, Payment.payment_intent_ref == intent)
            .order_by(Payment.id.desc()).limit(1)
        )
    if payment is not None and charge_id and not payment.charge_ref:
        payment.charge_ref = charge_id
    return payment


def _refund_objects(charge: dict) -> list[dict] | None:
    refunds = charge.get("refunds")
    data = refunds.get("data") if isinstance(refunds, dict) else None
    if not isinstance(data, list):
        return None
    return [item for item in data if isinstance(item, dict)]


def _our_refund(refund_obj: dict, payment: Payment | None) -> Refund | None:
    """The ``Refund`` row a Stripe refund object belongs to: by its id (re_…), or by
    the row id / idempotency key the app put in its metadata."""
    ref = _str(refund_obj.get("id"))
    if ref:
        row = db.session.scalar(select(Refund).where(Refund.provider == PROVIDER, Refund.provider_ref == ref)
                                .order_by(Refund.id).limit(1))
        if row is not None:
            return row
    metadata = refund_obj.get("metadata")
    if isinstance(metadata, dict):
        key = metadata.get("idempotency_key")
        if isinstance(key, str) and key:
            row = db.session.scalar(select(Refund).where(Refund.idempotency_key == key))
            if row is not None:
                return row
        refund_id = metadata.get("refund_id")
        if isinstance(refund_id, str) and refund_id.isdigit():
            row = db.session.get(Refund, int(refund_id))
            if row is not None and (payment is None or row.order_id == payment.order_id):
                return row
    return None


def _refunds_api():
    """The refund services (imported late: they import this area's models)."""
    from shop.payments import refunds

    return refunds


def _settle(row: Refund, refund_obj: dict) -> str | None:
    """Apply Stripe's refund status to our row; returns what happened, or None."""
    status = refund_obj.get("status")
    ref = _str(refund_obj.get("id"))
    if status == "succeeded":
        # Stripe is the truth about money: a row we had marked failed (no answer
        # taken for a refusal) that Stripe made after all is settled too.
        if row.status == REFUND_SUCCEEDED:
            return None  # already settled: events arrive more than once
        if _refund_succeeded(row, provider_ref=ref):
            return OUTCOME_REFUNDS_SUCCEEDED
        return None
    if status in ("failed", "canceled") and row.status == REFUND_PENDING:
        reason = refund_obj.get("failure_reason")
        _refunds_api().apply_refund_failed(row, reason=str(reason) if reason else str(status))
        return OUTCOME_REFUND_FAILED
    return None


def _record_dashboard_refund(order: Order, payment: Payment | None, refund_obj: dict) -> str:
    """A refund made in Stripe's dashboard: recorded as ``Refund`` rows (provider
    "stripe", reason ``DASHBOARD_REFUND_REASON``) and applied like the app's own. A
    refund does not name a fulfilment, so the amount goes to the order's fulfilments in
    id order, each up to what is left of its total; an amount larger than what is left
    is not applied and is flagged for staff."""
    amount = refund_obj.get("amount")
    ref = _str(refund_obj.get("id"))
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0 or ref is None:
        return OUTCOME_REFUND_UNALLOCATED
    if refund_obj.get("status") not in (None, "succeeded"):
        return OUTCOME_NOTHING_TO_DO  # pending in Stripe: recorded when it succeeds
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
            provider=PROVIDER, amount_satang=share, reason=DASHBOARD_REFUND_REASON, status=REFUND_PENDING,
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


def handle_charge_refunded(event: StripeEvent) -> str:
    """``charge.refunded``: every refund of the charge that Stripe lists as succeeded
    settles the matching pending ``Refund`` (``refunds.apply_refund_succeeded``); a
    refund the app never asked for (made in the dashboard) is recorded too.

    Without the refund list (Stripe leaves it out of newer API versions' payloads) the
    charge's cumulative ``amount_refunded`` is compared with what the app knows: pending
    refunds are settled oldest first as far as it covers them."""
    charge = event.object
    payment = _payment_for_charge(charge)
    if payment is None:
        return OUTCOME_UNKNOWN_ORDER
    order = _lock_order(payment.order_id)
    refund_objs = _refund_objects(charge)
    outcomes: list[str] = []
    if refund_objs is not None:
        for refund_obj in refund_objs:
            row = _our_refund(refund_obj, payment)
            if row is None:
                outcomes.append(_record_dashboard_refund(order, payment, refund_obj))
                continue
            done = _settle(row, refund_obj)
            if done:
                outcomes.append(done)
    else:
        outcomes.extend(_settle_by_amount(order, charge))
    return _summarise(outcomes)


def _settle_by_amount(order: Order, charge: dict) -> list[str]:
    refunded = charge.get("amount_refunded")
    if not isinstance(refunded, int) or isinstance(refunded, bool):
        return []
    settled = sum(db.session.scalars(
        select(Refund.amount_satang).where(Refund.order_id == order.id, Refund.provider == PROVIDER,
                                           Refund.status == REFUND_SUCCEEDED)
    ))
    covered = refunded - settled
    outcomes = []
    for row in db.session.scalars(
        select(Refund).where(Refund.order_id == order.id, Refund.provider == PROVIDER,
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


def handle_refund_updated(event: StripeEvent) -> str:
    """``refund.updated`` / ``charge.refund.updated`` / ``refund.failed``: a refund
    that was pending in Stripe (PromptPay) succeeded or failed."""
    refund_obj = event.object
    row = _our_refund(refund_obj, None)
    if row is None:
        return OUTCOME_NOTHING_TO_DO  # a dashboard refund: charge.refunded records it
    _lock_order(row.order_id)
    db.session.refresh(row)
    return _settle(row, refund_obj) or OUTCOME_NOTHING_TO_DO


def _summarise(outcomes: list[str]) -> str:
    for code in ATTENTION_OUTCOMES:
        if code in outcomes:
            return code
    for code in (OUTCOME_DASHBOARD_REFUND, OUTCOME_REFUND_FAILED, OUTCOME_REFUNDS_SUCCEEDED):
        if code in outcomes:
            return code
    return OUTCOME_NOTHING_TO_DO


HANDLERS: dict[str, Callable[[StripeEvent], str]] = {
    "checkout.session.completed": handle_session_completed,
    "checkout.session.async_payment_succeeded": handle_async_succeeded,
    "checkout.session.async_payment_failed": handle_async_failed,
    "checkout.session.expired": handle_session_expired,
    "charge.refunded": handle_charge_refunded,
    "refund.updated": handle_refund_updated,
    "refund.failed": handle_refund_updated,
    "charge.refund.updated": handle_refund_updated,
}


# ---------------------------------------------------------------- staff


@dataclass(frozen=True)
class AttentionRow:
    event: ProviderEvent
    order_public_id: str | None
    detail: str | None  # the payment's failure_reason, when there is one


def events_needing_attention(*, limit: int = 100) -> list[AttentionRow]:
    """Recorded events where money and order disagree, newest first, with the order
    they concern (through the session or charge id they carried)."""
    events = list(db.session.scalars(
        select(ProviderEvent).where(ProviderEvent.provider == PROVIDER, ProviderEvent.outcome.in_(ATTENTION_OUTCOMES))
        .order_by(ProviderEvent.received_at.desc(), ProviderEvent.id.desc()).limit(limit)
    ))
    rows = []
    for event in events:
        found = None
        if event.object_ref:
            found = db.session.execute(
                select(Order.public_id, Payment.failure_reason).join(Payment, Payment.order_id == Order.id)
                .where(Payment.provider == PROVIDER,
                       (Payment.provider_ref == event.object_ref) | (Payment.charge_ref == event.object_ref))
                .limit(1)
            ).first()
        rows.append(AttentionRow(event=event, order_public_id=found[0] if found else None,
                                 detail=found[1] if found else None))
    return rows
