"""The capacities people (and the shop itself) act in when they change a status.

One name per capacity, used by every transition table (``shop/statemachine.py``):

* ``BUYER``: the person who placed the order.
* ``ENTERPRISE_MEMBER``: a member (owner or staff) of the enterprise the row belongs
  to, acting for it: the seller. The enterprise's own "staff" members act as this.
* ``PROGRAMME_STAFF``: the marketplace's back office (``User.is_staff``).
* ``MENTOR``: a partner organisation's mentor coaching the enterprise: reads its seller
  pages, ticks the track's checklist items, writes coaching notes; changes nothing else.
* ``SYSTEM``: the shop acting on its own: the sweeper, payment-provider webhooks,
  the bookkeeping that follows another change.

The stored values are the ones the order timeline has always recorded.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

BUYER = "buyer"
ENTERPRISE_MEMBER = "seller"
PROGRAMME_STAFF = "staff"
MENTOR = "mentor"
SYSTEM = "system"
ROLES = (BUYER, ENTERPRISE_MEMBER, PROGRAMME_STAFF, MENTOR, SYSTEM)

LABELS = {
    BUYER: _l("Buyer"),
    ENTERPRISE_MEMBER: _l("Enterprise"),
    PROGRAMME_STAFF: _l("Marketplace staff"),
    MENTOR: _l("Mentor"),
    SYSTEM: _l("Automatic"),
}


def label(role: str):
    return LABELS.get(role, role)
