"""Stored carts of signed-in users (guests keep theirs in the session).

``price_seen_satang`` is the unit price the buyer saw when the line was added or last
confirmed: the cart compares it with today's price to explain a change instead of
silently charging another amount.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.accounts.models import User
from shop.catalog.models import Variant
from shop.dbtypes import UTCDateTime, utcnow
from shop.extensions import db


class CartItem(db.Model):
    __tablename__ = "cart_items"
    __table_args__ = (
        UniqueConstraint("user_id", "variant_id"),
        CheckConstraint("quantity >= 1", name="cart_quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    quantity: Mapped[int] = mapped_column(Integer)
    price_seen_satang: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()
    variant: Mapped[Variant] = relationship()


class CartBooking(db.Model):
    """Seats on an experience session waiting in a signed-in user's cart, booked with
    the rest of the cart at checkout. The session is named by id only: the experiences
    area prices and places it (``cart.services.booking_lines``, ``place_bookings``)."""

    __tablename__ = "cart_bookings"
    __table_args__ = (
        UniqueConstraint("user_id", "session_id"),
        CheckConstraint("adults >= 0 AND children >= 0 AND adults + children >= 1", name="cart_booking_seats"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("experience_sessions.id", ondelete="CASCADE"))
    adults: Mapped[int] = mapped_column(Integer)
    children: Mapped[int] = mapped_column(Integer, default=0)
    price_seen_satang: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
