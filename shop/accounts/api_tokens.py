"""Personal API tokens (docs/product.md: Contracts): created and revoked in account settings or
with ``flask users token EMAIL``, shown once, stored as a SHA-256 digest.

A token is ``cm_`` + 256 random bits. It acts as its owner: the API applies the same
role and object checks as the pages. A revoked token, or one whose account was
deactivated, no longer authenticates. ``last_used_at`` is written at most once a
minute per token, after the request's own work.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from shop.accounts.models import ApiToken, User
from shop.database import end_read, transaction
from shop.dbtypes import MAX_INT, utcnow
from shop.errors import NotFound, PermissionDenied, ValidationFailed
from shop.extensions import db

log = logging.getLogger(__name__)

TOKEN_PREFIX = "cm_"  # noqa: S105  (a fixed prefix, not a secret)
PREFIX_SHOWN = 10  # "cm_" and 7 characters: enough to tell tokens apart in a list
MAX_NAME_LENGTH = 80
MAX_ACTIVE_TOKENS = 20
LAST_USED_RESOLUTION = timedelta(minutes=1)
# Longest header value worth hashing: a real token is 46 characters.
MAX_TOKEN_LENGTH = 200


@dataclass(frozen=True)
class NewToken:
    """A token just created: ``secret`` is shown to its owner once and never again."""

    token: ApiToken
    secret: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _clean_name(name: str | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        message = _l("Give the token a name, such as the program that will use it.")
        raise ValidationFailed(message, fields={"name": message})
    if len(name) > MAX_NAME_LENGTH:
        message = _l("Use at most %(max)d characters.", max=MAX_NAME_LENGTH)
        raise ValidationFailed(message, fields={"name": message})
    return name


def active_tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def list_tokens(user: User) -> list[ApiToken]:
    """Every token of the user, newest first; revoked ones stay listed, marked."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def create_token(user: User, name: str | None) -> NewToken:
    """A new token for ``user``; commits. The secret is in the result only."""
    if not user.is_active:
        raise PermissionDenied(_l("This account is closed: it cannot have API tokens."))
    name = _clean_name(name)
    if len(active_tokens(user)) >= MAX_ACTIVE_TOKENS:
        message = _l("You have %(count)d tokens already. Revoke one you no longer use first.",
                     count=MAX_ACTIVE_TOKENS)
        raise ValidationFailed(message, fields={"name": message})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=digest(secret), prefix=secret[:PREFIX_SHOWN])
    with transaction():
        db.session.add(token)
    return NewToken(token=token, secret=secret)


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (another user's id is NotFound); commits."""
    if not 0 < token_id <= MAX_INT:
        raise NotFound()  # no such row, and too large for the database to compare
    token = db.session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))
    if token is None:
        raise NotFound()
    if token.revoked_at is None:
        with transaction():
            token.revoked_at = utcnow()
    return token


def authenticate(secret: str | None) -> ApiToken | None:
    """The active token matching ``secret`` whose owner's account is active, or None."""
    if not secret or len(secret) > MAX_TOKEN_LENGTH or not secret.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None or token.revoked_at is not None:
        return None
    user = db.session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    return token


def use_is_stale(token: ApiToken) -> bool:
    """Whether ``last_used_at`` is old enough to be written again."""
    return token.last_used_at is None or utcnow() - token.last_used_at >= LAST_USED_RESOLUTION


def record_use(token_id: int) -> None:
    """Write ``last_used_at`` on a short transaction of its own, once the request's
    work is over (whatever it left uncommitted is discarded, as it would be anyway).
    Best effort: a busy database must not turn a served request into an error."""
    now = utcnow()
    try:
        # A second transaction, apart from the request's: the request's own work has
        # committed (or failed) already, and a failure here must not touch it.
        end_read()
        with transaction():
            db.session.execute(
                update(ApiToken).where(ApiToken.id == token_id)
                .where((ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at < now - LAST_USED_RESOLUTION))
                .values(last_used_at=now)
            )
    except SQLAlchemyError:
        log.warning("api token %s: could not record its use", token_id, exc_info=True)
