"""Order use cases after checkout: payment, cancellation, the lapse sweeper, each
enterprise's fulfilment steps, and the e-mails that go with them.

Two kinds of functions (docs/architecture.md, "Rules the code keeps"):

* ``apply_*`` work inside the caller's transaction and never commit, so another area
  can make them part of its own change (a confirmed slip marks the order paid in the
  same transaction as the slip review; checkout queues its e-mail with the order);
* the others are whole use cases: they check, change, queue e-mails and commit once.

Every status change goes through ``orders.status.transition`` (conditional UPDATE +
timeline row), so two people acting on the same order at once cannot both succeed:
the second gets ``TransitionRefused`` (409) and the use case's ``transaction()`` rolls
back. Stock goes back through ``orders.inventory`` (once per fulfilment). E-mails are
queued with ``queue_email`` in the same transaction: they exist exactly when the change
commits.

Money owed back after a paid part is cancelled is recorded in ``refunded_satang`` (a
refund, ``payments/refunds.py``, moves the money); a part cancelled before payment is
simply taken off the amount due.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, false, func, or_, select, update
from sqlalchemy.orm import selectinload

from shop import roles
from shop.accounts.models import User
from shop.catalog.access import is_assigned_mentor
from shop.catalog.models import EnterpriseMember, Product
from shop.database import transaction
from shop.dbtypes import utcnow
from shop.errors import Conflict, NotFound, ValidationFailed
from shop.extensions import db
from shop.hooks import Hook
from shop.notifications.services import job as outbox_job
from shop.notifications.services import queue_email, queue_job
from shop.orders import documents, inventory
from shop.orders import status as st
from shop.orders.access import order_url
from shop.orders.models import Fulfilment, Order, OrderLine, StatusChange
from shop.pagination import Page, paginate
from shop.search.outbox import enqueue_products
from shop.text import checked_text

# The order states in which the buyer has paid and enterprises ship.
PAID_STATES = (st.ORDER_PAID, st.ORDER_PARTIALLY_REFUNDED)
# The order states in which enterprises accept, pack and ship: paid, or confirmed to be
# paid on invoice (``invoiced``, which becomes paid when the invoice is).
CONFIRMED_STATES = (*PAID_STATES, st.ORDER_INVOICED)
# ``StatusChange.reason`` of an order the sweeper cancelled; pages show it translated.
LAPSED_REASON = "lapsed"
MAX_REASON_LENGTH = 500
MAX_CARRIER_LENGTH = 40
_TRACKING = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,63}$")

# What the areas above orders do at its steps (``shop/hooks.py``; connected in
# ``shop/__init__.py``: ledger and payments sit above orders).
#: ``(order)``, in ``apply_paid``'s transaction: the ledger posts each part's sale and fee.
order_paid = Hook("orders.order_paid")
#: ``(order) -> bool``: whether a payment of the order is being checked (a slip waits
#: for review), so the buyer cannot cancel it now.
payment_under_review = Hook("orders.payment_under_review")
#: ``() -> SQL condition`` on ``Order``: the order has a payment under way (an open
#: Stripe Checkout Session), so the sweeper leaves it a grace period.
payment_under_way = Hook("orders.payment_under_way")
#: ``(order) -> int``: satang already received towards an ``invoiced`` order (the
#: invoice's confirmed payments), so a cancellation never takes the total below it.
received_on_account = Hook("orders.received_on_account")


# ---------------------------------------------------------------- who acts


def seller_role(user, fulfilment: Fulfilment) -> str | None:
    """``ROLE_SELLER`` for a member of the fulfilment's enterprise, ``ROLE_STAFF`` for
    programme staff, ``roles.MENTOR`` for a mentor assigned to the enterprise, else None
    (callers answer 404)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    member = db.session.scalar(
        select(EnterpriseMember.id).where(
            EnterpriseMember.enterprise_id == fulfilment.enterprise_id, EnterpriseMember.user_id == user.id
        )
    )
    if member is not None:
        return st.ROLE_SELLER
    if getattr(user, "is_staff", False):
        return st.ROLE_STAFF
    if is_assigned_mentor(user, fulfilment.enterprise_id):
        return roles.MENTOR  # reads the enterprise's orders; offered no action
    return None


def _check_actor(enterprise_ids: Iterable[int], actor, role: str) -> None:
    """A second line behind the views: the seller role needs membership of every
    enterprise concerned, the staff role needs staff. Buyers were checked by
    ``load_order_for_buyer`` (a guest has no user to check)."""
    if role == st.ROLE_STAFF:
        if not getattr(actor, "is_staff", False):
            raise NotFound()
    elif role == st.ROLE_SELLER:
        actor_id = getattr(actor, "id", None)
        ids = set(enterprise_ids)
        if actor_id is None or not ids:
            raise NotFound()
        member_of = set(db.session.scalars(
            select(EnterpriseMember.enterprise_id).where(
                EnterpriseMember.user_id == actor_id, EnterpriseMember.enterprise_id.in_(ids)
            )
        ))
        if member_of != ids:
            raise NotFound()


def _clean_reason(reason: str | None, *, required: bool) -> str | None:
    text = checked_text(reason, field="reason").strip()
    if required and not text:
        message = _l("Please give a reason.")
        raise ValidationFailed(message, fields={"reason": message})
    if len(text) > MAX_REASON_LENGTH:
        message = _l("Keep the reason under %(count)d characters.", count=MAX_REASON_LENGTH)
        raise ValidationFailed(message, fields={"reason": message})
    return text or None


def slip_waiting(order: Order) -> bool:
    """Whether a transfer slip of this unpaid order is waiting for review (the buyer
    may not cancel then: the money may already be on its way)."""
    return any(payment_under_review(order))


def _received(order: Order) -> int:
    """Satang received towards an invoice order not yet paid in full (0 otherwise)."""
    if order.status != st.ORDER_INVOICED:
        return 0
    return sum(int(amount or 0) for amount in received_on_account(order))


# ---------------------------------------------------------------- e-mails


def _public_base() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def seller_order_link(fulfilment: Fulfilment) -> str:
    """Absolute link to the enterprise's page for this fulfilment (for e-mails)."""
    return f"{_public_base()}/seller/{fulfilment.enterprise_id}/orders/{fulfilment.id}"


def _member_addresses(enterprise_id: int) -> list[tuple[str, str]]:
    """(e-mail, locale) of every active member of the enterprise."""
    rows = db.session.execute(
        select(User.email, User.locale)
        .join(EnterpriseMember, EnterpriseMember.user_id == User.id)
        .where(EnterpriseMember.enterprise_id == enterprise_id, User.is_active_account.is_(True))
        .order_by(User.id)
    )
    return [(email, locale or "th") for email, locale in rows]


def _email_buyer(order: Order, template: str, **context) -> None:
    queue_email(
        to=order.email, kind=template, template=template, locale=order.locale or "th",
        order=order, link=order_url(order, _external=True), **context,
    )


def _email_enterprise(fulfilment: Fulfilment, template: str, **context) -> None:
    link = seller_order_link(fulfilment)
    for email, locale in _member_addresses(fulfilment.enterprise_id):
        queue_email(
            to=email, kind=template, template=template, locale=locale, order=fulfilment.order,
            fulfilment=fulfilment, enterprise=fulfilment.enterprise, link=link, **context,
        )


ORDER_PLACED_JOB = "order_placed"


def apply_order_placed_emails(order: Order) -> None:
    """Queue "we received your order" (with how to pay) in the caller's transaction, as
    a job: the outbox's sender renders it, so placing an order renders no e-mail (a
    busy sale's transactions stay short). ``order`` must have been flushed."""
    queue_job(ORDER_PLACED_JOB, order_id=order.id)


@outbox_job(ORDER_PLACED_JOB)
def _order_placed_job(payload: dict) -> None:
    order = db.session.get(Order, payload["order_id"])
    if order is None:  # the order is gone (a test database reset, a purge): nothing to say
        return
    _email_buyer(order, "order_placed", hold_minutes=current_app.config["ORDER_HOLD_MINUTES"])


def apply_slip_rejected_email(order: Order, reason: str | None) -> None:
    """Queue "your slip was not accepted" (with the reviewer's reason)."""
    _email_buyer(order, "order_slip_rejected", reason=(reason or "").strip(),
                 hold_minutes=current_app.config["ORDER_HOLD_MINUTES"])


# ---------------------------------------------------------------- payment


def _sales_by_product(fulfilments: Iterable[Fulfilment]) -> dict[int, int]:
    sold: dict[int, int] = {}
    for fulfilment in fulfilments:
        for line in fulfilment.lines:
            if line.product_id is not None:
                sold[line.product_id] = sold.get(line.product_id, 0) + line.quantity
    return sold


def _bump_sales(sold: dict[int, int], sign: int) -> None:
    """Add (or take back) units sold to ``Product.sales_count`` with bulk UPDATEs, so
    two payments at once cannot lose a count, and queue the products for re-indexing
    (bulk UPDATEs skip the search outbox's session events)."""
    if not sold:
        return
    for product_id in sorted(sold):
        quantity = sold[product_id]
        if sign > 0:
            new_count = Product.sales_count + quantity
        else:
            # Never below zero (counts written before this code existed may be short).
            new_count = case((Product.sales_count > quantity, Product.sales_count - quantity), else_=0)
        statement = update(Product).where(Product.id == product_id).values(sales_count=new_count)
        db.session.execute(statement.execution_options(synchronize_session=False))
    enqueue_products(db.session, sold)
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Product) and obj.id in sold:
            db.session.expire(obj, ["sales_count"])


def apply_paid(order: Order, *, actor, role: str, reason: str | None = None) -> None:
    """Mark ``order`` paid in the caller's transaction: timeline, ``paid_at``, the hold
    lifted, a receipt number for each enterprise's part, sales counts, and e-mails
    (payment confirmed to the buyer; "new order" to every member of each enterprise).

    Raises ``TransitionRefused`` (409) when the order is no longer awaiting payment
    (already paid by someone else, cancelled or lapsed).
    """
    open_parts = [f for f in order.fulfilments if f.status != st.FULFILMENT_CANCELLED]
    _check_actor({f.enterprise_id for f in open_parts}, actor, role)
    # An invoice order was confirmed (and the enterprises told) when it was placed.
    was_invoiced = order.status == st.ORDER_INVOICED
    st.transition(order, st.ORDER_PAID, actor=actor, role=role, reason=_clean_reason(reason, required=False))
    now = utcnow()
    order.paid_at = now
    order.expires_at = None
    for fulfilment in open_parts:
        documents.assign_document_number(fulfilment, when=now)
    # The enterprise ledger: each part's sale and the platform's fee; Connect payouts
    # when the order's provider pays enterprises by transfer (sent after the commit by
    # the caller, see ``ledger.services.create_connect_payouts``).
    order_paid(order)
    _bump_sales(_sales_by_product(open_parts), +1)
    _email_buyer(order, "order_paid")
    if not was_invoiced:
        for fulfilment in open_parts:
            _email_enterprise(fulfilment, "order_new_for_enterprise")


def apply_confirmed_emails(order: Order) -> None:
    """Queue "new order" to every member of each enterprise for an order confirmed
    without payment (``invoiced``), in the caller's transaction."""
    for fulfilment in order.fulfilments:
        if fulfilment.status != st.FULFILMENT_CANCELLED:
            _email_enterprise(fulfilment, "order_new_for_enterprise")


# ---------------------------------------------------------------- cancellation


def _cancel_part(fulfilment: Fulfilment, *, actor, role: str, reason: str | None, paid: bool, now: datetime,
                 refund: bool = True) -> None:
    """``refund=False``: a paid part cancelled on terms that give nothing back (a guest
    cancelling a booking after its policy's deadline): the sale stands, nothing is owed."""
    st.transition(fulfilment, st.FULFILMENT_CANCELLED, actor=actor, role=role, reason=reason)
    fulfilment.cancelled_at = now
    fulfilment.cancel_reason = reason
    inventory.release_fulfilment_stock(fulfilment)
    if paid and refund:
        owed = fulfilment.total_satang - fulfilment.refunded_satang
        fulfilment.refunded_satang = fulfilment.total_satang
        fulfilment.order.refunded_satang = (fulfilment.order.refunded_satang or 0) + max(owed, 0)


def apply_cancel_order(order: Order, *, actor, role: str, reason: str | None) -> None:
    """Cancel ``order`` in the caller's transaction: every open fulfilment is cancelled
    (role system), its stock released, the amount paid recorded as owed back, and the
    buyer (and, for a paid order, each enterprise) told.

    A paid order can only be cancelled while nothing has shipped; a buyer cannot
    cancel while their payment slip waits for review (they may already have paid).
    """
    reason = _clean_reason(reason, required=False)
    # Lock the order row (PostgreSQL; SQLite's write transaction already holds the
    # database) so a slip uploaded at this instant is either seen below or refused.
    db.session.execute(select(Order.id).where(Order.id == order.id).with_for_update())
    paid = order.status in PAID_STATES
    if paid and any(f.status in (st.FULFILMENT_SHIPPED, st.FULFILMENT_DELIVERED) for f in order.fulfilments):
        raise ValidationFailed(_l("Part of this order has already been shipped. Cancel the other parts one by one."))
    if role == st.ROLE_BUYER and order.status == st.ORDER_CANCELLED:
        raise st.TransitionRefused(_l("This order is already cancelled."))
    if role == st.ROLE_BUYER and not order.is_unpaid:
        raise st.TransitionRefused(_l("This order is paid, so it can no longer be cancelled here. "
                                      "Please contact us if you need help."))
    if role == st.ROLE_BUYER and order.is_unpaid and slip_waiting(order):
        raise Conflict(_l("Your payment slip is being checked, so the order cannot be cancelled now. "
                          "Please wait for the result or contact us."))
    if role == st.ROLE_STAFF:
        _check_actor((), actor, role)
    if order.status == st.ORDER_INVOICED:
        if any(f.status in (st.FULFILMENT_SHIPPED, st.FULFILMENT_DELIVERED) for f in order.fulfilments):
            raise ValidationFailed(_l("Part of this order has already been shipped. "
                                      "Cancel the other parts one by one."))
        if _received(order):
            raise Conflict(_l("Payments have been received for this invoice, so the order cannot be cancelled."))
    st.transition(order, st.ORDER_CANCELLED, actor=actor, role=role, reason=reason)
    now = utcnow()
    order.cancelled_at = now
    order.cancel_reason = reason
    order.expires_at = None
    cancelled_now = [f for f in order.fulfilments if f.status in st.FULFILMENT_OPEN]
    for fulfilment in cancelled_now:
        _cancel_part(fulfilment, actor=actor, role=st.ROLE_SYSTEM, reason=reason, paid=paid, now=now)
    if paid:
        _bump_sales(_sales_by_product(cancelled_now), -1)
    _email_buyer(order, "order_cancelled", reason=reason, lapsed=(reason == LAPSED_REASON), was_paid=paid)
    if paid:
        for fulfilment in cancelled_now:
            _email_enterprise(fulfilment, "order_cancelled_enterprise", reason=reason)


def cancel_order(order: Order, *, actor, role: str, reason: str | None = None) -> Order:
    """Cancel the whole order (the buyer while unpaid, or staff) and commit."""
    with transaction():
        apply_cancel_order(order, actor=actor, role=role, reason=reason)
    return order


# ---------------------------------------------------------------- the sweeper


# An order with an open Stripe Checkout Session is cancelled by the session's
# ``checkout.session.expired`` event; the sweeper steps in only if that event has not
# come this long after the hold ended (so a payment made in the last second is not
# met by an order already cancelled).
STRIPE_SESSION_GRACE = timedelta(hours=1)


def lapsed_order_ids(now: datetime | None = None, *, limit: int = 500) -> list[int]:
    now = now or utcnow()
    open_session = or_(false(), *payment_under_way())
    return list(db.session.scalars(
        select(Order.id)
        .where(Order.status == st.ORDER_PENDING_PAYMENT, Order.expires_at.is_not(None), Order.expires_at < now)
        .where(~open_session | (Order.expires_at < now - STRIPE_SESSION_GRACE))
        .order_by(Order.expires_at, Order.id)
        .limit(limit)
    ))


def _claim_lapsed(order_id: int, now: datetime) -> bool:
    """Take the order for this sweep with a conditional UPDATE that re-checks the lapse.

    On PostgreSQL the UPDATE waits for, then re-reads, a concurrent change of the row:
    a slip uploaded a moment ago (``expires_at`` cleared) or another sweeper that got
    there first makes it match nothing. On SQLite the write transaction already holds
    the database lock.
    """
    result = db.session.execute(
        update(Order)
        .where(Order.id == order_id, Order.status == st.ORDER_PENDING_PAYMENT,
               Order.expires_at.is_not(None), Order.expires_at < now)
        .values(expires_at=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def release_lapsed_orders(now: datetime | None = None, *, batch_size: int = 500) -> int:
    """Cancel every unpaid order whose hold has lapsed (role system, reason "lapsed"),
    giving its stock back; one order per transaction. Returns how many this call
    cancelled. Safe to run in several processes at once: each order is claimed by
    exactly one of them. An order that fails is logged and left for the next sweep.

    Several transactions on purpose: the batch is read in one that ends at once, and
    each order is claimed and cancelled in its own, so one order's failure undoes only
    that order and no lock is held across the whole batch."""
    now = now or utcnow()
    cancelled = 0
    tried: set[int] = set()
    while True:
        with transaction():
            ids = [order_id for order_id in lapsed_order_ids(now, limit=batch_size) if order_id not in tried]
        if not ids:
            return cancelled
        for order_id in ids:
            tried.add(order_id)
            try:
                with transaction():
                    # Not claimed: paid, cancelled or paused by a slip meanwhile; the
                    # UPDATE matched nothing, so the block ends with nothing to commit.
                    claimed = _claim_lapsed(order_id, now)
                    if claimed:
                        order = db.session.get(Order, order_id, populate_existing=True)
                        apply_cancel_order(order, actor=None, role=st.ROLE_SYSTEM, reason=LAPSED_REASON)
                if claimed:
                    cancelled += 1
            except st.TransitionRefused:
                pass  # a part was cancelled at the same moment (rolled back); next sweep
            except Exception:
                current_app.logger.exception("could not release lapsed order %s", order_id)


def sweep_forever(interval_seconds: float, *, echo=print, chores: Sequence[Callable[[], str]] = (),
                  stop: threading.Event | None = None) -> None:
    """Run the sweeper, then each of ``chores`` (housekeeping that returns a line to
    report), every ``interval_seconds`` until ``stop`` is set (SIGTERM or SIGINT in
    ``flask orders sweep --loop``: the tick in hand finishes first); a failure is
    reported and retried at the next tick."""
    stop = stop or threading.Event()
    while not stop.is_set():
        for name, job in (("sweep", lambda: f"released {release_lapsed_orders()} lapsed orders"),
                          *((getattr(chore, "__name__", "chore"), chore) for chore in chores)):
            try:
                echo(job())
            except Exception as exc:
                # A chore's own transactions roll back by themselves; end the session
                # too, as a request's teardown would, so a failed read cannot leave the
                # next tick on an aborted connection.
                db.session.remove()
                current_app.logger.exception("%s failed", name)
                echo(f"{name} failed: {type(exc).__name__}: {exc}")
        stop.wait(interval_seconds)


# ---------------------------------------------------------------- fulfilment steps


class NotPaidYet(Conflict):
    code = "not_paid"
    default_message = _l("The buyer has not paid for this order yet. Wait until the payment is confirmed.")


def _require_paid(fulfilment: Fulfilment) -> None:
    status = fulfilment.order.status
    if status == st.ORDER_PENDING_PAYMENT:
        raise NotPaidYet()
    if status not in CONFIRMED_STATES:
        raise st.TransitionRefused(_l("This order is closed; nothing was changed."))


def _step(fulfilment: Fulfilment, to_status: str, *, actor, role: str, reason: str | None = None) -> StatusChange:
    _check_actor((fulfilment.enterprise_id,), actor, role)
    return st.transition(fulfilment, to_status, actor=actor, role=role, reason=reason)


def accept_fulfilment(fulfilment: Fulfilment, *, actor, role: str) -> Fulfilment:
    """The enterprise takes the order on (paid orders only)."""
    with transaction():
        _require_paid(fulfilment)
        _step(fulfilment, st.FULFILMENT_ACCEPTED, actor=actor, role=role)
        fulfilment.accepted_at = utcnow()
    return fulfilment


def pack_fulfilment(fulfilment: Fulfilment, *, actor, role: str) -> Fulfilment:
    """The parcel is packed and ready to hand to the carrier."""
    with transaction():
        _require_paid(fulfilment)
        _step(fulfilment, st.FULFILMENT_PACKED, actor=actor, role=role)
    return fulfilment


@dataclass(frozen=True)
class Shipment:
    carrier: str | None
    tracking_number: str | None


def check_shipment(fulfilment: Fulfilment, carrier: str | None, tracking_number: str | None) -> Shipment:
    """Validate the ship form. ``carrier`` is one of ``status.CARRIERS`` or, for
    "other", the carrier's name as the seller typed it. Pick-up parts need neither."""
    carrier = checked_text(carrier, field="carrier").strip()
    tracking = re.sub(r"\s+", "", tracking_number or "").upper()
    pickup = fulfilment.shipping_kind == st.SHIPPING_PICKUP
    fields: dict[str, object] = {}
    if not carrier:
        if not pickup:
            fields["carrier"] = _l("Choose the carrier.")
    elif len(carrier) > MAX_CARRIER_LENGTH:
        fields["carrier"] = _l("Keep the carrier's name under %(count)d characters.", count=MAX_CARRIER_LENGTH)
    if not tracking:
        if not pickup:
            fields["tracking_number"] = _l("Enter the tracking number.")
    elif not _TRACKING.match(tracking):
        fields["tracking_number"] = _l("A tracking number has 4 to 64 letters, digits or dashes.")
    if fields:
        raise ValidationFailed(next(iter(fields.values())), fields=fields)
    return Shipment(carrier=carrier or None, tracking_number=tracking or None)


def ship_fulfilment(fulfilment: Fulfilment, *, actor, role: str, carrier: str | None,
                    tracking_number: str | None) -> Fulfilment:
    """Handed to the carrier: records carrier and tracking number and tells the buyer."""
    with transaction():
        _require_paid(fulfilment)
        shipment = check_shipment(fulfilment, carrier, tracking_number)
        _step(fulfilment, st.FULFILMENT_SHIPPED, actor=actor, role=role)
        fulfilment.carrier = shipment.carrier
        fulfilment.tracking_number = shipment.tracking_number
        fulfilment.shipped_at = utcnow()
        _email_buyer(fulfilment.order, "order_shipped", fulfilment=fulfilment, enterprise=fulfilment.enterprise,
                     carrier_label=st.carrier_label, tracking_url=st.tracking_url)
    return fulfilment


def mark_delivered(fulfilment: Fulfilment, *, actor, role: str) -> Fulfilment:
    """The buyer confirms receipt (or the enterprise/staff record the delivery)."""
    with transaction():
        _step(fulfilment, st.FULFILMENT_DELIVERED, actor=actor, role=role)
        fulfilment.delivered_at = utcnow()
    return fulfilment


def cancel_fulfilment(fulfilment: Fulfilment, *, actor, role: str, reason: str) -> Fulfilment:
    """Cancel one enterprise's part before it ships (reason required): its stock goes
    back; on a paid order its total is recorded as owed back to the buyer, on an
    unpaid one it is taken off the amount due. When no part is left the whole order is
    cancelled too."""
    with transaction():
        reason = _clean_reason(reason, required=True)
        _check_actor((fulfilment.enterprise_id,), actor, role)
        apply_cancel_fulfilment(fulfilment, actor=actor, role=role, reason=reason)
    return fulfilment


def apply_cancel_fulfilment(fulfilment: Fulfilment, *, actor, role: str, reason: str | None,
                            refund: bool = True, by_buyer: bool = False) -> None:
    """``cancel_fulfilment``'s work in the caller's transaction, the actor already
    checked by the caller. ``refund=False`` cancels a paid part without owing anything
    back (the terms the buyer agreed give nothing back at this point); ``by_buyer``:
    the buyer asked for it (their e-mail says so, not that the enterprise could not
    fulfil it)."""
    order = fulfilment.order
    paid = order.status in PAID_STATES
    if order.is_unpaid and slip_waiting(order):
        raise Conflict(_l("A payment slip for this order is waiting for review. Confirm or reject it first."))
    invoiced = order.status == st.ORDER_INVOICED
    if order.status not in PAID_STATES and not order.is_unpaid and not invoiced:
        raise st.TransitionRefused(_l("This order is closed; nothing was changed."))
    # Never down to what was received (the invoice would be settled by a
    # cancellation, or owe money back): staff sort that out first.
    received = _received(order) if invoiced else 0
    if received and order.total_satang - fulfilment.total_satang <= received:
        raise Conflict(_l("The payments received on this invoice would cover what is left to pay, "
                          "so this part cannot be cancelled."))
    now = utcnow()
    _cancel_part(fulfilment, actor=actor, role=role, reason=reason, paid=paid, now=now, refund=refund)
    if paid:
        _bump_sales(_sales_by_product([fulfilment]), -1)
    else:
        order.subtotal_satang -= fulfilment.subtotal_satang
        order.shipping_satang -= fulfilment.shipping_satang
        order.total_satang -= fulfilment.total_satang
    if all(f.status == st.FULFILMENT_CANCELLED for f in order.fulfilments):
        st.transition(order, st.ORDER_CANCELLED, actor=actor, role=st.ROLE_SYSTEM, reason=reason)
        order.cancelled_at = now
        order.cancel_reason = reason
        order.expires_at = None
        _email_buyer(order, "order_cancelled", reason=reason, lapsed=False, was_paid=paid)
    else:
        _email_buyer(order, "order_part_cancelled", fulfilment=fulfilment, enterprise=fulfilment.enterprise,
                     reason=reason, was_paid=paid, refund=refund, by_buyer=by_buyer)
    if by_buyer and paid:
        _email_enterprise(fulfilment, "order_cancelled_enterprise", reason=reason)


# ---------------------------------------------------------------- buyer queries


def fulfilment_of_order(order: Order, fulfilment_id: int) -> Fulfilment:
    """The order's fulfilment with that id, or NotFound (never another order's)."""
    for fulfilment in order.fulfilments:
        if fulfilment.id == fulfilment_id:
            return fulfilment
    raise NotFound()


def orders_of_user_query(user):
    """The user's orders, newest first, their fulfilments and enterprises loaded (the
    order history page and the API's ``GET /orders``)."""
    return (
        select(Order).where(Order.user_id == user.id)
        .options(selectinload(Order.fulfilments).joinedload(Fulfilment.enterprise))
        .order_by(Order.created_at.desc(), Order.id.desc())
    )


def orders_of_user(user, *, page: int = 1, per_page: int = 20) -> Page[Order]:
    """The user's orders, newest first, one page at a time."""
    return paginate(orders_of_user_query(user), page, per_page)


def item_counts(orders) -> dict[int, int]:
    """Order id -> how many items (units of every line) it has."""
    ids = [o.id for o in orders]
    if not ids:
        return {}
    rows = db.session.execute(
        select(OrderLine.order_id, func.coalesce(func.sum(OrderLine.quantity), 0))
        .where(OrderLine.order_id.in_(ids)).group_by(OrderLine.order_id)
    ).all()
    return {order_id: int(count) for order_id, count in rows}
