"""A request for quote, the enterprise's answer on the same row, and the messages
written on it. Money is integer satang; ``valid_until`` and ``delivery_date`` are
calendar dates in Bangkok."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.accounts.models import User
from shop.catalog.models import Enterprise, Variant
from shop.dbtypes import UTCDateTime, utcnow
from shop.extensions import db

REQUESTED = "requested"
QUOTED = "quoted"
ACCEPTED = "accepted"
DECLINED = "declined"
EXPIRED = "expired"
WITHDRAWN = "withdrawn"
STATUSES = (REQUESTED, QUOTED, ACCEPTED, DECLINED, EXPIRED, WITHDRAWN)
#: Still waiting for someone: the enterprise (requested) or the buyer (quoted).
OPEN_STATUSES = (REQUESTED, QUOTED)


class QuoteRequest(db.Model):
    """One buyer's request to one enterprise for one variant, and the quote given."""

    __tablename__ = "quote_requests"
    __table_args__ = (
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        CheckConstraint("target_unit_satang IS NULL OR target_unit_satang >= 1", name="target_positive"),
        CheckConstraint("quoted_quantity IS NULL OR quoted_quantity >= 1", name="quoted_quantity_positive"),
        CheckConstraint("quoted_unit_satang IS NULL OR quoted_unit_satang >= 1", name="quoted_unit_positive"),
        CheckConstraint("quoted_shipping_satang IS NULL OR quoted_shipping_satang >= 0",
                        name="quoted_shipping_not_negative"),
        Index("ix_quote_requests_enterprise_status", "enterprise_id", "status", "id"),
        Index("ix_quote_requests_buyer", "buyer_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=REQUESTED)
    # What the buyer asked for.
    quantity: Mapped[int] = mapped_column(Integer)
    target_unit_satang: Mapped[int | None] = mapped_column(Integer)
    delivery_date: Mapped[date] = mapped_column(Date)
    message: Mapped[str] = mapped_column(Text)
    # The enterprise's quote (set when quoted, replaced when revised).
    quoted_unit_satang: Mapped[int | None] = mapped_column(Integer)
    quoted_quantity: Mapped[int | None] = mapped_column(Integer)
    quoted_shipping_satang: Mapped[int | None] = mapped_column(Integer)
    valid_until: Mapped[date | None] = mapped_column(Date)
    lead_time_days: Mapped[int | None] = mapped_column(Integer)
    quote_note: Mapped[str | None] = mapped_column(Text)
    quoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    quoted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decline_reason: Mapped[str | None] = mapped_column(Text)
    # The order the accepted quote placed.
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    buyer: Mapped[User] = relationship(foreign_keys=[buyer_id])
    enterprise: Mapped[Enterprise] = relationship()
    variant: Mapped[Variant] = relationship()
    messages: Mapped[list[QuoteMessage]] = relationship(
        back_populates="request", order_by="QuoteMessage.id", cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def reference(self) -> str:
        return f"RFQ-{self.id}"

    @property
    def quoted_subtotal_satang(self) -> int:
        return int(self.quoted_unit_satang or 0) * int(self.quoted_quantity or 0)

    @property
    def quoted_total_satang(self) -> int:
        return self.quoted_subtotal_satang + int(self.quoted_shipping_satang or 0)


class QuoteMessage(db.Model):
    """A message on a request, by the buyer or by a member of the enterprise."""

    __tablename__ = "quote_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("quote_requests.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_role: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    request: Mapped[QuoteRequest] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()
