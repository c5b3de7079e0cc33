"""Catalogue tables for listings: the record of each listing status change and the
per-product food flag.

* ``ListingStatusChange``: who moved a product from which status to which, when and
  why (``shop.catalog.listing_status.transition_product`` writes every row).
* ``ProductListingSettings``: whether a product is food. Absent (or ``is_food`` None)
  means "as its category says" (``Category.is_food``); a row records the seller's
  choice when it differs. Food needs a Thai FDA number to be retail-ready
  (docs/product.md: Expansion track).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.accounts.models import User
from shop.catalog.models import Product
from shop.dbtypes import UTCDateTime, utcnow
from shop.extensions import db


class ListingStatusChange(db.Model):
    """One change of a product's listing status."""

    __tablename__ = "listing_status_changes"
    __table_args__ = (Index("ix_listing_status_changes_product_created", "product_id", "created_at"),)

    ROLE_MEMBER = "member"
    ROLE_STAFF = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    # The capacity the actor acted in: a staff member who also belongs to the
    # enterprise is recorded as "member" for a member's move, "staff" for a review.
    actor_role: Mapped[str] = mapped_column(String(8))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    product: Mapped[Product] = relationship()
    actor: Mapped[User | None] = relationship()


class ProductListingSettings(db.Model):
    """Listing choices that the catalogue model leaves open (one row per product at most)."""

    __tablename__ = "product_listing_settings"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    is_food: Mapped[bool | None] = mapped_column(Boolean)

    product: Mapped[Product] = relationship()
