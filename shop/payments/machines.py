"""The payment, refund and payment-slip state machines (on ``shop/statemachine.py``).

Their changes are recorded in the generic ``status_changes`` table.

Payments (one attempt through a provider): ``pending → succeeded | failed | expired``,
and a failed or expired attempt whose money arrives after all becomes ``succeeded``;
only the provider's word moves them (``SYSTEM``: webhooks, or the provider's session
read back when the buyer returns).

Refunds: ``pending → succeeded | failed`` as the provider (or, for a manual refund,
staff) answers, and ``failed → pending`` when it is sent again; the provider's late
success also moves ``failed → succeeded``. The seller or staff who asked act in
their own capacity; the webhooks as ``SYSTEM``.

Payment slips: ``submitted → confirmed | rejected``, by programme staff or by a member
of the enterprise the money was paid to.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from shop import statemachine as sm
from shop.payments.models import (
    PAYMENT_EXPIRED,
    PAYMENT_FAILED,
    PAYMENT_PENDING,
    PAYMENT_SUCCEEDED,
    REFUND_FAILED,
    REFUND_PENDING,
    REFUND_SUCCEEDED,
    SLIP_CONFIRMED,
    SLIP_REJECTED,
    SLIP_SUBMITTED,
    Payment,
    PaymentSlip,
    Refund,
)
from shop.roles import ENTERPRISE_MEMBER, PROGRAMME_STAFF, SYSTEM

_ASKERS = {ENTERPRISE_MEMBER, PROGRAMME_STAFF}

PAYMENTS = sm.StateMachine(
    name="payment", model=Payment,
    states=(PAYMENT_PENDING, PAYMENT_SUCCEEDED, PAYMENT_FAILED, PAYMENT_EXPIRED),
    moves={
        (PAYMENT_PENDING, PAYMENT_SUCCEEDED): {SYSTEM},
        (PAYMENT_PENDING, PAYMENT_FAILED): {SYSTEM},
        (PAYMENT_PENDING, PAYMENT_EXPIRED): {SYSTEM},
        (PAYMENT_FAILED, PAYMENT_SUCCEEDED): {SYSTEM},
        (PAYMENT_EXPIRED, PAYMENT_SUCCEEDED): {SYSTEM},
    },
    labels={PAYMENT_PENDING: _l("Waiting"), PAYMENT_SUCCEEDED: _l("Paid"), PAYMENT_FAILED: _l("Failed"),
            PAYMENT_EXPIRED: _l("Expired")},
)

REFUNDS = sm.StateMachine(
    name="refund", model=Refund,
    states=(REFUND_PENDING, REFUND_SUCCEEDED, REFUND_FAILED),
    moves={
        # The provider's answer to the seller's or staff's request, or its webhook;
        # staff record a manual refund paid back by transfer.
        (REFUND_PENDING, REFUND_SUCCEEDED): _ASKERS | {SYSTEM},
        (REFUND_PENDING, REFUND_FAILED): _ASKERS | {SYSTEM},
        (REFUND_FAILED, REFUND_SUCCEEDED): _ASKERS | {SYSTEM},
        # Sent again (``retry_refund``).
        (REFUND_FAILED, REFUND_PENDING): _ASKERS,
    },
    labels={REFUND_PENDING: _l("Waiting"), REFUND_SUCCEEDED: _l("Refunded"), REFUND_FAILED: _l("Failed")},
)


class SlipAlreadyReviewed(sm.TransitionRefused):
    code = "slip_already_reviewed"
    default_message = _l("Someone has already reviewed this slip; nothing was changed.")


def _slip_reviewed(machine: sm.StateMachine, *args) -> Exception:
    return SlipAlreadyReviewed()


SLIPS = sm.StateMachine(
    name="payment_slip", model=PaymentSlip,
    states=(SLIP_SUBMITTED, SLIP_CONFIRMED, SLIP_REJECTED),
    moves={
        (SLIP_SUBMITTED, SLIP_CONFIRMED): _ASKERS,
        (SLIP_SUBMITTED, SLIP_REJECTED): _ASKERS,
    },
    reason_required={(SLIP_SUBMITTED, SLIP_REJECTED, role) for role in _ASKERS},
    labels={SLIP_SUBMITTED: _l("Waiting for review"), SLIP_CONFIRMED: _l("Confirmed"), SLIP_REJECTED: _l("Rejected")},
    error=SlipAlreadyReviewed, refuse_state=_slip_reviewed, refuse_race=_slip_reviewed,
)
