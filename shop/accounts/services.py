"""Account use cases. Each owns its transaction and takes the acting user explicitly.

Registration, e-mail verification, sign-in with throttling (the rules are in
``throttle.py``) and its unlock links, password reset and the account settings. Views
call one function here and render what it returns or the ``DomainError`` it raises;
nothing here reads ``request`` or ``current_user``.
"""

from __future__ import annotations

import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from shop.accounts import devices, throttle, tokens
from shop.accounts.models import LoginAttempt, LoginUnlock, RetailBuyer, User
from shop.accounts.passwords import burn_equal_time, hash_password, needs_rehash, verify_password
from shop.accounts.sessions import close_all_sessions
from shop.accounts.validation import (
    BUSINESS_TYPES,
    branch_problem,
    check_email,
    check_password,
    normalize_branch,
)
from shop.database import end_read, transaction, write_intent
from shop.dbtypes import utcnow
from shop.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from shop.extensions import db
from shop.notifications.models import OutboxMessage
from shop.notifications.services import job, queue_email, queue_job
from shop.thai import looks_like_phone, normalize_tax_id, tax_id_problem

# Outbox jobs: the sender makes these mails after the request (see the handlers below),
# so the request writes the same whether or not the address has an account.
REGISTRATION_JOB = "account_registration"
RESET_JOB = "password_reset_request"
RESEND_VERIFICATION_JOB = "verification_resend_request"
#: At most one "someone tried to sign up with your address" notice per address this often.
ACCOUNT_EXISTS_NOTICE_INTERVAL = timedelta(hours=1)


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
        super().__init__(self._message())

    def _message(self) -> str:
        return _("Too many sign-in attempts.") + " " + _wait_text(self.retry_after_seconds)


class AccountLocked(TooManyAttempts):
    """The account is closed to clients it does not know; known devices, and a browser
    opened by the e-mailed unlock link, may still try."""

    code = "sign_in_closed_to_new_devices"

    def _message(self) -> str:
        return " ".join([
            _("Too many failed sign-ins to this account from devices we do not know, so new devices "
              "cannot sign in to it for now."),
            _("Sign in from a device you have used before, or open the unlock link we e-mail to the "
              "account's address."),
            _wait_text(self.retry_after_seconds),
        ])


def _wait_text(seconds: int) -> str:
    if seconds < 60:
        if seconds == 1:
            return _("Try again in a second.")
        return _("Try again in %(num)d seconds.", num=seconds)
    minutes = math.ceil(seconds / 60)
    if minutes == 1:
        return _("Try again in a minute.")
    return _("Try again in %(num)d minutes.", num=minutes)


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
) -> str:
    """Sign up, answering the same whether or not the address already has an account.

    A new address gets the account (and a pending business account when ``business``
    is given); an address with an account is left exactly as it is. Both ways hash the
    password (the slow part), write one ``account_registration`` outbox job and commit,
    so neither the answer nor its timing tells them apart. The sender then mails the
    new account its verification link, or the existing account's owner a notice that
    someone tried to sign up with their address. Nobody is signed in: the caller must
    answer both the same way. Returns the normalised address.
    """
    email = check_email(email)
    display_name = (display_name or "").strip()
    if not display_name:
        raise ValidationFailed(_l("Enter your name."), fields={"display_name": _l("Enter your name.")})
    if locale not in current_app.config["LANGUAGES"]:
        raise ValidationFailed(_l("Choose th (ไทย) or en (English)."), fields={"lang": _l("Choose th (ไทย) or en (English).")})
    check_password(password, email=email)
    if business is not None:
        business = _check_business(business)

    password_hash = hash_password(password)  # for a taken address too, and discarded: equal time
    with transaction():
        if get_user_by_email(email) is None:
            try:
                # A savepoint: losing the race below undoes the new account only.
                with transaction():
                    user = User(email=email, password_hash=password_hash, display_name=display_name,
                                locale=locale)
                    db.session.add(user)
                    if business is not None:
                        db.session.add(RetailBuyer(user=user, status=RetailBuyer.PENDING, **business.__dict__))
                    db.session.flush()  # the job names the new id
                    queue_job(REGISTRATION_JOB, email=email, new_user_id=user.id, business=business is not None)
                return email
            except IntegrityError:
                pass  # someone registered the same address between our check and the insert
        queue_job(REGISTRATION_JOB, email=email, new_user_id=None, business=business is not None)
    return email


@job(REGISTRATION_JOB)
def _mail_registration(payload: dict) -> None:
    """The verification link for the account a sign-up made; for an address that had an
    account already, a notice to its owner (in the owner's language)."""
    user = get_user_by_email(payload["email"])
    if user is None or not user.is_active:
        return  # gone or closed since: nobody to tell
    if user.id == payload.get("new_user_id"):
        if not user.email_verified:
            _queue_verification(user)
        return
    since = utcnow() - ACCOUNT_EXISTS_NOTICE_INTERVAL
    if db.session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.kind == "account_exists", OutboxMessage.to_address == user.email,
        OutboxMessage.created_at > since,
    ).limit(1)) is not None:
        return  # one notice says it all: sign-up attempts cannot flood an owner's mailbox
    queue_email(
        to=user.email,
        kind="account_exists",
        template="account_exists",
        locale=user.locale,
        user=user,
        business=bool(payload.get("business")),
        login_link=public_url("accounts.login"),
        reset_link=public_url("accounts.reset_request"),
        business_link=public_url("accounts.register_business"),
    )


def apply_for_business_account(user: User, business: BusinessDetails) -> RetailBuyer:
    """Add a (pending) business account to an existing user."""
    if user.retail_buyer is not None:
        raise Conflict(_l("You already have a business account."))
    business = _check_business(business)
    try:
        with transaction():
            buyer = RetailBuyer(user=user, status=RetailBuyer.PENDING, **business.__dict__)
            db.session.add(buyer)
            db.session.flush()
    except IntegrityError:
        # The same form sent twice at once: the first one made the account.
        raise Conflict(_l("You already have a business account.")) from None
    return buyer


# ---------------------------------------------------------------- e-mail verification


def verify_email(token: str) -> User:
    """Mark the address in the link verified. Following the link twice is fine."""
    claim = tokens.read_verify_token(token)
    # A GET request reads in a deferred SQLite transaction that cannot be upgraded
    # to a write under contention: end it, and begin the write with the lock taken.
    end_read()
    with write_intent(), transaction():
        user = db.session.get(User, claim.user_id)
        if user is None or user.email != claim.email:
            raise tokens.InvalidLink()
        if user.email_verified_at is None:
            user.email_verified_at = utcnow()
    return user


def resend_verification(user: User) -> bool:
    """Queue a new verification e-mail; False when the address is already verified."""
    if user.email_verified:
        return False
    with transaction():
        _queue_verification(user)
    return True


def resend_verification_to(email: str) -> None:
    """The same for a visitor who is not signed in. Writes one outbox job whatever the
    address (nothing is looked up here, so the answer and its timing say nothing about
    the address); the sender mails a link only to an open account waiting for one."""
    with transaction():
        queue_job(RESEND_VERIFICATION_JOB, email=normalize_email(email))


@job(RESEND_VERIFICATION_JOB)
def _mail_verification_again(payload: dict) -> None:
    user = get_user_by_email(payload["email"])
    if user is not None and user.is_active and not user.email_verified:
        _queue_verification(user)


# ---------------------------------------------------------------- sign-in


def login_retry_after(email: str, ip_address: str, device_id: str | None = None) -> int | None:
    """Seconds this client (e-mail and address, or e-mail and known device) must wait
    before another try, or None. The rules are in ``shop.accounts.throttle``."""
    client = throttle.Client(email=normalize_email(email)[:254], ip_address=(ip_address or "unknown")[:64],
                             device_id=device_id)
    wait = throttle.wait_for(client, utcnow())
    return wait.seconds if wait is not None else None


def _record_failure(client: throttle.Client, user: User | None) -> None:
    """Count the failure in the caller's transaction; when it closes the account to
    unknown clients, e-mail the owner an unlock link (one per window)."""
    now = utcnow()
    throttle.add_failure(client, now)
    if user is not None and user.is_active and not client.known and throttle.account_locked(client.email, now):
        _send_unlock_link(user, now)


def authenticate(*, email: str, password: str, ip_address: str, device: devices.Device | None = None) -> User:
    """Check a sign-in; on success record it and return the user.

    ``device`` is the browser's device cookie, if any: a device known to the account
    is throttled on its own, apart from unknown clients (``shop.accounts.throttle``).
    A throttled try is refused before the password is checked, and not recorded. An
    unknown e-mail takes as long and answers the same as a wrong password. A failure is
    committed before ``InvalidCredentials`` is raised, so call this in no other
    transaction (an outer one would roll the failure back with the error).
    """
    email = normalize_email(email)[:254]
    failed = False
    with transaction():
        throttle.serialize_attempts(email)
        user = get_user_by_email(email) if email else None
        client = throttle.Client(
            email=email,
            ip_address=(ip_address or "unknown")[:64],
            device_id=device.id if device is not None and device.knows(user) else None,
        )
        wait = throttle.wait_for(client, utcnow())
        if wait is not None:
            raise AccountLocked(wait.seconds) if wait.account_locked else TooManyAttempts(wait.seconds)

        if user is None:
            burn_equal_time(password or "")
            _record_failure(client, None)
            failed = True
        elif not verify_password(user.password_hash, password or ""):
            _record_failure(client, user)
            failed = True
        elif not user.is_active:
            raise AccountDisabled()
        else:
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            user.last_login_at = utcnow()
            throttle.forget_failures(client)
    if failed:
        raise InvalidCredentials()  # after the block: the failure it recorded is committed
    return user


def failed_login_count(*, email: str | None = None, ip_address: str | None = None,
                       known_device: bool | None = None) -> int:
    """Failures inside the window (for tests and the back office); ``known_device``
    True or False counts only those from known devices, or from unknown clients."""
    return throttle.count_failures(
        utcnow(), email=normalize_email(email) if email is not None else None, ip_address=ip_address,
        known=known_device,
    )


def prune_login_records(now: datetime | None = None) -> tuple[int, int]:
    """Delete sign-in failures past the window and spent unlock links (the sweeper's
    chore); returns how many of each went."""
    with transaction():
        return throttle.prune(now or utcnow())


# ---------------------------------------------------------------- unlock links


def _send_unlock_link(user: User, now: datetime) -> bool:
    """Queue an unlock link for ``user`` in the caller's transaction, unless one went
    out inside the window."""
    if throttle.unlock_sent_since(user.id, now):
        return False
    unlock = LoginUnlock(user_id=user.id, nonce=secrets.token_urlsafe(16), created_at=now)
    db.session.add(unlock)
    db.session.flush()  # the link names the row
    queue_email(
        to=user.email,
        kind="login_unlock",
        template="login_unlock",
        locale=user.locale,
        user=user,
        link=public_url("accounts.unlock", token=tokens.make_unlock_token(user, unlock.id, unlock.nonce)),
        valid_minutes=current_app.config["LOGIN_UNLOCK_MAX_AGE"] // 60,
    )
    return True


def request_unlock_link(email: str, ip_address: str) -> None:
    """E-mail an unlock link to a real, open account that unknown clients at
    ``ip_address`` cannot try right now (the account is closed to them, or this
    address must wait for it: a neighbour behind the same proxy may be the guesser).
    At most one per account per window. Says nothing either way, so the form cannot be
    used to find out who has an account."""
    email = normalize_email(email)[:254]
    with transaction():
        throttle.serialize_attempts(email)
        user = get_user_by_email(email) if email else None
        now = utcnow()
        client = throttle.Client(email=email, ip_address=(ip_address or "unknown")[:64])
        if user is None or not user.is_active or throttle.wait_for(client, now) is None:
            return
        _send_unlock_link(user, now)


def _unlock_for_token(token: str) -> tuple[User, LoginUnlock]:
    claim = tokens.read_unlock_token(token)
    unlock = db.session.get(LoginUnlock, claim.unlock_id, populate_existing=True)
    user = db.session.get(User, claim.user_id)
    if (unlock is None or user is None or unlock.user_id != user.id or not user.is_active
            or user.email != claim.email or not hmac.compare_digest(unlock.nonce, claim.nonce)
            or unlock.used_at is not None):
        raise tokens.InvalidLink()
    return user, unlock


def user_for_unlock_token(token: str) -> User:
    """The user an unlock link is for, or InvalidLink / ExpiredLink (also once used)."""
    return _unlock_for_token(token)[0]


def use_unlock_link(token: str) -> User:
    """Spend an unlock link; the caller then marks the browser as a device known to
    the returned user. Works once, even when followed twice at the same moment."""
    with transaction():
        user, unlock = _unlock_for_token(token)
        claimed = db.session.execute(
            update(LoginUnlock).where(LoginUnlock.id == unlock.id, LoginUnlock.used_at.is_(None))
            .values(used_at=utcnow()).execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            raise tokens.InvalidLink()
    return user


# ---------------------------------------------------------------- password reset


def request_password_reset(email: str) -> None:
    """Ask the sender to mail a reset link to this address if it is a real, open
    account. Writes one outbox job whatever the address: nothing is looked up, signed
    or rendered here, so neither the answer nor its timing tells who has an account."""
    with transaction():
        queue_job(RESET_JOB, email=normalize_email(email))


@job(RESET_JOB)
def _mail_password_reset(payload: dict) -> None:
    """The reset link, made when the mail is: its lifetime starts now."""
    user = get_user_by_email(payload["email"])
    if user is None or not user.is_active:
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
    with transaction():
        user.password_hash = hash_password(new_password)
        close_all_sessions(user)
        # The link arrived in their mailbox, which proves the address.
        if user.email_verified_at is None:
            user.email_verified_at = utcnow()
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == user.email))
    return user


# ---------------------------------------------------------------- account settings


def update_profile(user: User, *, display_name: str, phone: str | None, locale: str) -> User:
    display_name = (display_name or "").strip()
    if not display_name:
        raise ValidationFailed(_l("Enter your name."), fields={"display_name": _l("Enter your name.")})
    if locale not in current_app.config["LANGUAGES"]:
        raise ValidationFailed(_l("Choose th (ไทย) or en (English)."), fields={"locale": _l("Choose th (ไทย) or en (English).")})
    phone = (phone or "").strip() or None
    if phone is not None and not looks_like_phone(phone):
        message = _l("Enter a phone number of 9 or 10 digits, e.g. 081 234 5678.")
        raise ValidationFailed(message, fields={"phone": message})
    with transaction():
        user.display_name = display_name
        user.phone = phone
        user.locale = locale
    return user


def change_password(user: User, *, current_password: str, new_password: str) -> User:
    """Change the password; every sign-in of the user ends, this one included (the
    caller signs this browser in again with a new one)."""
    if not verify_password(user.password_hash, current_password or ""):
        message = _l("Your current password is not right.")
        raise ValidationFailed(message, fields={"current_password": message})
    check_password(new_password, email=user.email)
    with transaction():
        user.password_hash = hash_password(new_password)
        close_all_sessions(user)
    return user


def sign_out_everywhere(user: User) -> User:
    """End every sign-in the user has (sessions and remember-me cookies), this one included."""
    with transaction():
        close_all_sessions(user)
    return user


# ---------------------------------------------------------------- administration


def create_staff_user(*, email: str, password: str, display_name: str) -> tuple[User, bool]:
    """Create a verified programme-staff account, or make an existing user staff."""
    email = check_email(email)
    with transaction():
        user = get_user_by_email(email)
        if user is not None:
            user.is_staff = True
            return user, False
        check_password(password, email=email)
        user = User(email=email, password_hash=hash_password(password), display_name=display_name,
                    is_staff=True, email_verified_at=utcnow())
        db.session.add(user)
    return user, True

