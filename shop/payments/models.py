"""Transfer slips for PromptPay QR / bank-transfer payments (PRODUCT.md §6).

A slip is an image the buyer uploads after paying; staff (or the enterprise, when the
money went to its own PromptPay ID) confirm or reject it. ``content_sha256`` is the
hash of the uploaded file and ``pixel_sha256`` of its decoded pixels: both are unique,
so the same slip, even re-saved under another name or format, cannot pay twice.

``payee_enterprise_id`` and ``payee_promptpay_id`` record whom the buyer was asked to
pay when the slip came in (``promptpay.payee_for``): the enterprise's members review
only slips paid to their own PromptPay ID, and a later change of that ID does not move
an old slip to another reviewer.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.accounts.models import User
from shop.catalog.models import Enterprise
from shop.dbtypes import TimestampMixin, UTCDateTime
from shop.extensions import db
from shop.orders.models import Order

SLIP_SUBMITTED = "submitted"
SLIP_CONFIRMED = "confirmed"
SLIP_REJECTED = "rejected"


class PaymentSlip(TimestampMixin, db.Model):
    __tablename__ = "payment_slips"
    __table_args__ = (
        Index("ix_payment_slips_status_created", "status", "created_at"),
        Index("ix_payment_slips_payee_status", "payee_enterprise_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    image_key: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    content_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    pixel_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=SLIP_SUBMITTED)
    amount_satang: Mapped[int] = mapped_column(Integer)  # the order total it was uploaded for
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reject_reason: Mapped[str | None] = mapped_column(Text)
    # Whom the buyer was asked to pay: an enterprise (None: the platform) and its ID.
    payee_enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id", ondelete="SET NULL"))
    payee_promptpay_id: Mapped[str | None] = mapped_column(String(13))

    order: Mapped[Order] = relationship()
    payee_enterprise: Mapped[Enterprise | None] = relationship()
    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
