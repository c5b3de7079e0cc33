"""What the API keeps for itself: the ``Idempotency-Key`` of each order it created."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shop.dbtypes import UTCDateTime, utcnow
from shop.extensions import db


class IdempotencyKey(db.Model):
    """An order created through the API under a client's ``Idempotency-Key``.

    Written in the same transaction as the order, so a key either names a committed
    order or nothing: a retry after a lost answer, or a second request racing the
    first, gets that order back instead of a second one. ``request_hash`` is the
    digest of the request body: the same key with a different body is refused.
    """

    __tablename__ = "api_idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
