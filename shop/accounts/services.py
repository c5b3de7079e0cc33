"""Account use cases. Each owns its transaction and takes the acting user explicitly.

Registration, e-mail verification, sign-in with throttling, password reset and the
account settings. Views call one function here and render what it returns or the
``DomainError`` it raises; nothing here reads ``request`` or ``current_user``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from shop.accounts import tokens
from shop.accounts.models import LoginAttempt, RetailBuyer, User
from shop.accounts.passwords import burn_equal_time, hash_password, needs_rehash, verify_password
from shop.accounts.sessions import close_all_sessions
from shop.accounts.validation import (
    BUSINESS_TYPES,
    branch_problem,
    check_email,
    check_password,
    normalize_branch,
    normalize_tax_id,
    tax_id_problem,
)
from shop.database import write_intent
from shop.dbtypes import utcnow
from shop.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from shop.extensions import db
from shop.notifications.services import queue_email


class EmailTaken(Conflict):
    code = "email_taken"

    default_message = _l("An account with this e-mail already exists. Sign in or reset your password.")


class InvalidCredentials(DomainError):
    status_code = 400
    code = "invalid_credentials"

    default_message = _l("The e-mail address or password is not right.")


class AccountDisabled(PermissionDenied):
    code = "account_disabled"

    default_message = _l("This account has been closed. Contact us if you think this is a mistake.")


class TooManyAttempts(DomainError):
    status_code = 429
    code = "too_many_attempts"

    def __init__(self, retry_after_seconds: int):
        self.retry_after_seconds = max(1, retry_after_seconds)
        minutes = math.ceil(self.retry_after_seconds / 60)
        if minutes == 1:
            message = _("Too many sign-in attempts. Try again in a minute.")
        else:
            message = _("Too many sign-in attempts. Try again in %(num)d minutes.", num=minutes)
        super().__init__(message)


@dataclass(frozen=True)
class BusinessDetails:
    """What a retail buyer tells us about their business."""

    company_name: str
    tax_id: str
    branch: str
    business_type: str


# ---------------------------------------------------------------- look-ups


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def public_url(endpoint: str, **values) -> str:
    """An absolute link for e-mails, built from ``PUBLIC_BASE_URL``.

    Works outside a request (commands, workers): the URL map is bound to a
    placeholder host and only the path is used.
    """
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


# ---------------------------------------------------------------- registration


def _check_business(details: BusinessDetails) -> BusinessDetails:
    fields = {}
    company_name = (details.company_name or "").strip()
    if not company_name:
        fields["company_name"] = _l("Enter the company name.")
    problem = tax_id_problem(details.tax_id)
    if problem:
        fields["tax_id"] = problem
    problem = branch_problem(details.branch)
    if problem:
        fields["branch"] = problem
    if details.business_type not in BUSINESS_TYPES:
        fields["business_type"] = _l("Choose the kind of business.")
    if fields:
        raise ValidationFailed(next(iter(fields.values())), fields=fields)
    return BusinessDetails(
        company_name=company_name,
        tax_id=normalize_tax_id(details.tax_id),
        branch=normalize_branch(details.branch),
        business_type=details.business_type,
    )


def _queue_verification(user: User) -> None:
    queue_email(
        to=user.email,
        kind="verify_email",
        template="verify_email",
        locale=user.locale,
        user=user,
        link=public_url("accounts.verify_email", token=tokens.make_verify_token(user)),
        valid_hours=current_app.config["EMAIL_VERIFY_MAX_AGE"] // 3600,
    )


def register_user(
    *,
    display_name: str,
    email: str,
    password: str,
    locale: str,
    business: BusinessDetails | None = None,
) -> User:
    """Create an account (and a pending business account when ``business`` is given)
    and queue the verification e-mail, all in one transaction."""
    email = check_email(email)
    display_name = (display_name or "").strip()
    if not display_name:
        raise ValidationFailed(_l("Enter your name."), fields={"display_name": _l("Enter your name.")})
    if locale not in current_app.config["LANGUAGES"]:
        raise ValidationFailed(_l("Choose th (ไทย) or en (English)."), fields={"lang": _l("Choose th (ไทย) or en (English).")})
    check_password(password, email=email)
    if business is not None:
        business = _check_business(business)
    if get_user_by_email(email) is not None:
        raise EmailTaken(fields={"email": EmailTaken.default_message})

    user = User(email=email, password_hash=hash_password(password), display_name=display_name, locale=locale)
    db.session.add(user)
    if business is not None:
        db.session.add(RetailBuyer(user=user, status=RetailBuyer.PENDING, **business.__dict__))
    try:
        db.session.flush()  # the verification link needs the new id
        _queue_verification(user)
        db.session.commit()
    except IntegrityError:
        # Someone registered the same address between our check and the insert.
        db.session.rollback()
        raise EmailTaken(fields={"email": EmailTaken.default_message}) from None
    return user


def apply_for_business_account(user: User, business: BusinessDetails) -> RetailBuyer:
    """Add a (pending) business account to an existing user."""
    if user.retail_buyer is not None:
        raise Conflict(_l("You already have a business account."))
    business = _check_business(business)
    buyer = RetailBuyer(user=user, status=RetailBuyer.PENDING, **business.__dict__)
    db.session.add(buyer)
    try:
        db.session.commit()
    except IntegrityError:
        # The same form sent twice at once: the first one made the account.
        db.session.rollback()
        raise Conflict(_l("You already have a business account.")) from None
    return buyer


# ---------------------------------------------------------------- e-mail verification


def verify_email(token: str) -> User:
    """Mark the address in the link verified. Following the link twice is fine."""
    claim = tokens.read_verify_token(token)
    # A GET request reads in a deferred SQLite transaction that cannot be upgraded
    # to a write under contention: end it, and begin the write with the lock taken.
    db.session.commit()
    with write_intent():
        user = db.session.get(User, claim.user_id)
        if user is None or user.email != claim.email:
            db.session.rollback()
            raise tokens.InvalidLink()
        if user.email_verified_at is None:
            user.email_verified_at = utcnow()
        db.session.commit()
    return user


def resend_verification(user: User) -> bool:
    """Queue a new verification e-mail; False when the address is already verified."""
    if user.email_verified:
        return False
    _queue_verification(user)
    db.session.commit()
    return True


def resend_verification_to(email: str) -> None:
    """The same for a visitor who is not signed in; silent about unknown addresses."""
    user = get_user_by_email(email)
    if user is not None and user.is_active:
        resend_verification(user)


# ---------------------------------------------------------------- sign-in


def _throttle_retry_after(column, value: str, limit: int, window: int, now: datetime) -> int | None:
    """Seconds until fewer than ``limit`` failures remain in the window, or None."""
    recent = db.session.scalars(
        select(LoginAttempt.attempted_at)
        .where(column == value, LoginAttempt.attempted_at > now - timedelta(seconds=window))
        .order_by(LoginAttempt.attempted_at.desc())
        .limit(limit)
    ).all()
    if len(recent) < limit:
        return None
    # The block lifts when the oldest of the last ``limit`` failures leaves the window.
    return math.ceil((recent[-1] + timedelta(seconds=window) - now).total_seconds())


def login_retry_after(email: str, ip_address: str) -> int | None:
    """Seconds this e-mail or address must wait before another try, or None."""
    config = current_app.config
    window = config["LOGIN_FAILURE_WINDOW"]
    now = utcnow()
    waits = [
        _throttle_retry_after(LoginAttempt.email, normalize_email(email), config["LOGIN_MAX_FAILURES"], window, now),
        _throttle_retry_after(LoginAttempt.ip_address, ip_address, config["LOGIN_MAX_FAILURES_PER_IP"], window, now),
    ]
    waits = [wait for wait in waits if wait is not None]
    return max(waits) if waits else None


def _record_failure(email: str, ip_address: str) -> None:
    now = utcnow()
    cutoff = now - timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW"])
    # Old failures no longer count: drop them so the table stays small.
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at <= cutoff))
    db.session.add(LoginAttempt(email=email[:254], ip_address=ip_address[:64], attempted_at=now))
    db.session.commit()


def authenticate(*, email: str, password: str, ip_address: str) -> User:
    """Check a sign-in; on success record it and return the user.

    Throttled per e-mail and per address: past the limit the password is not even
    checked. An unknown e-mail takes as long and answers the same as a wrong password.
    """
    email = normalize_email(email)[:254]
    ip_address = ip_address or "unknown"
    retry_after = login_retry_after(email, ip_address)
    if retry_after is not None:
        db.session.rollback()
        raise TooManyAttempts(retry_after)

    user = get_user_by_email(email) if email else None
    if user is None:
        burn_equal_time(password or "")
        _record_failure(email, ip_address)
        raise InvalidCredentials()
    if not verify_password(user.password_hash, password or ""):
        _record_failure(email, ip_address)
        raise InvalidCredentials()
    if not user.is_active:
        db.session.rollback()
        raise AccountDisabled()

    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))
    db.session.commit()
    return user


def failed_login_count(*, email: str | None = None, ip_address: str | None = None) -> int:
    """Failures inside the window (for tests and the back office)."""
    cutoff = utcnow() - timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW"])
    query = select(func.count(LoginAttempt.id)).where(LoginAttempt.attempted_at > cutoff)
    if email is not None:
        query = query.where(LoginAttempt.email == normalize_email(email))
    if ip_address is not None:
        query = query.where(LoginAttempt.ip_address == ip_address)
    return db.session.scalar(query) or 0


# ---------------------------------------------------------------- password reset


def request_password_reset(email: str) -> None:
    """Queue a reset link for a real, open account. Says nothing either way, so the
    form cannot be used to find out who has an account."""
    user = get_user_by_email(email)
    if user is None or not user.is_active:
        db.session.rollback()
        return
    queue_email(
        to=user.email,
        kind="password_reset",
        template="password_reset",
        locale=user.locale,
        user=user,
        link=public_url("accounts.reset_password", token=tokens.make_reset_token(user)),
        valid_minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )
    db.session.commit()


def user_for_reset_token(token: str) -> User:
    """The user a reset link is for, or InvalidLink / ExpiredLink (also once used)."""
    claim = tokens.read_reset_token(token)
    user = db.session.get(User, claim.user_id)
    if user is None or not user.is_active or not tokens.reset_claim_matches(claim, user):
        raise tokens.InvalidLink()
    return user


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from a reset link. The link then stops working, and every
    sign-in (session and remember-me cookie) is signed out."""
    user = user_for_reset_token(token)
    check_password(new_password, email=user.email)
    user.password_hash = hash_password(new_password)
    close_all_sessions(user)
    # The link arrived in their mailbox, which proves the address.
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == user.email))
    db.session.commit()
    return user


# ---------------------------------------------------------------- account settings


def update_profile(user: User, *, display_name: str, phone: str | None, locale: str) -> User:
    display_name = (display_name or "").strip()
    if not display_name:
        raise ValidationFailed(_l("Enter your name."), fields={"display_name": _l("Enter your name.")})
    if locale not in current_app.config["LANGUAGES"]:
        raise ValidationFailed(_l("Choose th (ไทย) or en (English)."), fields={"locale": _l("Choose th (ไทย) or en (English).")})
    phone = (phone or "").strip() or None
    if phone is not None and not _looks_like_phone(phone):
        message = _l("Enter a phone number of 9 or 10 digits, e.g. 081 234 5678.")
        raise ValidationFailed(message, fields={"phone": message})
    user.display_name = display_name
    user.phone = phone
    user.locale = locale
    db.session.commit()
    return user


def _looks_like_phone(phone: str) -> bool:
    digits = "".join(ch for ch in phone if ch.isdigit())
    allowed = set("0123456789 +-()")
    return set(phone) <= allowed and 9 <= len(digits) <= 12


def change_password(user: User, *, current_password: str, new_password: str) -> User:
    """Change the password; every sign-in of the user ends, this one included (the
    caller signs this browser in again with a new one)."""
    if not verify_password(user.password_hash, current_password or ""):
        message = _l("Your current password is not right.")
        raise ValidationFailed(message, fields={"current_password": message})
    check_password(new_password, email=user.email)
    user.password_hash = hash_password(new_password)
    close_all_sessions(user)
    db.session.commit()
    return user


def sign_out_everywhere(user: User) -> User:
    """End every sign-in the user has (sessions and remember-me cookies), this one included."""
    close_all_sessions(user)
    db.session.commit()
    return user


# ---------------------------------------------------------------- administration


def create_staff_user(*, email: str, password: str, display_name: str) -> tuple[User, bool]:
    """Create a verified programme-staff account, or make an existing user staff."""
    email = check_email(email)
    user = get_user_by_email(email)
    if user is not None:
        user.is_staff = True
        db.session.commit()
        return user, False
    check_password(password, email=email)
    user = User(email=email, password_hash=hash_password(password), display_name=display_name,
                is_staff=True, email_verified_at=utcnow())
    db.session.add(user)
    db.session.commit()
    return user, True

