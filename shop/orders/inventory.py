"""Stock held by orders: taken when an order is placed, given back once when an
unpaid order lapses or any order is cancelled before shipping.

Taking stock is one conditional UPDATE per variant,
``UPDATE variants SET stock = stock - :n WHERE id = :id AND stock >= :n``, checked by
its row count. On PostgreSQL the row lock of the UPDATE serialises racing buyers and
the ``WHERE`` re-reads the committed stock, so the last units go to exactly one of
them; on SQLite the write transaction began with ``BEGIN IMMEDIATE`` (see
``shop.database``), so buyers queue. Neither database is ever asked to go below zero
(the ``stock_not_negative`` CHECK is a second line, not the mechanism).

Giving stock back is per fulfilment, guarded by ``fulfilments.stock_released``, flipped
with a conditional UPDATE, so a lapse racing a cancellation returns the units once.

Both record in the catalogue's change log that the products' pages changed (their
stock shows there; the page cache follows the log, docs/caching.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update

from shop.catalog.models import Variant
from shop.errors import Conflict
from shop.extensions import db
from shop.hooks import Hook
from shop.orders.models import Fulfilment
from shop.search.outbox import enqueue_variant_pages

#: ``(fulfilment) -> None``: a fulfilment's hold is given back (lapse or cancellation),
#: once, in the caller's transaction; what the areas above hold for it goes back too
#: (experiences: the seats of a booking).
stock_released = Hook("orders.stock_released")


class OutOfStock(Conflict):
    """Not enough stock left for a line; ``variant_id`` names it."""

    code = "out_of_stock"
    default_message = _l("Sorry, there is not enough stock left for this item.")

    def __init__(self, message=None, *, variant_id: int, available: int | None = None):
        super().__init__(message)
        self.variant_id = variant_id
        self.available = available


_variants = Variant.__table__
# A plain UPDATE of the table (its ``updated_at`` set by the column's own ``onupdate``):
# the ORM has nothing to synchronise. Built once; each line passes its values.
_TAKE = (update(_variants)
         .where(_variants.c.id == bindparam("variant_id"), _variants.c.stock >= bindparam("quantity"))
         .values(stock=_variants.c.stock - bindparam("quantity")))
_STOCK_OF = select(_variants.c.stock).where(_variants.c.id == bindparam("variant_id"))


def take_stock(quantities: Iterable[tuple[int, int]]) -> None:
    """Take ``quantity`` units of each ``variant_id`` in the caller's transaction.

    Variants are updated in id order so two orders for the same variants cannot
    deadlock on PostgreSQL. Raises ``OutOfStock`` for the first line that cannot be
    served; the caller rolls back, which returns anything taken before it.
    """
    merged: dict[int, int] = {}
    for variant_id, quantity in quantities:
        if quantity <= 0:
            raise ValueError("quantities must be positive")
        merged[variant_id] = merged.get(variant_id, 0) + quantity
    for variant_id in sorted(merged):
        result = db.session.execute(_TAKE, {"variant_id": variant_id, "quantity": merged[variant_id]})
        if result.rowcount != 1:
            available = db.session.scalar(_STOCK_OF, {"variant_id": variant_id})
            raise OutOfStock(variant_id=variant_id, available=available)
    enqueue_variant_pages(db.session, merged)
    _expire_variants(merged)


def release_fulfilment_stock(fulfilment) -> bool:
    """Give one fulfilment's units back, once. True if this call released them.

    ``fulfilments.stock_released`` is flipped with a conditional UPDATE, so a lapse
    racing a cancellation (or a retried command) returns the units exactly once.
    """
    from sqlalchemy.orm.attributes import set_committed_value

    result = db.session.execute(
        update(Fulfilment)
        .where(Fulfilment.id == fulfilment.id, Fulfilment.stock_released.is_(False))
        .values(stock_released=True)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    set_committed_value(fulfilment, "stock_released", True)
    stock_released(fulfilment)
    merged: dict[int, int] = {}
    for line in fulfilment.lines:
        if line.variant_id is not None:
            merged[line.variant_id] = merged.get(line.variant_id, 0) + line.quantity
    for variant_id in sorted(merged):
        db.session.execute(
            update(Variant)
            .where(Variant.id == variant_id)
            .values(stock=Variant.stock + merged[variant_id])
            .execution_options(synchronize_session=False)
        )
    enqueue_variant_pages(db.session, merged)
    _expire_variants(merged)
    return True


def _expire_variants(variant_ids: Iterable[int]) -> None:
    """Make loaded ``Variant`` objects re-read the stock the UPDATEs changed."""
    ids = set(variant_ids)
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Variant) and obj.id in ids:
            db.session.expire(obj, ["stock"])
