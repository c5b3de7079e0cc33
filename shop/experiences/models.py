"""Experiences, their sessions and the bookings on them.

A session's seats are held like stock: ``seats_left`` goes down with one conditional
UPDATE when a booking is placed and comes back once when its order lapses or is
cancelled (``Booking.seats_released``). A booking belongs to an order's fulfilment for
the hosting enterprise, so payment, receipts, the ledger and refunds are the orders'.
Dates and times of sessions are Thailand's local time (no daylight saving).
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.catalog.models import Enterprise
from shop.dbtypes import TimestampMixin, UTCDateTime
from shop.extensions import db
from shop.orders.models import Fulfilment, Order


class Experience(TimestampMixin, db.Model):
    __tablename__ = "experiences"
    __table_args__ = (
        CheckConstraint("price_satang >= 0", name="experience_price_not_negative"),
        CheckConstraint("duration_minutes > 0", name="experience_duration_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title_th: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    description_th: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    # The meeting point.
    village: Mapped[str] = mapped_column(String(120))
    subdistrict: Mapped[str] = mapped_column(String(120))
    district: Mapped[str] = mapped_column(String(120))
    province_code: Mapped[str] = mapped_column(String(2))
    postcode: Mapped[str] = mapped_column(String(5))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    included_th: Mapped[str | None] = mapped_column(Text)
    included_en: Mapped[str | None] = mapped_column(Text)
    languages: Mapped[str] = mapped_column(String(40), default="th")  # codes, comma-separated
    accessibility_th: Mapped[str | None] = mapped_column(Text)
    accessibility_en: Mapped[str | None] = mapped_column(Text)
    price_satang: Mapped[int] = mapped_column(Integer)  # per adult
    child_price_satang: Mapped[int | None] = mapped_column(Integer)
    group_price_satang: Mapped[int | None] = mapped_column(Integer)  # per person from group_min_size
    group_min_size: Mapped[int | None] = mapped_column(Integer)
    cancellation_policy: Mapped[str] = mapped_column(String(16), default="flexible")
    is_published: Mapped[bool] = mapped_column(Boolean, default=False)

    enterprise: Mapped[Enterprise] = relationship()
    photos: Mapped[list[ExperiencePhoto]] = relationship(
        back_populates="experience", order_by="[ExperiencePhoto.position, ExperiencePhoto.id]",
        cascade="all, delete-orphan")
    sessions: Mapped[list[ExperienceSession]] = relationship(
        back_populates="experience", order_by="[ExperienceSession.day, ExperienceSession.start_time]",
        cascade="all, delete-orphan")

    def t(self, field: str, locale: str = "th") -> str:
        value = getattr(self, f"{field}_en", None) if locale == "en" else None
        return value or getattr(self, f"{field}_th") or ""

    @property
    def language_codes(self) -> list[str]:
        return [code for code in (self.languages or "").split(",") if code]


class ExperiencePhoto(db.Model):
    """A photo of an experience, stored at every size by ``catalog.images`` under the
    ``experiences`` folder."""

    __tablename__ = "experience_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    experience_id: Mapped[int] = mapped_column(ForeignKey("experiences.id", ondelete="CASCADE"), index=True)
    image_key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)

    experience: Mapped[Experience] = relationship(back_populates="photos")


class ExperienceSession(TimestampMixin, db.Model):
    __tablename__ = "experience_sessions"
    __table_args__ = (
        UniqueConstraint("experience_id", "day", "start_time"),
        CheckConstraint("seats_left >= 0", name="session_seats_not_negative"),
        CheckConstraint("seats_left <= seats_total", name="session_seats_within_total"),
        Index("ix_experience_sessions_day", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    experience_id: Mapped[int] = mapped_column(ForeignKey("experiences.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    seats_total: Mapped[int] = mapped_column(Integer)
    seats_left: Mapped[int] = mapped_column(Integer)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    experience: Mapped[Experience] = relationship(back_populates="sessions")

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class Booking(TimestampMixin, db.Model):
    __tablename__ = "experience_bookings"
    __table_args__ = (
        CheckConstraint("adults + children >= 1", name="booking_has_guests"),
        Index("ix_experience_bookings_session", "session_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    fulfilment_id: Mapped[int] = mapped_column(ForeignKey("fulfilments.id", ondelete="CASCADE"), unique=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("experience_sessions.id", ondelete="CASCADE"))
    adults: Mapped[int] = mapped_column(Integer, default=1)
    children: Mapped[int] = mapped_column(Integer, default=0)
    guest_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20))
    ticket_code: Mapped[str] = mapped_column(String(12), unique=True)
    seats_released: Mapped[bool] = mapped_column(Boolean, default=False)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    order: Mapped[Order] = relationship()
    fulfilment: Mapped[Fulfilment] = relationship()
    session: Mapped[ExperienceSession] = relationship()

    @property
    def seats(self) -> int:
        return self.adults + self.children
