"""Booking as one unit of work with something the caller records alongside (the API's
``Idempotency-Key``): ``services.book`` runs inside this transaction (as a savepoint),
then ``before_commit(order)``, and both commit together or not at all, as checkout's
``place_order(..., before_commit=...)`` does for orders of goods."""

from __future__ import annotations

from collections.abc import Callable

from shop.database import transaction
from shop.experiences import services
from shop.orders.models import Order


def book_with(session_id: int, *, before_commit: Callable[[Order], None] | None = None, **booking) -> Order:
    """``services.book(session_id, **booking)`` and ``before_commit(order)`` in one
    transaction; raises what ``book`` raises, with nothing written."""
    with transaction():
        order = services.book(session_id, **booking)
        if before_commit is not None:
            before_commit(order)
    return order
