"""Checks on e-mail addresses, passwords and a business buyer's branch, shared by forms,
services and the API. Tax IDs follow ``shop.thai``."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from shop.errors import ValidationFailed

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128

# A short list of passwords that fill breach corpora; length rules alone let them in.
_COMMON_PASSWORDS = frozenset(
    {
        "1234567890", "12345678910", "0123456789", "1111111111", "password123", "password1234",
        "qwertyuiop", "1q2w3e4r5t", "qwerty1234", "iloveyou12", "abcdefghij", "abc1234567",
        "passw0rd123", "letmein1234", "welcome123", "admin12345", "0987654321", "1234qwerty",
        "demo-password1", "chumchon123", "thailand123", "bangkok123", "0000000000", "9999999999",
    }
)


def check_email(email: str) -> str:
    """The address normalised (lower-cased) or ValidationFailed with a clear message."""
    try:
        result = validate_email(
            (email or "").strip(),
            check_deliverability=False,
            # Tests and the demo catalogue use the reserved ``.test`` domain, which real
            # sign-ups in production must not.
            test_environment=bool(has_app_context() and not current_app.config.get("PRODUCTION")),
        )
    except EmailNotValidError:
        raise ValidationFailed(_l("Enter a valid e-mail address."), fields={"email": _l("Enter a valid e-mail address.")}) from None
    return result.normalized.lower()


def password_problem(password: str, *, email: str | None = None):
    """A user-facing reason the password is too weak, or None."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _l("Use at most %(n)d characters.", n=MAX_PASSWORD_LENGTH)
    lowered = password.lower()
    if lowered in _COMMON_PASSWORDS or len(set(password)) < 4:
        return _l("This password is too easy to guess. Try a short phrase of several words.")
    if email and lowered == email.split("@")[0].lower():
        return _l("Do not use your e-mail address as your password.")
    return None


def check_password(password: str, *, email: str | None = None) -> None:
    problem = password_problem(password, email=email)
    if problem:
        raise ValidationFailed(problem, fields={"password": problem})


HEAD_OFFICE = "สำนักงานใหญ่"
BUSINESS_TYPES = ("shop", "supermarket", "hotel", "cafe", "restaurant", "other")


def normalize_branch(value: str) -> str:
    """Head office (empty, ``00000`` or the words) or a five-digit branch number."""
    value = (value or "").strip()
    if value in ("", "00000", HEAD_OFFICE) or value.lower() in ("head office", "hq"):
        return HEAD_OFFICE
    return value


def branch_problem(value: str):
    branch = normalize_branch(value)
    if branch == HEAD_OFFICE or (len(branch) == 5 and branch.isascii() and branch.isdigit()):
        return None
    return _l("Leave the branch empty for the head office, or enter the 5-digit branch number.")
