"""Move listings and enterprises in tests the way people do: through the engine
(``shop/statemachine.py``), each step by a role the machine's table allows."""

from __future__ import annotations

from shop import roles
from shop import statemachine as sm
from shop.catalog import status
from shop.catalog.listing_status import LISTINGS
from shop.sellers.services import ENTERPRISES

_M, _S = roles.ENTERPRISE_MEMBER, roles.PROGRAMME_STAFF

# (from, to) → the steps (to, role) that get there.
_LISTING_PATHS = {
    (status.DRAFT, status.PENDING_REVIEW): [(status.PENDING_REVIEW, _M)],
    (status.DRAFT, status.LIVE): [(status.PENDING_REVIEW, _M), (status.LIVE, _S)],
    (status.PENDING_REVIEW, status.LIVE): [(status.LIVE, _S)],
    (status.LIVE, status.PAUSED): [(status.PAUSED, _S)],
    (status.PAUSED, status.LIVE): [(status.LIVE, _M)],
}


def move_listing(product, to_status: str, *, actor=None) -> None:
    """Walk ``product`` to ``to_status`` (archiving is one step from anywhere); no commit."""
    if to_status == status.ARCHIVED:
        steps = [(status.ARCHIVED, _M)]
    else:
        steps = _LISTING_PATHS[(product.status, to_status)]
    for target, role in steps:
        sm.transition(LISTINGS, product, target, actor=actor, role=role, reason="test")


def suspend_enterprise(enterprise, *, actor=None) -> None:
    """Staff suspend an approved enterprise; no commit."""
    sm.transition(ENTERPRISES, enterprise, status.ENTERPRISE_SUSPENDED, actor=actor, role=_S, reason="test")
