"""Coaching records (docs/product.md: Programmes and mentors).

* ``coaching_notes``: a note or a visit record a mentor (or programme staff) writes
  about one enterprise: for a visit, its date and the topics covered. The
  enterprise's members, staff and its mentors read them.
* ``next_steps``: what was agreed, each with an optional due date; the enterprise
  ticks a step done (who and when are kept), as on a checklist.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.accounts.models import User
from shop.catalog.models import Enterprise
from shop.dbtypes import TimestampMixin, UTCDateTime
from shop.extensions import db

KIND_NOTE = "note"
KIND_VISIT = "visit"
KINDS = (KIND_NOTE, KIND_VISIT)


class CoachingNote(TimestampMixin, db.Model):
    __tablename__ = "coaching_notes"
    __table_args__ = (Index("ix_coaching_notes_enterprise_created", "enterprise_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_role: Mapped[str] = mapped_column(String(16))  # mentor | staff
    kind: Mapped[str] = mapped_column(String(8), default=KIND_NOTE)
    visited_on: Mapped[date | None] = mapped_column(Date())  # visits only
    topics: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)

    enterprise: Mapped[Enterprise] = relationship()
    author: Mapped[User | None] = relationship()
    steps: Mapped[list[NextStep]] = relationship(back_populates="note", order_by="NextStep.id",
                                                 cascade="all, delete-orphan")


class NextStep(db.Model):
    __tablename__ = "next_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("coaching_notes.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date | None] = mapped_column(Date())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    note: Mapped[CoachingNote] = relationship(back_populates="steps")
    done_by: Mapped[User | None] = relationship()

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
