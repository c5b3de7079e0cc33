"""Refunds (docs/product.md: Payment): money given back for one enterprise's part of a paid
order, in full or in part, asked for by a member of that enterprise or by staff.

How a refund travels:

1. ``request_refund`` checks who asks, the amount (more than 0, at most what is left of
   the fulfilment's total once earlier refunds — pending or done — are taken off) and
   that the order was paid; it writes a ``pending`` ``Refund`` row whose idempotency
   key is ``refund-<order public id>-<fulfilment id>-<n>`` (``n`` counts that
   fulfilment's refunds) and **commits before any money moves**. The order row is
   locked meanwhile, so two refunds asked at the same moment cannot both take the
   last baht.
2. Orders paid through a provider that refunds (its capability
   ``refunds_through_provider``: Stripe) are refunded through the provider interface
   (``get_provider(refund.provider).refund(refund)``) with that key. A card refund usually
   succeeds at once; a PromptPay refund stays ``pending`` until Stripe's
   ``charge.refunded`` event (``payments.webhooks`` calls
   ``apply_refund_succeeded``). When Stripe does not answer (timeout, connection
   error, 5xx), the refund stays ``pending`` and ``retry_refund`` sends the **same
   key**, so Stripe refunds once whatever happened to the first call. When Stripe
   refuses (a 4xx), the refund is ``failed``; Stripe replays a refused request's
   answer for the same key, so retrying a failed refund gives the same row a new
   key with an attempt suffix (``…-<n>-2``).
3. Orders paid by transfer slip (PromptPay QR / bank transfer) have nobody to call:
   the refund is ``manual`` and stays ``pending`` until staff pay it back and record
   it (``record_manual_refund_paid``, with the transfer reference, kept in
   ``provider_ref``).
4. ``apply_refund_succeeded`` (idempotent: a refund succeeds once) adds the amount to
   the fulfilment's and the order's ``refunded_satang``, moves the order to
   ``partially_refunded`` or ``refunded``, posts the ledger entries
   (``ledger.services.apply_refund_entries``) and e-mails the buyer.

``refunded_satang`` on a fulfilment already holds the whole total after a paid part
was cancelled (the amount owed back, ``orders.services._cancel_part``): a refund of
a cancelled part pays that debt and does not count it twice (the figure becomes the
larger of what was owed and what was refunded). Whether an order is fully refunded is
decided from the refunds that succeeded, never from what is merely owed.

``apply_*`` functions work in the caller's transaction and never commit; the others
are use cases that commit.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from shop import statemachine as sm
from shop.database import transaction
from shop.dbtypes import utcnow
from shop.errors import Conflict, NotFound, ValidationFailed
from shop.extensions import db
from shop.hooks import Hook
from shop.money import MoneyParseError, baht_to_satang, format_baht
from shop.orders import status as st
from shop.orders.models import Fulfilment, Order
from shop.orders.services import PAID_STATES, _check_actor, _email_buyer
from shop.payments.machines import REFUNDS
from shop.payments.models import (
    PAYMENT_SUCCEEDED,
    REFUND_FAILED,
    REFUND_PENDING,
    REFUND_SUCCEEDED,
    Payment,
    Refund,
)
from shop.payments.providers import ProviderError, ProviderUnavailable, capabilities_of, get_provider
from shop.text import checked_text

log = logging.getLogger(__name__)

PROVIDER_MANUAL = "manual"
MAX_REASON_LENGTH = 500
MAX_REFERENCE_LENGTH = 120
# Orders whose buyer paid (and so may get money back). A cancelled order counts when
# it had been paid (``paid_at`` set): its parts' totals are owed back.
_REFUNDABLE_STATES = (*PAID_STATES, st.ORDER_REFUNDED, st.ORDER_CANCELLED)

# What the ledger (above payments) does at a refund's steps (``shop/hooks.py``).
#: ``(refund)``, in ``apply_refund_succeeded``'s transaction: the refund's ledger entries.
refund_succeeded = Hook("payments.refund_succeeded")
#: ``(refund)``, after the refund's success committed: when the enterprise's share had
#: gone to its Connect account, take it back (a transfer reversal and its entry).
refund_committed = Hook("payments.refund_committed")


class RefundRefused(Conflict):
    """The refund cannot be made in the order's or the refund's present state (409)."""

    default_message = _l("This refund cannot be made now; nothing was changed.")


# ---------------------------------------------------------------- input


def parse_amount(text: str | None) -> int:
    """The amount a form sent, in baht (``"120"``, ``"120.50"``, ``"1,250"``), as
    satang; ``ValidationFailed`` (422) for anything else, zero or negative."""
    raw = (text or "").strip()
    if not raw:
        message = _l("Enter the amount to refund.")
        raise ValidationFailed(message, fields={"amount": message})
    if raw.lstrip().startswith("-"):
        message = _l("The amount to refund must be more than zero.")
        raise ValidationFailed(message, fields={"amount": message})
    try:
        satang = baht_to_satang(raw)
    except MoneyParseError:
        message = _l("Enter the amount in baht, for example 120 or 120.50.")
        raise ValidationFailed(message, fields={"amount": message}) from None
    return satang


def _check_amount(amount_satang: int, left: int) -> None:
    if isinstance(amount_satang, bool) or not isinstance(amount_satang, int):
        message = _l("Enter the amount in baht, for example 120 or 120.50.")
        raise ValidationFailed(message, fields={"amount": message})
    if amount_satang <= 0:
        message = _l("The amount to refund must be more than zero.")
        raise ValidationFailed(message, fields={"amount": message})
    if left <= 0:
        raise RefundRefused(_l("Everything paid for this part of the order has already been refunded."))
    if amount_satang > left:
        message = _l("You can refund at most %(amount)s for this part of the order.", amount=format_baht(left))
        raise ValidationFailed(message, fields={"amount": message})


def _clean_text(text: str | None, *, limit: int, field_name: str, required_message) -> str:
    cleaned = checked_text(text, field=field_name).strip()
    if not cleaned:
        raise ValidationFailed(required_message, fields={field_name: required_message})
    if len(cleaned) > limit:
        message = _l("Keep it under %(count)d characters.", count=limit)
        raise ValidationFailed(message, fields={field_name: message})
    return cleaned


# ---------------------------------------------------------------- queries


def refunds_of_fulfilment(fulfilment: Fulfilment) -> list[Refund]:
    return list(db.session.scalars(
        select(Refund).where(Refund.fulfilment_id == fulfilment.id).order_by(Refund.id)
    ))


def _committed_satang(fulfilment_id: int) -> int:
    """Refunds of the fulfilment that are done or on their way (not the failed ones)."""
    return int(db.session.scalar(
        select(func.coalesce(func.sum(Refund.amount_satang), 0))
        .where(Refund.fulfilment_id == fulfilment_id, Refund.status != REFUND_FAILED)
    ) or 0)


def _succeeded_satang(*, order_id: int | None = None, fulfilment_id: int | None = None) -> int:
    statement = select(func.coalesce(func.sum(Refund.amount_satang), 0)).where(Refund.status == REFUND_SUCCEEDED)
    if order_id is not None:
        statement = statement.where(Refund.order_id == order_id)
    if fulfilment_id is not None:
        statement = statement.where(Refund.fulfilment_id == fulfilment_id)
    return int(db.session.scalar(statement) or 0)


def refundable_satang(fulfilment: Fulfilment) -> int:
    """What may still be refunded for this part: its total less refunds not failed.
    Nothing for an order that was never paid."""
    order = fulfilment.order
    if order.paid_at is None or order.status not in _REFUNDABLE_STATES:
        return 0
    return max(fulfilment.total_satang - _committed_satang(fulfilment.id), 0)


def refunding_payment_of(order: Order) -> Payment | None:
    """The latest payment that paid the order through a provider that refunds
    (``refunds_through_provider``: the charge a refund goes back to); None when the
    buyer paid by transfer."""
    payments = db.session.scalars(
        select(Payment).where(Payment.order_id == order.id, Payment.status == PAYMENT_SUCCEEDED)
        .order_by(Payment.id.desc())
    )
    return next((p for p in payments if _refunds_through(p.provider)), None)


def _lock_order(order_id: int) -> Order:
    """The order row, locked for the rest of the transaction (PostgreSQL; SQLite's
    write transaction already holds the database), re-read from the database."""
    order = db.session.scalar(
        select(Order).where(Order.id == order_id).with_for_update()
        .execution_options(populate_existing=True)
    )
    if order is None:  # pragma: no cover - deleted under us
        raise NotFound()
    return order


# ---------------------------------------------------------------- asking


def request_refund(fulfilment: Fulfilment, amount_satang: int, *, actor, role: str, reason: str | None) -> Refund:
    """Refund ``amount_satang`` of ``fulfilment`` to the buyer and commit.

    ``role`` is ``ROLE_SELLER`` (a member of the fulfilment's enterprise) or
    ``ROLE_STAFF``. The pending row is committed before the provider is called; the
    returned refund is ``succeeded`` (a card refund Stripe made at once), ``pending``
    (a manual refund staff will pay back, a PromptPay refund Stripe confirms later, or
    Stripe did not answer) or ``failed`` (Stripe refused; ``failure_reason`` says why).
    Raises ``ValidationFailed`` (422) for a bad amount or reason, ``RefundRefused``
    (409) when the order was not paid, ``NotFound`` for a stranger.
    """
    # Two transactions around the provider's call, never one open during it: the
    # pending row is committed first (so its key is there to retry with, whatever
    # happens to the call), then ``_send_to_provider`` records the answer.
    try:
        with transaction():
            if role not in (st.ROLE_SELLER, st.ROLE_STAFF):
                raise NotFound()
            _check_actor((fulfilment.enterprise_id,), actor, role)
            reason = _clean_text(reason, limit=MAX_REASON_LENGTH, field_name="reason",
                                 required_message=_l("Please give a reason for the refund."))
            order = _lock_order(fulfilment.order_id)
            db.session.refresh(fulfilment)
            if order.paid_at is None or order.status not in _REFUNDABLE_STATES:
                if order.status == st.ORDER_PENDING_PAYMENT:
                    raise RefundRefused(_l("The buyer has not paid for this order yet, so there is nothing to "
                                           "refund."))
                raise RefundRefused(_l("This order was never paid, so there is nothing to refund."))
            _check_amount(amount_satang, refundable_satang(fulfilment))
            count = int(db.session.scalar(
                select(func.count(Refund.id)).where(Refund.fulfilment_id == fulfilment.id)
            ) or 0)
            payment = refunding_payment_of(order)
            refund = Refund(
                order_id=order.id, fulfilment_id=fulfilment.id, payment_id=payment.id if payment else None,
                provider=payment.provider if payment is not None else PROVIDER_MANUAL,
                amount_satang=amount_satang, reason=reason, status=REFUND_PENDING,
                idempotency_key=f"refund-{order.public_id}-{fulfilment.id}-{count + 1}",
                requested_by_id=getattr(actor, "id", None), requested_role=role,
            )
            db.session.add(refund)
            db.session.flush()
            method = refund.provider if _through_provider(refund) else None
    except IntegrityError:
        raise RefundRefused(_l("Another refund for this order was made at the same moment. "
                               "Reload the page and check the amount left.")) from None
    if method is not None:
        return _send_to_provider(refund, method, actor=actor, role=role)
    return refund


def _refunds_through(provider: str | None) -> bool:
    return bool(provider) and capabilities_of(provider).refunds_through_provider


def _through_provider(refund: Refund) -> bool:
    return _refunds_through(refund.provider)


def _send_to_provider(refund: Refund, method: str, *, actor, role: str) -> Refund:
    """Ask the provider of ``method`` to refund, with the row's key, and record what it
    answered. Called with no transaction open: the provider reads what it sends in a
    transaction of its own and calls after it ends; the answer is recorded in the next."""
    try:
        outcome = get_provider(method).refund(refund)
    except ProviderUnavailable as exc:
        # No answer (timeout, connection error, 5xx): the refund may or may not exist
        # at Stripe. It stays pending; a retry sends the same key, so Stripe refunds once.
        with transaction():
            refund = db.session.get(Refund, refund.id, populate_existing=True)
            refund.failure_reason = _failure_text(exc, "no answer")
        return refund
    except ProviderError as exc:
        with transaction():
            refund = db.session.get(Refund, refund.id, populate_existing=True)
            apply_refund_failed(refund, reason=_failure_text(exc, "refused"), actor=actor, role=role)
        return refund
    except Exception:
        log.exception("refund %s: provider call failed", refund.id)
        with transaction():
            refund = db.session.get(Refund, refund.id, populate_existing=True)
            refund.failure_reason = "no answer"
        return refund
    status = getattr(outcome, "status", None)
    with transaction():
        if status == REFUND_SUCCEEDED:
            apply_refund_succeeded(refund, provider_ref=outcome.provider_ref, actor=actor, role=role)
        elif status == REFUND_FAILED:
            if outcome.provider_ref:
                refund.provider_ref = outcome.provider_ref
            apply_refund_failed(refund, reason=getattr(outcome, "failure_reason", None) or "refused",
                                actor=actor, role=role)
        else:  # pending: PromptPay refunds complete later (charge.refunded)
            refund.provider_ref = outcome.provider_ref or refund.provider_ref
            refund.failure_reason = None
    if status == REFUND_SUCCEEDED:
        settle_after_refund(refund)
    return refund


def settle_after_refund(refund: Refund) -> None:
    """After a refund succeeded and was committed: when the enterprise's share had
    already gone to its Stripe Connect account, take it back (``ledger.services.
    claw_back``: a transfer reversal with a deterministic key, and the clawback
    entry). Never raises: a reversal that fails leaves a negative balance staff see.
    The webhook handler calls this too after committing ``charge.refunded``."""
    try:
        refund_committed(refund)  # the ledger's clawback: its own transactions roll back when it fails
    except Exception:
        log.exception("refund %s: clawback failed", refund.id)


def _failure_text(exc, fallback: str) -> str:
    """What staff read about a provider error: its code and message."""
    code = getattr(exc, "provider_code", None)
    message = str(getattr(exc, "message", "") or exc or "")
    text = f"{code}: {message}" if code else message
    return (text or fallback)[:500]


def retry_refund(refund: Refund, *, actor, role: str = st.ROLE_STAFF) -> Refund:
    """Send a Stripe refund again (staff): a pending one that never got an answer with
    the same key, a failed one with the next attempt's key. Commits: the retry is
    recorded before the provider is called and its answer after (``request_refund``)."""
    with transaction():
        if role == st.ROLE_STAFF:
            _check_actor((), actor, role)
        else:
            _check_actor((db.session.get(Fulfilment, refund.fulfilment_id).enterprise_id,), actor, role)
        if not _through_provider(refund):
            raise RefundRefused(_l("This refund is paid back by transfer; record it as paid instead."))
        if refund.status == REFUND_SUCCEEDED:
            raise RefundRefused(_l("This refund has already been made."))
        if refund.status == REFUND_PENDING and refund.provider_ref:
            raise RefundRefused(_l("Stripe is already processing this refund. PromptPay refunds can take a few "
                                   "days."))
        if refund.status == REFUND_FAILED:
            _lock_order(refund.order_id)
            refund = db.session.get(Refund, refund.id, populate_existing=True)
            fulfilment = db.session.get(Fulfilment, refund.fulfilment_id)
            if refund.status != REFUND_FAILED:
                raise RefundRefused()
            # A failed refund no longer counts against what is left: check it still fits.
            _check_amount(refund.amount_satang, refundable_satang(fulfilment))
            sm.transition(REFUNDS, refund, REFUND_PENDING, actor=actor, role=role,
                          values={"idempotency_key": next_attempt_key(refund.idempotency_key),
                                  "failure_reason": None, "provider_ref": None})
        method = refund.provider
    return _send_to_provider(refund, method, actor=actor, role=role)


def next_attempt_key(key: str) -> str:
    """``refund-CM…-7-1`` → ``refund-CM…-7-1-2`` → ``refund-CM…-7-1-3``."""
    match = re.match(r"^(refund-[A-Z0-9]+-\d+-\d+)(?:-(\d+))?$", key)
    if not match:
        return f"{key}-2"
    base, attempt = match.groups()
    return f"{base}-{int(attempt or 1) + 1}"


def record_manual_refund_paid(refund: Refund, *, actor, reference: str | None) -> Refund:
    """Staff paid a manual refund back by bank transfer or PromptPay: record the
    transfer's reference and complete the refund. Commits."""
    with transaction():
        _check_actor((), actor, st.ROLE_STAFF)
        reference = _clean_text(reference, limit=MAX_REFERENCE_LENGTH, field_name="reference",
                                required_message=_l("Enter the transfer's reference so the buyer can find it."))
        if refund.provider != PROVIDER_MANUAL:
            raise RefundRefused(_l("This refund goes through Stripe; it completes on its own."))
        if refund.status != REFUND_PENDING:
            raise RefundRefused(_l("This refund is no longer waiting to be paid back."))
        if not apply_refund_succeeded(refund, provider_ref=reference, actor=actor, role=st.ROLE_STAFF):
            raise RefundRefused(_l("This refund is no longer waiting to be paid back."))
    settle_after_refund(refund)
    return refund


# ---------------------------------------------------------------- outcomes


def apply_refund_succeeded(refund: Refund, provider_ref: str | None = None, *, actor=None,
                           role: str = st.ROLE_SYSTEM) -> bool:
    """Record in the caller's transaction that the money went back: the refund's
    status, the fulfilment's and the order's ``refunded_satang``, the order's status
    (``partially_refunded`` or, once succeeded refunds cover the total, ``refunded``),
    the ledger entries and the buyer's e-mail.

    Returns False, changing nothing, when the refund had already succeeded (a webhook
    arriving after the synchronous answer, a second delivery). Never commits.
    """
    order = _lock_order(refund.order_id)
    # Its status now, read under the order's lock.
    set_committed_value(refund, "status", db.session.scalar(select(Refund.status).where(Refund.id == refund.id)))
    if refund.status not in (REFUND_PENDING, REFUND_FAILED):
        return False
    values: dict = {"completed_at": utcnow()}
    if provider_ref:
        values["provider_ref"] = provider_ref
    try:
        sm.transition(REFUNDS, refund, REFUND_SUCCEEDED, actor=actor, role=role, values=values)
    except sm.TransitionRefused:
        return False
    fulfilment = db.session.get(Fulfilment, refund.fulfilment_id, populate_existing=True)
    # What was owed after a cancellation is already in refunded_satang: take the larger.
    refunded_part = max(fulfilment.refunded_satang or 0, _succeeded_satang(fulfilment_id=fulfilment.id))
    order.refunded_satang = (order.refunded_satang or 0) + refunded_part - (fulfilment.refunded_satang or 0)
    fulfilment.refunded_satang = refunded_part
    if order.status in PAID_STATES:
        done = _succeeded_satang(order_id=order.id) >= order.total_satang
        st.transition(order, st.ORDER_REFUNDED if done else st.ORDER_PARTIALLY_REFUNDED,
                      actor=actor, role=role, reason=refund.reason)
    refund_succeeded(refund)
    _email_buyer(order, "order_refunded", refund=refund, fulfilment=fulfilment, enterprise=fulfilment.enterprise,
                 manual=refund.provider == PROVIDER_MANUAL)
    return True


def apply_refund_failed(refund: Refund, reason: str | None = None, *, actor=None, role: str = st.ROLE_SYSTEM) -> bool:
    """Record in the caller's transaction that the provider refused the refund; it no
    longer counts against what is left and staff see it to retry. False when it was
    no longer pending. Never commits."""
    if refund.status != REFUND_PENDING:
        return False
    try:
        sm.transition(REFUNDS, refund, REFUND_FAILED, actor=actor, role=role, reason=reason,
                      values={"failure_reason": (reason or "refused")[:500]})
    except sm.TransitionRefused:
        return False
    return True


# ---------------------------------------------------------------- pages


@dataclass
class RefundPanel:
    """What ``templates/payments/_refund_panel.html`` shows for one fulfilment."""

    fulfilment: Fulfilment
    refunds: list[Refund]
    left_satang: int
    paid: bool
    provider: str  # the paying provider, or manual: how a new refund would travel
    stripe_method: str | None  # card | promptpay, when Stripe told us
    action_url: str | None
    errors: dict = field(default_factory=dict)

    @property
    def can_request(self) -> bool:
        return self.paid and self.left_satang > 0 and self.action_url is not None

    @property
    def through_provider(self) -> bool:
        """A new refund goes back through the provider (else staff pay it back)."""
        return _refunds_through(self.provider)


def refund_panel(fulfilment: Fulfilment, action_url: str | None) -> RefundPanel:
    order = fulfilment.order
    payment = refunding_payment_of(order) if order.paid_at is not None else None
    return RefundPanel(
        fulfilment=fulfilment, refunds=refunds_of_fulfilment(fulfilment), left_satang=refundable_satang(fulfilment),
        paid=order.paid_at is not None and order.status in _REFUNDABLE_STATES,
        provider=payment.provider if payment is not None else PROVIDER_MANUAL,
        stripe_method=payment.method if payment is not None else None, action_url=action_url,
    )


@dataclass(frozen=True)
class WaitingRefunds:
    manual: list[Refund]  # to pay back by transfer and record
    failed: list[Refund]  # Stripe refused: retry
    unanswered: list[Refund]  # Stripe did not answer: retry with the same key
    processing: list[Refund]  # Stripe accepted, confirmation to come (PromptPay)


def waiting_refunds(limit: int = 200) -> WaitingRefunds:
    """Refunds staff have to act on (or watch), oldest first."""
    rows = list(db.session.scalars(
        select(Refund).where(Refund.status.in_((REFUND_PENDING, REFUND_FAILED)))
        .order_by(Refund.created_at, Refund.id).limit(limit)
    ))
    through = [r for r in rows if _through_provider(r)]
    return WaitingRefunds(
        manual=[r for r in rows if r.provider == PROVIDER_MANUAL and r.status == REFUND_PENDING],
        failed=[r for r in through if r.status == REFUND_FAILED],
        unanswered=[r for r in through if r.status == REFUND_PENDING and not r.provider_ref],
        processing=[r for r in through if r.status == REFUND_PENDING and r.provider_ref],
    )


def refund_for_staff(refund_id: int) -> Refund:
    refund = db.session.get(Refund, refund_id)
    if refund is None:
        raise NotFound()
    return refund

