"""The request-for-quote state machine (on ``shop/statemachine.py``), recorded in the
generic ``status_changes`` table.

``requested → quoted`` (the enterprise answers); ``quoted → quoted`` (the enterprise
revises its quote while the buyer has not answered); ``quoted → accepted`` (the
buyer, which places the order in the same transaction); ``requested | quoted →
declined`` (the enterprise, or marketplace staff, with a reason); ``requested |
quoted → withdrawn`` (the buyer: withdrawing the request, or turning the quote
down); ``requested | quoted → expired`` (the sweeper: a quote past its ``valid_until``
date, a request not answered by its delivery date).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from shop import statemachine as sm
from shop.quotes.models import ACCEPTED, DECLINED, EXPIRED, QUOTED, REQUESTED, WITHDRAWN, QuoteRequest
from shop.roles import BUYER, ENTERPRISE_MEMBER, PROGRAMME_STAFF, SYSTEM


class QuoteChanged(sm.TransitionRefused):
    code = "quote_changed"
    default_message = _l("This request for quote has changed since you opened it; nothing was changed. "
                         "Reload the page to see where it stands.")


def _refuse_state(machine: sm.StateMachine, from_status: str, to_status: str) -> Exception:
    return QuoteChanged(_l("This cannot be done while the request is “%(status)s”.",
                           status=machine.label(from_status)))


def _refuse_race(machine: sm.StateMachine, *args) -> Exception:
    return QuoteChanged()


LABELS = {
    REQUESTED: _l("Waiting for a quote"),
    QUOTED: _l("Quoted"),
    ACCEPTED: _l("Accepted"),
    DECLINED: _l("Declined"),
    EXPIRED: _l("Expired"),
    WITHDRAWN: _l("Withdrawn"),
}

_DECLINERS = {ENTERPRISE_MEMBER, PROGRAMME_STAFF}

QUOTES = sm.StateMachine(
    name="quote_request", model=QuoteRequest,
    states=(REQUESTED, QUOTED, ACCEPTED, DECLINED, EXPIRED, WITHDRAWN),
    moves={
        (REQUESTED, QUOTED): {ENTERPRISE_MEMBER},
        (QUOTED, QUOTED): {ENTERPRISE_MEMBER},
        (QUOTED, ACCEPTED): {BUYER},
        (REQUESTED, DECLINED): _DECLINERS,
        (QUOTED, DECLINED): _DECLINERS,
        (REQUESTED, WITHDRAWN): {BUYER},
        (QUOTED, WITHDRAWN): {BUYER},
        (REQUESTED, EXPIRED): {SYSTEM},
        (QUOTED, EXPIRED): {SYSTEM},
    },
    reason_required={(frm, DECLINED, role) for frm in (REQUESTED, QUOTED) for role in _DECLINERS},
    labels=LABELS,
    error=QuoteChanged, refuse_state=_refuse_state, refuse_race=_refuse_race,
)
