"""Reviews: one per bought item (an order line), with the rating, the buyer's words,
the enterprise's one reply and the staff's decision to hide it.

A review is ``visible`` or ``hidden`` (``machines.REVIEWS``); only visible reviews are
shown and counted in the product's ``rating_sum`` / ``rating_count``.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.accounts.models import User
from shop.catalog.models import Product
from shop.dbtypes import TimestampMixin, UTCDateTime
from shop.extensions import db
from shop.orders.models import OrderLine

VISIBLE = "visible"
HIDDEN = "hidden"
STATUSES = (VISIBLE, HIDDEN)

MIN_RATING = 1
MAX_RATING = 5
TITLE_MAX = 120
BODY_MAX = 2000
REPLY_MAX = 1000
REASON_MAX = 500


class Review(TimestampMixin, db.Model):
    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("rating >= 1 AND rating <= 5", name="review_rating_range"),
        # The product page: its visible reviews, newest first.
        Index("ix_reviews_product_status_created", "product_id", "status", "created_at", "id"),
        # The seller's list: its enterprise's reviews, newest first.
        Index("ix_reviews_enterprise_created", "enterprise_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # One review per bought item: the order line it is about (which names the order,
    # and so the buyer).
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    rating: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(TITLE_MAX))
    body: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=VISIBLE)
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    reply_body: Mapped[str | None] = mapped_column(Text)
    reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reply_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    product: Mapped[Product] = relationship()
    line: Mapped[OrderLine] = relationship()

    @property
    def is_visible(self) -> bool:
        return self.status == VISIBLE

    @property
    def author_name(self) -> str:
        return short_name(self.user.display_name if self.user is not None else "")

    def variant_name(self, locale: str = "th") -> str:
        return self.line.t("variant_name", locale) if self.line is not None else ""


def short_name(display_name: str) -> str:
    """"Somchai Kaewmanee" → "Somchai K.": the first word and the first letter of the
    last, so a review never shows a buyer's full name. One word is kept as it is."""
    # "คุณนภา ใจงาม (Napa Jaingam)": the name in brackets is another spelling of it.
    words = re.sub(r"\s*\(.*\)\s*$", "", display_name or "").split() or (display_name or "").split()
    if not words:
        return "—"
    if len(words) == 1:
        return words[0]
    # A Thai surname is shortened to its first consonant: the vowels written before
    # it (เ แ โ ใ ไ) are skipped, "ใจดี" → "จ.".
    last = words[-1].lstrip("\u0e40\u0e41\u0e42\u0e43\u0e44") or words[-1]
    return f"{words[0]} {last[0]}."
