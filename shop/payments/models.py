"""Transfer slips for PromptPay QR / bank-transfer payments (docs/product.md: Payment).

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

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.accounts.models import User
from shop.catalog.models import Enterprise
from shop.dbtypes import TimestampMixin, UTCDateTime, utcnow
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


# --- Payments through a provider (Stripe Checkout), refunds, provider events --------

PAYMENT_PENDING = "pending"
PAYMENT_SUCCEEDED = "succeeded"
PAYMENT_FAILED = "failed"
PAYMENT_EXPIRED = "expired"

REFUND_PENDING = "pending"
REFUND_SUCCEEDED = "succeeded"
REFUND_FAILED = "failed"


class Payment(TimestampMixin, db.Model):
    """One attempt to collect an order's total through a payment provider.

    For Stripe it is a Checkout Session (``provider_ref`` = ``cs_…``); the payment
    intent and charge ids arrive with the webhook events. PromptPay-QR orders paid by
    slip have no ``Payment`` row: the confirmed slip is their record.
    """

    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("provider", "provider_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(24))  # "stripe"
    status: Mapped[str] = mapped_column(String(16), default=PAYMENT_PENDING)
    amount_satang: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="thb")
    provider_ref: Mapped[str] = mapped_column(String(255))  # cs_…
    payment_intent_ref: Mapped[str | None] = mapped_column(String(255), index=True)  # pi_…
    charge_ref: Mapped[str | None] = mapped_column(String(255), index=True)  # ch_…
    method: Mapped[str | None] = mapped_column(String(24))  # card | promptpay, once known
    redirect_url: Mapped[str | None] = mapped_column(Text)
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failure_reason: Mapped[str | None] = mapped_column(Text)

    order: Mapped[Order] = relationship()


class Refund(TimestampMixin, db.Model):
    """Money given back for one fulfilment (full or partial).

    The row is written (``pending``) before the provider is called, and its
    ``idempotency_key`` is derived from the row, so a retry after a timeout sends the
    same key and the provider refunds once. Refunds of orders paid by slip are paid
    back by transfer and recorded by staff (``provider`` = "manual").
    """

    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    fulfilment_id: Mapped[int] = mapped_column(ForeignKey("fulfilments.id", ondelete="CASCADE"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id", ondelete="SET NULL"))
    provider: Mapped[str] = mapped_column(String(24))  # stripe | manual
    amount_satang: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=REFUND_PENDING)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    provider_ref: Mapped[str | None] = mapped_column(String(255), index=True)  # re_…
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_role: Mapped[str] = mapped_column(String(16))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failure_reason: Mapped[str | None] = mapped_column(Text)

    order: Mapped[Order] = relationship()


class ProviderEvent(db.Model):
    """A webhook event processed, recorded in the same transaction as its effect: an
    event id seen again is answered 200 and changes nothing."""

    __tablename__ = "provider_events"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(24))
    event_id: Mapped[str] = mapped_column(String(255))
    event_type: Mapped[str] = mapped_column(String(80))
    object_ref: Mapped[str | None] = mapped_column(String(255))
    outcome: Mapped[str | None] = mapped_column(String(80))  # what it did, for staff
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
