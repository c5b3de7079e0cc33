"""Sign-ins kept on the server: one ``user_sessions`` row per signed-in browser.

A sign-in makes a row and a 256-bit secret; the login cookies carry ``"<row id>:<secret>"``
and the row keeps only the secret's SHA-256 digest. Flask-Login's user loader
(``load_user``) accepts a cookie only while its row exists, is unexpired and belongs to
an active account, so:

- signing out deletes the row: a copy of the session cookie or of the remember-me
  cookie taken before is worthless afterwards, and other browsers stay signed in;
- a password change or reset and "sign out everywhere" delete every row of the user
  (the caller then signs the browser that changed the password in again);
- a row with "remember me" lives ``REMEMBER_COOKIE_DURATION`` from the sign-in, as the
  cookie does. One without lives while it is used: ``SESSION_IDLE_LIFETIME`` after the
  last request, and never longer than ``PERMANENT_SESSION_LIFETIME`` in all;
- ``flask orders sweep`` deletes expired rows (``prune_expired``).

``last_seen_at`` (and the idle expiry with it) is written at most once a minute, after
the request's own work, on a short transaction of its own (``touch``).
Like the other services, nothing here reads ``request`` or ``current_user``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import SQLAlchemyError

from shop.accounts.models import User, UserSession
from shop.database import end_read, transaction, write_intent
from shop.dbtypes import MAX_INT, utcnow
from shop.errors import NotFound
from shop.extensions import db

log = logging.getLogger(__name__)

SECRET_BYTES = 32
#: ``last_seen_at`` is written again only when it is older than this.
TOUCH_INTERVAL = timedelta(minutes=1)
#: A cookie id longer than this is refused unread ("<id>:<43-character secret>").
MAX_COOKIE_ID_LENGTH = 64


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _seconds(name: str) -> timedelta:
    value = current_app.config[name]
    return value if isinstance(value, timedelta) else timedelta(seconds=value)


def _expiry(created_at: datetime, last_seen_at: datetime, *, remember: bool) -> datetime:
    if remember:
        return created_at + _seconds("REMEMBER_COOKIE_DURATION")
    return min(last_seen_at + _seconds("SESSION_IDLE_LIFETIME"), created_at + _seconds("PERMANENT_SESSION_LIFETIME"))


@dataclass(frozen=True)
class Touch:
    """What ``touch`` needs, read while the row was fresh."""

    row_id: int
    created_at: datetime
    remember: bool


def _attach(user: User, row: UserSession, cookie_id: str) -> User:
    row.cookie_id = cookie_id
    row.touch_due = None
    user.sign_in = row
    return user


def _parse(cookie_id: str | None) -> tuple[int, str] | None:
    if not cookie_id or len(cookie_id) > MAX_COOKIE_ID_LENGTH:
        return None
    row_id, _, secret = cookie_id.partition(":")
    if not row_id.isdigit() or not secret or int(row_id) > MAX_INT:
        return None
    return int(row_id), secret


# ---------------------------------------------------------------- signing in and out


def require_user(user) -> User:
    """``user`` if it is a real ``User``. A proxy (``current_user``) is refused: signed
    in, it would become the request's user and then resolve to itself for ever (a
    recursion in C that kills the server process), and stored, it would change with
    the request."""
    if not issubclass(type(user), User):  # type(): a proxy passes isinstance() checks
        raise TypeError(
            f"sign in a User, not {type(user).__name__}: pass current_user._get_current_object() or the loaded row"
        )
    return user


def open_session(user: User, *, remember: bool = False, user_agent: str | None = None) -> UserSession:
    """A new sign-in for ``user``; commits. ``user.get_id()`` then gives its cookie id."""
    require_user(user)
    now = utcnow()
    secret = secrets.token_urlsafe(SECRET_BYTES)
    row = UserSession(
        user_id=user.id, token_hash=digest(secret), remember=bool(remember), device_label=device_label(user_agent),
        created_at=now, last_seen_at=now, expires_at=_expiry(now, now, remember=bool(remember)),
    )
    with transaction():
        db.session.add(row)
    _attach(user, row, f"{row.id}:{secret}")
    return row


def load_user(cookie_id: str | None) -> User | None:
    """Flask-Login's user loader: the user of a live sign-in, or None (anonymous)."""
    parsed = _parse(cookie_id)
    if parsed is None:
        return None
    row_id, secret = parsed
    row = db.session.get(UserSession, row_id)
    if row is None or not hmac.compare_digest(row.token_hash, digest(secret)):
        return None
    if row.expires_at <= utcnow():
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    _attach(user, row, f"{row_id}:{secret}")
    if needs_touch(row):
        row.touch_due = Touch(row.id, row.created_at, row.remember)
    return user


def close_session(cookie_id: str | None) -> None:
    """Sign out the browser holding ``cookie_id``: its row goes (one already gone is
    fine, a wrong secret deletes nothing); commits."""
    parsed = _parse(cookie_id)
    with transaction():
        if parsed is not None:
            row_id, secret = parsed
            db.session.execute(delete(UserSession)
                               .where(UserSession.id == row_id, UserSession.token_hash == digest(secret))
                               .execution_options(synchronize_session=False))


def close_all_sessions(user: User) -> int:
    """Delete every sign-in of ``user`` in the caller's transaction (not committed)."""
    result = db.session.execute(delete(UserSession).where(UserSession.user_id == user.id)
                                .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)


def sign_out_device(user: User, row_id: int) -> UserSession:
    """Sign out one of the user's own browsers from the account page; another user's
    sign-in, or one already gone, is NotFound. Commits."""
    row = None
    with transaction():
        if 0 < row_id <= MAX_INT:
            row = db.session.scalar(select(UserSession).where(UserSession.id == row_id,
                                                              UserSession.user_id == user.id))
        if row is None:
            raise NotFound()
        db.session.delete(row)
    return row


def live_sessions(user: User) -> list[UserSession]:
    """The user's unexpired sign-ins, most recently used first."""
    return list(db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.expires_at > utcnow())
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ))


# ---------------------------------------------------------------- upkeep


def needs_touch(row: UserSession) -> bool:
    return utcnow() - row.last_seen_at >= TOUCH_INTERVAL


def touch(due: Touch) -> None:
    """Record that the sign-in was used (and push a sliding expiry on), on a short
    transaction of its own after the request's work: whatever the request left
    uncommitted is discarded, as it would be anyway. Best effort: a busy database must
    not turn a served page into an error."""
    row_id, created_at, remember = due.row_id, due.created_at, due.remember
    now = utcnow()
    try:
        # A second transaction, apart from the request's: the request's own work has
        # committed (or failed) already, and a failure here must not touch it.
        end_read()
        with write_intent(), transaction():
            db.session.execute(
                update(UserSession)
                .where(UserSession.id == row_id, UserSession.last_seen_at < now - TOUCH_INTERVAL)
                .values(last_seen_at=now, expires_at=_expiry(created_at, now, remember=remember))
                .execution_options(synchronize_session=False)
            )
    except SQLAlchemyError:
        log.warning("sign-in %s: could not record its use", row_id, exc_info=True)


def prune_expired(now: datetime | None = None) -> int:
    """Delete sign-ins past their expiry; commits; returns how many went."""
    with transaction():
        result = db.session.execute(
            delete(UserSession).where(UserSession.expires_at <= (now or utcnow()))
            .execution_options(synchronize_session=False)
        )
    return int(result.rowcount or 0)


# ---------------------------------------------------------------- device labels

# First match wins: Edge and Opera say "Chrome" too, Chrome says "Safari".
_BROWSERS = (
    ("Edge", re.compile(r"\bEdg(e|A|iOS)?/")),
    ("Opera", re.compile(r"\b(OPR|Opera)/")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("LINE", re.compile(r"\bLine/")),
    ("Firefox", re.compile(r"\b(Firefox|FxiOS)/")),
    ("Chrome", re.compile(r"\b(Chrome|CriOS|HeadlessChrome)/")),
    ("Safari", re.compile(r"\bSafari/")),
)
_SYSTEMS = (
    ("Android", re.compile(r"\bAndroid\b")),
    ("iPhone", re.compile(r"\biPhone\b")),
    ("iPad", re.compile(r"\biPad\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("macOS", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("Linux", re.compile(r"\bLinux\b")),
)


def device_label(user_agent: str | None) -> str | None:
    """"Chrome · Android" from a User-Agent header: names only (nothing to translate),
    so the owner can tell their sign-ins apart; None when neither is recognised."""
    text = (user_agent or "")[:512]
    browser = next((name for name, pattern in _BROWSERS if pattern.search(text)), None)
    system = next((name for name, pattern in _SYSTEMS if pattern.search(text)), None)
    label = " · ".join(name for name in (browser, system) if name)
    return label or None
