"""Ledger entries, payouts and payout batches.

Every entry belongs to one enterprise and carries a signed amount in satang: sales,
fees given back with a refund and clawbacks (money taken back from a connected
account, settling what a refund left owing) are positive; fees, refunds and payouts
negative. An enterprise's balance is the sum of its entries, never a stored figure.
``entry_key`` names the business fact an entry records ("sale:f42", "fee:f42",
"refund:r7" …) and is unique, so processing the same fact twice (a webhook retried, a
command run twice) cannot post it twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.catalog.models import Enterprise
from shop.dbtypes import TimestampMixin, UTCDateTime, utcnow
from shop.extensions import db

ENTRY_SALE = "sale"
ENTRY_FEE = "fee"
ENTRY_REFUND = "refund"
ENTRY_FEE_REFUND = "fee_refund"  # the platform's fee given back with a refund
ENTRY_CLAWBACK = "clawback"  # money taken back from a connected account after a refund
ENTRY_PAYOUT = "payout"
ENTRY_KINDS = (ENTRY_SALE, ENTRY_FEE, ENTRY_REFUND, ENTRY_FEE_REFUND, ENTRY_CLAWBACK, ENTRY_PAYOUT)

PAYOUT_PENDING = "pending"
PAYOUT_PAID = "paid"
PAYOUT_FAILED = "failed"
PAYOUT_STRIPE_CONNECT = "stripe_connect"
PAYOUT_BANK_TRANSFER = "bank_transfer"
PAYOUT_PROMPTPAY = "promptpay"

BATCH_OPEN = "open"
BATCH_PAID = "paid"


class LedgerEntry(db.Model):
    __tablename__ = "ledger_entries"
    __table_args__ = (
        Index("ix_ledger_entries_enterprise_created", "enterprise_id", "created_at"),
        # The impact figures sum each enterprise's income entries from this index alone.
        Index("ix_ledger_entries_enterprise_kind_amount", "enterprise_id", "kind", "amount_satang"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    amount_satang: Mapped[int] = mapped_column(Integer)  # signed
    entry_key: Mapped[str] = mapped_column(String(80), unique=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"), index=True)
    fulfilment_id: Mapped[int | None] = mapped_column(ForeignKey("fulfilments.id", ondelete="SET NULL"))
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id", ondelete="SET NULL"))
    payout_id: Mapped[int | None] = mapped_column(ForeignKey("payouts.id", ondelete="SET NULL"))
    memo: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    enterprise: Mapped[Enterprise] = relationship()


class PayoutBatch(TimestampMixin, db.Model):
    """Payouts staff pay together by bank transfer or PromptPay, then record as paid."""

    __tablename__ = "payout_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=BATCH_OPEN)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)

    payouts: Mapped[list[Payout]] = relationship(back_populates="batch", order_by="Payout.id")


class Payout(TimestampMixin, db.Model):
    """Money sent to one enterprise: a Stripe Connect transfer, or a line of a batch."""

    __tablename__ = "payouts"
    __table_args__ = (Index("ix_payouts_enterprise_created", "enterprise_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    method: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16), default=PAYOUT_PENDING)
    amount_satang: Mapped[int] = mapped_column(Integer)
    # Deterministic: "transfer-<order public id>-<enterprise id>" for Connect transfers.
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("payout_batches.id", ondelete="SET NULL"), index=True)
    provider_ref: Mapped[str | None] = mapped_column(String(255))  # tr_…
    reference: Mapped[str | None] = mapped_column(String(120))  # bank / PromptPay reference staff typed
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failure_reason: Mapped[str | None] = mapped_column(Text)

    enterprise: Mapped[Enterprise] = relationship()
    batch: Mapped[PayoutBatch | None] = relationship(back_populates="payouts")
