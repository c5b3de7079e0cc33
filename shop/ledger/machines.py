"""The payout and payout-batch state machines (on ``shop/statemachine.py``); their
changes are recorded in the generic ``status_changes`` table.

Payouts: ``pending → paid | failed``, ``failed → paid`` when a Connect transfer is sent
again, and ``failed → failed`` when it fails again (each attempt is kept, with its
reason). The shop moves them itself (``SYSTEM``: the Connect transfer after a payment,
the bookkeeping of a slip paid straight to the enterprise); programme staff record
batch payouts paid and retry failed transfers.

Payout batches: ``open → paid``, by programme staff.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from shop import statemachine as sm
from shop.ledger.models import (
    BATCH_OPEN,
    BATCH_PAID,
    PAYOUT_FAILED,
    PAYOUT_PAID,
    PAYOUT_PENDING,
    Payout,
    PayoutBatch,
)
from shop.roles import PROGRAMME_STAFF, SYSTEM

_SHOP = {PROGRAMME_STAFF, SYSTEM}

PAYOUTS = sm.StateMachine(
    name="payout", model=Payout,
    states=(PAYOUT_PENDING, PAYOUT_PAID, PAYOUT_FAILED),
    moves={
        (PAYOUT_PENDING, PAYOUT_PAID): _SHOP,
        (PAYOUT_PENDING, PAYOUT_FAILED): _SHOP,
        (PAYOUT_FAILED, PAYOUT_PAID): _SHOP,
        (PAYOUT_FAILED, PAYOUT_FAILED): _SHOP,
    },
    labels={PAYOUT_PENDING: _l("Pending"), PAYOUT_PAID: _l("Paid"), PAYOUT_FAILED: _l("Failed")},
)


def _batch_already_paid(machine: sm.StateMachine, *args) -> Exception:
    return sm.TransitionRefused(_l("This batch has already been recorded as paid."))


PAYOUT_BATCHES = sm.StateMachine(
    name="payout_batch", model=PayoutBatch,
    states=(BATCH_OPEN, BATCH_PAID),
    moves={(BATCH_OPEN, BATCH_PAID): {PROGRAMME_STAFF}},
    labels={BATCH_OPEN: _l("Open"), BATCH_PAID: _l("Paid")},
    refuse_state=_batch_already_paid, refuse_race=_batch_already_paid,
)
