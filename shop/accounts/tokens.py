"""Signed, expiring links for e-mail verification, password reset and sign-in unlock.

Each kind of link has its own salt, so a verification token can never be used as a
reset token. The payload binds what must still be true when the link is followed:

* verification: the user id and the e-mail address, so a link sent to an old
  address stops working once the address changes;
* reset: the user id, the address and a fingerprint of the current password hash,
  so the link works once: setting a password changes the hash and voids it;
* unlock: the user id, the address and the ``LoginUnlock`` row (id and nonce) it was
  sent with; the row records its one use.

Lifetimes come from config (``EMAIL_VERIFY_MAX_AGE``, ``PASSWORD_RESET_MAX_AGE``,
``LOGIN_UNLOCK_MAX_AGE``).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from shop.accounts.models import User
from shop.errors import DomainError

VERIFY_SALT = "chumchon.accounts.verify-email"
RESET_SALT = "chumchon.accounts.reset-password"
UNLOCK_SALT = "chumchon.accounts.unlock-sign-in"


class InvalidLink(DomainError):
    """A link that was altered, is for another purpose, or no longer applies."""

    status_code = 400
    code = "invalid_link"

    default_message = _l("This link is not valid. It may have been copied incompletely or already used.")


class ExpiredLink(InvalidLink):
    code = "expired_link"

    default_message = _l("This link has expired.")


@dataclass(frozen=True)
class VerifyClaim:
    user_id: int
    email: str


@dataclass(frozen=True)
class ResetClaim:
    user_id: int
    email: str
    fingerprint: str


@dataclass(frozen=True)
class UnlockClaim:
    user_id: int
    email: str
    unlock_id: int
    nonce: str


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def password_fingerprint(password_hash: str) -> str:
    """A short digest of the stored hash: changes whenever the password does."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:24]


def _load(token: str, salt: str, max_age: int) -> dict:
    try:
        payload = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired:
        raise ExpiredLink() from None
    except BadSignature:
        raise InvalidLink() from None
    if not isinstance(payload, dict):
        raise InvalidLink()
    return payload


def make_verify_token(user: User) -> str:
    return _serializer(VERIFY_SALT).dumps({"uid": user.id, "email": user.email})


def read_verify_token(token: str) -> VerifyClaim:
    payload = _load(token, VERIFY_SALT, current_app.config["EMAIL_VERIFY_MAX_AGE"])
    try:
        return VerifyClaim(user_id=int(payload["uid"]), email=str(payload["email"]))
    except (KeyError, TypeError, ValueError):
        raise InvalidLink() from None


def make_reset_token(user: User) -> str:
    return _serializer(RESET_SALT).dumps(
        {"uid": user.id, "email": user.email, "fp": password_fingerprint(user.password_hash)}
    )


def read_reset_token(token: str) -> ResetClaim:
    payload = _load(token, RESET_SALT, current_app.config["PASSWORD_RESET_MAX_AGE"])
    try:
        return ResetClaim(user_id=int(payload["uid"]), email=str(payload["email"]), fingerprint=str(payload["fp"]))
    except (KeyError, TypeError, ValueError):
        raise InvalidLink() from None


def reset_claim_matches(claim: ResetClaim, user: User) -> bool:
    return claim.email == user.email and hmac.compare_digest(
        claim.fingerprint, password_fingerprint(user.password_hash)
    )


def make_unlock_token(user: User, unlock_id: int, nonce: str) -> str:
    return _serializer(UNLOCK_SALT).dumps({"uid": user.id, "email": user.email, "lid": unlock_id, "n": nonce})


def read_unlock_token(token: str) -> UnlockClaim:
    payload = _load(token, UNLOCK_SALT, current_app.config["LOGIN_UNLOCK_MAX_AGE"])
    try:
        return UnlockClaim(user_id=int(payload["uid"]), email=str(payload["email"]),
                           unlock_id=int(payload["lid"]), nonce=str(payload["n"]))
    except (KeyError, TypeError, ValueError):
        raise InvalidLink() from None
