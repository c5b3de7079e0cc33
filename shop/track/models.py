"""The expansion track's tables (docs/product.md: Expansion track): each stage's
checklist items and the ticks staff or mentors give the items the data cannot prove.

An item with a ``rule`` is automatic: the shop decides from the enterprise's own data
whether it is done (``shop.track.rules``), every time it is read, so it is always
current. An item without a rule is ticked by programme staff or a mentor assigned to
the enterprise, with a note and optionally a photo as evidence. Staff rename, reorder
and retire items; an automatic item keeps its rule. A retired item is kept (its ticks
are history) but no longer counts.

A tick is never deleted: unticking writes who, when and why on the tick row
(``unticked_*``), and ticking again adds a new row. The item is done for the
enterprise while a tick without ``unticked_at`` exists.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.accounts.models import User
from shop.catalog.models import LocalizedMixin
from shop.dbtypes import TimestampMixin, UTCDateTime, utcnow
from shop.extensions import db


class ChecklistItem(LocalizedMixin, TimestampMixin, db.Model):
    """One thing an enterprise should have done at a stage."""

    __tablename__ = "track_checklist_items"
    __table_args__ = (
        UniqueConstraint("rule"),
        Index("ix_track_checklist_items_stage_position", "stage", "position", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stage: Mapped[str] = mapped_column(String(16))
    # The rule key of an automatic item (``shop.track.rules.RULES``); None when staff
    # or a mentor tick it.
    rule: Mapped[str | None] = mapped_column(String(32))
    label_th: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_automatic(self) -> bool:
        return self.rule is not None

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class ChecklistTick(db.Model):
    """A manual item ticked for an enterprise, with its evidence; unticking keeps the
    row and says who, when and why."""

    __tablename__ = "track_checklist_ticks"
    __table_args__ = (
        Index("ix_track_checklist_ticks_enterprise_item", "enterprise_id", "item_id", "unticked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("track_checklist_items.id", ondelete="CASCADE"), index=True)
    note: Mapped[str] = mapped_column(Text)
    # The evidence photo's image key in the private folder ``services.EVIDENCE_FOLDER``.
    photo_key: Mapped[str | None] = mapped_column(String(64))
    ticked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    ticked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    unticked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    unticked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    untick_reason: Mapped[str | None] = mapped_column(Text)

    item: Mapped[ChecklistItem] = relationship()
    ticked_by: Mapped[User | None] = relationship(foreign_keys=[ticked_by_id])
    unticked_by: Mapped[User | None] = relationship(foreign_keys=[unticked_by_id])
