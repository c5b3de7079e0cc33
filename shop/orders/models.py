"""Orders (docs/product.md: Orders): one order and one payment per checkout, split into
one fulfilment per enterprise (and one per experience booking), each with its lines,
shipping and status.

Lines copy the name, SKU and price at the time of the order, so later listing edits
never rewrite what a buyer bought. Every status change of an order or a fulfilment is
a ``StatusChange`` row (who, when, from, to, why): the timeline on the order pages.
Money is integer satang.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.accounts.models import User
from shop.catalog.models import Enterprise, Variant
from shop.dbtypes import TimestampMixin, UTCDateTime, utcnow
from shop.extensions import db
from shop.orders import status as st


class AddressFields:
    """A Thai postal address: recipient, phone, line, subdistrict, district,
    province (TIS 1099 code) and a 5-digit postcode that belongs to that province."""

    recipient_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20))
    address_line: Mapped[str] = mapped_column(String(300))
    subdistrict: Mapped[str] = mapped_column(String(120))
    district: Mapped[str] = mapped_column(String(120))
    province_code: Mapped[str] = mapped_column(String(2))
    postcode: Mapped[str] = mapped_column(String(5))


class SavedAddress(AddressFields, TimestampMixin, db.Model):
    """An address a signed-in user keeps for later checkouts."""

    __tablename__ = "saved_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str | None] = mapped_column(String(60))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship()


class ShippingOption(TimestampMixin, db.Model):
    """One way an enterprise ships (or hands over) its goods.

    ``kind`` is flat, weight or pickup. The fee is ``base_fee_satang`` plus, for
    ``weight``, ``per_kg_satang`` for each started kilogram. ``free_above_satang``, when
    set, makes the option free once the enterprise's part of the order reaches it.
    """

    __tablename__ = "shipping_options"
    __table_args__ = (
        CheckConstraint("base_fee_satang >= 0", name="base_fee_not_negative"),
        CheckConstraint("per_kg_satang >= 0", name="per_kg_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default=st.SHIPPING_FLAT)
    name_th: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(120))
    base_fee_satang: Mapped[int] = mapped_column(Integer, default=0)
    per_kg_satang: Mapped[int] = mapped_column(Integer, default=0)
    free_above_satang: Mapped[int | None] = mapped_column(Integer)
    delivery_days: Mapped[int | None] = mapped_column(Integer)
    pickup_note_th: Mapped[str | None] = mapped_column(String(300))  # where and when to collect
    pickup_note_en: Mapped[str | None] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    enterprise: Mapped[Enterprise] = relationship()

    def t(self, field: str, locale: str = "th") -> str:
        value = getattr(self, f"{field}_{locale}", None) if locale in ("th", "en") else None
        return value or getattr(self, f"{field}_th") or ""


class Order(AddressFields, TimestampMixin, db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_status_expires", "status", "expires_at"),
        Index("ix_orders_user_created", "user_id", "created_at"),
        CheckConstraint("total_satang >= 0", name="order_total_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What buyers, links and receipts show: not guessable, unlike ``id``.
    public_id: Mapped[str] = mapped_column(String(16), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(5), default="th")
    channel: Mapped[str] = mapped_column(String(16), default=st.CHANNEL_ONLINE)  # online | wholesale
    status: Mapped[str] = mapped_column(String(24), default=st.ORDER_PENDING_PAYMENT)
    payment_method: Mapped[str] = mapped_column(String(24), default=st.PAYMENT_PROMPTPAY_QR)
    subtotal_satang: Mapped[int] = mapped_column(Integer, default=0)
    shipping_satang: Mapped[int] = mapped_column(Integer, default=0)
    total_satang: Mapped[int] = mapped_column(Integer, default=0)
    refunded_satang: Mapped[int] = mapped_column(Integer, default=0)
    # Unpaid orders hold stock until then; None once paid, cancelled or while a slip
    # waits for review.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    buyer_note: Mapped[str | None] = mapped_column(String(500))
    po_number: Mapped[str | None] = mapped_column(String(64))  # retail buyers may give one
    # Business buyer's details for tax invoices, copied from the retail-buyer account.
    buyer_company: Mapped[str | None] = mapped_column(String(200))
    buyer_tax_id: Mapped[str | None] = mapped_column(String(13))
    buyer_branch: Mapped[str | None] = mapped_column(String(100))

    user: Mapped[User | None] = relationship()
    fulfilments: Mapped[list[Fulfilment]] = relationship(
        back_populates="order", order_by="Fulfilment.id", cascade="all, delete-orphan"
    )
    lines: Mapped[list[OrderLine]] = relationship(back_populates="order", order_by="OrderLine.id", viewonly=True)
    status_changes: Mapped[list[StatusChange]] = relationship(
        back_populates="order", order_by="StatusChange.id", cascade="all, delete-orphan"
    )

    @property
    def is_unpaid(self) -> bool:
        return self.status == st.ORDER_PENDING_PAYMENT

    def __repr__(self) -> str:
        return f"<Order {self.public_id} {self.status}>"


class Fulfilment(TimestampMixin, db.Model):
    """One enterprise's part of an order: its lines, shipping and delivery status. An
    enterprise usually has one part in an order; a booking of one of its experiences
    is a part of its own (picked up at the meeting point), beside its products' part."""

    __tablename__ = "fulfilments"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "document_no"),
        Index("ix_fulfilments_enterprise_status", "enterprise_id", "status"),
        Index("ix_fulfilments_enterprise_created", "enterprise_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    status: Mapped[str] = mapped_column(String(16), default=st.FULFILMENT_NEW)
    shipping_option_id: Mapped[int | None] = mapped_column(ForeignKey("shipping_options.id", ondelete="SET NULL"))
    shipping_kind: Mapped[str] = mapped_column(String(16), default=st.SHIPPING_FLAT)
    shipping_name: Mapped[str] = mapped_column(String(120))
    shipping_satang: Mapped[int] = mapped_column(Integer, default=0)
    subtotal_satang: Mapped[int] = mapped_column(Integer, default=0)
    total_satang: Mapped[int] = mapped_column(Integer, default=0)
    # Refunded to the buyer, or owed back after this paid part was cancelled (a refund
    # in shop/payments/refunds.py then pays that debt).
    refunded_satang: Mapped[int] = mapped_column(Integer, default=0)
    # Set once the held units went back to stock (lapse or cancellation).
    stock_released: Mapped[bool] = mapped_column(Boolean, default=False)
    carrier: Mapped[str | None] = mapped_column(String(40))
    tracking_number: Mapped[str | None] = mapped_column(String(64))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # Receipt / tax-invoice number, given once, in sequence per enterprise, when paid.
    document_no: Mapped[str | None] = mapped_column(String(32))
    # The enterprise's name, address and tax ID as they were when the number was
    # given: an issued receipt or tax invoice never changes with a later profile edit.
    issuer: Mapped[dict | None] = mapped_column(JSON)

    order: Mapped[Order] = relationship(back_populates="fulfilments")
    enterprise: Mapped[Enterprise] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="fulfilment", order_by="OrderLine.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Fulfilment {self.id} order={self.order_id} {self.status}>"


class OrderLine(db.Model):
    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity >= 1", name="line_quantity_positive"),
        CheckConstraint("unit_price_satang >= 0", name="line_price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    fulfilment_id: Mapped[int] = mapped_column(ForeignKey("fulfilments.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variants.id", ondelete="SET NULL"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    product_name_th: Mapped[str] = mapped_column(String(200))
    product_name_en: Mapped[str | None] = mapped_column(String(200))
    variant_name_th: Mapped[str] = mapped_column(String(120))
    variant_name_en: Mapped[str | None] = mapped_column(String(120))
    unit_price_satang: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    line_total_satang: Mapped[int] = mapped_column(Integer)
    weight_grams: Mapped[int] = mapped_column(Integer, default=0)  # per unit

    order: Mapped[Order] = relationship(back_populates="lines", viewonly=True)
    fulfilment: Mapped[Fulfilment] = relationship(back_populates="lines")
    variant: Mapped[Variant | None] = relationship()

    def t(self, field: str, locale: str = "th") -> str:
        """``product_name`` or ``variant_name`` as bought, in ``locale`` (Thai when
        there is no English)."""
        return (getattr(self, f"{field}_en") if locale == "en" else None) or getattr(self, f"{field}_th")

    def name(self, locale: str = "th") -> str:
        product, variant = self.t("product_name", locale), self.t("variant_name", locale)
        return f"{product} — {variant}" if variant else product


class StatusChange(db.Model):
    """One step on an order's or a fulfilment's timeline."""

    __tablename__ = "order_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    fulfilment_id: Mapped[int | None] = mapped_column(ForeignKey("fulfilments.id", ondelete="CASCADE"), index=True)
    machine: Mapped[str] = mapped_column(String(16))  # "order" | "fulfilment"
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_role: Mapped[str] = mapped_column(String(16))  # buyer | seller | staff | system
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    order: Mapped[Order] = relationship(back_populates="status_changes")
    actor: Mapped[User | None] = relationship()


class DocumentCounter(db.Model):
    """The last receipt / tax-invoice number used by each enterprise, per year.

    Thai tax invoices need an unbroken sequence; the counter row is bumped with a
    conditional UPDATE inside the payment's transaction.
    """

    __tablename__ = "document_counters"
    __table_args__ = (UniqueConstraint("enterprise_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


st.use_models(order=Order, fulfilment=Fulfilment, status_change=StatusChange)
