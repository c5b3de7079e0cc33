"""Credit terms, invoices, their payments and reminders (docs/payments.md: Invoice).

* ``buyer_credit_terms``: one row per retail buyer's user, set by staff (who, when):
  net days (0 = no terms) and the credit limit in satang.
* ``invoices``: one per order paid on invoice: its number (``BL2026-000042``, one
  sequence per year, ``invoice_counters``), issue and due dates, and ``paid_satang``,
  the sum of its confirmed payments, moved only by a conditional UPDATE that keeps it
  within the order's total (two staff recording at once cannot both count).
* ``invoice_payments``: a slip the buyer sent (submitted → confirmed | rejected) or a
  transfer staff recorded (confirmed when written).
* ``invoice_reminders``: which reminder went out for which invoice (each once).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.accounts.models import User
from shop.dbtypes import TimestampMixin, UTCDateTime, utcnow
from shop.extensions import db
from shop.orders.models import Order

NET_TERMS = (7, 15, 30, 60)  # days; 0 means no terms

PAYMENT_SLIP = "slip"
PAYMENT_TRANSFER = "transfer"
PAYMENT_KINDS = (PAYMENT_SLIP, PAYMENT_TRANSFER)

PAYMENT_SUBMITTED = "submitted"
PAYMENT_CONFIRMED = "confirmed"
PAYMENT_REJECTED = "rejected"
PAYMENT_STATUSES = (PAYMENT_SUBMITTED, PAYMENT_CONFIRMED, PAYMENT_REJECTED)


class BuyerCreditTerms(db.Model):
    __tablename__ = "buyer_credit_terms"
    __table_args__ = (
        CheckConstraint("net_days IN (0, 7, 15, 30, 60)", name="credit_terms_net_days"),
        CheckConstraint("credit_limit_satang >= 0", name="credit_limit_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    net_days: Mapped[int] = mapped_column(Integer, default=0)
    credit_limit_satang: Mapped[int] = mapped_column(Integer, default=0)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    set_by: Mapped[User | None] = relationship(foreign_keys=[set_by_id])

    @property
    def active(self) -> bool:
        return self.net_days > 0


class InvoiceCounter(db.Model):
    """The last invoice number used, per year (``orders.documents.next_in_sequence``)."""

    __tablename__ = "invoice_counters"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Invoice(TimestampMixin, db.Model):
    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint("paid_satang >= 0", name="invoice_paid_not_negative"),
        Index("ix_invoices_user_due", "user_id", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    number: Mapped[str] = mapped_column(String(20), unique=True)
    net_days: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_on: Mapped[date] = mapped_column(Date())  # Bangkok date
    due_on: Mapped[date] = mapped_column(Date())
    paid_satang: Mapped[int] = mapped_column(Integer, default=0)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    order: Mapped[Order] = relationship()
    user: Mapped[User | None] = relationship()
    payments: Mapped[list[InvoicePayment]] = relationship(
        back_populates="invoice", order_by="InvoicePayment.id", cascade="all, delete-orphan"
    )

    @property
    def total_satang(self) -> int:
        return self.order.total_satang

    @property
    def due_satang(self) -> int:
        return max(self.order.total_satang - self.paid_satang, 0)


class InvoicePayment(TimestampMixin, db.Model):
    __tablename__ = "invoice_payments"
    __table_args__ = (
        CheckConstraint("amount_satang > 0", name="invoice_payment_positive"),
        Index("ix_invoice_payments_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # slip | transfer
    status: Mapped[str] = mapped_column(String(16), default=PAYMENT_SUBMITTED)
    amount_satang: Mapped[int] = mapped_column(Integer)
    paid_on: Mapped[date | None] = mapped_column(Date())
    reference: Mapped[str | None] = mapped_column(String(64))
    # Slips: the private image and the file's hash (the same file cannot pay twice).
    image_key: Mapped[str | None] = mapped_column(String(64))
    content_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reject_reason: Mapped[str | None] = mapped_column(Text)

    invoice: Mapped[Invoice] = relationship(back_populates="payments")
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])


class InvoiceReminder(db.Model):
    __tablename__ = "invoice_reminders"
    __table_args__ = (UniqueConstraint("invoice_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
