"""Accounts: users, their roles, and retail-buyer business accounts (docs/product.md: Roles).

Roles are not one column because one person can hold several: a shopper may also be
a member of an enterprise. ``is_staff`` marks programme staff (the admins),
``is_mentor`` a partner-company mentor, enterprise membership lives in
``catalog.EnterpriseMember`` and a retail buyer has a ``RetailBuyer`` business account.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.dbtypes import TimestampMixin, UTCDateTime
from shop.extensions import db

if TYPE_CHECKING:
    from shop.catalog.models import EnterpriseMember


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(32))
    locale: Mapped[str] = mapped_column(String(5), default="th")
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    is_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    is_mentor: Mapped[bool] = mapped_column(Boolean, default=False)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    memberships: Mapped[list[EnterpriseMember]] = relationship(back_populates="user")
    retail_buyer: Mapped[RetailBuyer | None] = relationship(
        back_populates="user", uselist=False, foreign_keys="RetailBuyer.user_id"
    )

    #: The sign-in (``UserSession``) this object was loaded or signed in through, set
    #: by ``shop.accounts.sessions``; not a column.
    sign_in = None

    # Flask-Login
    def get_id(self) -> str:
        """What the login cookies carry: the sign-in's ``"<id>:<secret>"``, never the
        user's id, so a cookie is only as good as the sign-in row behind it."""
        if self.sign_in is None or self.sign_in.cookie_id is None:
            raise RuntimeError("this user has no sign-in: start one with shop.accounts.sessions.open_session")
        return self.sign_in.cookie_id

    # Flask-Login's UserMixin compares get_id(); one user is one row, whatever sign-in.
    def __eq__(self, other):
        if isinstance(other, User):
            return self is other or (self.id is not None and self.id == other.id)
        return NotImplemented

    def __ne__(self, other):
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = object.__hash__

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.is_active_account

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_verified_retail_buyer(self) -> bool:
        return self.retail_buyer is not None and self.retail_buyer.status == RetailBuyer.VERIFIED

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class RetailBuyer(TimestampMixin, db.Model):
    """A business account (shop, supermarket, hotel, café) that buys in bulk.

    Wholesale prices are shown only once staff have verified it.
    """

    __tablename__ = "retail_buyers"

    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"
    STATUSES = (PENDING, VERIFIED, REJECTED)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    company_name: Mapped[str] = mapped_column(String(200))
    tax_id: Mapped[str] = mapped_column(String(13))
    branch: Mapped[str] = mapped_column(String(100), default="สำนักงานใหญ่")
    business_type: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    status_reason: Mapped[str | None] = mapped_column(Text)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(back_populates="retail_buyer", foreign_keys=[user_id])


class LoginAttempt(db.Model):
    """A failed sign-in, kept for a short window to throttle guessing.

    Stored in the database (not per-process memory) so the limits hold across several
    web workers and hosts. ``device_id`` is set when the attempt came from a device
    known to the account (``shop.accounts.devices``): such failures are counted per
    device, apart from those of unknown clients, which are counted per address and
    for the account as a whole (see ``shop.accounts.throttle``).
    """

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "attempted_at"),
        Index("ix_login_attempts_email_ip_at", "email", "ip_address", "attempted_at"),
        Index("ix_login_attempts_attempted_at", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip_address: Mapped[str] = mapped_column(String(64))
    device_id: Mapped[str | None] = mapped_column(String(32))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LoginUnlock(db.Model):
    """An unlock link e-mailed while an account is closed to unknown clients.

    The signed link names this row; following it once sets ``used_at`` (and makes the
    browser a known device). The newest row's ``created_at`` also keeps us to one such
    e-mail per account per throttling window.
    """

    __tablename__ = "login_unlocks"
    __table_args__ = (
        Index("ix_login_unlocks_user_id_created_at", "user_id", "created_at"),
        Index("ix_login_unlocks_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    nonce: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class UserSession(db.Model):
    """One signed-in browser: made at each sign-in, deleted at sign-out.

    The login cookies (Flask's session cookie, and the remember-me cookie when asked
    for) carry ``"<id>:<secret>"``; only the SHA-256 digest of the 256-bit secret is
    stored, so the table alone cannot be turned back into a cookie. A row past
    ``expires_at`` is refused and later deleted by ``flask orders sweep``.
    """

    __tablename__ = "user_sessions"
    __table_args__ = (
        Index("ix_user_sessions_user_id", "user_id"),
        Index("ix_user_sessions_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    # "Firefox · Android": browser and system names only, for the account page's list.
    device_label: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    #: ``"<id>:<secret>"`` when this object was made or checked with its secret; the
    #: secret itself is never stored. Not a column.
    cookie_id = None
    #: Set by the user loader when ``last_seen_at`` is due to be written. Not a column.
    touch_due = None

    def __repr__(self) -> str:
        return f"<UserSession {self.id} user={self.user_id}>"


class ApiToken(TimestampMixin, db.Model):
    """A personal API token (docs/product.md: Contracts): shown once, stored as a SHA-256 digest.

    The token is 256 random bits, so a fast digest is enough (there is nothing to
    brute-force the way a password can be); ``prefix`` is its first characters, shown
    in the list so the owner can tell tokens apart. A revoked token stays listed.
    """

    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix}… user={self.user_id}>"
