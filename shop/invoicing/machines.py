"""The invoice-payment machine (``shop/statemachine.py``): a slip the buyer sent is
confirmed or rejected (with a reason) by staff. Transfers staff record are written
confirmed. History in ``status_changes``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from shop import statemachine as sm
from shop.invoicing.models import PAYMENT_CONFIRMED, PAYMENT_REJECTED, PAYMENT_SUBMITTED, InvoicePayment
from shop.roles import PROGRAMME_STAFF


class PaymentAlreadyReviewed(sm.TransitionRefused):
    code = "already_reviewed"
    default_message = _l("This payment has already been reviewed; nothing was changed.")


INVOICE_PAYMENTS = sm.StateMachine(
    name="invoice_payment", model=InvoicePayment,
    states=(PAYMENT_SUBMITTED, PAYMENT_CONFIRMED, PAYMENT_REJECTED),
    moves={
        (PAYMENT_SUBMITTED, PAYMENT_CONFIRMED): {PROGRAMME_STAFF},
        (PAYMENT_SUBMITTED, PAYMENT_REJECTED): {PROGRAMME_STAFF},
    },
    reason_required={(PAYMENT_SUBMITTED, PAYMENT_REJECTED, PROGRAMME_STAFF)},
    labels={PAYMENT_SUBMITTED: _l("Waiting for review"), PAYMENT_CONFIRMED: _l("Confirmed"),
            PAYMENT_REJECTED: _l("Not accepted")},
    error=PaymentAlreadyReviewed,
)
