"""Sign-in throttling rules, kept in the database so they hold across workers and hosts.

After OWASP's Authentication and Credential Stuffing cheat sheets. A failed sign-in is
a ``LoginAttempt`` row; who may try again is decided from those rows:

* per client of an account: the first ``LOGIN_PAIR_FREE_FAILURES`` failures inside
  ``LOGIN_FAILURE_WINDOW`` cost nothing; after that each try waits
  ``LOGIN_PAIR_BASE_DELAY`` seconds doubled for every further failure (2, 4, 8 … s),
  at most ``LOGIN_PAIR_MAX_DELAY``, counted from the last failure. A client is the
  (account, address) pair for a browser the account does not know, and the
  (account, device) pair for a device that signed in to it before (``devices``);
* per account, for unknown clients only: ``LOGIN_ACCOUNT_MAX_FAILURES`` failures from
  unknown clients inside the window, from any number of addresses, close the account
  to every unknown client until the oldest of them leaves the window. Known devices
  keep their own count, so nobody without the owner's device cookie can lock the
  owner out. The owner on a new device uses the e-mailed unlock link (sent when the
  account closes, or asked for while an unknown client at that address must wait:
  at most one per account per window), which makes the browser a known device.

There is no lock per address: everyone behind one proxy, office or carrier shares an
address. One address alone cannot reach the account limit either, since its own
growing delays allow it fewer failures per window. Flask-Limiter's per-address
``LOGIN_RATE_LIMIT`` on the sign-in view remains as a high, short-lived ceiling.

A refused try does not check the password and is not recorded, so waiting is the only
way on. Rows older than the window are deleted by ``flask orders sweep`` (``prune``).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, and_, delete, func, select, text

from shop.accounts.models import LoginAttempt, LoginUnlock
from shop.extensions import db


@dataclass(frozen=True)
class Client:
    """Who is trying to sign in: the account's e-mail, the address, and the device id
    when the browser is a device known to that account (None otherwise)."""

    email: str
    ip_address: str
    device_id: str | None = None

    @property
    def known(self) -> bool:
        return self.device_id is not None


@dataclass(frozen=True)
class Wait:
    """A refusal: seconds to wait, and whether the account is closed to unknown clients
    (then the owner may also use a known device or an unlock link)."""

    seconds: int
    account_locked: bool = False


def _window() -> timedelta:
    return timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW"])


def serialize_attempts(email: str) -> None:
    """Make sign-in attempts on one account take turns until the transaction ends.

    Without it, a burst of parallel tries would all read the count before any of them
    records its failure, and slip past the delays. SQLite already runs one writing
    transaction at a time (``BEGIN IMMEDIATE``); PostgreSQL takes an advisory lock
    keyed by the e-mail address.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    key = int.from_bytes(hashlib.sha256(b"login:" + email.encode()).digest()[:8], "big", signed=True)
    db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _client_filter(client: Client) -> ColumnElement[bool]:
    if client.known:
        return and_(LoginAttempt.email == client.email, LoginAttempt.device_id == client.device_id)
    return and_(LoginAttempt.email == client.email, LoginAttempt.ip_address == client.ip_address,
                LoginAttempt.device_id.is_(None))


def client_delay(failures: int) -> int:
    """Seconds a client waits after its last failure, having failed ``failures`` times."""
    config = current_app.config
    beyond = failures - config["LOGIN_PAIR_FREE_FAILURES"]
    if beyond < 0:
        return 0
    return min(config["LOGIN_PAIR_MAX_DELAY"], config["LOGIN_PAIR_BASE_DELAY"] * 2 ** min(beyond, 40))


def _client_wait(client: Client, now: datetime) -> int | None:
    failures, last = db.session.execute(
        select(func.count(LoginAttempt.id), func.max(LoginAttempt.attempted_at))
        .where(_client_filter(client), LoginAttempt.attempted_at > now - _window())
    ).one()
    delay = client_delay(failures)
    if not delay:
        return None
    wait = math.ceil((last + timedelta(seconds=delay) - now).total_seconds())
    return wait if wait > 0 else None


def _account_wait(email: str, now: datetime) -> int | None:
    """Seconds until unknown clients may try the account again, or None."""
    limit = current_app.config["LOGIN_ACCOUNT_MAX_FAILURES"]
    recent = db.session.scalars(
        select(LoginAttempt.attempted_at)
        .where(LoginAttempt.email == email, LoginAttempt.device_id.is_(None),
               LoginAttempt.attempted_at > now - _window())
        .order_by(LoginAttempt.attempted_at.desc())
        .limit(limit)
    ).all()
    if len(recent) < limit:
        return None
    # Open again when the oldest of the last ``limit`` failures leaves the window.
    wait = math.ceil((recent[-1] + _window() - now).total_seconds())
    return wait if wait > 0 else None


def wait_for(client: Client, now: datetime) -> Wait | None:
    """Whether ``client`` must wait before trying, and how long."""
    own = _client_wait(client, now)
    account = None if client.known else _account_wait(client.email, now)
    if account is not None:
        return Wait(max(account, own or 0), account_locked=True)
    return Wait(own) if own is not None else None


def account_locked(email: str, now: datetime) -> bool:
    """True while the account is closed to unknown clients."""
    return _account_wait(email, now) is not None


def add_failure(client: Client, now: datetime) -> None:
    db.session.add(LoginAttempt(email=client.email[:254], ip_address=client.ip_address[:64],
                                device_id=client.device_id, attempted_at=now))
    db.session.flush()


def forget_failures(client: Client) -> None:
    """After a successful sign-in: this client's failures no longer count (others'
    failures on the account still do)."""
    db.session.execute(delete(LoginAttempt).where(_client_filter(client)).execution_options(synchronize_session=False))


def count_failures(now: datetime, *, email: str | None = None, ip_address: str | None = None,
                   known: bool | None = None) -> int:
    query = select(func.count(LoginAttempt.id)).where(LoginAttempt.attempted_at > now - _window())
    if email is not None:
        query = query.where(LoginAttempt.email == email)
    if ip_address is not None:
        query = query.where(LoginAttempt.ip_address == ip_address)
    if known is not None:
        query = query.where(LoginAttempt.device_id.is_not(None) if known else LoginAttempt.device_id.is_(None))
    return db.session.scalar(query) or 0


def unlock_sent_since(user_id: int, now: datetime) -> bool:
    """Whether an unlock link went to the account inside the window (one per window)."""
    return db.session.scalar(
        select(LoginUnlock.id).where(LoginUnlock.user_id == user_id, LoginUnlock.created_at > now - _window())
        .limit(1)
    ) is not None


def prune(now: datetime) -> tuple[int, int]:
    """Delete failures that no longer count and unlock links that no longer work (nor
    limit the next e-mail), in the caller's transaction; returns how many of each went."""
    attempts = db.session.execute(
        delete(LoginAttempt).where(LoginAttempt.attempted_at <= now - _window())
        .execution_options(synchronize_session=False)
    )
    unlock_age = max(_window(), timedelta(seconds=current_app.config["LOGIN_UNLOCK_MAX_AGE"]))
    unlocks = db.session.execute(
        delete(LoginUnlock).where(LoginUnlock.created_at <= now - unlock_age)
        .execution_options(synchronize_session=False)
    )
    return int(attempts.rowcount or 0), int(unlocks.rowcount or 0)
