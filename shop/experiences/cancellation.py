"""A guest cancels their own booking, under the experience's cancellation policy
(``policies.py``; docs/product.md: Experiences).

The booking's own part of the order (its fulfilment) is cancelled, with
``orders.services.apply_cancel_fulfilment``; the rest of the order (goods bought with
it, other bookings) is not touched, and when nothing else is left the order is
cancelled too. The seats go back through ``orders.inventory.stock_released``.

* An unpaid booking is simply cancelled: the amount to pay goes down by its total.
* A paid booking cancelled at least ``full_refund_hours`` before the session starts
  gets everything back: its total is recorded as owed back (``refunded_satang``), which
  the enterprise or staff then pay through ``payments.refunds`` (a Stripe refund, or a
  transfer staff record).
* Later, or under a policy without refunds (``strict``), the booking is cancelled and
  nothing is owed: the enterprise keeps the sale, and the seats go back on sale.

``terms`` says what cancelling now would give, for the ticket page and the API to show
before the guest confirms; ``cancel_booking`` decides again inside its transaction, so
a guest who waited past the deadline with the page open gets what the policy gives at
the moment of cancelling.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shop.database import transaction
from shop.errors import Conflict, NotFound
from shop.experiences.models import Booking
from shop.experiences.policies import CancellationPolicy, policy_of
from shop.experiences.services import local_now, starts_at
from shop.extensions import db
from shop.orders import status as st
from shop.orders.models import Order
from shop.orders.services import PAID_STATES, apply_cancel_fulfilment, slip_waiting


class CannotCancel(Conflict):
    code = "booking_not_cancellable"
    default_message = _l("This booking can no longer be cancelled here.")


@dataclass(frozen=True)
class CancellationTerms:
    """What cancelling the booking at ``at`` would give."""

    booking: Booking
    policy: CancellationPolicy
    at: datetime
    paid: bool
    refund_satang: int  # owed back if cancelled now (0: no refund, or nothing was paid)
    full_refund_until: datetime | None  # the last moment for a full refund; None: never
    refusal: object | None  # why it cannot be cancelled (a translated message), or None

    @property
    def can_cancel(self) -> bool:
        return self.refusal is None

    @property
    def full_refund(self) -> bool:
        return self.paid and self.refund_satang > 0


def terms(booking: Booking, *, now: datetime | None = None) -> CancellationTerms:
    """The policy's answer for cancelling ``booking`` now (or at ``now``, Thailand time)."""
    now = now or local_now()
    order = booking.order
    session = booking.session
    policy = policy_of(session.experience.cancellation_policy)
    start = starts_at(session)
    paid = order.status in PAID_STATES
    deadline = start - timedelta(hours=policy.full_refund_hours) if policy.full_refund_hours is not None else None
    refusal = None
    if order.status == st.ORDER_CANCELLED or booking.seats_released or session.cancelled_at is not None:
        refusal = _l("This booking is already cancelled.")
    elif not paid and not order.is_unpaid:
        refusal = _l("This booking has been refunded or closed. Please contact us if you need help.")
    elif booking.checked_in_at is not None:
        refusal = _l("You have already been checked in for this session.")
    elif start <= now:
        refusal = _l("This session has already started, so the booking can no longer be cancelled.")
    elif booking.fulfilment.status not in st.FULFILMENT_OPEN:
        refusal = _l("This booking is already cancelled.")
    refund = 0
    if paid and deadline is not None and now <= deadline:
        refund = max(booking.fulfilment.total_satang - (booking.fulfilment.refunded_satang or 0), 0)
    return CancellationTerms(booking=booking, policy=policy, at=now, paid=paid, refund_satang=refund,
                             full_refund_until=deadline, refusal=refusal)


def booking_of_order(order: Order) -> Booking:
    """The order's booking (an order books one session); NotFound for an order
    without one."""
    booking = db.session.scalar(select(Booking).where(Booking.order_id == order.id).order_by(Booking.id).limit(1))
    if booking is None:
        raise NotFound()
    return booking


def _reason(order: Order, given: CancellationTerms) -> str:
    """The cancellation's reason for the timeline, the e-mails and the host, in the
    guest's language."""
    with force_locale(order.locale or "th"):
        if not given.paid:
            return str(_l("Cancelled by the guest."))
        if given.refund_satang:
            return str(_l("Cancelled by the guest in time for a full refund (%(policy)s policy).",
                          policy=given.policy.label))
        return str(_l("Cancelled by the guest: no refund under the %(policy)s policy.", policy=given.policy.label))


def cancel_booking(booking: Booking | Order, actor, *, now: datetime | None = None) -> CancellationTerms:
    """Cancel the guest's booking (or the order that holds it) and commit; returns the
    terms it was cancelled on (``refund_satang``: what is owed back).

    ``actor`` is the signed-in buyer, or None for a guest whose order link the caller
    has checked; a signed-in account's booking is the account's alone (anyone else:
    NotFound). Raises ``CannotCancel`` (409) when the booking is cancelled already,
    refunded, checked in or its session started; ``Conflict`` while a transfer slip
    waits for review.
    """
    if isinstance(booking, Order):
        booking = booking_of_order(booking)
    with transaction():
        order = db.session.scalar(select(Order).where(Order.id == booking.order_id).with_for_update()
                                  .execution_options(populate_existing=True))
        db.session.refresh(booking)
        if order.user_id is not None and getattr(actor, "id", None) != order.user_id:
            raise NotFound()
        given = terms(booking, now=now)
        if given.refusal is not None:
            raise CannotCancel(given.refusal)
        reason = _reason(order, given)
        if not given.paid and slip_waiting(order):
            raise Conflict(_l("Your payment slip is being checked, so the booking cannot be cancelled now. "
                              "Please wait for the result or contact us."))
        apply_cancel_fulfilment(booking.fulfilment, actor=actor, role=st.ROLE_SYSTEM, reason=reason,
                                refund=bool(given.refund_satang), by_buyer=True)
    db.session.refresh(booking)
    return given
