"""Seller-area tables: invitations to join an enterprise, the record of changes to an
enterprise's status and track stage (who, when, why), and the per-enterprise key
behind the channel-feed URLs.

An invitation stores only a SHA-256 digest of its random token: the token itself
exists only in the e-mail, so a copy of the database cannot be used to join an
enterprise. An invitation is single-use (``accepted_at``) and expires.

``EnterpriseFeedKey`` is a random salt per enterprise. The secret in a feed URL is an
HMAC of the enterprise id and this salt under the app's ``SECRET_KEY``, so the URL
can be shown again at any time, a copy of the database alone cannot forge it, and
rotating the salt revokes every URL given out before.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.accounts.models import User
from shop.catalog import status
from shop.catalog.models import Enterprise
from shop.dbtypes import TimestampMixin, UTCDateTime, utcnow
from shop.extensions import db


class EnterpriseInvitation(TimestampMixin, db.Model):
    __tablename__ = "enterprise_invitations"
    __table_args__ = (Index("ix_enterprise_invitations_enterprise_email", "enterprise_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))  # lower-cased
    role: Mapped[str] = mapped_column(String(16), default=status.MEMBER_STAFF)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    enterprise: Mapped[Enterprise] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])


class EnterpriseEvent(db.Model):
    """One change of an enterprise's ``status`` or ``track_stage``."""

    __tablename__ = "enterprise_events"
    __table_args__ = (Index("ix_enterprise_events_enterprise_created", "enterprise_id", "created_at"),)

    KIND_STATUS = "status"
    KIND_STAGE = "stage"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    from_value: Mapped[str | None] = mapped_column(String(16))
    to_value: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User | None] = relationship()


def new_feed_salt() -> str:
    return secrets.token_hex(16)


class EnterpriseFeedKey(db.Model):
    __tablename__ = "enterprise_feed_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), unique=True)
    salt: Mapped[str] = mapped_column(String(32), default=new_feed_salt)
    rotated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    rotated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    enterprise: Mapped[Enterprise] = relationship()
