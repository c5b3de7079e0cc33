"""The retail-buyer verification state machine (on ``shop/statemachine.py``); its
changes are recorded in the generic ``status_changes`` table.

A business account applies ``pending``; programme staff verify it (it sees wholesale
prices) or refuse it with a reason, and may later withdraw a verification or verify
an account they refused.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from shop import statemachine as sm
from shop.accounts.models import RetailBuyer
from shop.roles import PROGRAMME_STAFF

RETAIL_BUYERS = sm.StateMachine(
    name="retail_buyer", model=RetailBuyer,
    states=RetailBuyer.STATUSES,
    moves={
        (RetailBuyer.PENDING, RetailBuyer.VERIFIED): {PROGRAMME_STAFF},
        (RetailBuyer.PENDING, RetailBuyer.REJECTED): {PROGRAMME_STAFF},
        (RetailBuyer.REJECTED, RetailBuyer.VERIFIED): {PROGRAMME_STAFF},
        (RetailBuyer.VERIFIED, RetailBuyer.REJECTED): {PROGRAMME_STAFF},
    },
    reason_required={(RetailBuyer.PENDING, RetailBuyer.REJECTED, PROGRAMME_STAFF),
                     (RetailBuyer.VERIFIED, RetailBuyer.REJECTED, PROGRAMME_STAFF)},
    labels={RetailBuyer.PENDING: _l("Waiting for review"), RetailBuyer.VERIFIED: _l("Verified"),
            RetailBuyer.REJECTED: _l("Not approved")},
)
